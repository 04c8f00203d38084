"""The weekly scorecard: gate the week, render its pages, publish them for readers.

`weekly_scorecard` runs the quality gate on the week (its blocking checks) and renders one page per
ai_system and the portfolio; `published_warehouse` runs only when every check passed and swaps a
new read-only copy of the marts and the pages into the published folder. When a check fails the
run fails, and readers keep the last good publication.
"""

import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.ingestion.resources import Warehouse
from orchestration.defs.scorecard.partitions import weekly_partitions
from orchestration.defs.scorecard.resources import Publication
from orchestration.lib import publish, scorecard

if TYPE_CHECKING:  # GX takes seconds to import: the module is loaded only when a check runs.
    from orchestration.lib.quality import GateResult, GateSettings

SCORECARD = dg.AssetKey(["scorecard", "weekly_scorecard"])
PUBLISHED = dg.AssetKey(["scorecard", "published_warehouse"])
GATE_CHECKS = ("completeness", "volume", "metric_ranges", "sample_sizes", "usd_amounts")


def _week(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


def _gate_settings(warehouse: Warehouse) -> "GateSettings":
    from orchestration.lib import quality

    with warehouse.connect() as con:
        rows = con.execute(
            "select setting_name, setting_value from staging.stg_reference__settings"
        ).fetchall()
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
                "Every cost and revenue amount of the week has a USD value.",
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
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    from orchestration.lib import quality

    week = _week(context)
    label = scorecard.iso_week_label(week)
    settings = _gate_settings(warehouse)
    out = publication.build_dir(label)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with warehouse.connect() as con:
        gate = quality.validate_week(con, week, settings)
        pages = scorecard.load_scorecard_pages(con, week)
    # File names come from publish.page_file_name, never from the ai_system as it is: a name
    # such as '../x' or '<script>' must neither leave the folder nor fail the week.
    files = {system: publish.page_file_name(system) for system in pages}
    for system, page in pages.items():
        started = time.perf_counter()
        html = scorecard.render_scorecard(page, gate, links=files)
        publish.write_page(out, files[system], html)
        context.log.info(
            f"{files[system]}: {len(html.encode()):,} bytes"
            f" in {time.perf_counter() - started:.1f} s"
        )
    yield dg.MaterializeResult(metadata=_scorecard_metadata(label, out, pages, gate))
    for result in gate:
        yield dg.AssetCheckResult(
            check_name=result.name,
            passed=result.success,
            description="; ".join(result.failures) or "passed",
            metadata={"failures": "\n".join(result.failures) or "none"},
        )


def _scorecard_metadata(
    label: str, out: Path, pages: dict[str, scorecard.ScorecardPage], gate: list["GateResult"]
) -> dict[str, object]:
    """What the Dagster UI shows of a week: the portfolio's headline as Markdown, the paths of
    its page and of the folder, and its headline KPIs as numbers (plotted over the partitions)."""
    metadata: dict[str, object] = {
        "week": label,
        "pages": dg.MetadataValue.path(str(out)),
        "ai_systems": len(pages),
    }
    portfolio = pages.get("ALL")
    if portfolio is None:
        return {**metadata, "preview": dg.MetadataValue.md("no rows")}
    return {
        **metadata,
        "preview": dg.MetadataValue.md(scorecard.markdown_preview(portfolio, gate)),
        "portfolio_page": dg.MetadataValue.path(str(out / publish.page_file_name("ALL"))),
        **{
            name: dg.MetadataValue.float(value)
            for name, value in scorecard.headline_values(portfolio).items()
        },
    }


@dg.asset(
    key=PUBLISHED,
    group_name="scorecard",
    kinds={"duckdb", "html"},
    partitions_def=weekly_partitions,
    deps=[SCORECARD],
    description=(
        "The published folder readers query: `published.duckdb` (the marts, read-only copy) and "
        "`scorecards/<YYYY-Www>/<page>.html`, swapped in atomically; only weeks whose blocking "
        "checks passed get here, and a week whose checks fail keeps its last good publication."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: Warehouse, publication: Publication
) -> dg.MaterializeResult:
    week = _week(context)
    label = scorecard.iso_week_label(week)
    folder = publish.week_folder(label)
    pages = {
        f"{folder}/{page.name}": page.read_text(encoding="utf-8")
        for page in sorted(publication.build_dir(label).glob("*.html"))
    }
    version = publish.publish(Path(warehouse.path), publication.dir, pages, [week])
    return dg.MaterializeResult(
        metadata={
            "published_database": dg.MetadataValue.path(
                str(publish.published_database(publication.dir))
            ),
            "portfolio_page": dg.MetadataValue.path(
                str(publication.dir / publish.page_path(label, "ALL"))
            ),
            "version": str(version),
            "weeks_published": len(publish.read_published_weeks(publication.dir)),
        }
    )
