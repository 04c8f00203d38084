"""`make bench`: every tier's measurements in one run, printed as one table.

For each tier (bench/tiers.py) it measures, each step in its own process with the memory of the
whole process tree (Dagster, dbt) sampled:
  1. the full build: the nightly job over the whole history in one run, on a new warehouse;
  2. the nightly run of the new day on top of 7 days and on top of the whole history;
  3. the headline weekly KPIs by one hand-written DuckDB query over the landing Parquet;
  4. the same KPIs in plain pandas;
  5. rows per second ingested (rows read by the ingestion steps / their seconds).
The three KPI computations must agree (the table's last column); a disagreement fails the run.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import psutil
from rich.console import Console
from rich.table import Table

from bench.tiers import CACHE_DIR, TIERS, Tier, ensure_landing, landing_cached
from orchestration.lib.environment import DUCKDB_MEMORY_LIMIT

GIB = 1024**3
KPI_NAMES = (
    "ai_resolution_rate",
    "containment_rate",
    "escalation_rate",
    "first_contact_resolution_rate",
    "csat_average",
    "average_handling_time_seconds",
    "outcome_parity_ratio",
)
# Values agree when they differ by less than this, relatively (doubles summed in another order).
TOLERANCE = 1e-9
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)


def measure(
    step: str,
    log: Path,
    environment: dict[str, str] | None = None,
    work: Path | None = None,
    **arguments,
) -> dict:
    """Run one step in its own process, with `environment` as its variables (None: this
    process's); add its wall seconds, the tree's peak memory, each process's own peak (by
    command: the step itself, dbt, ...) and, given its `work` folder, that folder's peak size on
    disk (the warehouse and DuckDB's spill)."""
    result_file = log.with_name(f"{step}-result.json")
    result_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.steps", step, json.dumps(arguments), str(result_file)]
    began = time.perf_counter()
    with log.open("a") as stream:
        # Dagster and dbt log to both streams: into the log, never into an unread pipe.
        process = psutil.Popen(command, stdout=stream, stderr=subprocess.STDOUT, env=environment)
        peak, peaks, disk_peak, samples = 0, {}, 0, 0
        while process.poll() is None:
            members = _tree_rss(process)
            peak = max(peak, sum(members.values()))
            for name, rss in members.items():
                peaks[name] = max(peaks.get(name, 0), rss)
            # A folder walk costs more than a process scan: once a second.
            if work is not None and samples % 5 == 0:
                disk_peak = max(disk_peak, disk_bytes(work))
            samples += 1
            time.sleep(0.2)
    if process.returncode != 0:
        raise click.ClickException(f"bench step {step} failed; see {log}")
    result = json.loads(result_file.read_text())
    result["wall_seconds"] = time.perf_counter() - began
    result["peak_gib"] = peak / GIB
    result["process_peak_gib"] = {name: rss / GIB for name, rss in peaks.items()}
    if work is not None:
        result["disk_peak_gib"] = disk_peak / GIB
    return result


def disk_bytes(folder: Path) -> int:
    """Bytes the files under `folder` take on disk (allocated blocks; files may vanish)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                continue
    return total


def check_disk(tier: Tier, cached: bool, work: Path) -> None:
    """Fail before a tier runs when its disk need (tiers.py) exceeds what is free for it; its
    landing data counts only when it is not `cached` yet."""
    needed = tier.work_disk_gib + (0 if cached else tier.landing_gib)
    # The tier's previous work folder is deleted before it runs: its space counts as free.
    free = (shutil.disk_usage(CACHE_DIR).free + (disk_bytes(work) if work.exists() else 0)) / GIB
    if free < needed:
        others = sorted(str(p) for p in CACHE_DIR.glob("*-work") if p != work)
        raise click.ClickException(
            f"tier {tier.name} needs about {needed:.0f} GiB free under {CACHE_DIR} "
            f"({tier.work_disk_gib:.0f} GiB for its warehouse and DuckDB's spill"
            + ("" if cached else f", {tier.landing_gib:.0f} GiB for its landing data")
            + f"), {free:.1f} GiB are; free disk (other tiers' work folders: "
            f"{', '.join(others) or 'none'}) or point AMW_BENCH_DIR elsewhere"
        )


def _tree_rss(process: psutil.Process) -> dict[str, int]:
    """RSS of the process and its descendants, by command (`python -m bench.steps`, `dbt`)."""
    members = {}
    for member in (process, *process.children(recursive=True)):
        try:
            command = member.cmdline()
            name = " ".join(Path(part).name for part in command[:3]) if command else member.name()
            members[name] = members.get(name, 0) + member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return members


def pipeline_values(warehouse: Path) -> dict[tuple, float]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select cast(period_start as varchar), ai_system, metric_name, value
            from marts.metric_values
            where grain = 'week' and segment_key = 'all' and value is not null
                and metric_name in (select unnest($names))
            """,
            {"names": list(KPI_NAMES)},
        ).fetchall()
    return {(week, system, name): value for week, system, name, value in rows}


