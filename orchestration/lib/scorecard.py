"""The weekly scorecard as a self-contained HTML page and as Markdown for Dagster metadata.

A page answers four questions for one ai_system (or `ALL`, the portfolio) and ISO week: can these
numbers be trusted, is the AI paying, is it getting better, is it fair. It opens with the answers
and the headline KPIs, then shows every metric family with each metric's change against last
week, the 4-week average and the pre-deployment baseline (good or bad by the metric's direction),
beside the guardrails that must not get worse while it improves, then the week's data quality.

The page is one file with inline CSS and inline SVG charts, and no scripts, fonts or links to
fetch, so it opens from a file share, a mail attachment or an offline laptop, prints on paper, and
reads on a phone. Status is spelled out in words and a symbol; colour is only a second cue.
"""

# The page's texts use typographic signs (an en dash in scales such as 1 to 5) on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import jinja2
import pandas as pd

from orchestration.lib.catalog import FAMILIES, PREDICTION_SEGMENTS

if TYPE_CHECKING:
    from orchestration.lib.quality import GateResult

# orchestration.lib.charts (altair, vl-convert) is imported where a chart is drawn: altair takes
# seconds to import, and Dagster imports this module whenever it loads the definitions.

TEMPLATES_DIR = Path(__file__).parent / "templates"
NO_VALUE = "—"
TREND_WEEKS = 12

# The headline KPIs, in the order of the page's questions: paying, getting better, fair.
HEADLINE = (
    "roai",
    "cost_to_serve_usd",
    "ai_resolution_rate",
    "csat_average",
    "outcome_parity_ratio",
)
# Shown beside a headline KPI: the number it must be read against.
COMPARISONS = {"cost_to_serve_usd": "human_cost_to_serve_usd"}
# Numeric metadata of the scorecard asset (Dagster plots them over the weekly partitions).
PLOTTED = (*HEADLINE, "human_cost_to_serve_usd")

# status → (words, symbol); the symbol keeps the status legible in black-and-white print.
STATUSES: dict[str, tuple[str, str]] = {
    "on_track": ("On track", "✓"),
    "at_risk": ("At risk", "!"),
    "off_track": ("Off track", "✗"),
    "insufficient_data": ("Insufficient data", "?"),
    "no_target": ("No target", "-"),
}
# verdict of marts.experiment_results → (words, symbol, status code of its badge, meaning).
VERDICTS: dict[str, tuple[str, str, str, str]] = {
    "significant_win": (
        "Significant win",
        "✓",
        "on_track",
        "treatment converts better than control",
    ),
    "significant_loss": (
        "Significant loss",
        "✗",
        "off_track",
        "treatment converts worse than control",
    ),
    "inconclusive": (
        "Inconclusive",
        "?",
        "insufficient_data",
        "no difference shown between treatment and control",
    ),
    "invalid": (
        "Invalid",
        "✗",
        "off_track",
        "the split of units is not the planned one (sample ratio mismatch): do not read the lift",
    ),
}
PROPORTION_UNITS = frozenset({"ratio", "rate", "share", "proportion", "fraction"})
PERCENT_UNITS = frozenset({"percent", "%", "pct"})
UNIT_SUFFIXES = frozenset({"usd", "seconds", "ms", "percent", "days"})
# Units named in full at the end of a metric's name ('latency_load_slope_ms_per_1k_calls').
UNIT_TAILS = ("_ms_per_1k_calls",)
ACRONYMS = {
    "ai": "AI",
    "csat": "CSAT",
    "roai": "ROAI",
    "auc": "AUC",
    "roc": "ROC",
    "f1": "F1",
    "bleu": "BLEU",
    "rouge": "ROUGE",
    "mae": "MAE",
    "fid": "FID",
    "p50": "P50",
    "p90": "P90",
    "p95": "P95",
    "p99": "P99",
    "1k": "1k",
}


