"""The weekly scorecard as a self-contained HTML page and as Markdown for Dagster metadata.

The page is one file with inline CSS and no scripts, fonts or links to fetch, so it opens from
a file share, a mail attachment or an offline laptop, prints on paper, and reads on a phone.
Status is spelled out in words (colour is only a second cue).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import jinja2
import pandas as pd

if TYPE_CHECKING:
    from orchestration.lib.quality import GateResult

TEMPLATES_DIR = Path(__file__).parent / "templates"
NO_VALUE = "—"

# status → (words, symbol); the symbol keeps the status legible in black-and-white print.
STATUSES: dict[str, tuple[str, str]] = {
    "on_track": ("On track", "✓"),
    "at_risk": ("At risk", "!"),
    "off_track": ("Off track", "✗"),
    "insufficient_data": ("Insufficient data", "?"),
    "no_target": ("No target", "-"),
}
PROPORTION_UNITS = frozenset({"ratio", "rate", "share", "proportion", "fraction"})
PERCENT_UNITS = frozenset({"percent", "%", "pct"})
UNIT_SUFFIXES = frozenset({"usd", "seconds", "ms", "percent"})
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
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


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


def _interval(low: Any, high: Any, unit: str) -> str:
    if _is_missing(low) or _is_missing(high):
        return NO_VALUE
    return f"{format_value(low, unit)} to {format_value(high, unit)}"


def _status(code: Any) -> dict[str, str]:
    code = "no_target" if _is_missing(code) else str(code)
    words, symbol = STATUSES.get(code, (code.replace("_", " ").capitalize(), "•"))
    return {"code": code, "words": words, "symbol": symbol}


def _display_name(metric_name: str) -> str:
    """'csat_average' → 'CSAT average'; unit suffixes go, the value already carries the unit."""
    words = metric_name.split("_")
    if len(words) > 1 and words[-1] in UNIT_SUFFIXES:
        words = words[:-1]
    text = " ".join(ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def present_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Scorecard rows (marts.scorecard_weekly plus `unit`) as display strings, in row order."""
    shown = []
    for row in rows.to_dict(orient="records"):
        unit = _unit_of(row["metric_name"], row.get("unit"))
        sample = row.get("sample_size")
        shown.append(
            {
                "metric_name": row["metric_name"],
                "label": _display_name(row["metric_name"]),
                "value": format_value(row.get("value"), unit),
                "interval": _interval(row.get("ci_low"), row.get("ci_high"), unit),
                "sample_size": NO_VALUE if _is_missing(sample) else f"{int(sample):,}",
                "prior_week": format_value(row.get("prior_week_value"), unit),
                "four_week_average": format_value(row.get("four_week_average"), unit),
                "baseline": format_value(row.get("baseline_value"), unit),
                "target": format_value(row.get("target"), unit),
                "status": _status(row.get("status")),
            }
        )
    return shown


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


def _utc(moment: datetime) -> datetime:
    """Pipeline times are UTC; a naive time is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_scorecard(
    week_start: date,
    ai_system: str,
    rows: pd.DataFrame,
    quality: Iterable[GateResult] | Mapping[str, Any],
    generated_at: datetime,
) -> str:
    """The scorecard page of one week and AI system (`ALL` for the whole company)."""
    shown = present_rows(rows)
    counts = {code: 0 for code in STATUSES}
    for row in shown:
        counts[row["status"]["code"]] = counts.get(row["status"]["code"], 0) + 1
    summary = [{**_status(code), "count": count} for code, count in counts.items() if count]
    checks = _quality_lines(quality)
    return (
        _environment()
        .get_template("scorecard.html.j2")
        .render(
            week_label=iso_week_label(week_start),
            week_start=week_start.isoformat(),
            week_end=(week_start + timedelta(days=6)).isoformat(),
            ai_system=ai_system,
            rows=shown,
            summary=summary,
            checks=checks,
            all_passed=all(c.passed for c in checks),
            generated_at=_utc(generated_at).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_preview(rows: pd.DataFrame) -> str:
    """The headline table as Markdown, for the scorecard asset's metadata in the Dagster UI."""
    header = (
        "| Metric | Value | 95% interval | Prior week | 4-week avg | Target | Status |\n"
        "|---|---:|---|---:|---:|---:|---|"
    )
    lines = [header]
    for row in present_rows(rows):
        status = f"{row['status']['symbol']} {row['status']['words']}"
        cells = (
            row["metric_name"],
            row["value"],
            row["interval"],
            row["prior_week"],
            row["four_week_average"],
            row["target"],
            status,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


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