def _as_map(values: list) -> dict[tuple, float]:
    return {(week, system, name): value for week, system, name, value in values}


def max_difference(reference: dict[tuple, float], other: dict[tuple, float]) -> float:
    """Largest relative difference; infinite when the two do not hold the same keys."""
    if reference.keys() != other.keys():
        return math.inf
    return max(
        (abs(reference[key] - other[key]) / max(abs(reference[key]), 1e-300) for key in reference),
        default=0.0,
    )


def bench_tier(tier: Tier, log: Path) -> dict:
    work = CACHE_DIR / f"{tier.name}-work"
    check_disk(tier, landing_cached(tier), work)
    began = time.perf_counter()
    landing, rows, generated = ensure_landing(tier)
    generation = time.perf_counter() - began if generated else None
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    first, last, new = tier.first_day, tier.last_history_day, tier.new_day
    environment = tier.environment()

    def pipeline(name: str, start, end) -> dict:
        console.log(f"tier {tier.name}: nightly job {start} .. {end} into {name}")
        return measure(
            "pipeline",
            log,
            environment,
            work,
            landing=str(landing),
            warehouse=str(work / f"{name}.duckdb"),
            dagster_home=str(work / "dagster_home"),
            partitions_start=first.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
        )

    full = pipeline("full", first, last)
    values = pipeline_values(work / "full.duckdb")
    nightly_long = pipeline("full", new, new)
    pipeline("short", last - timedelta(days=6), last)
    nightly_short = pipeline("short", new, new)
    console.log(f"tier {tier.name}: hand-written DuckDB query and pandas")
    days = {"landing": str(landing), "first": first.isoformat(), "last": last.isoformat()}
    handwritten = measure("handwritten", log, **days)
    frame = measure("pandas", log, **days)
    differences = {
        "handwritten": max_difference(values, _as_map(handwritten["values"])),
        "pandas": max_difference(values, _as_map(frame["values"])),
    }
    # The feeds' ingestion steps, not their GX checks (step keys raw__<entity>_contract_suite).
    ingestion = sum(
        s
        for key, s in full["steps"].items()
        if key.startswith("raw__") and not key.endswith("_contract_suite")
    )
    return {
        "tier": tier.name,
        "conversations_per_day": tier.conversations_per_day,
        "history_days": tier.history_days,
        "settings": _settings(environment),
        "rows": rows,
        "landing_gib": sum(f.stat().st_size for f in landing.rglob("*") if f.is_file()) / GIB,
        "generation_seconds": generation,
        "full": full,
        "nightly_short": nightly_short,
        "nightly_long": nightly_long,
        "handwritten": {k: v for k, v in handwritten.items() if k != "values"},
        "pandas": {k: v for k, v in frame.items() if k != "values"},
        "kpi_values": len(values),
        "max_difference": differences,
        "ingestion_seconds": ingestion,
        "rows_per_second": full["rows_read"] / ingestion if ingestion else None,
    }


def _settings(environment: dict[str, str]) -> str:
    """The pipeline's DuckDB memory limit and dbt threads, as the table shows them."""
    limit = environment.get("AMW_DUCKDB_MEMORY_LIMIT", f"{DUCKDB_MEMORY_LIMIT} (default)")
    # profiles.yml's default.
    threads = environment.get("AMW_DBT_THREADS", "2 (default)")
    return f"{limit}, {threads}"


