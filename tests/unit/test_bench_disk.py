"""`make bench` stops before a tier that cannot fit on disk (bench/run.py check_disk), counting
the tier's landing data only while it is not cached and its old work folder as free."""

import shutil
from collections import namedtuple
from dataclasses import replace

import click
import pytest

from bench import run
from bench.tiers import TIERS

GIB = 1024**3
Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def bench_dir(tmp_path, monkeypatch):
    """A bench folder with 10 GiB free."""
    monkeypatch.setattr(run, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: Usage(100 * GIB, 90 * GIB, 10 * GIB))
    return tmp_path


def test_a_tier_that_fits_runs(bench_dir):
    tier = replace(TIERS["M"], work_disk_gib=9, landing_gib=5)
    run.check_disk(tier, True, bench_dir / "M-work")


def test_a_tier_that_does_not_fit_names_the_need_the_free_disk_and_the_folder(bench_dir):
    tier = replace(TIERS["M"], work_disk_gib=9, landing_gib=5)
    (bench_dir / "S-work").mkdir()
    with pytest.raises(click.ClickException) as raised:
        run.check_disk(tier, False, bench_dir / "M-work")
    message = raised.value.message
    assert "tier M needs about 14 GiB" in message
    assert "5 GiB for its landing data" in message
    assert "10.0 GiB are" in message
    assert str(bench_dir) in message
    assert str(bench_dir / "S-work") in message


def test_the_tiers_old_work_folder_counts_as_free(bench_dir):
    # 1 MiB more than is free, then an old work folder of 2 MiB.
    tier = replace(TIERS["M"], work_disk_gib=10 + 1 / 1024, landing_gib=5)
    with pytest.raises(click.ClickException):
        run.check_disk(tier, True, bench_dir / "M-work")
    (bench_dir / "M-work").mkdir()
    (bench_dir / "M-work" / "full.duckdb").write_bytes(b"\1" * 2 * 1024**2)
    run.check_disk(tier, True, bench_dir / "M-work")
