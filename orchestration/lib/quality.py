"""The data-quality gate: Great Expectations suites over the rows of a partition and of a week.

The suites, validation definitions and checkpoints are committed files under `expectations/gx/`,
written once by `build_suites()` (`python -m orchestration.lib.quality`) and only read at run
time, so their ids stay stable. Every check validates a pandas DataFrame built here with SQL:
GX's SQL datasource on DuckDB returns empty results. Each expectation carries
a `meta.failure` template; a failed expectation becomes plain sentences such as
"completeness: llm_calls has no rows on 2026-09-02", which Dagster shows on the asset check.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import pyarrow as pa
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.exceptions import DataContextError
from great_expectations.expectations import Expectation

from orchestration.lib.contract import EMPLOYEES, ENTITIES, Entity
from orchestration.lib.environment import EXPECTATIONS_DIR

DATASOURCE = "frames"
BATCH_DEFINITION = "whole_frame"
# How many failing rows of one expectation are spelled out before "… and N more".
FAILURES_SHOWN_PER_EXPECTATION = 5
# Float slack when comparing a value with its own confidence interval.
INTERVAL_SLACK = 1e-9

PARTITION_ENTITIES: dict[str, Entity] = {**ENTITIES, EMPLOYEES.name: EMPLOYEES}

# Metric-name rules (rates and shares are in [0, 1]; only names ending in _percent and
# response_quality_index are 0-100), with the catalog's other bounded metrics.
PROPORTION_SUFFIXES = ("_rate", "_share", "_ratio")
PROPORTIONS = frozenset(
    {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "auc_roc",
        "rouge_l",
        "meteor",
        "tone_score_average",
        "empathy_score_average",
        "human_preference_score",
        "autonomy_score",
        "action_accuracy",
        "multi_step_reasoning_score",
        "agent_reliability_index",
        "demographic_parity_difference",
        "equal_opportunity_difference",
        "explainability_index",
        "compliance_score",
    }
)
PERCENT_SCALE = frozenset({"response_quality_index", "bleu"})
# Differences, slopes and returns: any sign is a valid value. So are money amounts: bills carry
# credits as negative costs (FOCUS), and a credit can outweigh a day's charges.
SIGNED = frozenset(
    {
        "sentiment_shift",
        "latency_load_slope_ms_per_1k_calls",
        "learning_efficiency",
        "roai",
    }
)
SIGNED_SUFFIXES = ("_usd",)
# Named like a rate but a ratio of two independent counts: several feedback events per
# conversation are normal, so it is only non-negative.
UNBOUNDED_RATES = frozenset({"feedback_rate"})


@dataclass(frozen=True)
class GateResult:
    """One check's verdict: `failures` are sentences a person can act on."""

    name: str
    success: bool
    failures: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GateSettings:
    """Knobs of the weekly gate; `from_mapping` reads them from the `settings` reference table."""

    daily_feeds: tuple[str, ...] = ("conversations", "llm_calls", "costs", "uptime")
    volume_tolerance: float = 0.5
    min_sample_size: int = 30
    # Metrics whose sample sizes are checked; empty means those of marts.scorecard_weekly.
    headline_metrics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.daily_feeds) - set(ENTITIES))
        if unknown:
            raise ValueError(f"gate_daily_feeds names unknown entities: {', '.join(unknown)}")
        if self.volume_tolerance < 0:
            raise ValueError("gate_volume_tolerance must not be negative")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> GateSettings:
        """Read the keys that are present (values may be text, as in a VARCHAR table)."""
        defaults = cls()

        def names(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            raw = values.get(key)
            if raw is None or str(raw).strip() == "":
                return default
            return tuple(part.strip() for part in str(raw).split(",") if part.strip())

        return cls(
            daily_feeds=names("gate_daily_feeds", defaults.daily_feeds),
            volume_tolerance=float(values.get("gate_volume_tolerance", defaults.volume_tolerance)),
            min_sample_size=int(
                float(values.get("default_min_sample_size", defaults.min_sample_size))
            ),
            headline_metrics=names("gate_headline_metrics", defaults.headline_metrics),
        )


@dataclass(frozen=True)
class SuiteSpec:
    """A suite as committed: its expectations, what it guards, and how failing rows are named."""

    name: str
    guards: str
    blocks: str
    expectations: tuple[Expectation, ...]
    # Columns GX reports for each failing row; the failure templates may use them.
    index_columns: tuple[str, ...]


# --- suites -------------------------------------------------------------------------------


def _bounds_phrase(low: float | None, high: float | None) -> str:
    if low is None:
        return f"is above {high:g}"
    if high is None:
        return f"is below {low:g}"
    return f"is outside [{low:g}, {high:g}]"


def partition_suite(entity: Entity) -> SuiteSpec:
    """The per-entity suite, generated from the contract so that it can never drift from it."""
    where = " ".join(f"{k} {{{k}}}" for k in entity.key) or "row"
    label = f"{entity.name} ({where})"
    expectations: list[Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(
            column=name, meta={"failure": f"{label}: required {name} is null"}
        )
        # What every loaded row has: a FOCUS cost row has no cost_type until dbt derives it.
        for name in entity.required_in_every_layout
    ]
    for column in entity.columns:
        if column.values is not None:
            allowed = ", ".join(column.values)
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name,
                    value_set=list(column.values),
                    meta={
                        "failure": f"{label}: {column.name} = {{{column.name}}} "
                        f"is not one of {allowed}"
                    },
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=column.min,
                    max_value=column.max,
                    meta={
                        "failure": f"{label}: {column.name} = {{{column.name}}} "
                        f"{_bounds_phrase(column.min, column.max)}"
                    },
                )
            )
    if entity.key and all(entity.column(k).required for k in entity.key):
        failure = {"failure": f"{label}: the key ({', '.join(entity.key)}) appears more than once"}
        expectations.append(
            gxe.ExpectColumnValuesToBeUnique(column=entity.key[0], meta=failure)
            if len(entity.key) == 1
            else gxe.ExpectCompoundColumnsToBeUnique(column_list=list(entity.key), meta=failure)
        )
    return SuiteSpec(
        name=f"raw_{entity.name}",
        guards=f"raw.{entity.name}: the current rows loaded for one landing partition",
        blocks=f"the dbt models built from raw.{entity.name} in the same run",
        expectations=tuple(expectations),
        index_columns=entity.key,
    )