def _table(results: list[dict]) -> Table:
    table = Table(title="make bench")
    for column in (
        "tier",
        "DuckDB limit, dbt threads",
        "conversations / llm calls",
        "full build s",
        "peak GiB",
        "nightly on 7 d s",
        "nightly on history s",
        "ratio (≤ 1.3)",
        "hand-written SQL s",
        "pipeline / SQL (≤ 3)",
        "pandas s",
        "pandas / pipeline (≥ 5)",
        "rows/s ingested",
        "KPIs agree",
    ):
        table.add_column(column, justify="left" if column == "tier" else "right")
    for r in results:
        full, sql, pandas = (
            r["full"]["seconds"],
            r["handwritten"]["seconds"],
            r["pandas"]["seconds"],
        )
        calls = r["rows"]["llm_calls"] + r["rows"].get("otlp", 0)
        agree = max(r["max_difference"].values()) < TOLERANCE
        table.add_row(
            f"{r['tier']} ({r['conversations_per_day']:,}/day x {r['history_days']} d)",
            r["settings"],
            f"{r['rows']['conversations']:,} / {calls:,}",
            f"{full:.1f}",
            f"{r['full']['peak_gib']:.2f}",
            f"{r['nightly_short']['seconds']:.1f}",
            f"{r['nightly_long']['seconds']:.1f} (on {r['history_days']} d)",
            f"{r['nightly_long']['seconds'] / r['nightly_short']['seconds']:.2f}",
            f"{sql:.2f}",
            f"{full / sql:.1f}",
            f"{pandas:.1f}",
            f"{pandas / full:.2f}",
            f"{r['rows_per_second']:,.0f}",
            f"yes ({r['kpi_values']} values)" if agree else "NO",
        )
    return table


def _slowest(result: dict, top: int = 8) -> str:
    nodes = sorted(result["full"]["dbt_nodes"].items(), key=lambda kv: -kv[1])[:top]
    steps = sorted(result["full"]["steps"].items(), key=lambda kv: -kv[1])[:top]
    return (
        f"tier {result['tier']} full build, slowest steps: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in steps)
        + "\n  slowest dbt nodes: "
        + ", ".join(f"{k.split('.')[-1]} {v:.1f} s" for k, v in nodes)
    )


def _commit() -> str | None:
    """The checkout's commit, marked `+changes` when its tracked files differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD"], check=False).returncode
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if changed else "")


def _save(results: list[dict]) -> None:
    """results.json keeps each tier's latest run: this run's tiers replace theirs, others stay."""
    path = CACHE_DIR / "results.json"
    kept = json.loads(path.read_text()) if path.exists() else []
    ran = {r["tier"] for r in results}
    merged = sorted(
        [r for r in kept if r["tier"] not in ran] + results,
        key=lambda r: list(TIERS).index(r["tier"]),
    )
    path.write_text(json.dumps(merged, indent=2, default=str))


@click.command()
@click.option("--tiers", default="S,M,L", show_default=True, help="Comma-separated tier names.")
def main(tiers: str) -> None:
    """Measure the pipeline at volume tiers S, M and L and print the table."""
    names = [name.strip().upper() for name in tiers.split(",")]
    unknown = [name for name in names if name not in TIERS]
    if unknown:
        raise click.BadParameter(f"unknown tier(s) {unknown}; choose from {sorted(TIERS)}")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    log = CACHE_DIR / "bench.log"
    log.write_text("")
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / GIB:.0f} GiB, Python {platform.python_version()}"
    )
    commit = _commit()
    results = []
    for name in names:
        results.append(bench_tier(TIERS[name], log) | {"machine": machine, "commit": commit})
        _save(results)
    console.print(_table(results))
    console.print(f"machine: {machine}; data and logs in {CACHE_DIR}")
    for result in results:
        console.print(_slowest(result))
    if any(max(r["max_difference"].values()) >= TOLERANCE for r in results):
        raise click.ClickException(
            f"the three KPI computations disagree: {[r['max_difference'] for r in results]}"
        )


if __name__ == "__main__":
    main()
