"""The weekly scorecard: gate the week, render its pages, publish them for readers.

`weekly_scorecard` runs the quality gate on the week (its blocking checks) and renders one page per
ai_system and the portfolio; `published_warehouse` runs only when every check passed and swaps a
new read-only copy of the marts and the pages into the published folder. When a check fails the
run fails, and readers keep the last good publication.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.ingestion.resources import Warehouse
from orchestration.defs.scorecard.partitions import weekly_partitions
from orchestration.lib import publish, quality, scorecard

SCORECARD = dg.AssetKey(["scorecard", "weekly_scorecard"])
PUBLISHED = dg.AssetKey(["scorecard", "published_warehouse"])
GATE_CHECKS = ("completeness", "volume", "metric_ranges", "sample_sizes")


class Publication(dg.ConfigurableResource):
    """Where readers find the published database and pages (AMW_PUBLISH_DIR)."""

    path: str

    @property
    def dir(self) -> Path:
        return Path(self.path)

    def build_dir(self, week_label: str) -> Path:
        """Pages rendered but not yet published live beside the published folder."""
        return self.dir.parent / ".scorecard-build" / week_label


def _week(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


def _gate_settings(warehouse: Warehouse) -> quality.GateSettings:
    with warehouse.connect() as con:
        rows = con.execute("select name, value from staging.stg_reference__settings").fetchall()
    return quality.GateSettings.from_mapping(dict(rows))


@dg.asset(
    key=SCORECARD,
    group_name="scorecard",
    kinds={"duckdb", "html"},
    partitions_def=weekly_partitions,
    deps=[dg.AssetKey(["marts", "scorecard_weekly"])],
    check_specs=[
        dg.AssetCheckSpec(name, asset=SCORECARD, blocking=True, description=doc)
        for name, doc in zip(
            GATE_CHECKS,
            (
                "Every day of the week has rows in each daily feed.",
                "Each day's conversations are within tolerance of the trailing four weeks.",
                "Rates and shares in [0, 1], percents in [0, 100], counts and durations >= 0.",
                "Headline metrics of the portfolio reach the minimum sample size.",
            ),
            strict=True,
        )
    ],
    description=(
        "The week's scorecard (`marts.scorecard_weekly`) rendered as one HTML page per ai_system "
        "and the portfolio, after the quality gate ran on the week."
    ),
)
def weekly_scorecard(
    context: dg.AssetExecutionContext, warehouse: Warehouse, publication: Publication
):
    week = _week(context)
    label = scorecard.iso_week_label(week)
    settings = _gate_settings(warehouse)
    with warehouse.connect() as con:
        gate = quality.validate_week(con, week, settings)
        rows = scorecard.scorecard_rows(con, week)
    pages = scorecard.render_pages(week, rows, gate, generated_at=datetime.now(UTC))
    out = publication.build_dir(label)
    out.mkdir(parents=True, exist_ok=True)
    for name, html in pages.items():
        (out / name).write_text(html, encoding="utf-8")
    portfolio = rows[rows["ai_system"] == "ALL"]
    yield dg.MaterializeResult(
        metadata={
            "week": label,
            "pages": dg.MetadataValue.path(str(out)),
            "metrics": len(rows),
            "preview": dg.MetadataValue.md(scorecard.markdown_preview(portfolio)),
        }
    )
    for result in gate:
        yield dg.AssetCheckResult(
            check_name=result.name,
            passed=result.success,
            description="; ".join(result.failures) or "passed",
            metadata={"failures": "\n".join(result.failures) or "none"},
        )


@dg.asset(
    key=PUBLISHED,
    group_name="scorecard",
    kinds={"duckdb", "html"},
    partitions_def=weekly_partitions,
    deps=[SCORECARD],
    description=(
        "The published folder readers query: `published.duckdb` (the marts, read-only copy) and "
        "`scorecards/<YYYY-Www>/<ai_system>.html`, swapped in atomically; only weeks whose "
        "blocking checks passed get here."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: Warehouse, publication: Publication
) -> dg.MaterializeResult:
    week = _week(context)
    label = scorecard.iso_week_label(week)
    pages = {
        f"scorecards/{label}/{page.name}": page.read_text(encoding="utf-8")
        for page in sorted(publication.build_dir(label).glob("*.html"))
    }
    weeks = sorted({*publish.read_published_weeks(publication.dir), week})
    version = publish.publish(Path(warehouse.path), publication.dir, pages, weeks)
    return dg.MaterializeResult(
        metadata={
            "published_database": dg.MetadataValue.path(
                str(publish.published_database(publication.dir))
            ),
            "portfolio_page": dg.MetadataValue.path(
                str(publication.dir / "scorecards" / label / "ALL.html")
            ),
            "version": str(version),
            "weeks_published": len(weeks),
        }
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"publication": Publication(path=dg.EnvVar("AMW_PUBLISH_DIR"))})
