"""Readers: files as text, typed per the contract in DuckDB, with exact row numbers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib.contract import ENTITIES
from orchestration.lib.readers import (
    FileRejected,
    date_folder,
    date_folder_days,
    list_source_files,
    open_source,
    typed_rows_sql,
)

CONVERSATIONS = ENTITIES["conversations"]
HEADER = (
    "conversation_id,ai_system,started_at,ended_at,customer_id,ai_involved,"
    "escalated_to_human,resolved"
)


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def typed(con, landing: Path, relative: str, entity=CONVERSATIONS) -> dict[int, dict]:
    """Rows of one file keyed by row number, as the loader would type them."""
    source = next(f for f in list_source_files(landing, entity.name) if f.relative == relative)
    view = open_source(con, source, entity)
    cursor = con.execute(typed_rows_sql(view.entity, view.text_sql))
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def write(landing: Path, relative: str, text: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_date_folder_takes_the_deepest_valid_date_folder():
    assert date_folder(Path("conversations/date=2026-05-01/a.csv")) == date(2026, 5, 1)
    assert date_folder(Path("x/date=2026-05-01/date=2026-05-02/a.csv")) == date(2026, 5, 2)
    assert date_folder(Path("conversations/2026/a.csv")) is None
    assert date_folder(Path("conversations/date=2026-02-30/a.csv")) is None


def test_files_are_listed_in_path_order_with_otlp_as_llm_calls(tmp_path):
    for relative in (
        "llm_calls/date=2026-05-02/b.csv",
        "llm_calls/date=2026-05-01/z.jsonl",
        "llm_calls/_SUCCESS",
        "llm_calls/.hidden.csv",
        "llm_calls/notes.txt",
        "otlp/date=2026-05-01/traces.json",
    ):
        write(tmp_path, relative, "")
    files = list_source_files(tmp_path, "llm_calls")
    assert [(f.relative, f.format, f.partition_date) for f in files] == [
        ("llm_calls/date=2026-05-01/z.jsonl", "jsonl", date(2026, 5, 1)),
        ("llm_calls/date=2026-05-02/b.csv", "csv", date(2026, 5, 2)),
        ("llm_calls/notes.txt", None, None),
        ("otlp/date=2026-05-01/traces.json", "otlp", date(2026, 5, 1)),
    ]


def test_links_that_leave_the_landing_folder_are_refused_unread(con, tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    # Valid files: a link is refused for where it points, not for what it holds.
    checks = "ai_system,checked_at,up\nbot,2026-05-01T01:00:00Z,true\n"
    write(outside, "checks.csv", checks)
    write(outside, "date=2026-05-02/checks.csv", checks)
    write(landing, "uptime/date=2026-05-01/checks.csv", checks)
    day_1 = landing / "uptime" / "date=2026-05-01"
    (day_1 / "secret.csv").symlink_to(outside / "checks.csv")
    (landing / "uptime" / "date=2026-05-02").symlink_to(outside / "date=2026-05-02")
    (day_1 / "loop").symlink_to(landing / "uptime")
    # Links that stay inside are read, a folder link's files under the link's own path.
    (landing / "uptime" / "date=2026-05-03").mkdir()
    (landing / "uptime" / "date=2026-05-03" / "again.csv").symlink_to(
        Path("../date=2026-05-01/checks.csv")
    )
    (landing / "uptime" / "date=2026-05-04").symlink_to(Path("date=2026-05-01"))

    files = {f.relative: f for f in list_source_files(landing, "uptime")}
    refused = {name: f.refused for name, f in files.items() if f.refused}
    assert refused == {
        "uptime/date=2026-05-01/loop": f"a link to {(landing / 'uptime').resolve()},"
        " a folder that holds the link, is not followed",
        "uptime/date=2026-05-01/secret.csv": f"a link to {(outside / 'checks.csv').resolve()},"
        " outside the landing folder, is not followed",
        "uptime/date=2026-05-02": f"a link to {(outside / 'date=2026-05-02').resolve()},"
        " outside the landing folder, is not followed",
        "uptime/date=2026-05-04/loop": f"a link to {(landing / 'uptime').resolve()},"
        " a folder that holds the link, is not followed",
        "uptime/date=2026-05-04/secret.csv": f"a link to {(outside / 'checks.csv').resolve()},"
        " outside the landing folder, is not followed",
    }
    read = sorted(name for name, f in files.items() if not f.refused)
    assert read == [
        "uptime/date=2026-05-01/checks.csv",
        "uptime/date=2026-05-03/again.csv",
        "uptime/date=2026-05-04/checks.csv",
    ]
    # A refused folder link counts on the day its name gives, so that day's load reports it.
    assert files["uptime/date=2026-05-02"].partition_date == date(2026, 5, 2)
    assert date_folder_days(landing, "uptime") == {date(2026, 5, d) for d in (1, 2, 3, 4)}
    uptime = ENTITIES["uptime"]
    with pytest.raises(FileRejected, match=r"^uptime/date=2026-05-02: a link to .* outside"):
        open_source(con, files["uptime/date=2026-05-02"], uptime)
    for name in read:
        rows = typed(con, landing, name, uptime)
        assert [(r["ai_system"], r["up"]) for r in rows.values()] == [("bot", True)]


def test_csv_values_are_typed_with_offsets_booleans_and_integral_decimals(con, tmp_path):
    write(
        tmp_path,
        "conversations/a.csv",
        HEADER + ",csat\n"
        "c1,bot,2026-05-01T10:00:00+02:00,2026-05-01 08:30:00.250,u1,True,FALSE,1,5.0\n"
        "c2,bot,2026-05-01 23:30:00-01:00,2026-05-02T01:00:00Z,u2,yes,f,no,\n",
    )
    rows = typed(con, tmp_path, "conversations/a.csv")
    assert rows[2]["started_at"] == datetime(2026, 5, 1, 8, 0)
    assert rows[2]["ended_at"] == datetime(2026, 5, 1, 8, 30, 0, 250000)
    assert (rows[2]["ai_involved"], rows[2]["escalated_to_human"], rows[2]["resolved"]) == (
        True,
        False,
        True,
    )
    assert rows[2]["csat"] == 5.0 and rows[2]["_reasons"] is None
    # An offset moves the row to the next UTC day; an empty field is null.
    assert rows[3]["started_at"] == datetime(2026, 5, 2, 0, 30)
    assert rows[3]["_event_date"] == date(2026, 5, 2)
    assert rows[3]["csat"] is None and rows[3]["_reasons"] is None


def test_bad_values_give_one_reason_per_broken_rule(con, tmp_path):
    write(
        tmp_path,
        "conversations/a.csv",
        HEADER + ",csat,use_case\n"
        "c1,bot,yesterday,2026-05-01T10:00:00,u1,true,false,true,7,sales\n"
        ",bot,2026-05-01T10:00:00,2026-05-01T09:00:00,u1,maybe,false,true,0.5,cooking\n",
    )
    rows = typed(con, tmp_path, "conversations/a.csv")
    assert rows[2]["_reasons"] == (
        "started_at: 'yesterday' is not an ISO-8601 timestamp; csat: 7 is above the maximum 5"
    )
    assert rows[3]["_reasons"] == (
        "conversation_id: required value missing; "
        "ai_involved: 'maybe' is not a boolean (true/false, 1/0, yes/no); "
        "use_case: 'cooking' is not one of customer_service, sales, marketing, operations, "
        "content; csat: 0.5 is below the minimum 1; ended_at is before started_at"
    )


def test_an_integer_column_accepts_5_0_but_not_5_5(con, tmp_path):
    write(
        tmp_path,
        "employee_usage/a.csv",
        "employee_id,ai_system,usage_date,sessions\n"
        "e1,bot,2026-05-01,5.0\ne2,bot,2026-05-01,5.5\ne3,bot,2026-05-01T23:00:00-05:00,2\n",
    )
    rows = typed(con, tmp_path, "employee_usage/a.csv", ENTITIES["employee_usage"])
    assert rows[2]["sessions"] == 5 and rows[2]["_reasons"] is None
    assert rows[3]["_reasons"] == "sessions: '5.5' is not an integer"
    assert rows[4]["usage_date"] == date(2026, 5, 2)


def test_irregular_csv_keeps_physical_line_numbers(con, tmp_path):
    write(
        tmp_path,
        "conversations/a.csv",
        HEADER + ",intent\n"
        'c1,bot,2026-05-01T10:00:00,2026-05-01T10:01:00,u1,true,false,true,"two\nlines"\n'
        "\n"
        "c2,bot,2026-05-01T10:00:00,2026-05-01T10:01:00,u1,true\n"
        "c3,bot,2026-05-01T10:00:00,2026-05-01T10:01:00,u1,true,false,true,\n",
    )
    rows = typed(con, tmp_path, "conversations/a.csv")
    assert sorted(rows) == [2, 5, 6]
    assert rows[2]["intent"] == "two\nlines" and rows[2]["_reasons"] is None
    assert rows[5]["_reasons"] == "line has 6 fields, the header has 9"
    assert rows[6]["conversation_id"] == "c3" and rows[6]["_reasons"] is None


# A good conversation as a JSON Lines exporter writes it.
RECORD = {
    "conversation_id": "c1",
    "ai_system": "bot",
    "started_at": "2026-05-01T10:00:00Z",
    "ended_at": "2026-05-01T10:05:00Z",
    "customer_id": "u1",
    "ai_involved": True,
    "escalated_to_human": False,
    "resolved": 1,
}


def test_a_line_that_is_not_json_quarantines_alone(con, tmp_path):
    good = {**RECORD, "csat": 4}
    write(
        tmp_path,
        "conversations/a.jsonl",
        json.dumps(good) + "\n{not json\n\n" + json.dumps({**good, "conversation_id": "c2"}),
    )
    rows = typed(con, tmp_path, "conversations/a.jsonl")
    assert sorted(rows) == [1, 2, 4]
    assert rows[1]["_reasons"] is None and rows[1]["resolved"] is True
    assert rows[2]["_reasons"] == "line is not valid JSON"
    assert rows[4]["conversation_id"] == "c2"


def test_parquet_native_timestamps_are_utc(con, tmp_path):
    (tmp_path / "conversations").mkdir()
    path = tmp_path / "conversations" / "a.parquet"
    con.execute(
        f"""
        copy (
            select
                'c1' as conversation_id,
                'bot' as ai_system,
                timestamptz '2026-05-01 12:00:00+02:00' as started_at,
                timestamp_ns '2026-05-01 10:30:00.123456' as ended_at,
                'u1' as customer_id,
                true as ai_involved,
                false as escalated_to_human,
                1 as resolved,
                12.5 :: double as human_handle_seconds
        ) to '{path}' (format parquet)
        """
    )
    rows = typed(con, tmp_path, "conversations/a.parquet")
    assert rows[1]["started_at"] == datetime(2026, 5, 1, 10, 0)
    assert rows[1]["ended_at"] == datetime(2026, 5, 1, 10, 30, 0, 123456)
    assert rows[1]["resolved"] is True
    assert rows[1]["human_handle_seconds"] == 12.5 and rows[1]["_reasons"] is None


def test_missing_required_column_and_corrupt_files_are_rejected(con, tmp_path):
    write(tmp_path, "conversations/a.csv", "conversation_id,ai_system\nc1,bot\n")
    write(tmp_path, "conversations/b.parquet", "this is not parquet")
    files = {f.relative: f for f in list_source_files(tmp_path, "conversations")}
    with pytest.raises(FileRejected, match=r"a\.csv: missing required column\(s\) started_at"):
        open_source(con, files["conversations/a.csv"], CONVERSATIONS)
    with pytest.raises(FileRejected, match=r"b\.parquet: unreadable as parquet"):
        open_source(con, files["conversations/b.parquet"], CONVERSATIONS)


# --- missing values, as exporters write them ----------------------------------------------


def test_csv_missing_markers_are_missing_in_number_columns_only(con, tmp_path):
    """pandas, R and spreadsheets write a missing number as NaN, NA, null or None."""
    write(
        tmp_path,
        "conversations/a.csv",
        HEADER
        + ",csat,region,task_completed\n"
        + "".join(
            f"c{i},bot,2026-05-01T10:00:00Z,2026-05-01T10:05:00Z,u1,true,false,true,{m},NA,{m}\n"
            for i, m in enumerate(["NaN", "nan", "NA", "N/A", "null", "NULL", "None", ""])
        )
        + "c9,bot,2026-05-01T10:00:00Z,2026-05-01T10:05:00Z,u1,NaN,false,true,4,,\n",
    )
    rows = typed(con, tmp_path, "conversations/a.csv")
    for line in range(2, 10):
        assert rows[line]["csat"] is None and rows[line]["task_completed"] is None, line
        assert rows[line]["_reasons"] is None, line
        # In a text column NA is a value (a region code), only an empty field is missing.
        assert rows[line]["region"] == "NA"
    assert rows[10]["_reasons"] == "ai_involved: required value missing"
    assert rows[10]["region"] is None


def test_json_dumps_nan_is_missing_in_any_column(con, tmp_path):
    """Python's json.dumps writes float('nan') as a bare NaN: pandas' missing text and numbers."""
    nan = float("nan")
    base = RECORD
    records = [
        base | {"csat": nan, "intent": nan, "human_handle_seconds": nan},
        base | {"conversation_id": "c2", "intent": "NaN", "csat": "NaN"},
        base | {"conversation_id": "c3", "customer_id": nan},
        base | {"conversation_id": "c4", "ai_involved": nan},
    ]
    write(tmp_path, "conversations/a.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    assert "NaN" in (tmp_path / "conversations/a.jsonl").read_text()
    rows = typed(con, tmp_path, "conversations/a.jsonl")
    assert (rows[1]["csat"], rows[1]["intent"], rows[1]["human_handle_seconds"]) == (
        None,
        None,
        None,
    )
    assert rows[1]["_reasons"] is None
    # The text "NaN" is a text value, and a missing number.
    assert (rows[2]["intent"], rows[2]["csat"], rows[2]["_reasons"]) == ("NaN", None, None)
    assert rows[3]["_reasons"] == "customer_id: required value missing"
    assert rows[4]["_reasons"] == "ai_involved: required value missing"


def test_parquet_nan_is_missing_and_infinity_is_not_a_number(con, tmp_path):
    path = tmp_path / "conversations" / "a.parquet"
    path.parent.mkdir(parents=True)
    stamp = pa.array([datetime(2026, 5, 1, 10, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC"))
    table = pa.table(
        {
            "conversation_id": ["c1", "c2", "c3"],
            "ai_system": ["bot"] * 3,
            "started_at": stamp,
            "ended_at": stamp,
            "customer_id": ["u1"] * 3,
            "ai_involved": [True] * 3,
            "escalated_to_human": [False] * 3,
            "resolved": [True] * 3,
            "csat": pa.array([float("nan"), None, float("inf")], pa.float64()),
        }
    )
    pq.write_table(table, path)
    rows = typed(con, tmp_path, "conversations/a.parquet")
    assert rows[1]["csat"] is None and rows[1]["_reasons"] is None
    assert rows[2]["csat"] is None and rows[2]["_reasons"] is None
    assert rows[3]["_reasons"] == "csat: 'inf' is not a number"


# --- FOCUS cost files ------------------------------------------------------------------------

COSTS = ENTITIES["costs"]
FOCUS_HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,"
    "ServiceCategory,ServiceName,ProviderName,ResourceId,SkuId,Tags"
)


def test_a_focus_csv_in_costs_is_read_by_its_focus_columns(con, tmp_path):
    write(
        tmp_path,
        "costs/date=2026-05-01/focus.csv",
        FOCUS_HEADER + "\n"
        "1.50,1.20,EUR,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,Usage,AI and Machine Learning,"
        'Models,Acme,r1,s1,"{""ai_system"": ""bot"", ""env"": ""prod""}"\n'
        "-0.40,-0.40,EUR,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,Credit,,,Acme,,,\n"
        "2.00,2.00,EUR,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,,Compute,VMs,Acme,r2,s2,\n",
    )
    rows = typed(con, tmp_path, "costs/date=2026-05-01/focus.csv", COSTS)
    first = rows[2]
    assert (first["billed_cost"], first["effective_cost"], first["billing_currency"]) == (
        1.5,
        1.2,
        "EUR",
    )
    assert (first["charge_category"], first["service_category"], first["sku_id"]) == (
        "Usage",
        "AI and Machine Learning",
        "s1",
    )
    assert json.loads(first["tags"]) == {"ai_system": "bot", "env": "prod"}
    # A FOCUS row has no cost_type or program until dbt derives them: not a reason.
    assert first["cost_type"] is None and first["_reasons"] is None
    assert rows[3]["billed_cost"] == -0.4 and rows[3]["_reasons"] is None
    assert rows[4]["_reasons"] == "charge_category: required value missing"


def test_focus_names_match_without_case_and_take_the_1_3_provider(con, tmp_path):
    write(
        tmp_path,
        "costs/a.csv",
        "billedcost,BILLINGCURRENCY,chargeperiodstart,ChargePeriodEnd,chargecategory,"
        "ServiceProviderName\n"
        "3,USD,2026-05-01,2026-05-01T01:00:00,Usage,Solora AI\n",
    )
    rows = typed(con, tmp_path, "costs/a.csv", COSTS)
    assert (rows[2]["billed_cost"], rows[2]["provider_name"], rows[2]["_reasons"]) == (
        3.0,
        "Solora AI",
        None,
    )


def test_a_file_in_focus_must_have_the_focus_columns(con, tmp_path):
    write(tmp_path, "focus/bill.csv", "BilledCost,BillingCurrency\n1,USD\n")
    write(tmp_path, "costs/own.csv", "cost_id,billed_cost\nk1,1\n")
    files = {f.relative: f for f in list_source_files(tmp_path, "costs")}
    assert files["focus/bill.csv"].layout is not None and files["costs/own.csv"].layout is None
    with pytest.raises(
        FileRejected,
        match=r"focus/bill\.csv: missing required FOCUS column\(s\) ChargePeriodStart, "
        r"ChargePeriodEnd, ChargeCategory",
    ):
        open_source(con, files["focus/bill.csv"], COSTS)
    with pytest.raises(FileRejected, match=r"own\.csv: missing required column\(s\) charge_"):
        open_source(con, files["costs/own.csv"], COSTS)


def test_focus_parquet_tags_map_becomes_a_json_object(con, tmp_path):
    path = tmp_path / "focus" / "bill.parquet"
    path.parent.mkdir(parents=True)
    start = pa.array([datetime(2026, 5, 1, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC"))
    end = pa.array([datetime(2026, 5, 2, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC"))
    table = pa.table(
        {
            "BilledCost": pa.array([Decimal("1.25"), Decimal("2.5")], pa.decimal128(20, 10)),
            "EffectiveCost": pa.array([float("nan"), 2.5]),
            "BillingCurrency": ["USD", "USD"],
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "ChargeCategory": ["Usage", "Usage"],
            "Tags": pa.array(
                [[("ai_system", "bot"), ("team", "cx")], None], pa.map_(pa.string(), pa.string())
            ),
        }
    )
    pq.write_table(table, path)
    rows = typed(con, tmp_path, "focus/bill.parquet", COSTS)
    assert json.loads(rows[1]["tags"]) == {"ai_system": "bot", "team": "cx"}
    assert rows[1]["billed_cost"] == 1.25 and rows[1]["effective_cost"] is None
    assert rows[2]["tags"] is None and rows[2]["_reasons"] is None


def test_keyless_rows_are_identified_by_every_column_of_their_record(con, tmp_path):
    write(
        tmp_path,
        "costs/a.csv",
        FOCUS_HEADER
        + ",PricingQuantity\n"
        + "1,1,USD,2026-05-01,2026-05-02,Usage,Compute,VMs,Acme,r1,s1,,5\n" * 2
        + "1,1,USD,2026-05-01,2026-05-02,Usage,Compute,VMs,Acme,r2,s1,,5\n"
        + "1,1,USD,2026-05-01,2026-05-02,Usage,Compute,VMs,Acme,r1,s1,,6\n",
    )
    rows = typed(con, tmp_path, "costs/a.csv", COSTS)
    keys = [rows[line]["_row_key"] for line in (2, 3, 4, 5)]
    assert keys[0] == keys[1] and len(set(keys)) == 3
    assert all(key.startswith("hash:") for key in keys)
    # A column raw.costs does not keep (PricingQuantity) still tells row 5 from row 2.
    assert rows[2]["_row_hash"] == rows[5]["_row_hash"]


def test_only_agent_operations_may_lack_a_model(con, tmp_path):
    write(
        tmp_path,
        "llm_calls/a.csv",
        "span_id,ai_system,operation,model,started_at,duration_ms,status\n"
        "s1,bot,execute_tool,,2026-05-01T10:00:00Z,1.5,ok\n"
        "s2,bot,invoke_agent,,2026-05-01T10:00:00Z,1.5,ok\n"
        "s3,bot,chat,,2026-05-01T10:00:00Z,1.5,ok\n",
    )
    rows = typed(con, tmp_path, "llm_calls/a.csv", ENTITIES["llm_calls"])
    assert rows[2]["_reasons"] is None and rows[3]["_reasons"] is None
    assert rows[4]["_reasons"] == (
        "model: required value missing (only execute_tool, invoke_agent, create_agent calls"
        " may lack one)"
    )


def otlp_export() -> dict:
    def attribute(key: str, value: dict) -> dict:
        return {"key": key, "value": value}

    start = 1_777_629_600_000_000_000  # 2026-05-01T10:00:00Z
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [attribute("service.name", {"stringValue": "bot"})]},
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "t1",
                                "spanId": "s1",
                                "name": "chat gpt-x",
                                "startTimeUnixNano": str(start),
                                "endTimeUnixNano": str(start + 1_234_567_000),
                                "status": {},
                                "attributes": [
                                    attribute("gen_ai.operation.name", {"stringValue": "chat"}),
                                    attribute("gen_ai.request.model", {"stringValue": "gpt-x"}),
                                    attribute("gen_ai.system", {"stringValue": "openai"}),
                                    attribute("gen_ai.usage.input_tokens", {"intValue": "120"}),
                                    attribute("gen_ai.conversation.id", {"stringValue": "c1"}),
                                    attribute("cost_usd", {"doubleValue": 0.002}),
                                    attribute("guardrail_triggered", {"boolValue": True}),
                                ],
                            },
                            {
                                "traceId": "t1",
                                "spanId": "s2",
                                "parentSpanId": "s1",
                                "startTimeUnixNano": str(start),
                                "endTimeUnixNano": str(start + 5_000_000),
                                "status": {"code": 2},
                                "attributes": [
                                    attribute(
                                        "gen_ai.operation.name", {"stringValue": "execute_tool"}
                                    ),
                                    attribute("gen_ai.request.model", {"stringValue": "gpt-x"}),
                                    attribute("gen_ai.tool.name", {"stringValue": "lookup"}),
                                    attribute("error.type", {"stringValue": "timeout"}),
                                ],
                            },
                        ]
                    }
                ],
            }
        ]
    }


def test_otlp_spans_map_to_llm_calls(con, tmp_path):
    write(tmp_path, "otlp/traces.json", json.dumps(otlp_export(), indent=2))
    rows = typed(con, tmp_path, "otlp/traces.json", ENTITIES["llm_calls"])
    first, second = rows[1], rows[2]
    assert first["_reasons"] is None and second["_reasons"] is None
    assert (first["span_id"], first["trace_id"], first["ai_system"]) == ("s1", "t1", "bot")
    assert (first["operation"], first["model"], first["provider"]) == ("chat", "gpt-x", "openai")
    assert first["started_at"] == datetime(2026, 5, 1, 10, 0)
    assert first["duration_ms"] == pytest.approx(1234.567)
    assert (first["input_tokens"], first["conversation_id"]) == (120, "c1")
    assert (first["cost_usd"], first["guardrail_triggered"], first["status"]) == (
        0.002,
        True,
        "ok",
    )
    assert (second["status"], second["error_type"], second["tool_name"]) == (
        "error",
        "timeout",
        "lookup",
    )
    assert second["parent_span_id"] == "s1"


def test_row_numbers_of_a_large_regular_csv_are_its_lines(con, tmp_path):
    times = "2026-05-01T10:00:00,2026-05-01T10:01:00"
    lines = [
        f"c{i},bot,{times},u{i},true,false,{'x' if i == 7775 else 'true'}" for i in range(20_000)
    ]
    write(tmp_path, "conversations/a.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    rows = typed(con, tmp_path, "conversations/a.csv")
    bad = [(number, r["conversation_id"]) for number, r in rows.items() if r["_reasons"]]
    assert bad == [(7777, "c7775")]
    assert rows[20_001]["conversation_id"] == "c19999"


# --- lists: the feature vectors of image_features

IMAGE_FEATURES = ENTITIES["image_features"]
FEATURES_HEADER = "feature_id,ai_system,created_at,set,vector"


def test_csv_vectors_are_json_arrays(con, tmp_path):
    write(
        tmp_path,
        "image_features/a.csv",
        FEATURES_HEADER + "\n"
        'f1,gen,2026-05-01T10:00:00Z,real,"[0.12, -0.5, 3]"\n'
        'f2,gen,2026-05-01T11:00:00+02:00,generated,"[1e-3,2.5E2,-0]"\n',
    )
    rows = typed(con, tmp_path, "image_features/a.csv", IMAGE_FEATURES)
    assert rows[2]["vector"] == [0.12, -0.5, 3.0] and rows[2]["_reasons"] is None
    assert rows[3]["vector"] == [0.001, 250.0, 0.0] and rows[3]["_reasons"] is None
    assert rows[3]["created_at"] == datetime(2026, 5, 1, 9, 0)


def test_json_lines_vectors_are_native_arrays_or_array_text(con, tmp_path):
    base = {"ai_system": "gen", "created_at": "2026-05-01T10:00:00Z", "set": "real"}
    lines = [
        {**base, "feature_id": "f1", "vector": [0.12, -0.5, 3]},
        {**base, "feature_id": "f2", "vector": "[1, 2, 3]"},
    ]
    write(tmp_path, "image_features/a.jsonl", "\n".join(json.dumps(line) for line in lines))
    rows = typed(con, tmp_path, "image_features/a.jsonl", IMAGE_FEATURES)
    assert rows[1]["vector"] == [0.12, -0.5, 3.0] and rows[1]["_reasons"] is None
    assert rows[2]["vector"] == [1.0, 2.0, 3.0] and rows[2]["_reasons"] is None


def test_parquet_list_columns_keep_every_bit_of_their_doubles(con, tmp_path):
    (tmp_path / "image_features").mkdir()
    doubles = [0.1, 1 / 3, -1e-300, 123456789.123456789]
    table = pa.table(
        {
            "feature_id": ["f1", "f2", "f3", "f4"],
            "ai_system": ["gen"] * 4,
            "created_at": pa.array(
                [datetime(2026, 5, 1, 10, tzinfo=UTC)] * 4, pa.timestamp("us", tz="UTC")
            ),
            "set": ["real", "generated", "generated", "generated"],
            "vector": pa.array(
                [doubles, [1, 2, 3, 4], [1, float("nan"), 3, 4], [1, 2, None, 4]],
                pa.list_(pa.float64()),
            ),
        }
    )
    pq.write_table(table, tmp_path / "image_features" / "a.parquet")
    singles = table.slice(1, 1).cast(
        table.schema.set(4, pa.field("vector", pa.list_(pa.float32())))
    )
    pq.write_table(singles, tmp_path / "image_features" / "b.parquet")
    rows = typed(con, tmp_path, "image_features/a.parquet", IMAGE_FEATURES)
    assert rows[1]["vector"] == doubles and rows[1]["_reasons"] is None
    assert rows[1]["created_at"] == datetime(2026, 5, 1, 10, 0)
    assert rows[2]["vector"] == [1.0, 2.0, 3.0, 4.0] and rows[2]["_reasons"] is None
    assert rows[3]["_reasons"] == "vector: element 2 is null or not a finite number"
    assert rows[4]["_reasons"] == "vector: element 3 is null or not a finite number"
    rows = typed(con, tmp_path, "image_features/b.parquet", IMAGE_FEATURES)
    assert rows[1]["vector"] == [1.0, 2.0, 3.0, 4.0] and rows[1]["_reasons"] is None


def test_bad_vectors_give_a_reason(con, tmp_path):
    vectors = [
        "[1, 2, 3]",
        "[1, 2, 3]",
        "1, 2, 3",
        "[]",
        "[1, null, 3]",
        "[1, NaN, 3]",
        "[1, 2, 1e999]",
        '[1, ""two"", 3]',
        "[1, 2]",
        "",
    ]
    write(
        tmp_path,
        "image_features/a.csv",
        FEATURES_HEADER
        + "\n"
        + "".join(
            f'f{i},gen,2026-05-01T10:00:00Z,real,"{vector}"\n' for i, vector in enumerate(vectors)
        ),
    )
    rows = typed(con, tmp_path, "image_features/a.csv", IMAGE_FEATURES)
    reasons = {number - 2: row["_reasons"] for number, row in rows.items()}
    assert reasons == {
        0: None,
        1: None,
        2: "vector: '1, 2, 3' is not a list of numbers (a JSON array like [0.12, -0.5, 3])",
        3: "vector: the list is empty",
        4: "vector: element 2 is null or not a finite number",
        5: "vector: element 2 is null or not a finite number",
        6: "vector: element 3 is null or not a finite number",
        7: "vector: element 2 is null or not a finite number",
        8: "vector: 2 elements, but the other rows with ai_system 'gen' on 2026-05-01 in this"
        " file have 3",
        9: "vector: required value missing",
    }
    # A vector that does not parse is null; one of the wrong length keeps its value.
    assert [rows[n + 2]["vector"] for n in (2, 3, 4, 5, 6, 7, 9)] == [None] * 7
    assert rows[10]["vector"] == [1.0, 2.0]


def test_vector_lengths_are_compared_per_program_and_day(con, tmp_path):
    """The most common length of a program's day is the reference; other programs and days
    may have their own; a tie goes to the length that comes first in the file."""
    lines = [
        "f1,a,2026-05-01T10:00:00Z,real,[1]",
        "f2,a,2026-05-01T10:00:00Z,real,[1]",
        'f3,a,2026-05-01T10:00:00Z,generated,"[1, 2]"',
        'f4,b,2026-05-01T10:00:00Z,real,"[1, 2]"',
        'f5,a,2026-05-02T10:00:00Z,real,"[1, 2]"',
        'f6,c,2026-05-01T10:00:00Z,real,"[1, 2, 3]"',
        "f7,c,2026-05-01T10:00:00Z,real,[1]",
    ]
    write(tmp_path, "image_features/a.csv", FEATURES_HEADER + "\n" + "\n".join(lines) + "\n")
    rows = typed(con, tmp_path, "image_features/a.csv", IMAGE_FEATURES)
    bad = {row["feature_id"]: row["_reasons"] for row in rows.values() if row["_reasons"]}
    assert bad == {
        "f3": "vector: 2 elements, but the other rows with ai_system 'a' on 2026-05-01 in this"
        " file have 1",
        "f7": "vector: 1 elements, but the other rows with ai_system 'c' on 2026-05-01 in this"
        " file have 3",
    }
