"""The metric catalog: complete, well-formed, committed as generated, and shown in dbt docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orchestration.lib.catalog import (
    CONVERSATION_SEGMENTS,
    FAMILIES,
    GENERATED_BY,
    METRICS,
    PREDICTION_SEGMENTS,
    SETTINGS,
    render,
    setting_defaults,
)
from orchestration.lib.contract import EMPLOYEES, ENTITIES, REFERENCE_TABLES
from orchestration.lib.environment import DBT_PROJECT_DIR, REPO_ROOT

# The metrics of this version: every family of the metric catalog (docs/metrics.md).
EXPECTED_METRICS = {
    # customer service
    "ai_involvement_rate", "containment_rate", "automation_rate", "ai_resolution_rate",
    "escalation_rate", "first_contact_resolution_rate", "average_handling_time_seconds",
    "resolution_time_p50_seconds", "resolution_time_p90_seconds", "csat_average",
    "csat_satisfied_rate", "sentiment_shift", "exception_rate", "response_quality_index",
    # operational
    "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "throughput_per_minute",
    "peak_throughput_per_minute", "error_rate", "tokens_total", "tokens_per_conversation",
    "inference_cost_usd", "uptime_percent", "latency_load_slope_ms_per_1k_calls",
    # business
    "ai_run_cost_usd", "human_oversight_cost_usd", "cost_to_serve_usd", "human_cost_to_serve_usd",
    "cost_reduction_usd", "attributed_revenue_usd", "revenue_per_ai_interaction_usd",
    "ai_revenue_share", "roai", "time_to_value_days",
    # technical
    "accuracy", "precision", "recall", "f1", "auc_roc", "mae",
    # responsible AI
    "demographic_parity_difference", "demographic_parity_ratio", "equal_opportunity_difference",
    "outcome_parity_ratio", "explainability_index", "auditability_rate", "human_oversight_ratio",
    "guardrail_compliance_rate", "compliance_score",
    # generative
    "bleu", "rouge_l", "meteor", "hallucination_rate", "factuality_rate", "perplexity",
    "tone_score_average", "empathy_score_average", "human_preference_score", "thumbs_up_rate",
    "feedback_rate", "fid",
    # agents
    "goal_completion_rate", "autonomy_score", "action_accuracy", "multi_step_reasoning_score",
    "agent_reliability_index", "learning_efficiency", "adaptability",
    # employees
    "adoption_rate", "sessions_per_active_employee", "employee_satisfaction",
    "minutes_saved_total",
}  # fmt: skip
ALLOWED_UNITS = {
    "share", "percent", "ms", "seconds", "tokens", "usd", "calls_per_minute", "csat_1_to_5",
    "sentiment_points", "index_0_to_100", "ms_per_1k_calls", "target_units", "bleu_0_to_100",
    "score_0_to_1", "perplexity", "preference_0_to_1", "feedback_per_ai_conversation", "fid",
    "points_per_week", "ratio", "sessions", "satisfaction_1_to_5", "minutes",
    "days",
}  # fmt: skip
# Every table a source column may name: the input contract's entities and reference tables.
COLUMNS = {
    **{name: {c.name for c in entity.columns} for name, entity in ENTITIES.items()},
    EMPLOYEES.name: {c.name for c in EMPLOYEES.columns},
    **{name: set(columns) for name, columns in REFERENCE_TABLES.items()},
}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
QUALIFIED_COLUMN = re.compile(r"\b([a-z_]+)\.([a-z_0-9]+)\b")
RERUN = f"stale generated file: run `.venv/bin/{GENERATED_BY}` and commit the result"


def test_generated_files_are_current() -> None:
    for path, text in render().items():
        committed = REPO_ROOT / path
        assert committed.exists(), f"{path} is missing; {RERUN}"
        assert committed.read_text(encoding="utf-8") == text, f"{path}: {RERUN}"


def test_the_catalog_holds_exactly_this_versions_metrics() -> None:
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names)), "metric names must be unique"
    assert set(names) == EXPECTED_METRICS


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
def test_every_metric_is_fully_described(metric) -> None:
    assert SNAKE_CASE.match(metric.name)
    assert metric.family in FAMILIES
    assert metric.unit in ALLOWED_UNITS
    assert metric.statistic in {"proportion", "mean", "ratio", "value"}
    assert metric.interval == {"proportion": "wilson", "mean": "normal"}.get(
        metric.statistic, "none"
    )
    assert metric.multiclass_statistic in {None, "ratio"}
    assert metric.direction in {"higher", "lower", "none"}
    assert metric.definition.strip() and metric.definition.endswith(".")
    assert metric.sources and metric.event_time.strip()
    assert all(caveat.strip() for caveat in metric.caveats)
    expected_grains = (
        ("week",) if metric.name == "learning_efficiency" else ("day", "week", "month")
    )
    assert metric.grains == expected_grains
    assert metric.segments in {CONVERSATION_SEGMENTS, PREDICTION_SEGMENTS, ("all",)}


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
def test_sources_and_event_times_name_contract_columns(metric) -> None:
    for source in metric.sources:
        table, _, column = source.partition(".")
        assert column in COLUMNS.get(table, set()), f"{metric.name}: unknown source {source}"
    named = QUALIFIED_COLUMN.findall(metric.event_time)
    assert named, f"{metric.name}: the event time names no column"
    for table, column in named:
        assert column in COLUMNS.get(table, set()), f"{metric.name}: unknown {table}.{column}"


def test_units_follow_the_metric_names() -> None:
    """The naming rule: units sit in metric names (`_usd`, `_seconds`, `_ms`, `_percent`)."""
    for metric in METRICS:
        for suffix, unit in (("_usd", "usd"), ("_seconds", "seconds"), ("_percent", "percent")):
            if metric.name.endswith(suffix):
                assert metric.unit == unit, metric.name
        if metric.name.endswith("_ms"):
            assert metric.unit == "ms", metric.name


def test_conversation_segments_are_the_dbt_vars() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert ("all", *project["vars"]["conversation_segments"]) == CONVERSATION_SEGMENTS


def test_directions_agree_with_the_shipped_targets() -> None:
    by_name = {m.name: m for m in METRICS}
    for line in (DBT_PROJECT_DIR / "seeds" / "targets.csv").read_text().splitlines()[1:]:
        metric_name, _system, _target, direction, _min = line.split(",")
        assert by_name[metric_name].direction == direction, metric_name


GUARDED = [m for m in METRICS if m.guardrails]


@pytest.mark.parametrize("metric", GUARDED, ids=lambda m: m.name)
def test_guardrails_are_catalog_metrics_reported_where_they_guard(metric) -> None:
    """A guardrail is another catalog metric with a better side, on every slice the scorecard
    shows the guarded metric at (segment `all`, or its task and model slices)."""
    by_name = {m.name: m for m in METRICS}
    assert metric.direction in {"higher", "lower"}, "only a metric that improves needs a guard"
    assert len(set(metric.guardrails)) == len(metric.guardrails)
    shown = {"all"} if "all" in metric.segments else set(metric.segments)
    for name in metric.guardrails:
        guard = by_name.get(name)
        assert guard is not None, f"{metric.name}: {name} is no catalog metric"
        assert guard.name != metric.name
        assert guard.direction in {"higher", "lower"}, f"{name} has no better side"
        assert shown <= set(guard.segments), f"{name} is not reported where {metric.name} is"


def test_the_headline_kpis_are_guarded() -> None:
    guarded = {m.name: m.guardrails for m in GUARDED}
    assert {"roai", "cost_to_serve_usd", "ai_resolution_rate", "containment_rate"} <= set(guarded)
    assert "csat_average" in guarded["cost_to_serve_usd"]
    assert "error_rate" in guarded["latency_p95_ms"]


def test_every_setting_of_the_seed_is_documented() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert set(names) == set(setting_defaults())
    metrics = {m.name for m in METRICS}
    for setting in SETTINGS:
        assert setting.meaning.strip() and (setting.metrics or setting.other_users)
        assert set(setting.metrics) <= metrics, setting.name


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A fresh `dbt parse` of the working tree, into a target folder of its own."""
    target = tmp_path_factory.mktemp("dbt_target")
    subprocess.run(
        [
            Path(sys.executable).parent / "dbt",
            "parse",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "AMW_WAREHOUSE": ":memory:", "AMW_HASH_SALT": "parse"},
        check=True,
    )
    return json.loads((target / "manifest.json").read_text())


def test_dbt_docs_hold_a_block_per_metric(manifest: dict) -> None:
    docs = manifest["docs"]
    for metric in METRICS:
        block = docs.get(f"doc.ai_metrics_warehouse.metric_{metric.name}")
        assert block is not None, metric.name
        assert " ".join(metric.definition.split()) in " ".join(block["block_contents"].split())
    assert "doc.ai_metrics_warehouse.metric_settings" in docs


def test_the_catalog_model_shows_every_metric_in_dbt_docs(manifest: dict) -> None:
    model = manifest["nodes"]["model.ai_metrics_warehouse.metric_catalog"]
    description = " ".join(model["description"].split())
    assert "doc(" not in description, "every doc() call must render"
    for metric in METRICS:
        assert " ".join(metric.definition.split()) in description, metric.name
    for setting in SETTINGS:
        assert f"`{setting.name}`" in description
    assert model["config"]["contract"]["enforced"]
    assert all(column["data_type"] for column in model["columns"].values())
    seed = manifest["nodes"]["seed.ai_metrics_warehouse.metric_definitions"]
    assert "not a reference table" in seed["description"]
