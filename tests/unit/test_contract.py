"""The input contract page: generated from the contract, committed as generated, complete."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestration.lib.contract import (
    EMPLOYEES,
    ENTITIES,
    FOCUS,
    GENERATED_BY,
    MISSING_MARKERS,
    OTLP_SPAN_FIELDS,
    PAGE_FILE,
    REFERENCE_TABLE_DOCS,
    REFERENCE_TABLES,
    SOURCE_FILE,
    O,
    render,
    render_page,
)
from orchestration.lib.environment import REPO_ROOT
from orchestration.lib.readers import OTLP_ATTRIBUTES

EVERY_ENTITY = [*ENTITIES.values(), EMPLOYEES]
RERUN = f"stale generated file: run `.venv/bin/{GENERATED_BY}` and commit the result"


def section(page: str, title: str) -> str:
    """The text under a `## title` heading, up to the next one."""
    start = page.index(f"\n## {title}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else len(page)]


def row_of(text: str, column: str) -> str:
    """The table row of a column in an entity's section."""
    rows = [line for line in text.splitlines() if line.startswith(f"| `{column}` |")]
    assert rows, f"no row for {column}"
    return rows[0]


def test_the_committed_page_is_current() -> None:
    for path, text in render().items():
        committed = REPO_ROOT / path
        assert committed.exists(), f"{path} is missing; {RERUN}"
        assert committed.read_text(encoding="utf-8") == text, f"{path}: {RERUN}"


def test_a_contract_change_reaches_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    uptime = ENTITIES["uptime"]
    checked = replace(uptime, columns=(*uptime.columns, O("region", doc="Where it was checked.")))
    monkeypatch.setitem(ENTITIES, "uptime", checked)
    page = render_page()
    assert "| `region` | VARCHAR | O |  | Where it was checked. |" in section(page, "uptime")
    assert page != (REPO_ROOT / PAGE_FILE).read_text(encoding="utf-8")


def test_the_page_says_it_is_generated_and_from_what() -> None:
    top = render_page().split("\n## ")[0]
    assert f"`{GENERATED_BY}`" in top and f"`{SOURCE_FILE}`" in top


@pytest.mark.parametrize("entity", EVERY_ENTITY, ids=lambda e: e.name)
def test_every_entity_and_column_has_a_doc(entity) -> None:
    assert entity.doc.strip().endswith("."), f"{entity.name} needs a doc saying what a row is"
    for column in entity.columns:
        assert column.doc.strip(), f"{entity.name}.{column.name} has no doc"


def test_every_reference_table_and_layout_has_a_doc() -> None:
    assert set(REFERENCE_TABLE_DOCS) == set(REFERENCE_TABLES)
    assert all(doc.strip() for doc in REFERENCE_TABLE_DOCS.values())
    for entity in ENTITIES.values():
        for layout in entity.layouts:
            assert layout.doc.strip(), f"the {layout.name} layout of {entity.name} has no doc"


@pytest.mark.parametrize("entity", EVERY_ENTITY, ids=lambda e: e.name)
def test_the_page_shows_every_column_with_its_rules(entity) -> None:
    text = section(render_page(), entity.name)
    assert entity.doc in text
    for column in entity.columns:
        row = row_of(text, column.name)
        flag = "R" if column.required else "O"
        assert f"| `{column.name}` | {column.type} | {flag} |" in row
        assert " ".join(column.doc.split()) in row
        if column.name == entity.event_time:
            assert "⏱ event time" in row
        for value in column.values or ():
            assert f"`{value}`" in row
        for bound in (column.min, column.max):
            if bound is not None:
                assert f"{bound:g}" in row
    assert f"Key: {', '.join(f'`{k}`' for k in entity.key)}." in text
    for _, reason in entity.row_rules:
        assert f"| {reason} |" in text


def test_the_page_names_every_focus_column() -> None:
    text = section(render_page(), "costs")
    for column, names in FOCUS.columns.items():
        for name in names:
            assert f"| `{name}` | `{column}` |" in text, name
    required = next(line for line in text.splitlines() if line.startswith("- Required"))
    assert all(f"`{FOCUS.columns[c][0]}`" in required for c in FOCUS.required)
    markers = next(line for line in text.splitlines() if "has a column named" in line)
    assert all(f"`{marker}`" in markers for marker in FOCUS.markers)
    assert f"`{FOCUS.folder}/`" in markers
    assert "without regard to case" in text


def test_focus_only_columns_name_the_focus_column_that_fills_them() -> None:
    costs = ENTITIES["costs"]
    text = section(render_page(), "costs")
    only = [c for c in costs.columns if c.layout_only]
    assert only
    for column in only:
        assert f"from `{FOCUS.columns[column.name][0]}`" in row_of(text, column.name)


def test_the_missing_value_rule_names_every_marker() -> None:
    text = section(render_page(), "Missing values")
    for marker in MISSING_MARKERS:
        assert f"`{marker}`" in text


def test_the_otlp_mapping_names_llm_calls_columns() -> None:
    columns = {c.name for c in ENTITIES["llm_calls"].columns}
    assert {column for _, column in OTLP_SPAN_FIELDS} <= columns
    assert set(OTLP_ATTRIBUTES) <= columns
    text = section(render_page(), "llm_calls")
    for names in OTLP_ATTRIBUTES.values():
        assert all(f"`{name}`" in text for name in names)


def test_every_reference_table_is_on_the_page() -> None:
    text = section(render_page(), "Reference tables")
    for name, columns in REFERENCE_TABLES.items():
        row = next(line for line in text.splitlines() if f"`reference/{name}.csv`" in line)
        assert all(f"`{column}`" in row for column in columns)
