"""Links in the landing folder: one that leaves it is a rejected file of the run's accounting,
named with where it points; one that stays inside loads like the file it links to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.lib.ingest import discover_partitions, file_accounts, load_partition

MAY_1, MAY_2 = date(2026, 5, 1), date(2026, 5, 2)
CHECKS = "ai_system,checked_at,up\nbot,{day}T01:00:00Z,true\n"


def test_links_out_of_the_landing_folder_are_rejected_and_links_inside_load(
    con, landing: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "date=2026-05-02").mkdir(parents=True)
    (outside / "checks.csv").write_text(CHECKS.format(day="2026-05-01"))
    (outside / "date=2026-05-02" / "checks.csv").write_text(CHECKS.format(day="2026-05-02"))
    day_1 = landing / "uptime" / "date=2026-05-01"
    day_1.mkdir(parents=True)
    (day_1 / "checks.csv").write_text(CHECKS.format(day="2026-05-01"))
    (day_1 / "passwd.csv").symlink_to(outside / "checks.csv")
    (day_1 / "inside.csv").symlink_to("checks.csv")
    (landing / "uptime" / "date=2026-05-02").symlink_to(outside / "date=2026-05-02")

    assert discover_partitions(landing, ["uptime"]) == [MAY_1, MAY_2]
    first = load_partition(con, "uptime", landing, MAY_1)
    second = load_partition(con, "uptime", landing, MAY_2)

    rejected = {f.source_file: f.rejected for f in first.files + second.files if f.rejected}
    assert rejected == {
        "uptime/date=2026-05-01/passwd.csv": "uptime/date=2026-05-01/passwd.csv: a link to"
        f" {(outside / 'checks.csv').resolve()}, outside the landing folder, is not followed",
        "uptime/date=2026-05-02": "uptime/date=2026-05-02: a link to"
        f" {(outside / 'date=2026-05-02').resolve()}, outside the landing folder, is not followed",
    }
    assert con.execute(
        "select source_file, partition_date from quarantine.files order by 1"
    ).fetchall() == [
        ("uptime/date=2026-05-01/passwd.csv", MAY_1),
        ("uptime/date=2026-05-02", MAY_2),
    ]
    # Only the files inside were read: the link inside repeats the day's row as a duplicate.
    assert con.execute(
        "select _source_file, _disposition from raw.uptime order by 1"
    ).fetchall() == [
        ("uptime/date=2026-05-01/checks.csv", "duplicate"),
        ("uptime/date=2026-05-01/inside.csv", "loaded"),
    ]
    accounts = file_accounts(con, MAY_1, MAY_2)["uptime"]
    assert sorted(f.source_file for f in accounts if f.rejected) == sorted(rejected)