def iso_week_label(week_start: date) -> str:
    """'2026-W20': the ISO year and week, which differ from the calendar year around New Year."""
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def _is_missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: float) -> str:
    """Whole numbers as counts; others with the precision their size needs."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return _measure(value)


def _measure(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3f}"


def _seconds(value: float) -> str:
    if abs(value) >= 3600:
        return f"{value / 3600:.1f} h"
    if abs(value) >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"


def _unit_of(metric_name: str, unit: Any) -> str:
    """The row's unit, or one read from the metric's name when the store left it empty."""
    if not _is_missing(unit) and str(unit).strip():
        return str(unit).strip().lower()
    if metric_name.endswith(("_rate", "_share", "_ratio")):
        return "ratio"
    if metric_name.endswith("_percent"):
        return "percent"
    if metric_name.endswith("_usd"):
        return "usd"
    if metric_name.endswith("_seconds"):
        return "seconds"
    if metric_name.endswith("_ms"):
        return "ms"
    return ""


# Units the metric store writes, in the few characters a table cell has room for.
SHORT_UNITS = {
    "csat_1_to_5": " / 5",
    "sentiment_points": " pts",
    "calls_per_minute": " /min",
    "ms_per_1k_calls": " ms/1k calls",
    "tokens": "",
    "index_0_to_100": " / 100",
    "bleu_0_to_100": " / 100",
    "score_0_to_1": "",
    "preference_0_to_1": "",
    "satisfaction_1_to_5": " / 5",
    "points_per_week": " pts/week",
    "feedback_per_ai_conversation": " per AI conv.",
    "perplexity": "",
    "fid": "",
    "target_units": "",
    "sessions": " sessions",
    "minutes": " min",
    "days": " days",
}
# The scale of a unit, for chart titles (their axes carry numbers only); units a metric's name
# already says (tokens, sessions, minutes, per minute) have none.
SCALES = {
    "percent": "%",
    "seconds": "s",
    "ms": "ms",
    "csat_1_to_5": "1–5",
    "satisfaction_1_to_5": "1–5",
    "index_0_to_100": "0–100",
    "bleu_0_to_100": "0–100",
    "score_0_to_1": "0–1",
    "preference_0_to_1": "0–1",
    "sentiment_points": "points",
    "ms_per_1k_calls": "ms per 1k calls",
    "points_per_week": "points/week",
    "feedback_per_ai_conversation": "per AI conv.",
    "days": "days",
}


def format_value(value: Any, unit: str) -> str:
    """A value for people: proportions as %, money with $, durations in s/min/h, counts grouped."""
    if _is_missing(value):
        return NO_VALUE
    value = float(value)
    if unit in PROPORTION_UNITS:
        return f"{value * 100:.1f}%"
    if unit in PERCENT_UNITS:
        return f"{value:.1f}%"
    if unit == "usd":
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}"
    if unit in ("seconds", "s"):
        return _seconds(value)
    if unit == "ms":
        return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"
    if unit in ("", "count", "number"):
        return _number(value)
    if unit in ("score", "index"):
        return _measure(value)
    if unit in SHORT_UNITS:
        return f"{_number(value)}{SHORT_UNITS[unit]}"
    return f"{_number(value)} {unit.replace('_', ' ')}"


def format_difference(delta: float, unit: str) -> str:
    """A signed change in the metric's unit: percentage points for proportions and percents,
    the unit's own amount otherwise ('+2.1 pp', '-$0.12', '+12.0 s')."""
    sign = "-" if delta < 0 else "+"
    size = abs(delta)
    if unit in PROPORTION_UNITS:
        return f"{sign}{size * 100:.1f} pp"
    if unit in PERCENT_UNITS:
        return f"{sign}{size:.1f} pp"
    shown = format_value(size, unit)
    # A scale ('/ 5', '/ 100') belongs to a value, not to a difference.
    return sign + re.sub(r" / \d+$", "", shown)


def _interval(low: Any, high: Any, unit: str) -> str:
    """'3.87 to 4.02 / 5': a unit both ends share is written once, after the high end."""
    if _is_missing(low) or _is_missing(high):
        return NO_VALUE
    low_text, high_text = format_value(low, unit), format_value(high, unit)
    shared = re.search(r" [^\d ].*$", high_text)
    if shared and low_text.endswith(shared.group(0)):
        low_text = low_text.removesuffix(shared.group(0))
    return f"{low_text} to {high_text}"


def _status(code: Any) -> dict[str, str]:
    code = "no_target" if _is_missing(code) else str(code)
    words, symbol = STATUSES.get(code, (code.replace("_", " ").capitalize(), "•"))
    return {"code": code, "words": words, "symbol": symbol}


