"""Technical and fairness metrics over predictions, against scikit-learn and fairlearn.

Seeded, generated predictions of six tasks (binary with labels 'true'/'false' in several
spellings, binary with '1'/'0', multi-class, regression, a binary task whose days see one class
only, and rows loaded from a CSV with UTC offsets near midnight through the real loader) are
built by one `dbt build`; every accuracy, precision, recall, f1, auc_roc, mae and fairness row of
marts.metric_values (per task and per model, day/week/month, each ai_system and ALL) is compared
with the libraries' answer on the same rows, as the metric catalog (docs/metrics.md) defines them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fairlearn
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    precision_score,
    recall_score,
    roc_auc_score,
)

from orchestration.lib import ingest
from tests.integration.metric_reference_checks import (
    GRAINS,
    Expected,
    assert_metric_names_include,
    assert_no_infinities,
    assert_recomputing_changes_nothing,
    average,
    build_warehouse,
    check_metric,
    find_row,
    metric_frame,
    natives,
    null_row,
    plain,
    ratio,
    share,
    slices,
    with_periods,
)
from tests.integration.test_dbt_models import Warehouse, insert_raw

START = date(2026, 2, 23)  # a Monday: four ISO weeks over February and March
DAYS = 28
SYSTEMS = ("bot_a", "bot_b")
FRAUD_GAP_WEEK = date(2026, 3, 9)  # task fraud has no rows in this week
NEGATIVE_DAY = date(2026, 3, 4)  # task defect: only actual and predicted negatives, two groups
POSITIVE_DAY = date(2026, 3, 5)  # task defect: only actual positives, one group
TZ_PARTITION = date(2026, 3, 3)
# (prediction_id, predicted_at as written, the UTC instant it means, predicted, actual)
TZ_ROWS = [
    ("tz1", "2026-03-03T01:30:00+02:00", datetime(2026, 3, 2, 23, 30), "true", "true"),
    ("tz2", "2026-03-02T18:58:00-05:00", datetime(2026, 3, 2, 23, 58), "false", "false"),
    ("tz3", "2026-03-03T00:05:00+02:00", datetime(2026, 3, 2, 22, 5), "true", "true"),
    ("tz4", "2026-03-02T19:10:00-05:00", datetime(2026, 3, 3, 0, 10), "true", "false"),
    ("tz5", "2026-03-03T02:03:00+02:00", datetime(2026, 3, 3, 0, 3), "false", "true"),
    ("tz6", "2026-03-03 23:59:30", datetime(2026, 3, 3, 23, 59, 30), "false", "false"),
    ("tz7", "2026-03-04T00:00:00Z", datetime(2026, 3, 4), "true", "true"),
]
TZ_HEADER = (
    "prediction_id",
    "ai_system",
    "model",
    "task",
    "predicted_at",
    "predicted_label",
    "actual_label",
)
TECHNICAL = ("accuracy", "precision", "recall", "f1", "auc_roc", "mae")
FAIRNESS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
)


# Generated rows.


def _moment(rng: np.random.Generator, day: date) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(seconds=int(rng.integers(0, 86400)))


def _spelling(rng: np.random.Generator, positive: bool) -> str:
    """'true'/'false' mostly, sometimes in another case or with spaces (normalised by staging)."""
    words = ("true", "True", " TRUE ") if positive else ("false", "False ", "FALSE")
    return str(rng.choice(words, p=[0.85, 0.1, 0.05]))


def generate_predictions(seed: int = 20260223) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows: list[dict] = []

    def add(**row) -> None:
        rows.append({"prediction_id": f"p{len(rows) + 1}", **row})

    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for system in SYSTEMS:
            for _ in range(8):  # churn: labels true/false, scores in steps of 0.1 (many ties)
                actual = bool(rng.random() < 0.35)
                group = str(rng.choice(["A", "B"]))
                score = round(float(np.clip(rng.normal(0.3 + 0.35 * actual, 0.18), 0, 1)), 1)
                predicted = score >= 0.5
                if rng.random() < 0.1 or (group == "B" and rng.random() < 0.15):
                    predicted = not predicted
                add(
                    ai_system=system,
                    model="m_alpha" if system == "bot_a" else "m_beta",
                    task="churn",
                    predicted_at=_moment(rng, day),
                    predicted_label=_spelling(rng, predicted),
                    actual_label=None if rng.random() < 0.08 else _spelling(rng, actual),
                    score=None if rng.random() < 0.05 else score,
                    group=None if rng.random() < 0.05 else group,
                )
            if day - timedelta(days=day.weekday()) != FRAUD_GAP_WEEK:
                for _ in range(6):  # fraud: labels 1/0, three groups, scores in steps of 0.05
                    actual = bool(rng.random() < 0.25)
                    group = str(rng.choice(["A", "B", "C"], p=[0.5, 0.3, 0.2]))
                    score = round(float(np.clip(rng.normal(0.25 + 0.4 * actual, 0.2), 0, 1)) * 20)
                    predicted = score >= 9
                    if group == "C" and predicted and rng.random() < 0.4:
                        predicted = False
                    add(
                        ai_system=system,
                        model="m_alpha",
                        task="fraud",
                        predicted_at=_moment(rng, day),
                        predicted_label="1" if predicted else "0",
                        actual_label="1" if actual else "0",
                        score=score / 20,
                        group=group,
                    )
            for _ in range(6):  # topic: multi-class, 'legal' never predicted, 'other' never true
                actual = str(
                    rng.choice(["billing", "tech", "sales", "legal"], p=[0.4, 0.3, 0.25, 0.05])
                )
                predicted = (
                    actual
                    if actual != "legal" and rng.random() < 0.7
                    else str(rng.choice(["billing", "tech", "sales", "other"]))
                )
                add(
                    ai_system=system,
                    model="m_beta",
                    task="topic",
                    predicted_at=_moment(rng, day),
                    predicted_label=predicted,
                    actual_label=actual,
                    group=str(rng.choice(["A", "B"])),
                )
            for _ in range(5):  # eta: regression only
                actual_value = float(rng.gamma(2.0, 10.0))
                add(
                    ai_system=system,
                    model="m_gamma",
                    task="eta",
                    predicted_at=_moment(rng, day),
                    predicted_value=round(actual_value + float(rng.normal(0, 4)), 3),
                    actual_value=None if rng.random() < 0.1 else round(actual_value, 3),
                )
    for i in range(6):  # defect, a day of negatives only: nothing predicted positive
        add(
            ai_system="bot_a",
            model="m_gamma",
            task="defect",
            predicted_at=_moment(rng, NEGATIVE_DAY),
            predicted_label="0",
            actual_label="0",
            score=round(float(rng.uniform(0, 0.4)), 1),
            group="AB"[i % 2],
        )
    for predicted in ("1", "1", "1", "0", "0"):  # defect, a day of positives only, one group
        add(
            ai_system="bot_a",
            model="m_gamma",
            task="defect",
            predicted_at=_moment(rng, POSITIVE_DAY),
            predicted_label=predicted,
            actual_label="1",
            score=round(float(rng.uniform(0.3, 1)), 1),
            group="A",
        )
    return natives(rows)


PREDICTIONS = generate_predictions()


def tz_landing(landing: Path) -> None:
    """A predictions CSV as another team writes it: offsets, in a folder of the local date."""
    folder = landing / "predictions" / f"date={TZ_PARTITION}"
    folder.mkdir(parents=True)
    with (folder / "offsets.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TZ_HEADER)
        for pid, written, _utc, predicted, actual in TZ_ROWS:
            writer.writerow([pid, "bot_a", "m_tz", "tz_check", written, predicted, actual])


def tz_predictions() -> list[dict]:
    """The CSV rows as the reference sees them: at their UTC instant."""
    return [
        {
            "prediction_id": pid,
            "ai_system": "bot_a",
            "model": "m_tz",
            "task": "tz_check",
            "predicted_at": utc,
            "predicted_label": predicted,
            "actual_label": actual,
        }
        for pid, _written, utc, predicted, actual in TZ_ROWS
    ]


# Reference computations (one per metric; rows = the predictions of one slice-period).


def normalise(label: object) -> object:
    """lower(trim(label)) in ('true','1') -> 'true', in ('false','0') -> 'false', else as is."""
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None
    text = str(label).strip().lower()
    return "true" if text in ("true", "1") else "false" if text in ("false", "0") else label


def predictions_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("score", "predicted_value", "actual_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["pred"] = frame["predicted_label"].map(normalise)
    frame["act"] = frame["actual_label"].map(normalise)
    frame["group"] = frame["group"].astype(object).where(frame["group"].notna(), None)
    frame["day"] = frame["predicted_at"].dt.date
    return with_periods(frame, "day")


@dataclass
class Sample:
    """The predictions of one slice-period as arrays (scikit-learn is slow on pandas input)."""

    key: tuple  # grain, period_start, ai_system, segment_key, segment_value
    pred: np.ndarray  # normalised labels (object, None when missing)
    act: np.ndarray
    score: np.ndarray
    group: np.ndarray
    predicted_value: np.ndarray
    actual_value: np.ndarray

    @classmethod
    def of(cls, key: tuple, rows: pd.DataFrame) -> Sample:
        columns = ("pred", "act", "score", "group", "predicted_value", "actual_value")
        return cls(key, *(rows[c].to_numpy() for c in columns))

    @cached_property
    def is_binary(self) -> bool:
        """Every normalised label present (predicted and actual) is 'true' or 'false'."""
        labels = np.concatenate([self.pred, self.act])
        return bool(np.isin(labels[pd.notna(labels)], ["true", "false"]).all())

    @cached_property
    def labelled(self) -> np.ndarray:
        return pd.notna(self.pred) & pd.notna(self.act)

    def binary(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """y_true, y_pred of the masked rows, positive class 'true'."""
        return self.act[mask] == "true", self.pred[mask] == "true"


def accuracy(s: Sample) -> dict | None:
    if not s.labelled.any():
        return None
    act, pred = s.act[s.labelled], s.pred[s.labelled]
    row = share(int((act == pred).sum()), len(act))
    return {**row, "value": accuracy_score(act.astype(str), pred.astype(str))}


def _binary_share(s: Sample, score, condition: str) -> dict:
    """Precision or recall of a binary slice: a proportion of the positive class."""
    y_true, y_pred = s.binary(s.labelled)
    value = score(y_true, y_pred, pos_label=True, zero_division=np.nan)
    base = y_pred if condition == "predicted" else y_true
    if not base.any():
        assert np.isnan(value)
        return null_row("share", sample_size=0)
    return {**share(int((y_true & y_pred).sum()), int(base.sum())), "value": value}


def _macro(s: Sample, score) -> dict:
    """A multi-class slice: the macro average over the union of labels (zero_division=0)."""
    act, pred = s.act[s.labelled].astype(str), s.pred[s.labelled].astype(str)
    labels = sorted(set(act) | set(pred))
    per_class = score(act, pred, labels=labels, average=None, zero_division=0)
    macro = score(act, pred, labels=labels, average="macro", zero_division=0)
    return {**ratio(float(per_class.sum()), len(labels), len(act), "share"), "value": macro}


def precision(s: Sample) -> dict | None:
    if not s.labelled.any():
        return None
    if s.is_binary:
        return _binary_share(s, precision_score, "predicted")
    return _macro(s, precision_score)


def recall(s: Sample) -> dict | None:
    if not s.labelled.any():
        return None
    if s.is_binary:
        return _binary_share(s, recall_score, "actual")
    return _macro(s, recall_score)


def f1(s: Sample) -> dict | None:
    if not s.labelled.any():
        return None
    if not s.is_binary:
        return _macro(s, f1_score)
    y_true, y_pred = s.binary(s.labelled)
    tp, fp, fn = (y_true & y_pred).sum(), (~y_true & y_pred).sum(), (y_true & ~y_pred).sum()
    value = f1_score(y_true, y_pred, pos_label=True, zero_division=np.nan)
    row = ratio(float(2 * tp), float(2 * tp + fp + fn), int(s.labelled.sum()), "share")
    if row["value"] is None:
        assert np.isnan(value)
        return row
    return {**row, "value": value}


def auc_roc(s: Sample) -> dict | None:
    used = ~np.isnan(s.score) & pd.notna(s.act)
    if not used.any():
        return None
    if not s.is_binary:
        return null_row("share", optional=True)  # binary slices only: no row, or a null one
    y_true, scores = s.act[used] == "true", s.score[used]
    if y_true.all() or not y_true.any():
        return null_row("share")
    positive, negative = scores[y_true][:, None], scores[~y_true][None, :]
    pairs = float((positive > negative).sum() + 0.5 * (positive == negative).sum())
    row = ratio(pairs, float(positive.size * negative.size), int(used.sum()), "share")
    return {**row, "value": roc_auc_score(y_true, scores)}


def mae(s: Sample) -> dict | None:
    used = ~np.isnan(s.predicted_value) & ~np.isnan(s.actual_value)
    if not used.any():
        return None
    predicted, actual = s.predicted_value[used], s.actual_value[used]
    row = average(pd.Series(np.abs(predicted - actual)), "target_units")
    return {**row, "value": mean_absolute_error(actual, predicted)}


def _selection_rows(s: Sample) -> np.ndarray:
    """Rows a selection rate counts: a group and a predicted label."""
    return pd.notna(s.group) & pd.notna(s.pred)


def _opportunity_rows(s: Sample) -> np.ndarray:
    """Rows a true-positive rate counts: both labels and a group, in groups with a positive."""
    used = s.labelled & pd.notna(s.group)
    with_positives = np.unique(s.group[used & (s.act == "true")])
    return used & np.isin(s.group, with_positives)


class BatchedFairlearn:
    """fairlearn's group metrics of every binary slice-period at once.

    One MetricFrame per group metric with the slice as control feature: what
    fairlearn.metrics.demographic_parity_difference/ratio (selection_rate, between groups) and
    equal_opportunity_difference (true_positive_rate) compute, without a 20 ms call per slice;
    test_batched_fairlearn_equals_its_per_slice_functions checks that they agree.
    """

    def __init__(self, samples: list[Sample]) -> None:
        selection = self._frame(samples, _selection_rows, fairlearn.selection_rate)
        opportunity = self._frame(samples, _opportunity_rows, fairlearn.true_positive_rate)
        self.selection_difference = selection.difference(method="between_groups")
        self.selection_ratio = selection.ratio(method="between_groups")
        self.opportunity_difference = opportunity.difference(method="between_groups")

    @staticmethod
    def _frame(samples: list[Sample], select, metric) -> fairlearn.MetricFrame:
        used = [(s, select(s)) for s in samples if s.is_binary]
        y_true = np.concatenate([s.act[mask] == "true" for s, mask in used])
        return fairlearn.MetricFrame(
            metrics=metric,
            y_true=y_true,  # unused by a selection rate
            y_pred=np.concatenate([s.pred[mask] == "true" for s, mask in used]),
            sensitive_features=pd.Series(
                np.concatenate([s.group[mask] for s, mask in used]), name="group"
            ),
            control_features=pd.Series(
                np.concatenate([[str(s.key)] * int(mask.sum()) for s, mask in used]),
                name="slice",
            ),
        )


def demographic_parity_difference(s: Sample, lib: BatchedFairlearn) -> dict | None:
    used = _selection_rows(s)
    if not used.any():
        return None
    if not s.is_binary:
        return null_row("share", optional=True)  # binary slices only: no row, or a null one
    if len(set(s.group[used])) < 2:
        return null_row("share")
    return plain(float(lib.selection_difference[str(s.key)]), int(used.sum()), "share")


def demographic_parity_ratio(s: Sample, lib: BatchedFairlearn) -> dict | None:
    used = _selection_rows(s)
    if not used.any():
        return None
    if not s.is_binary:
        return null_row("ratio", optional=True)
    rates = pd.Series(s.pred[used] == "true").groupby(s.group[used]).mean()
    if len(rates) < 2 or rates.max() == 0:
        return null_row("ratio")
    row = ratio(float(rates.min()), float(rates.max()), int(used.sum()), "ratio")
    return {**row, "value": float(lib.selection_ratio[str(s.key)])}


def equal_opportunity_difference(s: Sample, lib: BatchedFairlearn) -> dict | None:
    if not (s.labelled & pd.notna(s.group)).any():
        return None
    if not s.is_binary:
        return null_row("share", optional=True)
    kept = _opportunity_rows(s)
    if len(set(s.group[kept])) < 2:
        return null_row("share")
    return plain(float(lib.opportunity_difference[str(s.key)]), int(kept.sum()), "share")


TECHNICAL_REFERENCES = {
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1": f1,
    "auc_roc": auc_roc,
    "mae": mae,
}
FAIRNESS_REFERENCES = {
    "demographic_parity_difference": demographic_parity_difference,
    "demographic_parity_ratio": demographic_parity_ratio,
    "equal_opportunity_difference": equal_opportunity_difference,
}


def samples(frame: pd.DataFrame, grains: tuple[str, ...] = GRAINS) -> list[Sample]:
    return [Sample.of(key, rows) for key, rows in slices(frame, ("task", "model"), grains)]


def expected_prediction_metrics(frame: pd.DataFrame) -> Expected:
    """Every row the metric catalog defines on these predictions, with its reference numbers."""
    sliced = samples(frame)
    lib = BatchedFairlearn(sliced)
    expected: Expected = {}
    for s in sliced:
        for metric, reference in TECHNICAL_REFERENCES.items():
            expected[(metric, *s.key)] = reference(s)
        for metric, reference in FAIRNESS_REFERENCES.items():
            expected[(metric, *s.key)] = reference(s, lib)
    return {key: row for key, row in expected.items() if row is not None}


# Fixtures: one build for the module.


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("predictions")
    tz_landing(root / "landing")

    def load_offsets(con: duckdb.DuckDBPyConnection) -> None:
        # The ingestion asset's own calls: the loader replaces the partition, so it goes first.
        ingest.ensure_tables(con)
        loaded = ingest.load_partition(con, "predictions", root / "landing", TZ_PARTITION)
        assert (loaded.rows_loaded, loaded.rows_quarantined) == (len(TZ_ROWS), 0), loaded

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        insert_raw(con, "predictions", PREDICTIONS)

    return build_warehouse(root, fill, before=load_offsets)


@pytest.fixture(scope="module")
def actual(warehouse: Warehouse) -> pd.DataFrame:
    return metric_frame(warehouse)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return predictions_frame(PREDICTIONS + tz_predictions())


@pytest.fixture(scope="module")
def expected(frame: pd.DataFrame) -> Expected:
    return expected_prediction_metrics(frame)


# Tests.


def test_generated_data_exercise_every_case(frame: pd.DataFrame, expected: Expected) -> None:
    """The edge cases the metrics must handle are really in the data (else a test proves little)."""
    churn = frame[(frame["task"] == "churn") & frame["score"].notna()]
    assert churn.duplicated("score").sum() > 100  # ties in scores
    assert set(frame.loc[frame["task"] == "fraud", "group"]) == {"A", "B", "C"}
    assert set(frame.loc[frame["task"] == "churn", "group"].dropna()) == {"A", "B"}
    assert {"True", " TRUE "} <= set(frame["predicted_label"].dropna())
    nulls = [key for key, row in expected.items() if row["value"] is None and "optional" not in row]
    assert {key[0] for key in nulls} >= {"precision", "recall", "f1", "auc_roc"} | set(FAIRNESS)


@pytest.mark.parametrize("metric", TECHNICAL)
def test_technical_metric_matches_scikit_learn(
    metric: str, actual: pd.DataFrame, expected: Expected
) -> None:
    check_metric(actual, expected, metric)


def test_batched_fairlearn_equals_its_per_slice_functions(
    frame: pd.DataFrame, expected: Expected
) -> None:
    """fairlearn's own demographic_parity_difference/ratio and equal_opportunity_difference,
    called on each week and month slice, give what the batched MetricFrame gave."""
    functions = (
        ("demographic_parity_difference", _selection_rows),
        ("demographic_parity_ratio", _selection_rows),
        ("equal_opportunity_difference", _opportunity_rows),
    )
    checked = 0
    for s in samples(frame, grains=("week", "month")):
        for metric, select in functions:
            want = expected.get((metric, *s.key))
            if want is None or want["value"] is None:
                continue
            used = select(s)
            value = getattr(fairlearn, metric)(
                s.act[used] == "true", s.pred[used] == "true", sensitive_features=s.group[used]
            )
            assert want["value"] == pytest.approx(value, rel=1e-12), (metric, s.key)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("metric", FAIRNESS)
def test_fairness_metric_matches_fairlearn(
    metric: str, actual: pd.DataFrame, expected: Expected
) -> None:
    check_metric(actual, expected, metric)


def test_prediction_metrics_are_sliced_by_task_and_model_only(actual: pd.DataFrame) -> None:
    mine = actual[actual["metric_name"].isin((*TECHNICAL, *FAIRNESS))]
    assert set(mine["segment_key"]) == {"task", "model"}


def test_regression_task_has_mae_rows_only(actual: pd.DataFrame) -> None:
    eta = actual[(actual["segment_key"] == "task") & (actual["segment_value"] == "eta")]
    assert set(eta["metric_name"]) == {"mae"}


def test_a_week_without_rows_of_a_task_has_no_rows(actual: pd.DataFrame) -> None:
    fraud = actual[(actual["segment_key"] == "task") & (actual["segment_value"] == "fraud")]
    gap = FRAUD_GAP_WEEK, FRAUD_GAP_WEEK + timedelta(days=6)
    inside = fraud[(fraud["grain"] != "month") & fraud["period_start"].between(*gap)]
    assert not fraud.empty
    assert inside.empty, inside[["metric_name", "grain", "period_start"]]


def test_one_class_days_give_null_not_zero(actual: pd.DataFrame) -> None:
    def value(metric: str, day: date) -> float:
        return find_row(actual, (metric, "day", day, "bot_a", "task", "defect"))["value"]

    # Only negatives, none predicted positive: accuracy 1; the rest has a zero denominator.
    assert value("accuracy", NEGATIVE_DAY) == 1
    for metric in ("precision", "recall", "f1", "auc_roc", "demographic_parity_ratio"):
        assert pd.isna(value(metric, NEGATIVE_DAY)), metric
    assert value("demographic_parity_difference", NEGATIVE_DAY) == 0
    assert pd.isna(value("equal_opportunity_difference", NEGATIVE_DAY))  # no group has positives
    # Only positives, three of five predicted positive, one group.
    assert value("precision", POSITIVE_DAY) == 1
    assert value("recall", POSITIVE_DAY) == pytest.approx(0.6)
    for metric in ("auc_roc", *FAIRNESS):
        assert pd.isna(value(metric, POSITIVE_DAY)), metric
    precision_row = find_row(actual, ("precision", "day", NEGATIVE_DAY, "bot_a", "task", "defect"))
    assert precision_row["sample_size"] == 0 and pd.isna(precision_row["ci_low"])


def test_fairness_over_two_and_three_groups(actual: pd.DataFrame, frame: pd.DataFrame) -> None:
    week = START + timedelta(days=7)
    for task, groups in (("churn", ["A", "B"]), ("fraud", ["A", "B", "C"])):
        rows = frame[(frame["task"] == task) & (frame["period_week"] == week)]
        rows = rows[rows["group"].notna()]
        rates = (rows["pred"] == "true").groupby(rows["group"]).mean()
        assert list(rates.index) == groups
        got = find_row(actual, ("demographic_parity_difference", "week", week, "ALL", "task", task))
        assert got["value"] == pytest.approx(rates.max() - rates.min(), rel=1e-9)


def test_timestamps_near_midnight_land_on_their_utc_day(
    warehouse: Warehouse, actual: pd.DataFrame
) -> None:
    staged = warehouse.frame(
        "select prediction_id, predicted_at, predicted_date from staging.stg_raw__predictions"
        " where task = 'tz_check' order by prediction_id"
    )
    assert list(staged["predicted_at"]) == [pd.Timestamp(row[2]) for row in TZ_ROWS]
    for day, hits, n in (
        (date(2026, 3, 2), 3, 3),
        (date(2026, 3, 3), 1, 3),
        (date(2026, 3, 4), 1, 1),
    ):
        row = find_row(actual, ("accuracy", "day", day, "bot_a", "task", "tz_check"))
        assert (row["value"], row["sample_size"]) == (pytest.approx(hits / n), n), day


def test_every_metric_is_produced_and_none_is_infinite(
    warehouse: Warehouse, actual: pd.DataFrame
) -> None:
    assert_metric_names_include(actual, (*TECHNICAL, *FAIRNESS))
    assert_no_infinities(warehouse)


def test_a_nightly_recompute_of_a_mid_range_day_changes_nothing(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    assert_recomputing_changes_nothing(warehouse, tmp_path, START + timedelta(days=17))
