"""BLEU, ROUGE-L and METEOR per pair and pooled, against the libraries called directly.

The warehouse sums per-pair BLEU statistics over a period and turns the sums into corpus BLEU;
these tests check that this gives sacrebleu.corpus_bleu's score on the same pairs, that the
stored ROUGE-L and METEOR are what rouge-score and NLTK return, and that METEOR never matches
synonyms (so it needs no WordNet corpus, and none is installed here).
"""

from __future__ import annotations

import inspect

import nltk.corpus
import pytest
import sacrebleu
from nltk.corpus.util import LazyCorpusLoader
from nltk.translate.meteor_score import meteor_score
from rouge_score import rouge_scorer

from orchestration.lib.text_metrics import (
    BLEU_EFFECTIVE_ORDER,
    BLEU_LOWERCASE,
    BLEU_SMOOTH_METHOD,
    BLEU_SMOOTH_VALUE,
    BLEU_TOKENIZER,
    NO_SYNONYMS,
    PairScores,
    TextScorer,
    bleu_from_statistics,
    is_scorable,
)

# (response, reference): paraphrases, punctuation, case changes, inflections (running/runs),
# reordering, partial and off-topic answers, short and long texts.
MIXED = [
    (
        "We issued your refund and it will reach your card in five business days.",
        "Your refund has been issued and will reach your card within five business days.",
    ),
    (
        "Your order was shipped today and will arrive Thursday.",
        "Your order shipped today and should arrive on Thursday.",
    ),
    (
        "Your password is reset and a sign-in link was sent to your email.",
        "I have reset your password and sent a sign-in link to your email.",
    ),
    (
        "The annual plan is 120 dollars and comes with priority support.",
        "The annual plan costs 120 dollars and includes priority support.",
    ),
    (
        "We cancelled your subscription so you will not be charged again.",
        "Your subscription is cancelled and you will not be charged again.",
    ),
    ("Your warranty covers the replacement part at no cost.", "The replacement part is covered."),
    (
        "Items can be returned within 30 days for a full refund.",
        "You can return the item within 30 days for a full refund.",
    ),
    ("Please contact your bank about the refund status.", "Your refund was issued yesterday."),
    ("THE TECHNICIAN IS RUNNING LATE TODAY.", "The technician runs late today."),
    ("the technician is running late today", "The technician is running late today."),
    ("Running the update fixes the crash.", "Runs of the update fixed crashes!"),
    ("Hello!", "Hello, how can I help you today?"),
    ("Yes.", "Yes."),
    ("I can help with that; what's your order number?", "What is your order number?"),
    (
        "Your invoice (#4411) was sent to billing@example.com on 3 March.",
        "Invoice #4411 was emailed to billing@example.com on March 3.",
    ),
    ("The store opens at 9:00 a.m. and closes at 6:00 p.m.", "Opening hours: 9am to 6pm."),
    ("We are looking into it.", "The outage was caused by a failed deployment."),
    (
        "Thursday, arrive will order your.",
        "Your order will arrive Thursday.",
    ),
    ("Refund refund refund refund.", "Your refund is on its way."),
    (
        "The courier delivers parcels between 8 and 12, and you'll get a text first.",
        "Parcels are delivered between 8 and 12; you will receive a text message beforehand.",
    ),
    ("Cancelled.", "Your subscription has been cancelled."),
    ("Our agents are available 24/7 via chat, phone and e-mail.", "Agents are available 24/7."),
    (
        "Your account was locked after three failed sign-in attempts; I unlocked it.",
        "The account locked after 3 failed attempts and has now been unlocked.",
    ),
    ("Prices include VAT.", "All prices include VAT and shipping."),
    ("The jobs are running now and the runner logs every run.", "The job runs now; logs ran."),
    ("I don't know.", "The parcel is in the depot in Lyon."),
    ("Ça marche : votre commande arrive jeudi.", "Votre commande arrive jeudi."),
    (
        "You were charged twice because the first payment timed out; one charge is reversed.",
        "The first payment timed out, so you were charged twice; we reversed one charge.",
    ),
    ("Upgrade to Pro for unlimited projects.", "The Pro plan has unlimited projects."),
    ("Thanks for waiting.", "Thank you for waiting."),
]

SENTENCES = [reference for _, reference in MIXED]
DISJOINT = [
    ("alpha beta gamma delta", "one two three four five"),
    ("red green blue", "north south east west"),
]


@pytest.fixture(scope="module")
def scorer() -> TextScorer:
    return TextScorer()


def corpus_bleu_from_pairs(scores: list[PairScores]) -> float:
    """The warehouse's way: sum the statistics, then compute corpus BLEU from the sums."""
    sums = [sum(column) for column in list(zip(*scores, strict=True))[:10]]
    return bleu_from_statistics(sums[0:4], sums[4:8], sums[8], sums[9])


def library_meteor(response: str, reference: str) -> float:
    return meteor_score([reference.lower().split()], response.lower().split(), wordnet=NO_SYNONYMS)