def weekly_suites() -> tuple[SuiteSpec, ...]:
    """The five suites of the weekly gate; thresholds are run-time `$PARAMETER`s."""
    where = "({grain} {period_start}, {ai_system}, {segment_key}={segment_value})"
    blocks = "publication of the week's scorecard (the last good scorecard stays published)"
    return (
        SuiteSpec(
            name="completeness",
            guards="one row per daily feed and day of the ISO week: current raw rows of that day",
            blocks=blocks,
            expectations=(
                gxe.ExpectColumnValuesToBeBetween(
                    column="rows",
                    min_value=1,
                    meta={"failure": "completeness: {feed} has no rows on {day}"},
                ),
            ),
            index_columns=("feed", "day"),
        ),
        SuiteSpec(
            name="volume",
            guards="one row per day of the ISO week: conversations against the mean of the "
            "same weekday over the trailing four weeks",
            blocks=blocks,
            expectations=(
                gxe.ExpectColumnValuesToBeBetween(
                    column="ratio",
                    min_value={"$PARAMETER": "volume_min_ratio"},
                    max_value={"$PARAMETER": "volume_max_ratio"},
                    meta={
                        "failure": "volume: {day} had {conversations} conversations, "
                        "{share_of_mean} of the mean {baseline_mean} of the same weekday "
                        "over the trailing weeks"
                    },
                ),
            ),
            index_columns=("day", "conversations", "baseline_mean", "share_of_mean"),
        ),
        SuiteSpec(
            name="metric_ranges",
            guards="marts.metric_values rows of the week's days and of the week itself",
            blocks=blocks,
            expectations=(
                gxe.ExpectColumnValuesToBeBetween(
                    column="proportion_value",
                    min_value=0,
                    max_value=1,
                    meta={
                        "failure": "metric_ranges: {metric_name} = {value} is outside "
                        f"[0, 1] {where}"
                    },
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="percent_value",
                    min_value=0,
                    max_value=100,
                    meta={
                        "failure": "metric_ranges: {metric_name} = {value} is outside "
                        f"[0, 100] {where}"
                    },
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="non_negative_value",
                    min_value=0,
                    meta={
                        "failure": f"metric_ranges: {{metric_name}} = {{value}} is negative {where}"
                    },
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="interval_excess",
                    max_value=INTERVAL_SLACK,
                    meta={
                        "failure": "metric_ranges: {metric_name} = {value} lies outside its "
                        f"95% interval [{{ci_low}}, {{ci_high}}] {where}"
                    },
                ),
            ),
            index_columns=(
                "metric_name",
                "grain",
                "period_start",
                "ai_system",
                "segment_key",
                "segment_value",
                "value",
                "ci_low",
                "ci_high",
            ),
        ),
        SuiteSpec(
            name="sample_sizes",
            guards="headline metrics of ALL at week grain (segment all) of marts.metric_values",
            blocks=blocks,
            expectations=(
                gxe.ExpectTableRowCountToBeBetween(
                    min_value=1,
                    meta={"failure": "sample_sizes: no headline metric of ALL has a week value"},
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="sample_size",
                    min_value={"$PARAMETER": "min_sample_size"},
                    meta={
                        "failure": "sample_sizes: {metric_name} of ALL has sample_size "
                        "{sample_size}, below the minimum {min_sample_size}"
                    },
                ),
            ),
            index_columns=("metric_name",),
        ),
        SuiteSpec(
            name="usd_amounts",
            guards="cost shares and revenue rows of the week's days without a USD amount, one "
            "row per feed, currency and reason",
            blocks=blocks,
            expectations=(
                gxe.ExpectColumnValuesToBeBetween(
                    column="rows",
                    max_value=0,
                    meta={
                        "failure": "usd_amounts: {rows} {feed} row(s) in {currency} on {days} "
                        "have no USD amount: {reason}"
                    },
                ),
            ),
            index_columns=("feed", "currency", "reason", "days"),
        ),
    )