def _display_name(metric_name: str) -> str:
    """'csat_average' → 'CSAT average'; unit suffixes go, the value already carries the unit."""
    for tail in UNIT_TAILS:
        metric_name = metric_name.removesuffix(tail)
    words = metric_name.split("_")
    if len(words) > 1 and words[-1] in UNIT_SUFFIXES:
        words = words[:-1]
    text = " ".join(ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def _count(value: Any) -> str:
    return NO_VALUE if _is_missing(value) else f"{int(value):,}"


def _day(moment: Any) -> date | None:
    return None if _is_missing(moment) else pd.Timestamp(moment).date()


# --- what a page reads --------------------------------------------------------------------------

HISTORY_COLUMNS = (
    "metric_name",
    "period_start",
    "segment_key",
    "segment_value",
    "value",
    "ci_low",
    "ci_high",
    "sample_size",
    "unit",
)
CATALOG_COLUMNS = (
    "metric_name",
    "family",
    "unit",
    "direction",
    "definition",
    "segments",
    "guardrails",
)


def _frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass(frozen=True)
class Rejects:
    """What the loads of the week's days set aside, with the snapshot files' rejects.

    Rows and files with a null partition_date come from snapshots (the employee roster, the
    reference overrides) or from files that no day could claim: they are in force for every week,
    so they count in every week's totals, and `undated_*` says how many of them there are.
    """

    rows_quarantined: int
    files_rejected: int
    undated_rows: int
    undated_files: int
    # Sentences: '2 conversations rows quarantined: csat: 7.0 is above the maximum 5'.
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ScorecardPage:
    """Everything one page shows, as `load_scorecard_pages` reads it from the warehouse."""

    week_start: date
    ai_system: str
    # marts.scorecard_weekly of the week and system, with each metric's unit.
    rows: pd.DataFrame
    # marts.metric_catalog: family, unit, direction, definition, segments, guardrails.
    catalog: pd.DataFrame = field(default_factory=lambda: _frame(CATALOG_COLUMNS))
    # marts.metric_values at week grain, TREND_WEEKS weeks ending with this one, segment `all`
    # and the prediction metrics' task and model slices.
    history: pd.DataFrame = field(default_factory=lambda: _frame(HISTORY_COLUMNS))
    # marts.experiment_results of the system's experiments (every one on ALL) started by now.
    experiments: pd.DataFrame = field(default_factory=pd.DataFrame)
    # marts.roi_summary of the week and system (one row, or none).
    roi: pd.DataFrame = field(default_factory=pd.DataFrame)
    # None when the quarantine tables were not read.
    rejects: Rejects | None = None
    # The latest day with conversations anywhere: first-contact resolution is final 7 days on.
    last_data_day: date | None = None
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def load_scorecard_rows(
    con: duckdb.DuckDBPyConnection, week_start: date, ai_system: str
) -> pd.DataFrame:
    """marts.scorecard_weekly of one week and system, with each metric's unit from the store."""
    return con.execute(
        """
        with units as (
            select metric_name, max(unit) as unit
            from marts.metric_values
            where grain = 'week' and period_start = ? and ai_system = ?
            group by metric_name
        )

        select scorecard.*, units.unit as unit
        from marts.scorecard_weekly as scorecard
        left join units on units.metric_name = scorecard.metric_name
        where scorecard.week_start = ? and scorecard.ai_system = ?
        order by scorecard.metric_name
        """,
        [week_start, ai_system, week_start, ai_system],
    ).df()


def scorecard_systems(con: duckdb.DuckDBPyConnection, week_start: date) -> list[str]:
    """The AI systems with a scorecard in the week, `ALL` first: one page each."""
    rows = con.execute(
        """
        select distinct ai_system
        from marts.scorecard_weekly
        where week_start = ?
        order by ai_system <> 'ALL', ai_system
        """,
        [week_start],
    ).fetchall()
    return [name for (name,) in rows]


# DuckDB's parallel sums add doubles in any order, so the same rows give values that differ in
# their last bits from one run to the next ($4.275 or $4.2749999999999995, shown as $4.28 or
# $4.27). Pages read numbers to this many significant digits, far beyond what they show, so that
# a page whose numbers did not change stays byte for byte the same.
SIGNIFICANT_DIGITS = 10


def _significant(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else value


def _steady(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its floating-point columns read to SIGNIFICANT_DIGITS."""
    floats = frame.select_dtypes("float").columns
    return frame.assign(**{column: frame[column].map(_significant) for column in floats})


def load_scorecard_pages(
    con: duckdb.DuckDBPyConnection, week_start: date
) -> dict[str, ScorecardPage]:
    """Every page of the week, `ALL` first; what all pages share is read once. Numbers are read
    to SIGNIFICANT_DIGITS (see there)."""
    catalog = con.execute(f"select {', '.join(CATALOG_COLUMNS)} from marts.metric_catalog").df()
    settings = dict(
        con.execute(
            "select setting_name, setting_value from staging.stg_reference__settings"
        ).fetchall()
    )
    (last_data_day,) = con.execute(
        """
        select max(period_start)
        from marts.metric_values
        where grain = 'day' and ai_system = 'ALL' and metric_name = 'first_contact_resolution_rate'
        """
    ).fetchone()
    rejects = load_rejects(con, week_start, week_start + timedelta(days=6))
    return {
        system: ScorecardPage(
            week_start=week_start,
            ai_system=system,
            rows=_steady(load_scorecard_rows(con, week_start, system)),
            catalog=catalog,
            history=_steady(_load_history(con, week_start, system)),
            experiments=_steady(_load_experiments(con, week_start, system)),
            roi=_steady(
                con.execute(
                    "select * from marts.roi_summary where week_start = ? and ai_system = ?",
                    [week_start, system],
                ).df()
            ),
            rejects=rejects,
            last_data_day=last_data_day,
            settings=settings,
        )
        for system in scorecard_systems(con, week_start)
    }


def _load_history(con: duckdb.DuckDBPyConnection, week_start: date, system: str) -> pd.DataFrame:
    first = week_start - timedelta(weeks=TREND_WEEKS - 1)
    return con.execute(
        f"""
        select {", ".join(HISTORY_COLUMNS)}
        from marts.metric_values
        where grain = 'week'
            and ai_system = ?
            and period_start between ? and ?
            and segment_key in (select unnest(?::varchar[]))
        order by metric_name, segment_key, segment_value, period_start
        """,
        [system, first, week_start, ["all", *PREDICTION_SEGMENTS]],
    ).df()


def _load_experiments(
    con: duckdb.DuckDBPyConnection, week_start: date, system: str
) -> pd.DataFrame:
    """The experiments that had started by the week's end: the system's own, or all on ALL."""
    return con.execute(
        """
        select *
        from marts.experiment_results
        where (ai_system = ? or ? = 'ALL')
            and first_assigned_at < ?
        order by ai_system, experiment_id
        """,
        [system, system, week_start + timedelta(days=7)],
    ).df()


def load_rejects(con: duckdb.DuckDBPyConnection, first: date, last: date) -> Rejects:
    """The quarantined rows and rejected files of the loads of days [first, last] and of the
    snapshots (no partition day): what a week's page and an `amw run` report."""
    week = {"first": first, "last": last}
    scope = "(partition_date between $first and $last or partition_date is null)"
    rows = con.execute(
        f"""
        select
            entity,
            reason,
            count(*) as n,
            count(*) filter (where partition_date is null) as undated
        from quarantine.rows
        where {scope}
        group by entity, reason
        order by entity, reason
        """,
        week,
    ).fetchall()
    files = con.execute(
        f"""
        select source_file, reason, partition_date is null as undated
        from quarantine.files
        where {scope}
        order by source_file
        """,
        week,
    ).fetchall()
    reasons = [
        f"{n:,} {entity} row{'s' if n != 1 else ''} quarantined: {reason}"
        for entity, reason, n, _ in rows
    ] + [f"File rejected: {reason}" for _, reason, _ in files]
    return Rejects(
        rows_quarantined=sum(n for *_, n, _ in rows),
        files_rejected=len(files),
        undated_rows=sum(undated for *_, undated in rows),
        undated_files=sum(1 for *_, undated in files if undated),
        reasons=tuple(reasons),
    )


# --- what a page shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricInfo:
    """A metric as the catalog describes it, for display."""

    name: str
    label: str
    family: str
    unit: str
    direction: str
    definition: str
    guardrails: tuple[str, ...]
    is_prediction: bool


def _catalog(page: ScorecardPage) -> dict[str, MetricInfo]:
    infos = {}
    for row in page.catalog.to_dict(orient="records"):
        guardrails = row.get("guardrails")
        segments = str(row.get("segments") or "").split(",")
        infos[row["metric_name"]] = MetricInfo(
            name=row["metric_name"],
            label=_display_name(row["metric_name"]),
            family=str(row["family"]),
            unit=_unit_of(row["metric_name"], row.get("unit")),
            direction=str(row.get("direction") or "none"),
            definition=str(row.get("definition") or ""),
            guardrails=tuple(guardrails.split(",")) if isinstance(guardrails, str) else (),
            is_prediction="all" not in segments and bool(set(segments) & set(PREDICTION_SEGMENTS)),
        )
    return infos


def _info(infos: Mapping[str, MetricInfo], metric_name: str, unit: Any = None) -> MetricInfo:
    """The catalog's entry, or one read from the name for a metric the catalog does not know."""
    if metric_name in infos:
        return infos[metric_name]
    return MetricInfo(
        name=metric_name,
        label=_display_name(metric_name),
        family="",
        unit=_unit_of(metric_name, unit),
        direction="none",
        definition="",
        guardrails=(),
        is_prediction=False,
    )


def change(current: Any, reference: Any, unit: str, direction: str) -> dict[str, str]:
    """The signed difference of `current` from `reference`, and whether it is good news.

    `verdict` is better or worse by the metric's direction, `same` when the shown difference
    rounds to nothing, `neutral` for a metric without a better side, `none` without a reference.
    """
    if _is_missing(current) or _is_missing(reference):
        return {"text": NO_VALUE, "verdict": "none", "words": "no comparison", "symbol": ""}
    delta = float(current) - float(reference)
    text = format_difference(delta, unit)
    if not re.search(r"[1-9]", text):
        return {"text": "±0", "verdict": "same", "words": "no change", "symbol": "="}
    symbol = "▲" if delta > 0 else "▼"
    if direction not in ("higher", "lower"):
        return {"text": text, "verdict": "neutral", "words": "no better side", "symbol": symbol}
    better = (delta > 0) == (direction == "higher")
    words = "better" if better else "worse"
    return {"text": text, "verdict": words, "words": words, "symbol": symbol}


def _target(value: Any, unit: str, direction: str) -> str:
    if _is_missing(value):
        return NO_VALUE
    sign = {"higher": "≥ ", "lower": "≤ "}.get(direction, "")
    return sign + format_value(value, unit)


# (metric_name, segment_key, segment_value)
SliceKey = tuple[str, str, str]


@dataclass(frozen=True)
class Slice:
    """One metric's numbers on one slice (segment `all`, or a task or model) of the page."""

    info: MetricInfo
    segment_key: str
    segment_value: str
    value: Any
    ci_low: Any = None
    ci_high: Any = None
    sample_size: Any = None
    prior_week_value: Any = None
    four_week_average: Any = None
    baseline_value: Any = None
    target: Any = None
    status: Any = None

    @property
    def vs_last_week(self) -> dict[str, str]:
        return change(self.value, self.prior_week_value, self.info.unit, self.info.direction)


def _program_slices(page: ScorecardPage, infos: Mapping[str, MetricInfo]) -> dict[str, Slice]:
    """The scorecard rows (segment `all`) by metric name."""
    slices = {}
    for row in page.rows.to_dict(orient="records"):
        info = _info(infos, row["metric_name"], row.get("unit"))
        slices[info.name] = Slice(
            info=info,
            segment_key="all",
            segment_value="all",
            value=row.get("value"),
            ci_low=row.get("ci_low"),
            ci_high=row.get("ci_high"),
            sample_size=row.get("sample_size"),
            prior_week_value=row.get("prior_week_value"),
            four_week_average=row.get("four_week_average"),
            baseline_value=row.get("baseline_value"),
            target=row.get("target"),
            status=row.get("status"),
        )
    return slices


def _prediction_slices(
    page: ScorecardPage, infos: Mapping[str, MetricInfo]
) -> dict[SliceKey, Slice]:
    """The week's task and model slices of the metrics over predictions (which have no `all`
    row and so no scorecard row), with last week's value of the same slice, in catalog order."""
    history = page.history
    sliced = history[history["segment_key"].isin(PREDICTION_SEGMENTS)]
    this_week = sliced[pd.to_datetime(sliced["period_start"]).dt.date == page.week_start]
    last_week = sliced[
        pd.to_datetime(sliced["period_start"]).dt.date == page.week_start - timedelta(weeks=1)
    ]
    prior = {
        (r["metric_name"], r["segment_key"], r["segment_value"]): r["value"]
        for r in last_week.to_dict(orient="records")
    }
    slices = {}
    order = {name: position for position, name in enumerate(infos)}
    this_week = this_week.assign(
        position=this_week["metric_name"].map(order).fillna(len(order))
    ).sort_values(["position", "segment_key", "segment_value"])
    for row in this_week.to_dict(orient="records"):
        key = (row["metric_name"], row["segment_key"], row["segment_value"])
        slices[key] = Slice(
            info=_info(infos, row["metric_name"], row.get("unit")),
            segment_key=row["segment_key"],
            segment_value=row["segment_value"],
            value=row["value"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            sample_size=row["sample_size"],
            prior_week_value=prior.get(key),
        )
    return slices


def _by_slice(
    program: Mapping[str, Slice], predictions: Mapping[SliceKey, Slice]
) -> dict[SliceKey, Slice]:
    """Every slice of the page by (metric, segment key, segment value): where guardrails are
    looked up, on the slice of the metric they guard."""
    return {(name, "all", "all"): metric for name, metric in program.items()} | dict(predictions)


def _guardrails(
    metric: Slice, slices: Mapping[SliceKey, Slice], infos: Mapping[str, MetricInfo]
) -> tuple[list[dict[str, Any]], str | None]:
    """The metric's guardrails on the same slice (value, status, change since last week), and a
    warning when the metric improved while one of them got worse. A guardrail without a row is a
    dash on a program metric; on a prediction slice it is left out, as it is not computed there
    (the fairness metrics need binary tasks and a sensitive group)."""
    shown = []
    for name in metric.info.guardrails:
        guard = slices.get((name, metric.segment_key, metric.segment_value))
        if guard is None and metric.segment_key != "all":
            continue
        info = guard.info if guard is not None else _info(infos, name)
        shown.append(
            {
                "metric_name": name,
                "label": info.label,
                "value": format_value(guard.value if guard else None, info.unit),
                # A slice of a prediction metric has no target, hence no status to show.
                "status": _status(guard.status) if guard and metric.segment_key == "all" else None,
                "change": guard.vs_last_week if guard else change(None, None, info.unit, "none"),
            }
        )
    worse = [g["label"] for g in shown if g["change"]["verdict"] == "worse"]
    tradeoff = None
    if metric.vs_last_week["verdict"] == "better" and worse:
        tradeoff = f"Improved while {' and '.join(worse)} got worse: check the trade-off."
    return shown, tradeoff


def _metric_view(
    metric: Slice, slices: Mapping[SliceKey, Slice], infos: Mapping[str, MetricInfo]
) -> dict:
    info = metric.info
    guardrails, tradeoff = _guardrails(metric, slices, infos)
    return {
        "metric_name": info.name,
        "label": info.label,
        "definition": info.definition,
        "direction": {"higher": "higher is better", "lower": "lower is better"}.get(
            info.direction, "no better side"
        ),
        "segment": f"{metric.segment_key}: {metric.segment_value}",
        "segment_attr": f"{metric.segment_key}:{metric.segment_value}",
        "value": format_value(metric.value, info.unit),
        "interval": _interval(metric.ci_low, metric.ci_high, info.unit),
        "sample_size": _count(metric.sample_size),
        "vs_last_week": metric.vs_last_week,
        "vs_four_weeks": change(metric.value, metric.four_week_average, info.unit, info.direction),
        "vs_baseline": change(metric.value, metric.baseline_value, info.unit, info.direction),
        "prior_week": format_value(metric.prior_week_value, info.unit),
        "four_week_average": format_value(metric.four_week_average, info.unit),
        "baseline": format_value(metric.baseline_value, info.unit),
        "target": _target(metric.target, info.unit, info.direction),
        "status": _status(metric.status),
        "guardrails": guardrails,
        "tradeoff": tradeoff,
    }


# --- charts ---------------------------------------------------------------------------------------


def _weeks(week_start: date) -> list[str]:
    """The labels of the TREND_WEEKS weeks ending with this one."""
    return [_week_label(week_start - timedelta(weeks=n)) for n in range(TREND_WEEKS - 1, -1, -1)]


def _week_label(monday: date) -> str:
    """'26 Oct': a chart's name for the ISO week starting that Monday."""
    return f"{monday.day} {monday:%b}"


def _chart_scale(unit: str) -> tuple[float, str]:
    """The factor that puts a unit's values on the scale people read, and that scale's name:
    charts draw shares in %, so that one axis format serves every panel of a family."""
    if unit in PROPORTION_UNITS:
        return 100.0, "%"
    if unit == "usd":
        return 1.0, "$"
    return 1.0, SCALES.get(unit, "")


def _points(
    page: ScorecardPage, infos: Sequence[MetricInfo], targets: Mapping[str, Any]
) -> pd.DataFrame:
    """The trend points of the metrics (charts.POINT_COLUMNS): segment `all`, or one series per
    task for metrics over predictions, values on their reading scale."""
    from orchestration.lib import charts

    history = page.history
    frames = []
    for info in infos:
        rows = history[
            (history["metric_name"] == info.name)
            & (history["segment_key"] == ("task" if info.is_prediction else "all"))
            & history["value"].notna()
        ]
        if rows.empty:
            continue
        factor, scale = _chart_scale(info.unit)
        target = targets.get(info.name)
        frames.append(
            pd.DataFrame(
                {
                    "metric_name": info.name,
                    "title": f"{info.label} ({scale})" if scale else info.label,
                    "week": [_week_label(day) for day in pd.to_datetime(rows["period_start"])],
                    "series": rows["segment_value"].astype(str).to_numpy(),
                    "value": rows["value"].astype(float).to_numpy() * factor,
                    "ci_low": rows["ci_low"].astype(float).to_numpy() * factor,
                    "ci_high": rows["ci_high"].astype(float).to_numpy() * factor,
                    "target": None if _is_missing(target) else float(target) * factor,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else _frame(charts.POINT_COLUMNS)


def _headline_chart(
    page: ScorecardPage, info: MetricInfo, target: Any, infos: Mapping[str, MetricInfo]
) -> str:
    """The KPI's trend, with the comparison it is read against as a second line."""
    from orchestration.lib import charts

    points = _points(page, [info], {info.name: target})
    if points.empty:
        return ""
    if info.name in COMPARISONS:
        other = _info(infos, COMPARISONS[info.name])
        compared = _points(page, [other], {})
        if not compared.empty:
            points = pd.concat(
                [points.assign(series=info.label), compared.assign(series=other.label)],
                ignore_index=True,
            )
    label = f"{info.label}: weekly values over the last {TREND_WEEKS} weeks"
    return charts.trend_svg(points, _weeks(page.week_start), label, key=info.name)


def _family_chart(
    page: ScorecardPage, family: str, infos: Sequence[MetricInfo], program: Mapping[str, Slice]
) -> str:
    from orchestration.lib import charts

    targets = {name: metric.target for name, metric in program.items()}
    points = _points(page, [i for i in infos if not i.is_prediction], targets)
    by_task = _points(page, [i for i in infos if i.is_prediction], {})
    if points.empty and by_task.empty:
        return ""
    label = f"{FAMILIES.get(family, family)}: weekly trends over the last {TREND_WEEKS} weeks"
    return charts.family_svg(points, by_task, _weeks(page.week_start), label, key=family)


# --- sections -----------------------------------------------------------------------------------


def _headline(
    page: ScorecardPage,
    program: Mapping[str, Slice],
    slices: Mapping[SliceKey, Slice],
    infos: Mapping[str, MetricInfo],
) -> list[dict]:
    """The headline KPI cards, each with its chart and the comparison it is read against."""
    cards = []
    for name in HEADLINE:
        info = _info(infos, name)
        metric = program.get(name) or Slice(
            info=info, segment_key="all", segment_value="all", value=None,
            status="insufficient_data",
        )  # fmt: skip
        view = _metric_view(metric, slices, infos)
        view["notes"] = _headline_notes(page, name, metric, program)
        view["chart"] = _headline_chart(page, info, metric.target, infos)
        cards.append(view)
    return cards


def _headline_notes(
    page: ScorecardPage, name: str, metric: Slice, program: Mapping[str, Slice]
) -> list[str]:
    """What a KPI is read against: people's cost beside the AI's, ROAI since deployment."""
    notes = []
    if name in COMPARISONS:
        other = program.get(COMPARISONS[name])
        if other is not None and not _is_missing(other.value):
            line = f"{other.info.label}: {format_value(other.value, other.info.unit)}"
            if not _is_missing(metric.value):
                saving = float(other.value) - float(metric.value)
                cheaper = "cheaper" if saving >= 0 else "more expensive"
                line += (
                    f"; the AI is {format_value(abs(saving), metric.info.unit)} {cheaper} "
                    "per resolution"
                )
            notes.append(line + ".")
    if name == "roai" and not page.roi.empty:
        roi = page.roi.iloc[0]
        if not _is_missing(roi["cumulative_roai"]):
            # Without a deployment record the cumulative series starts on the first day of data.
            start = "go-live" if _day(roi.get("deployed_at")) else "the first day of data"
            since = f"ROAI since {start}: {format_value(roi['cumulative_roai'], 'ratio')}"
            paid = _day(roi["payback_date"])
            if paid is not None:
                since += f", paid back on {paid.isoformat()}"
                if not _is_missing(roi["time_to_value_days"]):
                    since += f" ({int(roi['time_to_value_days'])} days after {start})"
            else:
                since += ", not paid back yet"
            notes.append(since + ".")
    return notes


def _experiment_cards(page: ScorecardPage) -> list[dict]:
    from orchestration.lib import charts

    cards = []
    for row in page.experiments.to_dict(orient="records"):
        verdict = str(row.get("verdict") or "inconclusive")
        words, symbol, code, meaning = VERDICTS.get(
            verdict, (verdict.replace("_", " ").capitalize(), "•", "no_target", "")
        )
        open_units = row.get("units_window_open")
        provisional = not _is_missing(open_units) and int(open_units) > 0
        estimates = pd.DataFrame(
            {
                "estimate": ["Lift", "CUPED lift"],
                "lift": [row.get("absolute_lift"), row.get("cuped_absolute_lift")],
                "ci_low": [row.get("absolute_lift_ci_low"), row.get("cuped_absolute_lift_ci_low")],
                "ci_high": [
                    row.get("absolute_lift_ci_high"),
                    row.get("cuped_absolute_lift_ci_high"),
                ],
            }
        ).dropna()
        chart = ""
        if not estimates.empty:
            chart = charts.lift_svg(
                estimates,
                f"Conversion lift of {row['experiment_id']} with its 95% interval",
                key=f"lift-{row['experiment_id']}",
            )
        cards.append(
            {
                "experiment_id": row["experiment_id"],
                "ai_system": row["ai_system"],
                "verdict": verdict,
                "status": {"code": code, "words": words, "symbol": symbol},
                "meaning": meaning,
                "relative_lift": _signed_percent(row.get("relative_lift")),
                "relative_interval": _signed_interval(
                    row.get("relative_lift_ci_low"), row.get("relative_lift_ci_high")
                ),
                "absolute_lift": _signed_points(row.get("absolute_lift")),
                "absolute_interval": _signed_interval(
                    row.get("absolute_lift_ci_low"),
                    row.get("absolute_lift_ci_high"),
                    _signed_points,
                ),
                "p_value": _p_value(row.get("p_value")),
                "rates": (
                    f"{format_value(row.get('rate_treatment'), 'share')} treatment vs "
                    f"{format_value(row.get('rate_control'), 'share')} control"
                ),
                "units": f"{_count(row.get('n_treatment'))} treatment and "
                f"{_count(row.get('n_control'))} control units",
                "revenue": format_value(row.get("incremental_revenue_usd"), "usd"),
                "revenue_interval": _interval(
                    row.get("incremental_revenue_ci_low"),
                    row.get("incremental_revenue_ci_high"),
                    "usd",
                ),
                "period": f"{_day(row.get('first_assigned_at'))} to "
                f"{_day(row.get('last_assigned_at'))}",
                "provisional": (
                    f"{int(open_units):,} units' conversion windows are still open: the rates "
                    "may still rise."
                    if provisional
                    else None
                ),
                "chart": chart,
            }
        )
    return cards


def _signed_percent(value: Any) -> str:
    return NO_VALUE if _is_missing(value) else f"{float(value) * 100:+.1f}%"


def _signed_interval(low: Any, high: Any, show: Callable[[Any], str] = _signed_percent) -> str:
    """An interval of signed changes: relative (%) by default, or as `show` writes them."""
    if _is_missing(low) or _is_missing(high):
        return NO_VALUE
    return f"{show(low)} to {show(high)}"


def _signed_points(value: Any) -> str:
    return NO_VALUE if _is_missing(value) else format_difference(float(value), "share")


def _p_value(value: Any) -> str:
    if _is_missing(value):
        return NO_VALUE
    return "p < 0.001" if float(value) < 0.001 else f"p = {float(value):.3f}"


def _families(
    page: ScorecardPage,
    program: Mapping[str, Slice],
    predictions: Mapping[SliceKey, Slice],
    slices: Mapping[SliceKey, Slice],
    infos: Mapping[str, MetricInfo],
) -> list[dict]:
    """One section per family with metrics this week: program metrics with their status, then
    the task and model slices of the metrics over predictions, then the family's trends."""
    sections = []
    for family, title in FAMILIES.items():
        names = [name for name, info in infos.items() if info.family == family]
        rows = [_metric_view(program[n], slices, infos) for n in names if n in program]
        sliced = [
            _metric_view(metric, slices, infos)
            for (name, *_), metric in predictions.items()
            if name in names
        ]
        if not rows and not sliced:
            continue
        sections.append(
            {
                "family": family,
                "title": title,
                "rows": rows,
                "slices": sliced,
                "chart": _family_chart(page, family, [infos[n] for n in names], program),
            }
        )
    return sections


@dataclass(frozen=True)
class QualityLine:
    name: str
    passed: bool
    failures: tuple[str, ...]


def _quality_lines(quality: Iterable[GateResult] | Mapping[str, Any]) -> list[QualityLine]:
    """Accept GateResults, or a mapping of check name → passed flag or {success, failures}."""
    if isinstance(quality, Mapping):
        lines = []
        for name, outcome in quality.items():
            if isinstance(outcome, Mapping):
                lines.append(
                    QualityLine(
                        str(name),
                        bool(outcome.get("success")),
                        tuple(str(f) for f in outcome.get("failures", ())),
                    )
                )
            else:
                lines.append(QualityLine(str(name), bool(outcome), ()))
        return lines
    return [QualityLine(r.name, bool(r.success), tuple(r.failures)) for r in quality]


def _provisional(page: ScorecardPage) -> list[str]:
    """Why some of the week's numbers may still change as later days arrive."""
    notes = []
    window = int(page.settings.get("fcr_window_days", 7))
    final_on = page.week_end + timedelta(days=window)
    if page.last_data_day is None or page.last_data_day < final_on:
        latest = page.last_data_day.isoformat() if page.last_data_day else "none"
        notes.append(
            f"First-contact resolution is provisional: it looks {window} days past each contact, "
            f"so this week's value is final once data through {final_on.isoformat()} has loaded "
            f"(latest day loaded: {latest})."
        )
    if not page.experiments.empty and "units_window_open" in page.experiments:
        open_units = int(page.experiments["units_window_open"].fillna(0).sum())
        if open_units:
            notes.append(
                f"Conversion results are provisional: {open_units:,} experiment units' "
                "conversion windows are still open."
            )
    return notes


def _trust(
    checks: Sequence[QualityLine], rejects: Rejects | None, provisional: Sequence[str]
) -> dict:
    """The one sentence at the top of the page: can this week's numbers be trusted?"""
    if not checks:
        return {
            **_status("insufficient_data"),
            "words": "Not checked",
            "sentence": "No data-quality results were recorded for this week: read its numbers "
            "as unverified.",
        }
    failed = [c.name.replace("_", " ") for c in checks if not c.passed]
    if failed:
        return {
            **_status("off_track"),
            "words": "Do not rely on it yet",
            "sentence": f"{len(failed)} of {len(checks)} data-quality checks failed "
            f"({', '.join(failed)}): this week is not published until they pass.",
        }
    caveats = []
    if rejects is not None and (rejects.rows_quarantined or rejects.files_rejected):
        caveats.append(
            f"the loads set aside {_plural(rejects.rows_quarantined, 'row')} and rejected "
            f"{_plural(rejects.files_rejected, 'file')} (left out of every metric)"
        )
    if provisional:
        caveats.append("some values are provisional until later days arrive")
    sentence = "; ".join([f"All {len(checks)} data-quality checks passed", *caveats]) + "."
    return {**_status("on_track"), "words": "Yes, it can be trusted", "sentence": sentence}


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _answers(
    program: Mapping[str, Slice],
    predictions: Mapping[SliceKey, Slice],
    headline: Sequence[dict],
    experiments: Sequence[dict],
) -> dict[str, str]:
    """Short answers to: is the AI paying, is it getting better, is it fair."""
    roai = program.get("roai")
    paying = []
    if roai is not None and not _is_missing(roai.value):
        paying.append(
            f"ROAI this week is {format_value(roai.value, 'ratio')} "
            f"({_status(roai.status)['words'].lower()})."
        )
    paying += next((card["notes"] for card in headline if card["metric_name"] == "roai"), [])
    paying += next(
        (card["notes"] for card in headline if card["metric_name"] == "cost_to_serve_usd"), []
    )
    for card in experiments:
        paying.append(
            f"Experiment {card['experiment_id']}: {card['status']['words'].lower()} "
            f"({card['relative_lift']} conversion, {card['p_value']})."
        )
    directed = [s for s in program.values() if s.info.direction in ("higher", "lower")]
    counts = Counter(metric.vs_last_week["verdict"] for metric in directed)
    better = (
        f"Against last week, {counts['better']} metrics got better and {counts['worse']} worse "
        f"(of {len(directed)} with a better side)."
    )
    baseline = [s for s in directed if not _is_missing(s.baseline_value)]
    if baseline:
        improved = sum(
            change(s.value, s.baseline_value, s.info.unit, s.info.direction)["verdict"] == "better"
            for s in baseline
        )
        better += f" Against the pre-deployment baseline, {improved} of {len(baseline)} are better."
    return {
        "paying": " ".join(paying) or "No ROAI or cost to serve this week.",
        "better": better,
        "fair": _fairness(program, predictions),
    }


def _fairness(program: Mapping[str, Slice], predictions: Mapping[SliceKey, Slice]) -> str:
    parts = []
    parity = program.get("outcome_parity_ratio")
    if parity is not None and not _is_missing(parity.value):
        parts.append(
            f"Outcome parity is {format_value(parity.value, parity.info.unit)} (the lowest "
            "customer group's AI resolution rate over the highest; the four-fifths rule asks "
            f"for 80% or more): {_status(parity.status)['words'].lower()}."
        )
    for name, pick, words in (
        ("demographic_parity_ratio", min, "lowest demographic parity ratio"),
        ("equal_opportunity_difference", max, "largest equal-opportunity gap"),
    ):
        values = [
            s
            for (metric, key, _), s in predictions.items()
            if metric == name and key == "task" and not _is_missing(s.value)
        ]
        if values:
            worst = pick(values, key=lambda s: float(s.value))
            shown = (
                format_difference(float(worst.value), "share").lstrip("+")
                if name.endswith("_difference")
                else format_value(worst.value, worst.info.unit)
            )
            parts.append(f"Predictions: the {words} is {shown} (task {worst.segment_value}).")
    return " ".join(parts) or "No fairness measure has data this week."


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _utc(moment: datetime) -> datetime:
    """Pipeline times are UTC; a naive time is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _week_pages(links: Mapping[str, str] | None, current: str) -> list[dict[str, Any]]:
    """The week's pages to link to, in the order of `links` (ALL first), this page marked."""
    return [
        {"ai_system": system, "href": href, "current": system == current}
        for system, href in (links or {}).items()
    ]


def render_scorecard(
    page: ScorecardPage,
    quality: Iterable[GateResult] | Mapping[str, Any],
    generated_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """The scorecard page of one week and AI system (`ALL` for the whole company).

    `links` maps each ai_system of the week to the href of its page (its file name beside this
    one): the page links to the other pages of its week. The published pages carry no time, so
    that a page whose numbers did not change stays byte for byte the same (the published
    database says when a week was published); `generated_at` stamps a page rendered on its own.
    """
    infos = _catalog(page)
    program = _program_slices(page, infos)
    predictions = _prediction_slices(page, infos)
    slices = _by_slice(program, predictions)
    headline = _headline(page, program, slices, infos)
    experiments = _experiment_cards(page)
    checks = _quality_lines(quality)
    provisional = _provisional(page)
    counts = {code: 0 for code in STATUSES}
    for metric in program.values():
        code = _status(metric.status)["code"]
        counts[code] = counts.get(code, 0) + 1
    return (
        _environment()
        .get_template("scorecard.html.j2")
        .render(
            week_label=iso_week_label(page.week_start),
            week_start=page.week_start.isoformat(),
            week_end=page.week_end.isoformat(),
            ai_system=page.ai_system,
            week_pages=_week_pages(links, page.ai_system),
            trust=_trust(checks, page.rejects, provisional),
            answers=_answers(program, predictions, headline, experiments),
            summary=[{**_status(code), "count": n} for code, n in counts.items() if n],
            headline=headline,
            experiments=experiments,
            families=_families(page, program, predictions, slices, infos),
            checks=checks,
            checks_passed=sum(c.passed for c in checks),
            rejects=page.rejects,
            provisional=provisional,
            generated_at=(
                _utc(generated_at).strftime("%Y-%m-%d %H:%M UTC") if generated_at else None
            ),
            trend_weeks=TREND_WEEKS,
        )
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_preview(page: ScorecardPage, quality: Iterable[GateResult] | Mapping) -> str:
    """The headline table as Markdown, for the scorecard asset's metadata in the Dagster UI: the
    trust sentence, the headline KPIs, then the experiments' verdicts."""
    infos = _catalog(page)
    program = _program_slices(page, infos)
    trust = _trust(_quality_lines(quality), page.rejects, _provisional(page))
    lines = [
        f"**{trust['symbol']} {trust['words']}:** {trust['sentence']}",
        "",
        "| Metric | Value | 95% interval | vs last week | Target | Status |",
        "|---|---:|---|---:|---:|---|",
    ]
    for name in HEADLINE:
        if name not in program:
            continue
        view = _metric_view(program[name], _by_slice(program, {}), infos)
        shift = view["vs_last_week"]
        cells = (
            name,
            view["value"],
            view["interval"],
            f"{shift['text']} {shift['words']}" if shift["verdict"] != "none" else NO_VALUE,
            view["target"],
            f"{view['status']['symbol']} {view['status']['words']}",
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    for row in page.experiments.to_dict(orient="records"):
        words = VERDICTS.get(str(row.get("verdict")), (str(row.get("verdict")),))[0]
        interval = _signed_interval(
            row.get("relative_lift_ci_low"), row.get("relative_lift_ci_high")
        )
        lines.append(
            f"\n{row['experiment_id']} ({row['ai_system']}): {words}, relative lift "
            f"{_signed_percent(row.get('relative_lift'))} ({interval}), "
            f"{_p_value(row.get('p_value'))}."
        )
    return "\n".join(lines)


def headline_values(page: ScorecardPage) -> dict[str, float]:
    """The headline KPIs that have a value this week, as floats for Dagster's asset plots."""
    values = page.rows.set_index("metric_name")["value"] if not page.rows.empty else {}
    return {
        name: float(values[name])
        for name in PLOTTED
        if name in values and not _is_missing(values[name])
    }
