"""bleu, rouge_l and meteor built by dbt, against sacrebleu, rouge-score and NLTK called here.

Hand-made evaluations with texts (two programs, two days of one ISO week, one just before
midnight, some without texts or with a text of whitespace only) go into a fresh raw schema;
`dbt build` scores and pools them. Then a second batch (a new day, corrected texts, a removed
text, an evaluation moved to another day) goes through incremental runs, which must score only
what changed.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import sacrebleu
from nltk.translate.meteor_score import meteor_score
from rouge_score import rouge_scorer

from tests.integration.test_dbt_models import create_raw_schema, insert_raw, run_dbt

MONDAY = date(2026, 3, 2)  # an ISO week start
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
SELECT = ("--select", "+int_text_metrics_unpivoted")
WINDOW = ("--vars", f'{{min_date: "{MONDAY}", max_date: "{WEDNESDAY}"}}')
SCORES = ["rouge_l_f", "meteor"]


class NoWordNet:
    """No synsets: METEOR with exact and Porter-stem matches only, as the catalog defines it."""

    def synsets(self, *args: object, **kwargs: object) -> list:
        return []


ROUGE = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def at(day: date, hours: float) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(hours=hours)


def evaluation(
    evaluation_id: str,
    ai_system: str,
    evaluated_at: datetime,
    response: str | None,
    reference: str | None,
) -> dict:
    return {
        "evaluation_id": evaluation_id,
        "ai_system": ai_system,
        "evaluated_at": evaluated_at,
        "evaluator": "llm_judge",
        "response_text": response,
        "reference_text": reference,
        "quality_score": 0.7,
    }


FIRST_BATCH = [
    evaluation(
        "a1",
        "bot_a",
        at(MONDAY, 9),
        "We issued your refund and it will reach your card in five business days.",
        "Your refund has been issued and will reach your card within five business days.",
    ),
    evaluation(
        "a2",
        "bot_a",
        at(MONDAY, 10),
        "The technician is RUNNING late today.",
        "The technician runs late today.",
    ),
    evaluation(
        "a3",
        "bot_a",
        at(MONDAY, 11),
        "Your order shipped today and should arrive on Thursday.",
        "Your order shipped today and should arrive on Thursday.",
    ),
    # Just before midnight: still Monday.
    evaluation(
        "a4",
        "bot_a",
        at(MONDAY, 24) - timedelta(milliseconds=1),
        "Please contact your bank about the refund status.",
        "Your refund was issued yesterday; it takes 3-5 days.",
    ),
    # Midnight itself: Tuesday.
    evaluation(
        "a5",
        "bot_a",
        at(TUESDAY, 0),
        "Your password is reset and a sign-in link was sent to your email.",
        "I have reset your password and sent a sign-in link to your email.",
    ),
    evaluation("a6", "bot_a", at(TUESDAY, 14), "Yes.", "Yes, it is included."),
    evaluation(
        "b1",
        "bot_b",
        at(MONDAY, 8),
        "The annual plan is 120 dollars and comes with priority support.",
        "The annual plan costs 120 dollars and includes priority support.",
    ),
    evaluation("b2", "bot_b", at(MONDAY, 12), "The house is big", "The house is large"),
    evaluation(
        "b3",
        "bot_b",
        at(TUESDAY, 9),
        "We cancelled your subscription so you will not be charged again!",
        "Your subscription is cancelled and you will not be charged again.",
    ),
    evaluation(
        "b4",
        "bot_b",
        at(TUESDAY, 16),
        "Items can be returned within 30 days for a full refund.",
        "Returns are accepted within 30 days (full refund).",
    ),
    # Not pairs: a missing text on either side, or a text without any word.
    evaluation("n1", "bot_a", at(MONDAY, 13), None, None),
    evaluation("n2", "bot_a", at(MONDAY, 14), "An answer without a reference.", None),
    evaluation("n3", "bot_b", at(TUESDAY, 10), None, "A reference without an answer."),
    evaluation("w1", "bot_b", at(TUESDAY, 11), "\t\n", "Your parcel is at the depot."),
]

# The second batch: a new day, a corrected response (a2), a correction that removed a
# reference (b2), a corrected blank text that now has words (w1), an evaluation moved to
# another day with the same texts (b4).
CORRECTIONS = [
    evaluation(
        "a2",
        "bot_a",
        at(MONDAY, 10),
        "The technician runs late today.",
        "The technician runs late today.",
    ),
    evaluation("b2", "bot_b", at(MONDAY, 12), "The house is big", None),
    evaluation(
        "w1",
        "bot_b",
        at(TUESDAY, 11),
        "The parcel is at the depot.",
        "Your parcel is at the depot.",
    ),
    dict(FIRST_BATCH[9], evaluated_at=at(WEDNESDAY, 16)),
]
NEW_DAY = [
    evaluation(
        "a7",
        "bot_a",
        at(WEDNESDAY, 9),
        "The replacement part is covered by your warranty at no cost.",
        "Your warranty covers the replacement part at no cost.",
    ),
    evaluation(
        "b5",
        "bot_b",
        at(WEDNESDAY, 10),
        "Thanks for waiting, your order ships tomorrow.",
        "Thank you for waiting: the order will ship tomorrow.",
    ),
    evaluation("n4", "bot_b", at(WEDNESDAY, 11), None, "Nothing to compare with."),
]


def current(rows: list[dict]) -> dict[str, dict]:
    """The current version of each evaluation (a later row replaces an earlier one)."""
    return {row["evaluation_id"]: row for row in rows}


def is_pair(row: dict) -> bool:
    texts = (row["response_text"], row["reference_text"])
    return all(text is not None for text in texts)


def is_scored(row: dict) -> bool:
    return is_pair(row) and all(
        text.split() for text in (row["response_text"], row["reference_text"])
    )


def library_scores(row: dict) -> dict[str, float]:
    response, reference = row["response_text"], row["reference_text"]
    return {
        "rouge_l_f": ROUGE.score(reference, response)["rougeL"].fmeasure,
        "meteor": meteor_score(
            [reference.lower().split()], response.lower().split(), wordnet=NoWordNet()
        ),
    }


def period_start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def expected_metrics(rows: list[dict]) -> dict[tuple, dict]:
    """Per (metric_name, grain, period_start, ai_system): what the libraries give."""
    groups: dict[tuple, list[dict]] = {}
    for row in current(rows).values():
        if not is_scored(row):
            continue
        day = row["evaluated_at"].date()
        for grain in ("day", "week", "month"):
            for system in (row["ai_system"], "ALL"):
                groups.setdefault((grain, period_start(day, grain), system), []).append(row)
    expected = {}
    for key, members in groups.items():
        hypotheses = [row["response_text"] for row in members]
        references = [row["reference_text"] for row in members]
        expected[("bleu", *key)] = {
            "value": sacrebleu.corpus_bleu(hypotheses, [references]).score,
            "sample_size": len(members),
        }
        for metric, column in (("rouge_l", "rouge_l_f"), ("meteor", "meteor")):
            values = [library_scores(row)[column] for row in members]
            mean = sum(values) / len(values)
            sd = (
                (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
                if len(values) > 1
                else None
            )
            expected[(metric, *key)] = {
                "numerator": sum(values),
                "denominator": len(values),
                "standard_deviation": sd,
                "sample_size": len(values),
            }
    return expected


class Warehouse:
    def __init__(self, root: Path) -> None:
        self.path = root / "warehouse.duckdb"
        self.work = root / "work"

    def execute(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path)) as con:
            return con.execute(sql, params or []).fetchall()

    def dbt(self, *args: str) -> float:
        return run_dbt(self.path, self.work, *args)

    def scored(self) -> dict[str, dict]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            frame = con.execute("select * from intermediate.int_evaluations_text_scored").df()
        return {row["evaluation_id"]: row for row in frame.to_dict("records")}

    def column_types(self, table: str) -> dict[str, str]:
        return {name: type_ for name, type_, *_ in self.execute(f"describe {table}")}

    def metrics(self) -> dict[tuple, dict]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            frame = con.execute("select * from intermediate.int_text_metrics_unpivoted").df()
        return {
            (r["metric_name"], r["grain"], r["period_start"].date(), r["ai_system"]): r
            for r in frame.to_dict("records")
        }


def assert_metrics_match(warehouse: Warehouse, rows: list[dict]) -> None:
    actual, expected = warehouse.metrics(), expected_metrics(rows)
    assert set(actual) == set(expected)
    for key, want in expected.items():
        got = actual[key]
        assert (got["segment_key"], got["segment_value"]) == ("all", "all")
        assert got["sample_size"] == want["sample_size"], key
        if key[0] == "bleu":
            assert (got["statistic"], got["unit"]) == ("value", "bleu_0_to_100")
            assert got["value"] == pytest.approx(want["value"], abs=1e-9), key
            continue
        assert (got["statistic"], got["unit"], got["scale"]) == ("mean", "score_0_to_1", 1.0)
        assert got["numerator"] == pytest.approx(want["numerator"], rel=1e-12), key
        assert got["denominator"] == want["denominator"], key
        if want["standard_deviation"] is None:
            assert math.isnan(got["standard_deviation"]), key  # null, one pair
        else:
            assert got["standard_deviation"] == pytest.approx(
                want["standard_deviation"], rel=1e-9
            ), key


SCORED_TYPES = {
    "evaluation_id": "VARCHAR",
    "ai_system": "VARCHAR",
    "evaluated_date": "DATE",
    "text_fingerprint": "VARCHAR",
    "is_scored": "BOOLEAN",
    **{f"bleu_{kind}_{n}": "BIGINT" for kind in ("matches", "totals") for n in range(1, 5)},
    "bleu_hypothesis_length": "BIGINT",
    "bleu_reference_length": "BIGINT",
    "rouge_l_f": "DOUBLE",
    "meteor": "DOUBLE",
}
METRIC_INPUT_TYPES = {
    "metric_name": "VARCHAR",
    "grain": "VARCHAR",
    "period_start": "DATE",
    "ai_system": "VARCHAR",
    "segment_key": "VARCHAR",
    "segment_value": "VARCHAR",
    "statistic": "VARCHAR",
    "numerator": "DOUBLE",
    "denominator": "DOUBLE",
    "standard_deviation": "DOUBLE",
    "value": "DOUBLE",
    "sample_size": "BIGINT",
    "scale": "DOUBLE",
    "unit": "VARCHAR",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The first batch, built from scratch (models and their data and unit tests)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("text_metrics"))
    with duckdb.connect(str(warehouse.path)) as con:
        create_raw_schema(con)
        insert_raw(con, "evaluations", FIRST_BATCH)
    seconds = warehouse.dbt("build", *SELECT)
    print(f"first dbt build of the text metrics: {seconds:.1f} s")
    return warehouse


def test_first_build_matches_the_libraries(warehouse: Warehouse) -> None:
    assert_metrics_match(warehouse, FIRST_BATCH)
    # Two programs and ALL, over Monday, Tuesday, their ISO week and month.
    assert {(key[1], key[2]) for key in warehouse.metrics()} == {
        ("day", MONDAY),
        ("day", TUESDAY),
        ("week", MONDAY),
        ("month", MONDAY.replace(day=1)),
    }


def test_scored_rows_are_the_pairs_with_typed_columns(warehouse: Warehouse) -> None:
    scored = warehouse.scored()
    pairs = {key for key, row in current(FIRST_BATCH).items() if is_pair(row)}
    assert set(scored) == pairs
    assert scored["a4"]["evaluated_date"].date() == MONDAY
    assert scored["a5"]["evaluated_date"].date() == TUESDAY
    # A whitespace-only text is kept with null scores, left out of the metrics.
    assert not scored["w1"]["is_scored"]
    assert math.isnan(scored["w1"]["rouge_l_f"]) and math.isnan(scored["w1"]["meteor"])
    assert warehouse.column_types("intermediate.int_evaluations_text_scored") == SCORED_TYPES
    assert warehouse.column_types("intermediate.int_text_metrics_unpivoted") == METRIC_INPUT_TYPES


def test_meteor_is_exact_and_stem_matching(warehouse: Warehouse) -> None:
    scored = warehouse.scored()
    rows = current(FIRST_BATCH)
    # "RUNNING" matches "runs" by its stem ...
    assert scored["a2"]["meteor"] == library_scores(rows["a2"])["meteor"]
    walking = dict(rows["a2"], response_text="The technician is WALKING late today.")
    assert scored["a2"]["meteor"] > library_scores(walking)["meteor"]
    # ... but "big" never matches its WordNet synonym "large": as good as "small".
    small = dict(rows["b2"], response_text="The house is small")
    assert scored["b2"]["meteor"] == library_scores(small)["meteor"]


@pytest.fixture(scope="module")
def incremental(warehouse: Warehouse) -> dict:
    """The second batch: an incremental run of the scored model, then one with nothing new.

    Before it, the scores of a1 (unchanged) are overwritten with zeros: if the run scored a1
    again they would come back; a row that keeps them was not scored again.
    """
    before = warehouse.scored()
    warehouse.execute(
        "update intermediate.int_evaluations_text_scored set rouge_l_f = 0, meteor = 0"
        " where evaluation_id = 'a1'"
    )
    with duckdb.connect(str(warehouse.path)) as con:
        ids = [row["evaluation_id"] for row in CORRECTIONS]
        con.execute(
            "update raw.evaluations set _disposition = 'replaced'"
            f" where evaluation_id in ({', '.join('?' for _ in ids)})",
            ids,
        )
        insert_raw(con, "evaluations", CORRECTIONS + NEW_DAY)
    seconds = warehouse.dbt("build", "--select", "int_evaluations_text_scored", *WINDOW)
    print(f"incremental dbt build of the scored evaluations: {seconds:.1f} s")
    after = warehouse.scored()
    warehouse.execute(
        "update intermediate.int_evaluations_text_scored set rouge_l_f = ?, meteor = ?"
        " where evaluation_id = 'a1'",
        [before["a1"]["rouge_l_f"], before["a1"]["meteor"]],
    )
    seconds = warehouse.dbt("build", *SELECT, *WINDOW)
    print(f"incremental dbt build with nothing new to score: {seconds:.1f} s")
    return {"before": before, "after": after, "again": warehouse.scored()}


def test_incremental_run_scores_only_what_changed(incremental: dict) -> None:
    before, after = incremental["before"], incremental["after"]
    rows = current(FIRST_BATCH + CORRECTIONS + NEW_DAY)
    assert set(after) == {key for key, row in rows.items() if is_pair(row)}
    # a1 was not scored again: it keeps the zeros written over its scores.
    assert (after["a1"]["rouge_l_f"], after["a1"]["meteor"]) == (0.0, 0.0)
    # The other untouched rows are as they were.
    for key in ("a3", "a4", "a5", "a6", "b1", "b3"):
        assert after[key] == before[key], key
    # The moved evaluation counts on its new day, with the same scores.
    assert after["b4"]["evaluated_date"].date() == WEDNESDAY
    assert after["b4"]["meteor"] == before["b4"]["meteor"]
    # The corrected texts were scored again; the evaluation that lost its reference is gone.
    assert after["a2"]["text_fingerprint"] != before["a2"]["text_fingerprint"]
    assert after["a2"]["rouge_l_f"] == 1.0
    assert after["w1"]["is_scored"]
    assert after["w1"]["meteor"] == library_scores(rows["w1"])["meteor"]
    assert "b2" not in after
    for key in ("a7", "b5"):
        for column, value in library_scores(rows[key]).items():
            assert after[key][column] == value, (key, column)


def test_run_with_nothing_to_score_keeps_rows_and_types(
    incremental: dict, warehouse: Warehouse
) -> None:
    after, again = incremental["after"], incremental["again"]
    assert set(again) == set(after)
    for key in after:
        if key != "a1":
            assert again[key] == after[key], key
    assert warehouse.column_types("intermediate.int_evaluations_text_scored") == SCORED_TYPES


def test_incremental_values_match_the_libraries(incremental: dict, warehouse: Warehouse) -> None:
    assert_metrics_match(warehouse, FIRST_BATCH + CORRECTIONS + NEW_DAY)
    assert ("bleu", "day", WEDNESDAY, "ALL") in warehouse.metrics()