def all_suites() -> tuple[SuiteSpec, ...]:
    return tuple(partition_suite(e) for e in PARTITION_ENTITIES.values()) + weekly_suites()


# --- context and committed files ------------------------------------------------------------


def get_quality_context() -> AbstractDataContext:
    """The file context under `expectations/gx/`; results go to its ignored `uncommitted/`."""
    return gx.get_context(mode="file", project_root_dir=EXPECTATIONS_DIR)


def _signature(expectation: Expectation) -> str:
    config = expectation.configuration
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return json.dumps([config.type, kwargs, config.meta], sort_keys=True, default=str)


def _sync_suite(context: AbstractDataContext, spec: SuiteSpec) -> bool:
    """Create the suite, or rewrite its expectations only when they differ (ids stay put)."""
    meta = {"guards": spec.guards, "blocks": spec.blocks}
    try:
        suite = context.suites.get(spec.name)
    except DataContextError:
        context.suites.add(
            gx.ExpectationSuite(name=spec.name, meta=meta, expectations=list(spec.expectations))
        )
        return True
    current = sorted(_signature(e) for e in suite.expectations)
    wanted = sorted(_signature(e) for e in spec.expectations)
    stored_meta = {k: suite.meta.get(k) for k in meta}
    if current == wanted and stored_meta == meta:
        return False
    for expectation in list(suite.expectations):
        suite.delete_expectation(expectation)
    for expectation in spec.expectations:
        suite.add_expectation(expectation)
    suite.meta.update(meta)
    suite.save()
    return True


def _result_format(spec: SuiteSpec) -> dict[str, Any]:
    return {"result_format": "SUMMARY", "unexpected_index_column_names": list(spec.index_columns)}


