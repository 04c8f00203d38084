"""What a weekly publication must withstand: hostile program names, a failed gate, and re-runs.

Real `amw run`s on small handmade landings (two or three ISO weeks of two programs):
- programs named to escape the folder, overwrite a published page, inject a script, or to be
  too long, unicode, or alike once made safe: each gets a page of its own inside the published
  version, the portfolio links to every one, and every name shows as text;
- a day removed from an already published week: the week's gate fails, and its published rows
  and pages stay byte for byte those of its last good publication, while the weeks before it
  are published again (a week whose numbers did not change keeps its pages byte for byte);
- a second run over an unchanged landing: every page stays byte for byte the same.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import page_file_name, published_database, versions_dir
from tests.conftest import Workspace, describe
from tests.integration import handmade_landing

pytestmark = pytest.mark.slow

W32 = date(2026, 8, 3)  # Monday of 2026-W32
W33, W34 = W32 + timedelta(days=7), W32 + timedelta(days=14)
LABELS = {W32: "2026-W32", W33: "2026-W33", W34: "2026-W34"}

LONG_NAME = "Kundenservice Assistent " * 12 + "x" * 12  # 300 characters
assert len(LONG_NAME) == 300
HOSTILE = (
    "../../../trav_pwned",
    "../../published/scorecards/2026-W32/ALL",
    "<script>alert(1)</script>",
    "a/b\\c",
    LONG_NAME,
    "Kundenservice-Bot ü 🤖",
    # Two names that are the same once made safe.
    "team a/b",
    "team a:b",
)
PROGRAMS = ("ALL", *handmade_landing.SYSTEMS, *HOSTILE)
# What a page file name may be: no separators, no markup, not hidden, short.
SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,79}\.html")


# --- landings and snapshots --------------------------------------------------------------------


def add_programs(landing: Path, names: tuple[str, ...], per_day: int = 3) -> None:
    """Give each name conversations of its own every day: copies of helpdesk_bot's."""
    for path in sorted((landing / "conversations").glob("date=*/contacts.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        models = [row for row in rows if row["ai_system"] == "helpdesk_bot"][2 : 2 + per_day]
        for n, name in enumerate(names):
            rows += [
                {**row, "ai_system": name, "conversation_id": f"{row['conversation_id']}-p{n}"}
                for row in models
            ]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def pages(ws: Workspace) -> dict[str, bytes]:
    """Every file of the published version but its database, by path inside it."""
    return {
        path.relative_to(ws.published).as_posix(): path.read_bytes()
        for path in sorted(ws.published.rglob("*"))
        if path.is_file() and path.suffix != ".duckdb"
    }


# The published rows of one week (`$week`, its Monday) in each week-dated table: the week's own
# rows, the metric store's day and week rows of its days and the rows of the months it touches.
WEEK_ROWS = {
    "published_weeks": "select * from marts.published_weeks where week_start = $week",
    "scorecard_weekly": "select * from marts.scorecard_weekly where week_start = $week",
    "roi_summary": "select * from marts.roi_summary where week_start = $week",
    "metric_values": """
        select * from marts.metric_values
        where grain in ('day', 'week') and period_start between $week and $week + 6
    """,
    "metric_values of its months": """
        select * from marts.metric_values
        where grain = 'month' and period_start in (
            date_trunc('month', $week)::date, date_trunc('month', $week + 6)::date)
    """,
}


def week_rows(ws: Workspace, week: date) -> dict[str, list[tuple]]:
    with duckdb.connect(published_database(ws.published), read_only=True) as con:
        return {
            table: sorted(con.execute(sql, {"week": week}).fetchall(), key=repr)
            for table, sql in WEEK_ROWS.items()
        }


def same_numbers(rows: list[tuple], others: list[tuple]) -> bool:
    """Rows equal but for the last bits of doubles, which DuckDB's parallel sums may change
    when a run computes the same rows again."""
    return len(rows) == len(others) and all(
        len(row) == len(other)
        and all(
            a == b
            or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9))
            or (a != a and b != b)  # NaN
            for a, b in zip(row, other, strict=True)
        )
        for row, other in zip(rows, others, strict=True)
    )


def published_weeks(ws: Workspace) -> dict[str, object]:
    with duckdb.connect(published_database(ws.published), read_only=True) as con:
        rows = con.execute(
            "select iso_week, published_at from marts.published_weeks order by week_start"
        ).fetchall()
    return dict(rows)


# --- reading a page ------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a test reads of a page: its title, its start tags, and its links with their text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._in_title = False
        self._href: str | None = None
        self._text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title" and not self.title
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._href is not None:
            self._text += data


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


