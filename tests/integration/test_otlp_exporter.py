"""OTLP trace files written by the OpenTelemetry SDK's own file exporter load exactly.

The spans are built through the SDK and exported by the official OTLP/JSON file exporter, so
the file has whatever the SDK writes (its resource attributes, hex ids, integers as strings,
doubles as JSON numbers, status codes as numbers, one line per exported batch), and every
span must come out as one row of raw.llm_calls with the values the SDK was given.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from orchestration.lib.ingest import load_partition
from tests.exporters import SYSTEM, GenAiCall, WrittenSpan, write_otlp_traces

DAY = date(2026, 5, 1)
T0 = 1_777_629_600_000_000_000  # 2026-05-01T10:00:00Z in Unix nanoseconds
MS = 1_000_000
COLUMNS = (
    "span_id",
    "trace_id",
    "parent_span_id",
    "conversation_id",
    "ai_system",
    "operation",
    "provider",
    "model",
    "started_at",
    "input_tokens",
    "output_tokens",
    "status",
    "error_type",
    "tool_name",
    "cost_usd",
)


def support_bot() -> list[GenAiCall]:
    """An agent turn in the current convention (gen_ai.provider.name), and an embedding."""
    turn = GenAiCall(
        "invoke_agent",
        T0 + 123_456_789,
        1_850 * MS + 987,
        request_model="gpt-4.1",
        provider="openai",
        conversation_id="conv-1001",
        # No token counts: the agent span leaves them to its model calls.
        children=(
            GenAiCall(
                "chat",
                T0 + 130 * MS + 1,
                612 * MS + 345_679,
                request_model="gpt-4.1",
                response_model="gpt-4.1-2025-04-14",
                provider="openai",
                input_tokens=812,
                output_tokens=64,
                conversation_id="conv-1001",
                cost_usd=0.002136,
            ),
            # A tool span names no model or provider (the GenAI conventions give it none).
            GenAiCall(
                "execute_tool",
                T0 + 745 * MS + 999,
                183_457,  # 0.183457 ms
                conversation_id="conv-1001",
                tool_name="lookup_order",
            ),
            GenAiCall(
                "chat",
                T0 + 750 * MS,
                30_000 * MS,
                request_model="gpt-4.1",
                provider="openai",
                conversation_id="conv-1001",
                error_type="timeout",
            ),
            GenAiCall(
                "chat",
                T0 + 790 * MS + 7,
                1_150 * MS + 3,
                request_model="gpt-4.1",
                response_model="gpt-4.1-2025-04-14",
                provider="openai",
                input_tokens=1_204,
                output_tokens=233,
                conversation_id="conv-1001",
                cost_usd=0.004272,
            ),
        ),
    )
    embedding = GenAiCall(
        "embeddings",
        T0 + 5_000 * MS + 500,
        412_001,  # 0.412001 ms
        request_model="text-embedding-3-small",
        provider="openai",
        input_tokens=42,
        cost_usd=0.00000084,
    )
    return [turn, embedding]


def sales_assistant() -> list[GenAiCall]:
    """Calls in the older convention (gen_ai.system), as openai-v2 and OpenLLMetry wrote it."""
    return [
        GenAiCall(
            "chat",
            T0 + 20_000 * MS + 250_001,
            2_400 * MS + 1,
            request_model="claude-sonnet-4",
            response_model="claude-sonnet-4-20250514",
            provider="anthropic",
            provider_attribute=SYSTEM,
            input_tokens=2_048,
            output_tokens=512,
            conversation_id="conv-2001",
            cost_usd=0.013824,
            children=(
                GenAiCall(
                    "execute_tool",
                    T0 + 20_100 * MS,
                    999,  # under a microsecond
                    conversation_id="conv-2001",
                    tool_name="crm_search",
                    error_type="ToolTimeoutError",
                ),
            ),
        ),
        GenAiCall(
            "text_completion",
            T0 + 21_000 * MS + 3,
            87 * MS + 654_321,
            # Only the response model recorded: the reader falls back to it.
            response_model="claude-haiku-4-5",
            provider="anthropic",
            provider_attribute=SYSTEM,
            input_tokens=120,
            output_tokens=0,
            error_type="rate_limit_exceeded",
        ),
    ]


@pytest.fixture
def written(landing: Path) -> list[WrittenSpan]:
    path = landing / "otlp" / f"date={DAY.isoformat()}" / "traces.jsonl"
    return write_otlp_traces(
        path, {"support-bot": support_bot(), "sales-assistant": sales_assistant()}
    )


def expected_row(span: WrittenSpan) -> tuple:
    call = span.call
    return (
        span.span_id,
        span.trace_id,
        span.parent_span_id,
        call.conversation_id,
        span.ai_system,
        call.operation,
        call.provider,
        span.model,
        span.started_at,
        call.input_tokens,
        call.output_tokens,
        "error" if call.error_type else "ok",
        call.error_type,
        call.tool_name,
        call.cost_usd,
    )


def file_spans(landing: Path) -> list[dict]:
    path = landing / "otlp" / f"date={DAY.isoformat()}" / "traces.jsonl"
    return [
        span
        for line in path.read_text(encoding="utf-8").splitlines()
        for resource in json.loads(line)["resourceSpans"]
        for scope in resource["scopeSpans"]
        for span in scope["spans"]
    ]


def test_the_written_spans_are_the_files_spans(landing, written):
    spans = file_spans(landing)
    assert len(written) == 9
    assert sorted((s["spanId"], s["traceId"], s.get("parentSpanId")) for s in spans) == sorted(
        (s.span_id, s.trace_id, s.parent_span_id) for s in written
    )


def test_sdk_exported_traces_load_exactly(con, landing, written):
    result = load_partition(con, "llm_calls", landing, DAY)
    assert (result.rows_read, result.rows_loaded, result.files_rejected) == (9, 9, 0)
    assert con.execute("select count(*) from quarantine.rows").fetchone() == (0,)
    assert con.execute("select source_file, reason from quarantine.files").fetchall() == []

    rows = con.execute(
        f"select {', '.join(COLUMNS)} from raw.llm_calls where _disposition = 'loaded'"
    ).fetchall()
    assert sorted(rows, key=repr) == sorted(map(expected_row, written), key=repr)
    tools = con.execute(
        "select tool_name, model from raw.llm_calls where operation = 'execute_tool'"
    ).fetchall()
    assert sorted(tools) == [("crm_search", None), ("lookup_order", None)]

    durations = dict(con.execute("select span_id, duration_ms from raw.llm_calls").fetchall())
    assert len(durations) == len(written)
    for span in written:
        assert durations[span.span_id] == pytest.approx(span.duration_ms, abs=1e-9, rel=0)

    audit = con.execute(
        "select source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate,"
        " rows_replaced from raw.load_audit where entity = 'llm_calls'"
    ).fetchall()
    assert audit == [(f"otlp/date={DAY.isoformat()}/traces.jsonl", 9, 9, 0, 0, 0)]