def _sync_config(context: AbstractDataContext) -> bool:
    """Progress bars off (they flood Dagster logs) and analytics off (the runs are offline)."""
    variables = context.variables
    bars = variables.progress_bars
    if variables.analytics_enabled is False and bars is not None and bars["globally"] is False:
        return False
    variables.progress_bars = ProgressBarsConfig(globally=False)
    variables.analytics_enabled = False
    variables.save()
    return True


def _sync_validation(context: AbstractDataContext, spec: SuiteSpec) -> bool:
    """One DataFrame asset, validation definition and checkpoint per suite, all named alike."""
    changed = False
    sources = context.data_sources.all()
    datasource = (
        sources[DATASOURCE]
        if DATASOURCE in sources
        else context.data_sources.add_pandas(DATASOURCE)
    )
    if spec.name not in datasource.get_asset_names():
        asset = datasource.add_dataframe_asset(name=spec.name)
        asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        changed = True
    try:
        validation = context.validation_definitions.get(spec.name)
    except DataContextError:
        batch = datasource.get_asset(spec.name).get_batch_definition(BATCH_DEFINITION)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=context.suites.get(spec.name))
        )
        changed = True
    try:
        checkpoint = context.checkpoints.get(spec.name)
    except DataContextError:
        context.checkpoints.add(
            gx.Checkpoint(
                name=spec.name,
                validation_definitions=[validation],
                actions=[],
                result_format=_result_format(spec),
            )
        )
        return True
    if checkpoint.result_format != _result_format(spec):
        checkpoint.result_format = _result_format(spec)
        checkpoint.save()
        changed = True
    return changed


def build_suites(context: AbstractDataContext | None = None) -> list[str]:
    """Write the committed GX files; return the names of suites that were created or changed.

    Run it after changing the contract or a weekly suite, then commit `expectations/gx/`.
    Unchanged suites are left byte-for-byte alone, so their ids never churn.
    """
    context = context or get_quality_context()
    changed = ["great_expectations.yml"] if _sync_config(context) else []
    for spec in all_suites():
        suite_changed = _sync_suite(context, spec)
        if _sync_validation(context, spec) or suite_changed:
            changed.append(spec.name)
    return changed


# --- running a suite ------------------------------------------------------------------------


class _Fields(dict):
    """Template fields that leave an unknown placeholder visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"


def _render(template: str, fields: Mapping[str, Any]) -> str:
    return template.format_map(_Fields(fields))


def _exception_messages(info: Mapping[str, Any] | None) -> str:
    """GX reports an exception flat, or nested per metric; join the distinct messages."""
    if not info:
        return ""
    reports = [info] if "raised_exception" in info else list(info.values())
    messages = {
        str(report.get("exception_message"))
        for report in reports
        if isinstance(report, Mapping) and report.get("raised_exception")
    }
    return "; ".join(sorted(messages))


def _failures(
    suite: str, validation: ExpectationSuiteValidationResult, parameters: Mapping[str, Any]
) -> list[str]:
    """Turn failed expectations into sentences: one per failing row, a few per expectation."""
    lines: list[str] = []
    for outcome in validation.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        template = config.meta.get("failure", f"{suite}: {config.type} failed")
        errors = _exception_messages(outcome.exception_info)
        if errors:
            target = config.kwargs.get("column") or config.kwargs.get("column_list") or "table"
            lines.append(f"{suite}: {config.type} on {target} could not run: {errors}")
            continue
        result = outcome.result or {}
        rows = result.get("partial_unexpected_index_list") or []
        if not rows:
            observed = {"observed_value": result.get("observed_value"), **parameters}
            lines.append(_render(template, observed))
            continue
        shown = rows[:FAILURES_SHOWN_PER_EXPECTATION]
        lines.extend(_render(template, {**parameters, **row}) for row in shown)
        more = int(result.get("unexpected_count") or len(rows)) - len(shown)
        if more > 0:
            column = config.kwargs.get("column") or config.kwargs.get("column_list")
            lines.append(f"{suite}: … and {more} more rows failing {config.type} on {column}")
    return lines


def run_suite(
    context: AbstractDataContext,
    suite: str,
    frame: pd.DataFrame,
    parameters: Mapping[str, Any] | None = None,
    **details: Any,
) -> GateResult:
    """Run the suite's committed checkpoint on a DataFrame and summarise it for Dagster;
    `details` are added to the result's details as they are."""
    parameters = dict(parameters or {})
    checkpoint = context.checkpoints.get(suite)
    outcome = checkpoint.run(
        batch_parameters={"dataframe": frame}, expectation_parameters=parameters
    )
    (validation,) = outcome.run_results.values()
    stats = validation.statistics
    return GateResult(
        name=suite,
        success=bool(validation.success),
        failures=_failures(suite, validation, parameters),
        details={
            "rows_checked": len(frame),
            "expectations": int(stats["evaluated_expectations"]),
            "failed_expectations": int(stats["unsuccessful_expectations"]),
            **parameters,
            **details,
        },
    )