# --- hostile names -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Two weeks in which programs with hostile names have conversations every day. The
    workspace sits two folders deep in a sandbox, so that a page written up the tree lands
    where the test looks."""
    sandbox = tmp_path_factory.mktemp("hostile")
    ws = Workspace(sandbox / "one" / "two" / "workspace")
    handmade_landing.write_landing(ws.landing, W32, 14)
    add_programs(ws.landing, HOSTILE)
    result = ws.run()
    yield {"ws": ws, "sandbox": sandbox, "result": result}


def test_every_week_with_hostile_names_is_published(hostile: dict) -> None:
    result = hostile["result"]
    assert result.returncode == 0, describe(result)
    assert "weeks published: 2026-W32, 2026-W33" in result.stdout, describe(result)


def test_every_page_is_written_inside_the_publication(hostile: dict) -> None:
    ws, sandbox = hostile["ws"], hostile["sandbox"]
    versions, build = versions_dir(ws.published), ws.root / ".scorecard-build"
    outside = [
        path
        for path in sandbox.rglob("*.html")
        if not path.is_relative_to(versions) and not path.is_relative_to(build)
    ]
    # Not above the workspace either, where '../../../trav_pwned' pointed.
    assert outside == []
    version = ws.published.resolve()
    published = sorted(p.relative_to(version) for p in version.rglob("*") if p.is_file())
    for path in published:
        if path.suffix == ".html":
            assert path.parts[0] == "scorecards" and len(path.parts) == 3, path
            assert SAFE_FILE_NAME.fullmatch(path.name), path


@pytest.mark.parametrize("week", [W32, W33])
def test_each_program_has_its_own_page_titled_with_its_name(hostile: dict, week: date) -> None:
    folder = hostile["ws"].published / "scorecards" / LABELS[week]
    files = sorted(folder.iterdir())
    titles = {path.name: read_page(path).title for path in files}

    # The earlier week's portfolio page is the portfolio's, not a program's written over it.
    assert titles == {
        page_file_name(name): f"AI scorecard {LABELS[week]} · {name}" for name in PROGRAMS
    }
    assert len(files) == len(PROGRAMS)
    assert "ALL.html" in titles and "helpdesk_bot.html" in titles
    for path in files:
        assert "script" not in read_page(path).tags, path.name


def test_the_portfolio_links_to_every_page_of_its_week(hostile: dict) -> None:
    for week in (W32, W33):
        folder = (hostile["ws"].published / "scorecards" / LABELS[week]).resolve()
        portfolio = read_page(folder / "ALL.html")
        linked = {}
        for href, text in portfolio.links:
            if href.startswith("#"):
                continue
            target = (folder / href).resolve()
            assert target.is_file() and target.parent == folder, href
            linked[text] = target.name
        assert linked == {name: page_file_name(name) for name in PROGRAMS if name != "ALL"}


def test_amw_scorecard_names_the_page_a_hostile_program_has(hostile: dict) -> None:
    ws = hostile["ws"]
    for name in PROGRAMS:
        shown = ws.amw("scorecard", "--week", LABELS[W33], "--ai-system", name)
        assert shown.returncode == 0, describe(shown)
        page = shown.stdout.rsplit("page: ", 1)[1].replace("\n", "")
        assert Path(page) == ws.published / "scorecards" / LABELS[W33] / page_file_name(name)
        assert Path(page).is_file()


# --- a failed gate and re-runs -----------------------------------------------------------------


@pytest.fixture(scope="module")
def reruns(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three weeks published; the same landing run again; then a day of the last week's
    conversations removed (beyond the 7 days W32's first-contact resolution looks ahead), and
    run once more."""
    ws = Workspace(tmp_path_factory.mktemp("reruns"))
    handmade_landing.write_landing(ws.landing, W32, 21)
    runs, snapshots = [], []
    for change in (None, None, W34 + timedelta(days=2)):
        if change is not None:
            (ws.landing / "conversations" / f"date={change}" / "contacts.csv").unlink()
        runs.append(ws.run())
        snapshots.append(
            {
                "pages": pages(ws),
                "rows": {week: week_rows(ws, week) for week in LABELS},
                "weeks": published_weeks(ws),
            }
        )
    return {"ws": ws, "runs": runs, "snapshots": snapshots}


def test_an_unchanged_landing_leaves_every_page_byte_identical(reruns: dict) -> None:
    first, second = reruns["runs"][:2]
    assert first.returncode == 0, describe(first)
    assert second.returncode == 0, describe(second)
    before, after = (snapshot["pages"] for snapshot in reruns["snapshots"][:2])
    assert sorted(after) == sorted(before)
    assert len([name for name in after if name.endswith(".html")]) == 3 * 3
    changed = [name for name, content in after.items() if content != before[name]]
    assert changed == []


def test_a_failed_gate_changes_nothing_of_its_week(reruns: dict) -> None:
    failed = reruns["runs"][2]
    assert failed.returncode == 1, describe(failed)
    assert "week 2026-W34 NOT published" in failed.stdout, describe(failed)
    assert "weeks published: 2026-W32, 2026-W33" in failed.stdout, describe(failed)
    before, after = reruns["snapshots"][1:]

    # Every published row of the week, and of the month it is in, is its last good one.
    for table, rows in before["rows"][W34].items():
        assert rows, table
        assert after["rows"][W34][table] == rows, table
    # Its pages too, byte for byte.
    folder = "scorecards/2026-W34/"
    week_pages = {name: content for name, content in before["pages"].items() if folder in name}
    assert len(week_pages) == 3
    assert {name: after["pages"][name] for name in week_pages} == week_pages


def test_published_weeks_say_which_weeks_passed_their_gate(reruns: dict) -> None:
    before, after = reruns["snapshots"][1:]
    assert list(after["weeks"]) == ["2026-W32", "2026-W33", "2026-W34"]
    # The failed week keeps the time of its last good publication; the others are newer.
    assert after["weeks"]["2026-W34"] == before["weeks"]["2026-W34"]
    for label in ("2026-W32", "2026-W33"):
        assert after["weeks"][label] > before["weeks"][label]


def test_a_week_whose_numbers_did_not_change_keeps_its_pages(reruns: dict) -> None:
    """The weeks published again beside the failed one: where their numbers are those of
    before, so are their pages. W32 looks 7 days ahead at most, not into the removed day; W33's
    first-contact resolution does, and may change."""
    before, after = reruns["snapshots"][1:]
    unchanged = [
        week
        for week in (W32, W33)
        if all(
            same_numbers(after["rows"][week][table], rows)
            for table, rows in before["rows"][week].items()
            if table != "published_weeks"
        )
    ]
    assert W32 in unchanged
    for week in unchanged:
        folder = f"scorecards/{LABELS[week]}/"
        for name, content in before["pages"].items():
            if folder in name:
                assert after["pages"][name] == content, name
