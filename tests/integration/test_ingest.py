"""Loading landing partitions into a real DuckDB warehouse: quarantine, versions, audit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.contract import REFERENCE_TABLES
from orchestration.lib.ingest import (
    discover_partitions,
    ensure_tables,
    load_partition,
    load_snapshot,
)

HEADER = (
    "conversation_id,ai_system,started_at,ended_at,customer_id,ai_involved,"
    "escalated_to_human,resolved,csat"
)
MAY_1, MAY_2, MAY_3 = date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)
# Load timestamps differ between runs by design; everything else must not.
LOAD_TIMES = {"_loaded_at", "loaded_at"}
TABLES = ("raw.conversations", "quarantine.rows", "quarantine.files", "raw.load_audit")


def row(conversation_id: str, day: str = "2026-05-01", csat: str = "4") -> str:
    return f"{conversation_id},bot,{day}T10:00:00Z,{day}T10:05:00Z,u1,true,false,true,{csat}"


def write(landing: Path, relative: str, *lines: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot(con) -> dict[str, list[tuple]]:
    """Full contents of the tables a load writes, without load timestamps, sorted."""
    contents = {}
    for table in TABLES:
        columns = [
            r[0] for r in con.execute(f"describe {table}").fetchall() if r[0] not in LOAD_TIMES
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        contents[table] = sorted(con.execute(f"select {select} from {table}").fetchall(), key=repr)
    return contents


def dispositions(con) -> dict[tuple[str, str], str]:
    return dict(
        ((r[0], r[1]), r[2])
        for r in con.execute(
            "select _source_file, conversation_id, _disposition from raw.conversations"
        ).fetchall()
    )


def audit(con) -> dict[tuple[date, str], tuple[int, ...]]:
    rows = con.execute(
        "select partition_date, source_file, rows_read, rows_loaded, rows_quarantined,"
        " rows_duplicate, rows_replaced from raw.load_audit where entity = 'conversations'"
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def assert_audit_balanced(con) -> None:
    for counts in audit(con).values():
        assert counts[0] == sum(counts[1:])


def test_bad_rows_are_quarantined_and_good_rows_load(con, landing):
    write(
        landing,
        "conversations/date=2026-05-01/a.csv",
        HEADER,
        row("c1"),
        row("c2", csat="7"),
        "c3,bot,yesterday,2026-05-01T10:05:00Z,u1,true,false,true,4",
        "c4,bot,2026-05-01T10:00:00Z,2026-05-01T09:00:00Z,u1,true,false,true,",
        ",bot,2026-05-01T10:00:00Z,2026-05-01T10:05:00Z,u1,true,false,true,",
        row("c6"),
    )
    result = load_partition(con, "conversations", landing, MAY_1)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 2, 4)
    assert result.as_metadata()["rows_quarantined"] == 4
    assert con.execute("select list(conversation_id order by 1) from raw.conversations").fetchone()[
        0
    ] == ["c1", "c6"]
    quarantined = con.execute(
        "select row_number, reason, record from quarantine.rows order by row_number"
    ).fetchall()
    assert [(r[0], r[1]) for r in quarantined] == [
        (3, "csat: 7 is above the maximum 5"),
        (4, "started_at: 'yesterday' is not an ISO-8601 timestamp"),
        (5, "ended_at is before started_at"),
        (6, "conversation_id: required value missing"),
    ]
    assert json.loads(quarantined[1][2])["started_at"] == "yesterday"
    assert_audit_balanced(con)


def test_a_file_missing_a_required_column_is_rejected_and_others_load(con, landing):
    write(landing, "conversations/date=2026-05-01/a.csv", "conversation_id,ai_system", "c1,bot")
    write(landing, "conversations/date=2026-05-01/b.csv", HEADER, row("c2"))
    result = load_partition(con, "conversations", landing, MAY_1)
    assert result.files_rejected == 1 and result.rows_loaded == 1
    assert con.execute("select source_file, reason from quarantine.files").fetchall() == [
        (
            "conversations/date=2026-05-01/a.csv",
            "conversations/date=2026-05-01/a.csv: missing required column(s) started_at, "
            "ended_at, customer_id, ai_involved, escalated_to_human, resolved",
        )
    ]
    assert list(audit(con)) == [(MAY_1, "conversations/date=2026-05-01/b.csv")]


def test_an_exact_duplicate_loads_once(con, landing):
    write(landing, "conversations/date=2026-05-01/a.csv", HEADER, row("c1"), row("c1"))
    result = load_partition(con, "conversations", landing, MAY_1)
    assert (result.rows_loaded, result.rows_duplicate, result.rows_replaced) == (1, 1, 0)
    assert con.execute(
        "select count(*) from raw.conversations where _disposition = 'loaded'"
    ).fetchone() == (1,)


def correction_landing(landing: Path) -> None:
    write(landing, "conversations/date=2026-05-01/a.csv", HEADER, row("c1"), row("c2"))
    write(
        landing,
        "conversations/date=2026-05-02/b.csv",
        HEADER,
        row("c1", csat="2"),
        row("c3", "2026-05-02"),
    )


def test_a_correction_in_a_later_partition_replaces_the_earlier_row(con, landing):
    correction_landing(landing)
    load_partition(con, "conversations", landing, MAY_1)
    result = load_partition(con, "conversations", landing, MAY_2)
    assert dispositions(con) == {
        ("conversations/date=2026-05-01/a.csv", "c1"): "replaced",
        ("conversations/date=2026-05-01/a.csv", "c2"): "loaded",
        ("conversations/date=2026-05-02/b.csv", "c1"): "loaded",
        ("conversations/date=2026-05-02/b.csv", "c3"): "loaded",
    }
    # The older partition's audit row was recounted by the later load.
    assert audit(con) == {
        (MAY_1, "conversations/date=2026-05-01/a.csv"): (2, 1, 0, 0, 1),
        (MAY_2, "conversations/date=2026-05-02/b.csv"): (2, 2, 0, 0, 0),
    }
    # The replaced row's day must be rebuilt downstream.
    assert (result.min_event_date, result.max_event_date) == (MAY_1, MAY_2)


def test_loading_in_reverse_order_gives_the_same_warehouse(tmp_path, landing):
    correction_landing(landing)
    contents = []
    for name, order in (("forward", (MAY_1, MAY_2)), ("reverse", (MAY_2, MAY_1))):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb")) as con:
            ensure_tables(con)
            for day in order:
                load_partition(con, "conversations", landing, day)
            assert_audit_balanced(con)
            contents.append(snapshot(con))
    assert contents[0] == contents[1]


def test_rerunning_a_partition_changes_nothing(con, landing):
    correction_landing(landing)
    write(landing, "conversations/date=2026-05-01/c.csv", HEADER, row("c9", csat="9"), row("c2"))
    write(landing, "conversations/date=2026-05-01/d.csv", "nothing,useful", "1,2")
    for day in (MAY_1, MAY_2):
        load_partition(con, "conversations", landing, day)
    before = snapshot(con)
    first = load_partition(con, "conversations", landing, MAY_1)
    again = load_partition(con, "conversations", landing, MAY_1)
    assert snapshot(con) == before
    assert first.files == again.files
    assert before["quarantine.rows"] and before["quarantine.files"]


def test_removed_file_rows_leave_on_rerun(con, landing):
    correction_landing(landing)
    load_partition(con, "conversations", landing, MAY_1)
    load_partition(con, "conversations", landing, MAY_2)
    (landing / "conversations/date=2026-05-02/b.csv").unlink()
    result = load_partition(con, "conversations", landing, MAY_2)
    assert result.files == []
    assert set(dispositions(con).values()) == {"loaded"}
    assert audit(con) == {(MAY_1, "conversations/date=2026-05-01/a.csv"): (2, 2, 0, 0, 0)}


def test_a_root_level_file_is_split_by_event_day(con, landing):
    write(
        landing,
        "conversations/export.csv",
        HEADER,
        row("c1", "2026-05-02"),
        row("c2", "2026-05-01"),
        "c3,bot,not-a-time,2026-05-01T10:05:00Z,u1,true,false,true,4",
        row("c4", "2026-05-02"),
    )
    write(landing, "conversations/date=2026-05-03/a.csv", HEADER, row("c5", "2026-05-03"))
    assert discover_partitions(landing, ["conversations"]) == [MAY_1, MAY_2, MAY_3]
    first = load_partition(con, "conversations", landing, MAY_1)
    second = load_partition(con, "conversations", landing, MAY_2)
    assert (first.rows_loaded, first.rows_quarantined, second.rows_loaded) == (1, 1, 2)
    assert con.execute("select partition_date, row_number from quarantine.rows").fetchall() == [
        (MAY_1, 4)
    ]
    assert con.execute(
        "select _partition_date, list(conversation_id order by conversation_id)"
        " from raw.conversations group by 1 order by 1"
    ).fetchall() == [(MAY_1, ["c2"]), (MAY_2, ["c1", "c4"])]
    assert_audit_balanced(con)


def test_otlp_export_loads_as_llm_calls(con, landing):
    def attribute(key: str, value: str) -> dict:
        return {"key": key, "value": {"stringValue": value}}

    start = 1_777_629_600_000_000_000  # 2026-05-01T10:00:00Z
    spans = [
        {
            "traceId": "t1",
            "spanId": f"s{i}",
            "startTimeUnixNano": str(start + i),
            "endTimeUnixNano": str(start + i + 2_500_000),
            "status": {"code": 2 if i == 2 else 1},
            "attributes": [
                attribute("gen_ai.operation.name", "chat"),
                attribute("gen_ai.provider.name", "openai"),
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "7"}},
                *([attribute("gen_ai.request.model", "gpt-x")] if i != 3 else []),
            ],
        }
        for i in (1, 2, 3)
    ]
    export = {
        "resourceSpans": [
            {
                "resource": {"attributes": [attribute("service.name", "support-bot")]},
                "scopeSpans": [{"scope": {"name": "x"}, "spans": spans}],
            }
        ]
    }
    write(landing, "otlp/date=2026-05-01/traces.json", json.dumps(export))
    result = load_partition(con, "llm_calls", landing, MAY_1)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert con.execute(
        "select span_id, ai_system, model, status, duration_ms, output_tokens"
        " from raw.llm_calls order by span_id"
    ).fetchall() == [
        ("s1", "support-bot", "gpt-x", "ok", 2.5, 7),
        ("s2", "support-bot", "gpt-x", "error", 2.5, 7),
    ]
    assert con.execute("select row_number, reason from quarantine.rows").fetchall() == [
        (
            3,
            "model: required value missing"
            " (only execute_tool, invoke_agent, create_agent calls may lack one)",
        )
    ]


def test_snapshot_without_and_with_overrides(con, landing, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "fx_rates.csv").write_text("currency,date,usd_rate\nEUR,2026-01-01,1.1\n")
    write(landing, "employees/2026-04-01/roster.csv", "employee_id,team,eligible", "e0,old,true")
    write(
        landing,
        "employees/2026-05-01/roster.csv",
        "employee_id,team,eligible",
        "e1,support,true",
        "e2,sales,maybe",
        "e1,support,true",
        "e3,,0",
    )
    result = load_snapshot(con, landing, seeds)
    assert result.reference_rows == {} and result.rejected == []
    assert result.employees_file == "employees/2026-05-01/roster.csv"
    assert result.employees.rows_read == 4 and result.employees.rows_duplicate == 1
    assert con.execute(
        "select employee_id, team, eligible from raw.employees order by 1"
    ).fetchall() == [("e1", "support", True), ("e3", None, False)]
    assert con.execute(
        "select row_number, reason from quarantine.rows where entity = 'employees'"
    ).fetchall() == [(3, "eligible: 'maybe' is not a boolean (true/false, 1/0, yes/no)")]
    for name in REFERENCE_TABLES:
        assert con.execute(f"select count(*) from raw.reference_{name}").fetchone() == (0,)

    write(landing, "reference/fx_rates.csv", "usd_rate,currency,date,note", "1.2,EUR,2026-05-01,x")
    write(landing, "reference/targets.csv", "metric_name,target", "csat_average,4")
    result = load_snapshot(con, landing, seeds)
    assert result.reference_rows == {"fx_rates": 1}
    assert con.execute("select * from raw.reference_fx_rates").fetchall() == [
        ("EUR", "2026-05-01", "1.2")
    ]
    assert con.execute("select entity, source_file from quarantine.files").fetchall() == [
        ("reference", "reference/targets.csv")
    ]
    assert "missing required column(s) ai_system" in result.rejected[0].rejected
    again = snapshot(con)
    load_snapshot(con, landing, seeds)
    assert snapshot(con) == again


# --- the optional image_features feed


def test_image_features_load_from_csv_json_lines_and_parquet(con, landing):
    header = "feature_id,ai_system,created_at,set,vector"
    write(
        landing,
        "image_features/date=2026-05-01/a.csv",
        header,
        'f1,gen,2026-05-01T10:00:00Z,real,"[0.12, -0.5, 3]"',
        'f2,gen,2026-05-01T10:00:00Z,real,"[1, NaN, 3]"',
        'f3,gen,2026-05-01T10:00:00Z,fake,"[1, 2, 3]"',
    )
    base = {"ai_system": "gen", "created_at": "2026-05-01T11:00:00Z", "set": "generated"}
    write(
        landing,
        "image_features/date=2026-05-01/b.jsonl",
        json.dumps({**base, "feature_id": "f4", "vector": [1, 2, 3.5]}),
        json.dumps({**base, "feature_id": "f5", "vector": []}),
        json.dumps({**base, "feature_id": "f6", "vector": "[4, 5, 6]"}),
    )
    parquet = landing / "image_features/date=2026-05-01/c.parquet"
    con.execute(
        f"""
        copy (
            select * from (values
                ('f7', 'gen', timestamp '2026-05-01 12:00', 'generated', [7, 8, 9]::double[]),
                ('f8', 'gen', timestamp '2026-05-01 12:00', 'generated', [7, null, 9]::double[])
            ) as t(feature_id, ai_system, created_at, "set", vector)
        ) to '{parquet}' (format parquet)
        """
    )
    result = load_partition(con, "image_features", landing, MAY_1)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (8, 4, 4)
    assert con.execute(
        "select feature_id, vector from raw.image_features order by feature_id"
    ).fetchall() == [
        ("f1", [0.12, -0.5, 3.0]),
        ("f4", [1.0, 2.0, 3.5]),
        ("f6", [4.0, 5.0, 6.0]),
        ("f7", [7.0, 8.0, 9.0]),
    ]
    assert con.execute(
        "select data_type from information_schema.columns"
        " where table_schema = 'raw' and table_name = 'image_features' and column_name = 'vector'"
    ).fetchone() == ("DOUBLE[]",)
    assert con.execute(
        "select source_file, row_number, reason from quarantine.rows order by 1, 2"
    ).fetchall() == [
        (
            "image_features/date=2026-05-01/a.csv",
            3,
            "vector: element 2 is null or not a finite number",
        ),
        (
            "image_features/date=2026-05-01/a.csv",
            4,
            "set: 'fake' is not one of real, generated",
        ),
        ("image_features/date=2026-05-01/b.jsonl", 2, "vector: the list is empty"),
        (
            "image_features/date=2026-05-01/c.parquet",
            2,
            "vector: element 2 is null or not a finite number",
        ),
    ]
    balanced = con.execute(
        "select bool_and(rows_read = rows_loaded + rows_quarantined + rows_duplicate"
        " + rows_replaced), count(*) from raw.load_audit where entity = 'image_features'"
    ).fetchone()
    assert balanced == (True, 3)


def test_a_vector_of_another_dimension_is_quarantined(con, landing):
    write(
        landing,
        "image_features/date=2026-05-01/a.csv",
        "feature_id,ai_system,created_at,set,vector",
        'f1,gen,2026-05-01T10:00:00Z,real,"[1, 2, 3]"',
        'f2,gen,2026-05-01T10:00:00Z,generated,"[1, 2]"',
        'f3,gen,2026-05-01T10:00:00Z,generated,"[4, 5, 6]"',
        'f4,other,2026-05-01T10:00:00Z,real,"[1, 2]"',
    )
    load_partition(con, "image_features", landing, MAY_1)
    assert con.execute("select row_number, reason from quarantine.rows").fetchall() == [
        (
            3,
            "vector: 2 elements, but the other rows with ai_system 'gen' on 2026-05-01"
            " in this file have 3",
        )
    ]


def test_a_landing_without_image_features_loads_nothing(con, landing):
    write(landing, "conversations/date=2026-05-01/a.csv", HEADER, row("c1"))
    assert not (landing / "image_features").exists()
    assert discover_partitions(landing) == [MAY_1]
    result = load_partition(con, "image_features", landing, MAY_1)
    assert result.files == [] and result.rows_read == 0
    assert (result.min_event_date, result.max_event_date) == (None, None)
    assert con.execute("select count(*) from raw.image_features").fetchone() == (0,)
    assert con.execute("select count(*) from quarantine.files").fetchone() == (0,)