# Rows validated at once: a backfill of months is checked in batches of whole days, so that
# its memory stays that of a batch (GX validates pandas frames).
CHECK_BATCH_ROWS = 1_000_000


def day_batches(
    rows_per_day: Sequence[tuple[date, int]], batch_rows: int = CHECK_BATCH_ROWS
) -> list[tuple[date, date]]:
    """Consecutive days (in order) grouped into [first, last] batches of at most batch_rows
    rows; a day with more rows than that is a batch of its own."""
    batches: list[tuple[date, date]] = []
    rows = 0
    for day, count in rows_per_day:
        if batches and rows + count <= batch_rows:
            batches[-1] = (batches[-1][0], day)
            rows += count
        else:
            batches.append((day, day))
            rows = count
    return batches


def release_memory() -> None:
    """Hand the memory of validated frames back to the system. GX keeps a reference to the last
    batch it validated, and Arrow's and glibc's allocators keep freed pages: at 100k
    conversations a day the Dagster process held 7 GB through the dbt step that followed."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if hasattr(libc, "malloc_trim"):  # glibc only
        libc.malloc_trim(0)


def partition_columns(entity: str) -> tuple[str, ...]:
    """The columns the entity's suite reads: those its expectations check, then its key, which
    names the failing rows. GX hashes and filters every column of the frame it validates (at a
    million conversations a day, 30 columns took 8.7 s to build and check, these 13 took 2.7 s)."""
    suite = partition_suite(PARTITION_ENTITIES[entity])
    columns: dict[str, None] = {}
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        checked = [kwargs["column"]] if "column" in kwargs else kwargs["column_list"]
        columns.update(dict.fromkeys(checked))
    columns.update(dict.fromkeys(suite.index_columns))
    return tuple(columns)


def validate_partition(
    entity: str, df: pd.DataFrame, context: AbstractDataContext | None = None
) -> GateResult:
    """Check the current rows just loaded for one partition of `raw.<entity>` against the
    contract: required values present, closed value sets, numeric ranges, unique keys."""
    if entity not in PARTITION_ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    return run_suite(context or get_quality_context(), f"raw_{entity}", df)


# --- the weekly gate --------------------------------------------------------------------------


def metric_kind(metric_name: str) -> str:
    """'proportion' [0, 1], 'percent' [0, 100], 'non_negative' or 'signed' (no bound)."""
    if metric_name in SIGNED or metric_name.endswith(SIGNED_SUFFIXES):
        return "signed"
    if metric_name in UNBOUNDED_RATES:
        return "non_negative"
    if metric_name.endswith("_percent") or metric_name in PERCENT_SCALE:
        return "percent"
    if metric_name in PROPORTIONS or metric_name.endswith(PROPORTION_SUFFIXES):
        return "proportion"
    return "non_negative"


def _week_days(week_start: date) -> list[date]:
    return [week_start + timedelta(days=offset) for offset in range(7)]


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _feed_coverage_sql(feed: str) -> str:
    """Rows per day of one feed; a cost row covers every day its [start, end) period touches."""
    if feed == "costs":
        match = (
            "c.charge_period_start < days.day + interval 1 day and c.charge_period_end > days.day"
        )
    else:
        match = "c._event_date = days.day"
    return f"""
        select
            '{feed}' as feed,
            strftime(days.day, '%Y-%m-%d') as day,
            count(c._disposition) as rows
        from days
        left join raw.{feed} as c
            on c._disposition = 'loaded' and {match}
        group by days.day
    """


def completeness_frame(
    con: duckdb.DuckDBPyConnection, week_start: date, feeds: Iterable[str]
) -> pd.DataFrame:
    """One row per feed and day of the week with its count of current rows (0 when absent)."""
    days = _week_days(week_start)
    parts: list[pd.DataFrame] = []
    for feed in feeds:
        if _table_exists(con, "raw", feed):
            sql = f"with days as (select unnest(?::date[]) as day) {_feed_coverage_sql(feed)}"
            parts.append(con.execute(sql, [days]).df())
        else:
            parts.append(
                pd.DataFrame(
                    {"feed": feed, "day": [d.isoformat() for d in days], "rows": [0] * len(days)}
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["feed", "day"], ignore_index=True)


def volume_frame(con: duckdb.DuckDBPyConnection, week_start: date) -> pd.DataFrame:
    """Each day's conversations against the mean of the same weekday in the four weeks before,
    over those weeks that have conversations (no baseline, no ratio: the check skips it)."""
    days = _week_days(week_start)
    if _table_exists(con, "raw", "conversations"):
        daily = """
            select _event_date as day, count(*) as conversations
            from raw.conversations
            where _disposition = 'loaded'
                and _event_date >= cast(? as date) - 28
                and _event_date < cast(? as date) + 7
            group by _event_date
        """
        params: list[Any] = [week_start, week_start]
    else:
        daily = "select cast(null as date) as day, cast(0 as bigint) as conversations where false"
        params = []
    sql = f"""
        with daily as ({daily}),
        days as (select unnest(?::date[]) as day),
        baseline as (
            select
                days.day,
                avg(d.conversations) as baseline_mean,
                count(d.day) as baseline_days
            from days
            left join daily as d
                on d.day in (days.day - 7, days.day - 14, days.day - 21, days.day - 28)
            group by days.day
        )
        select
            strftime(days.day, '%Y-%m-%d') as day,
            coalesce(daily.conversations, 0) as conversations,
            round(baseline.baseline_mean, 1) as baseline_mean,
            baseline.baseline_days as baseline_days,
            cast(coalesce(daily.conversations, 0) as double)
                / nullif(baseline.baseline_mean, 0) as ratio,
            printf(
                '%.0f%%',
                100 * coalesce(daily.conversations, 0) / nullif(baseline.baseline_mean, 0)
            ) as share_of_mean
        from days
        left join daily on daily.day = days.day
        inner join baseline on baseline.day = days.day
        order by days.day
    """
    return con.execute(sql, [*params, days]).df()


def metric_ranges_frame(con: duckdb.DuckDBPyConnection, week_start: date) -> pd.DataFrame:
    """Metric values of the week's days and of the week, with the value copied into the column
    of its kind's bounds and the value's distance outside its own interval."""
    frame = con.execute(
        """
        select
            metric_name,
            grain,
            strftime(period_start, '%Y-%m-%d') as period_start,
            ai_system,
            segment_key,
            segment_value,
            value,
            ci_low,
            ci_high,
            greatest(ci_low - value, value - ci_high) / greatest(1, abs(value))
                as interval_excess
        from marts.metric_values
        where value is not null
            and (
                (grain = 'day' and period_start >= ? and period_start < cast(? as date) + 7)
                or (grain = 'week' and period_start = ?)
            )
        order by metric_name, grain, period_start, ai_system, segment_key, segment_value
        """,
        [week_start, week_start, week_start],
    ).df()
    kinds = frame["metric_name"].map(metric_kind)
    for kind in ("proportion", "percent", "non_negative"):
        frame[f"{kind}_value"] = frame["value"].where(kinds == kind)
    return frame


def headline_metrics(con: duckdb.DuckDBPyConnection, settings: GateSettings) -> list[str]:
    if settings.headline_metrics:
        return list(settings.headline_metrics)
    if not _table_exists(con, "marts", "scorecard_weekly"):
        return []
    rows = con.execute(
        "select distinct metric_name from marts.scorecard_weekly order by metric_name"
    ).fetchall()
    return [name for (name,) in rows]


def sample_sizes_frame(
    con: duckdb.DuckDBPyConnection, week_start: date, metrics: list[str]
) -> pd.DataFrame:
    """Week values of ALL (segment all) for the headline metrics, with their sample sizes."""
    return con.execute(
        """
        select metric_name, sample_size
        from marts.metric_values
        where grain = 'week'
            and period_start = ?
            and ai_system = 'ALL'
            and segment_key = 'all'
            and metric_name in (select unnest(?::varchar[]))
        order by metric_name
        """,
        [week_start, metrics],
    ).df()


def usd_amounts_frame(con: duckdb.DuckDBPyConnection, week_start: date) -> pd.DataFrame:
    """Cost and revenue rows of the week's days whose amount has no USD value, by feed, currency
    and reason: a currency without an FX rate on or before the day (USD needs none), or a FOCUS
    cost row without a value in the cost column the `focus_cost_column` setting names.

    A cost row counts once, whatever number of the week's days its charge period touches; the
    days are those its unconverted shares fall on.
    """
    parts = []
    if _table_exists(con, "intermediate", "int_costs_spread"):
        parts.append(
            """
            select
                'cost' as feed,
                billing_currency as currency,
                case
                    when usd_rate is null then 'no FX rate on or before the day'
                    else 'no ' || cost_column || ' value'
                end as reason,
                cost_id as row_id,
                cost_date as day
            from intermediate.int_costs_spread
            where amount_usd is null and cost_date >= $week and cost_date < $week + 7
            """
        )
    if _table_exists(con, "intermediate", "int_revenue_usd"):
        parts.append(
            """
            select
                'revenue', currency, 'no FX rate on or before the day', order_id, occurred_date
            from intermediate.int_revenue_usd
            where amount_usd is null and occurred_date >= $week and occurred_date < $week + 7
            """
        )
    if not parts:
        return pd.DataFrame(columns=["feed", "currency", "reason", "days", "rows"])
    return con.execute(
        f"""
        select
            feed,
            currency,
            reason,
            string_agg(distinct strftime(day, '%Y-%m-%d'), ', ' order by strftime(day, '%Y-%m-%d'))
                as days,
            count(distinct row_id) as rows
        from ({" union all ".join(parts)}) as unconverted
        group by feed, currency, reason
        order by feed, currency, reason
        """,
        {"week": week_start},
    ).df()


def validate_week(
    con: duckdb.DuckDBPyConnection,
    week_start: date,
    settings: GateSettings | None = None,
    context: AbstractDataContext | None = None,
) -> list[GateResult]:
    """The weekly gate: completeness, volume, metric ranges, sample sizes and USD amounts, in
    that order. A week's scorecard is published only when all five pass.
    """
    if week_start.isoweekday() != 1:
        raise ValueError(f"{week_start} is not a Monday: weeks are ISO weeks")
    settings = settings or GateSettings()
    context = context or get_quality_context()
    tolerance = settings.volume_tolerance
    checks: list[tuple[str, Callable[[], pd.DataFrame], dict[str, Any]]] = [
        ("completeness", lambda: completeness_frame(con, week_start, settings.daily_feeds), {}),
        (
            "volume",
            lambda: volume_frame(con, week_start),
            {"volume_min_ratio": max(0.0, 1 - tolerance), "volume_max_ratio": 1 + tolerance},
        ),
        ("metric_ranges", lambda: metric_ranges_frame(con, week_start), {}),
        (
            "sample_sizes",
            lambda: sample_sizes_frame(con, week_start, headline_metrics(con, settings)),
            {"min_sample_size": settings.min_sample_size},
        ),
        ("usd_amounts", lambda: usd_amounts_frame(con, week_start), {}),
    ]
    return [
        run_suite(context, name, frame(), parameters, week_start=week_start.isoformat())
        for name, frame, parameters in checks
    ]


if __name__ == "__main__":
    changed = build_suites()
    print("changed: " + ", ".join(changed) if changed else "expectations/gx is up to date")
