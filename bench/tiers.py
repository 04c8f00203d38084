"""The benchmark's volume tiers: simulator landing folders, generated once and cached.

Each tier is `history_days` days of history plus one new day for the nightly runs, from the
demo's first Monday on, without the demo's planted defects (the hand-written query and the
pandas version read the files as they are). A cached folder is reused only while the tier, the
simulator and the contract are unchanged: its name carries a fingerprint of all three.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from orchestration.lib import contract, simulator

CACHE_DIR = Path(
    os.environ.get("AMW_BENCH_DIR", Path.home() / ".cache" / "ai-metrics-warehouse" / "bench")
)
SEED = 7
# Days are independent in the simulator: one process per core.
GENERATORS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Tier:
    name: str
    conversations_per_day: int
    history_days: int
    # Disk it needs, measured (`disk_peak_gib` in results.json, landing_gib) and rounded up:
    # its work folder (the warehouses and DuckDB's spill) and its landing data, once generated.
    work_disk_gib: float
    landing_gib: float
    # The settings its pipeline runs with, as variables (AMW_DUCKDB_MEMORY_LIMIT,
    # AMW_DBT_THREADS); the environment's own values win. Left out, the defaults apply.
    settings: tuple[tuple[str, str], ...] = ()

    def environment(self) -> dict[str, str]:
        """The variables its pipeline runs with: this environment over the tier's settings."""
        return dict(self.settings) | dict(os.environ)

    @property
    def first_day(self) -> date:
        return simulator.DEMO_START

    @property
    def last_history_day(self) -> date:
        return self.first_day + timedelta(days=self.history_days - 1)

    @property
    def new_day(self) -> date:
        """The day the nightly runs add on top of the history."""
        return self.last_history_day + timedelta(days=1)

    def fingerprint(self) -> str:
        # The data's shape alone: settings and disk needs do not change the files.
        shape = {
            "name": self.name,
            "conversations_per_day": self.conversations_per_day,
            "history_days": self.history_days,
            "seed": SEED,
        }
        digest = hashlib.sha256(json.dumps(shape).encode())
        for module in (simulator, contract):
            digest.update(Path(module.__file__).read_bytes())
        return digest.hexdigest()[:12]

    @property
    def landing_dir(self) -> Path:
        return CACHE_DIR / f"{self.name}-{self.fingerprint()}" / "landing"


TIERS = {
    tier.name: tier
    for tier in (
        # 0.36 GiB and 0.13 GiB on c7839a8.
        Tier("S", 10_000, 30, work_disk_gib=1, landing_gib=1),
        # One model at a time in 2 GB keeps M's peak below 4 GiB; two side by side run out of
        # memory at 2 GB, and at 3 GB peak at 4.3 GiB. Work folder 13.5 GiB, landing data
        # 4.5 GiB on ef05c74.
        Tier(
            "M",
            100_000,
            90,
            work_disk_gib=15,
            landing_gib=5,
            settings=(("AMW_DUCKDB_MEMORY_LIMIT", "2GB"), ("AMW_DBT_THREADS", "1")),
        ),
        # Two models at a time spill more than the disk holds. Work folder 38.7 GiB on d8a5918
        # (60.5 GiB on 3043578, when the percentiles still spilled 55 GiB), landing data
        # 11.6 GiB.
        Tier(
            "L",
            1_000_000,
            30,
            work_disk_gib=45,
            landing_gib=12,
            settings=(("AMW_DBT_THREADS", "1"),),
        ),
    )
}


def _write_day(landing: Path, day: date, n: int) -> dict[str, int]:
    return simulator.write_day(landing, day, seed=SEED, conversations_per_day=n, defects=False)


def _counts_file(tier: Tier) -> Path:
    """Written last, when the tier's landing folder is complete."""
    return tier.landing_dir.parent / "rows.json"


def landing_cached(tier: Tier) -> bool:
    return _counts_file(tier).exists()


def ensure_landing(tier: Tier) -> tuple[Path, dict[str, int], bool]:
    """The tier's landing folder, its rows per entity, and whether it was generated just now."""
    landing = tier.landing_dir
    counts_file = _counts_file(tier)
    if landing_cached(tier):
        return landing, json.loads(counts_file.read_text()), False
    # Older fingerprints of this tier are stale: their simulator or contract has changed.
    for stale in CACHE_DIR.glob(f"{tier.name}-*"):
        shutil.rmtree(stale)
    days = [tier.first_day + timedelta(days=i) for i in range(tier.history_days + 1)]
    totals: dict[str, int] = {}
    with ProcessPoolExecutor(GENERATORS) as pool:
        for counts in pool.map(
            _write_day, [landing] * len(days), days, [tier.conversations_per_day] * len(days)
        ):
            for entity, rows in counts.items():
                totals[entity] = rows if entity == "employees" else totals.get(entity, 0) + rows
    # Every day also rewrites the roster; write it once more, alone, after the parallel days.
    simulator.write_roster(landing, seed=SEED)
    counts_file.write_text(json.dumps(totals, indent=2))
    return landing, totals, True