def test_settings_are_corpus_bleu_defaults():
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(sacrebleu.corpus_bleu).parameters.items()
    }
    assert defaults["smooth_method"] == BLEU_SMOOTH_METHOD
    assert defaults["smooth_value"] == BLEU_SMOOTH_VALUE
    assert defaults["use_effective_order"] == BLEU_EFFECTIVE_ORDER
    assert defaults["lowercase"] == BLEU_LOWERCASE
    assert defaults["tokenize"] == BLEU_TOKENIZER


def test_identical_pairs_score_full_marks(scorer):
    scores = scorer.score_pairs((text, text) for text in SENTENCES)
    assert corpus_bleu_from_pairs(scores) == pytest.approx(100.0, abs=1e-9)
    # sacrebleu's own arithmetic lands a hair above 100; the warehouse caps it at 100.
    assert sacrebleu.corpus_bleu(SENTENCES, [SENTENCES]).score == pytest.approx(100.0, abs=1e-9)
    assert corpus_bleu_from_pairs(scores) == 100.0
    for text, score in zip(SENTENCES, scores, strict=True):
        assert score.rouge_l_f == 1.0
        # METEOR's fragmentation penalty, 0.5 x (1 chunk / m matches)^3, keeps it below 1.
        assert score.meteor == library_meteor(text, text)
        words = len(text.split())
        assert score.meteor == pytest.approx(1 - 0.5 / words**3, abs=1e-12)
        assert score.bleu_hypothesis_length == score.bleu_reference_length
        assert score.bleu_matches_1 == score.bleu_totals_1


def test_disjoint_pairs_score_zero(scorer):
    scores = scorer.score_pairs(DISJOINT)
    hypotheses, references = zip(*DISJOINT, strict=True)
    assert corpus_bleu_from_pairs(scores) == 0.0
    assert sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score == 0.0
    assert all(score.rouge_l_f == 0.0 and score.meteor == 0.0 for score in scores)
    assert [score.bleu_reference_length for score in scores] == [5, 4]


@pytest.mark.parametrize(
    "selection",
    [slice(None), slice(0, 10), slice(10, 20), slice(20, None), slice(None, None, 3)],
    ids=["all", "first-10", "middle-10", "last-10", "every-third"],
)
def test_summed_statistics_give_corpus_bleu(scorer, selection):
    """Any subset (a period, a program) pools to sacrebleu's corpus BLEU of that subset."""
    pairs = MIXED[selection]
    hypotheses = [response for response, _ in pairs]
    references = [reference for _, reference in pairs]
    expected = sacrebleu.corpus_bleu(hypotheses, [references]).score
    assert 0 < expected < 100
    assert corpus_bleu_from_pairs(scorer.score_pairs(pairs)) == pytest.approx(expected, abs=1e-9)


def test_pair_statistics_are_sacrebleus(scorer):
    for response, reference in MIXED:
        score = scorer.score(response, reference)
        single = sacrebleu.corpus_bleu([response], [[reference]])
        assert list(score[0:4]) == single.counts
        assert list(score[4:8]) == single.totals
        assert (score.bleu_hypothesis_length, score.bleu_reference_length) == (
            single.sys_len,
            single.ref_len,
        )


def test_rouge_l_and_meteor_are_the_libraries(scorer):
    rouge = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    for response, reference in MIXED:
        score = scorer.score(response, reference)
        assert score.rouge_l_f == rouge.score(reference, response)["rougeL"].fmeasure
        assert score.meteor == library_meteor(response, reference)
    assert 0 < sum(s.meteor for s in scorer.score_pairs(MIXED)) / len(MIXED) < 1


def test_meteor_matches_stems_and_case_but_not_synonyms(scorer):
    # Case is ignored and Porter stems match: "running" ~ "runs" (both "run").
    assert scorer.score("The CAT RUNNING", "the cat runs").meteor == pytest.approx(
        scorer.score("the cat runs", "the cat runs").meteor
    )
    # No synonyms: "big" and "large" (WordNet synonyms) do not match.
    assert scorer.score("big", "large").meteor == 0.0
    with_synonym = scorer.score("the house is big", "the house is large").meteor
    assert with_synonym == scorer.score("the house is small", "the house is large").meteor
    # ... and no WordNet corpus was ever opened.
    assert isinstance(nltk.corpus.wordnet, LazyCorpusLoader)


def test_meteor_keeps_punctuation_on_its_word(scorer):
    """Whitespace tokens: "today." is not "today"."""
    assert (
        scorer.score("late today.", "late today").meteor
        < scorer.score("late today", "late today").meteor
    )


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("a reply", "a reference", True),
        ("!", "?", True),
        (None, "a reference", False),
        ("a reply", None, False),
        ("", "a reference", False),
        ("a reply", " \t\n", False),
    ],
)
def test_a_text_without_words_is_not_scorable(response, reference, expected):
    assert is_scorable(response, reference) is expected


def test_batch_keeps_order_and_skips_pairs_without_words(scorer):
    batch = [MIXED[0], ("", "a reference"), (None, "a reference"), MIXED[1]]
    assert scorer.score_pairs(batch) == [
        scorer.score(*MIXED[0]),
        None,
        None,
        scorer.score(*MIXED[1]),
    ]
