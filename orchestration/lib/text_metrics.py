"""BLEU, ROUGE-L and METEOR of a response against its reference text, computed by their libraries.

The warehouse scores each pair once and stores what each metric needs to be pooled over any
period: BLEU's sufficient statistics (corpus BLEU is not a mean of sentence scores, so the
n-gram counts are summed and the score computed from the sums), and the sentence scores of
ROUGE-L and METEOR, whose metrics are means. Definitions: docs/metrics.md, section Generative.

- bleu: sacrebleu's `corpus_bleu` with its defaults (13a tokenizer, case kept, exponential
  smoothing, no effective order). The per-pair statistics are those corpus_bleu collects, and
  `bleu_from_statistics` hands their sums to sacrebleu's own `BLEU.compute_bleu`.
- rouge_l: rouge-score's ROUGE-L F-measure, Porter stemming on.
- meteor: NLTK's `meteor_score` on lower-cased whitespace tokens, with exact and Porter-stem
  matches only: a WordNet stand-in without synsets replaces the corpus, so the score never
  depends on which WordNet a machine has (or whether it has one).
- A text without any word (empty or whitespace only, as the tokenizers see it) is missing, as
  the loader reads a blank field: the pair is not scored (`is_scorable`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sacrebleu.metrics.bleu import BLEU

# The settings of sacrebleu.corpus_bleu's defaults, spelled out (tests compare with corpus_bleu).
BLEU_TOKENIZER = "13a"
BLEU_LOWERCASE = False
BLEU_SMOOTH_METHOD = "exp"
BLEU_SMOOTH_VALUE = None
BLEU_EFFECTIVE_ORDER = False
BLEU_MAX_NGRAM_ORDER = 4


class _NoSynonyms:
    """Stands in for `nltk.corpus.wordnet` in METEOR: no word has a synset, so no synonym match."""

    @staticmethod
    def synsets(*args: object, **kwargs: object) -> list:
        return []


NO_SYNONYMS = _NoSynonyms()


class PairScores(NamedTuple):
    """What one response/reference pair contributes; field names are the warehouse columns."""

    bleu_matches_1: int
    bleu_matches_2: int
    bleu_matches_3: int
    bleu_matches_4: int
    bleu_totals_1: int
    bleu_totals_2: int
    bleu_totals_3: int
    bleu_totals_4: int
    bleu_hypothesis_length: int
    bleu_reference_length: int
    rouge_l_f: float
    meteor: float


def is_scorable(response: str | None, reference: str | None) -> bool:
    """Both texts present and with at least one word (whitespace-separated token)."""
    return bool(response and response.split() and reference and reference.split())


def meteor_tokens(text: str) -> list[str]:
    """METEOR's input: lower-cased whitespace tokens (punctuation stays on its word)."""
    return text.lower().split()


class TextScorer:
    """Scores pairs with library objects built once (tokenizer, stemmers) for a whole batch."""

    def __init__(self) -> None:
        # Per-pair statistics through sentence_score: the same tokenisation and n-gram counts as
        # corpus_bleu. effective_order only changes the sentence score, which is dropped; True
        # keeps sacrebleu from warning once per pair that sentence BLEU wants it.
        self._bleu = BLEU(
            lowercase=BLEU_LOWERCASE,
            tokenize=BLEU_TOKENIZER,
            max_ngram_order=BLEU_MAX_NGRAM_ORDER,
            effective_order=True,
        )
        # NLTK (also under rouge-score) takes ~3.5 s to import: only a scorer pays for it, not
        # every importer of this module (the BLEU aggregate needs sacrebleu alone).
        from nltk.translate.meteor_score import meteor_score
        from rouge_score import rouge_scorer

        self._rouge = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
        self._meteor = meteor_score

    def score(self, response: str, reference: str) -> PairScores:
        """Scores of one pair (the response is the hypothesis, the reference the target)."""
        bleu = self._bleu.sentence_score(response, [reference])
        return PairScores(
            *bleu.counts,
            *bleu.totals,
            bleu.sys_len,
            bleu.ref_len,
            self._rouge.score(reference, response)["rougeL"].fmeasure,
            self._meteor([meteor_tokens(reference)], meteor_tokens(response), wordnet=NO_SYNONYMS),
        )

    def score_pairs(
        self, pairs: Iterable[tuple[str | None, str | None]]
    ) -> list[PairScores | None]:
        """Scores of (response, reference) pairs, in order; None where a pair is not scorable.

        Each distinct pair is scored once: canned replies against templated references repeat,
        and scoring is the slow part of the nightly run.
        """
        pairs = list(pairs)
        scores: dict[tuple[str | None, str | None], PairScores | None] = {}
        for pair in pairs:
            if pair not in scores:
                scores[pair] = self.score(*pair) if is_scorable(*pair) else None
        return [scores[pair] for pair in pairs]


def bleu_from_statistics(
    matches: Sequence[int],
    totals: Sequence[int],
    hypothesis_length: int,
    reference_length: int,
) -> float:
    """Corpus BLEU (0-100) from per-pair statistics summed over the corpus, as corpus_bleu.

    sacrebleu's exp-of-logs arithmetic gives a perfect corpus 100.00000000000004; the score is
    capped at 100 so that a perfect day stays inside the metric's documented range (the weekly
    gate checks it).
    """
    score = BLEU.compute_bleu(
        correct=[int(m) for m in matches],
        total=[int(t) for t in totals],
        sys_len=int(hypothesis_length),
        ref_len=int(reference_length),
        smooth_method=BLEU_SMOOTH_METHOD,
        smooth_value=BLEU_SMOOTH_VALUE,
        effective_order=BLEU_EFFECTIVE_ORDER,
        max_ngram_order=BLEU_MAX_NGRAM_ORDER,
    ).score
    return min(score, 100.0)
