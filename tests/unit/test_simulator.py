"""The demo simulator: deterministic per day, complete, and carrying exactly its planted effects.

Most tests read one full demo landing folder (13 weeks at 400 conversations a day, written once
per module in a few seconds) with plain pandas, the way a sceptical reader would check it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib.contract import EMPLOYEES, ENTITIES, Entity
from orchestration.lib.frechet import frechet_distance
from orchestration.lib.simulator import (
    DEMO_END,
    DEMO_START,
    GO_LIVE_AT,
    MODEL_PRICES,
    OUTAGE,
    PLANTED,
    write_day,
    write_landing,
)

UTC_GO_LIVE = pd.Timestamp(GO_LIVE_AT)
BAD_FILES = {bad["file"] for bad in PLANTED["bad_files"]}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("landing")
    write_landing(path)
    return path


def _typed(frame: pd.DataFrame, entity: Entity) -> pd.DataFrame:
    """Cast a text file's columns to the contract types; `_unparseable` flags values that do not
    cast (Parquet files are typed already)."""
    out = frame.copy()
    unparseable = pd.Series(False, index=frame.index)
    for column in entity.own_columns:
        raw = frame[column.name]
        if column.type == "TIMESTAMP":
            value = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
        elif column.type == "DATE":
            value = pd.to_datetime(raw, errors="coerce").dt.date
        elif column.type == "BOOLEAN":
            value = raw.map({True: True, False: False, "True": True, "False": False})
            value = value.astype("boolean")
        elif column.type in ("BIGINT", "DOUBLE"):
            value = pd.to_numeric(raw, errors="coerce")
        else:
            value = raw
        unparseable |= raw.notna() & pd.isna(value)
        out[column.name] = value
    return out.assign(_unparseable=unparseable)


def _list_columns(entity: Entity) -> list[str]:
    return [c.name for c in entity.own_columns if c.type.endswith("[]")]


@cache
def read(landing: Path, name: str) -> pd.DataFrame:
    """Every landing file of an entity (but the planted bad file), typed, with file and row.
    Cached: tests only read the frames."""
    entity = ENTITIES[name]
    frames = []
    for path in sorted((landing / name).glob("date=*/*")):
        relative = path.relative_to(landing).as_posix()
        if relative in BAD_FILES:
            continue
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path).assign(_unparseable=False)
            for column in _list_columns(entity):  # tuples, so that rows can be compared
                frame[column] = frame[column].map(tuple, na_action="ignore")
        elif path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            frame = _typed(frame, entity)
        else:
            frame = _typed(pd.read_json(path, lines=True, dtype=False), entity)
        frames.append(frame.assign(_file=relative, _row=np.arange(len(frame))))
    return pd.concat(frames, ignore_index=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- determinism and independence of days
def test_same_seed_and_day_write_identical_bytes(tmp_path: Path) -> None:
    day = date(2026, 9, 23)
    write_day(tmp_path / "a", day, conversations_per_day=150)
    write_day(tmp_path / "b", day, conversations_per_day=150)
    write_day(tmp_path / "c", day, seed=8, conversations_per_day=150)
    first, second, other = (_files(tmp_path / x) for x in "abc")
    assert first == second
    conversations = "conversations/date=2026-09-23/conversations.parquet"
    assert first[conversations] != other[conversations]


@pytest.mark.parametrize("day", [date(2026, 9, 10), date(2026, 10, 2)])
def test_a_day_written_alone_equals_that_day_of_the_full_range(
    tmp_path: Path, landing: Path, day: date
) -> None:
    counts = write_day(tmp_path, day)
    alone = _files(tmp_path)
    in_range = {k: v for k, v in _files(landing).items() if f"date={day}" in k or "employees/" in k}
    assert alone == in_range
    assert counts["conversations"] == len(read(tmp_path, "conversations"))


def test_rewriting_a_day_replaces_its_folders(tmp_path: Path) -> None:
    day = date(2026, 8, 20)
    write_day(tmp_path, day, conversations_per_day=60)
    before = _files(tmp_path)
    (tmp_path / "conversations" / f"date={day}" / "stale.csv").write_text("x\n1\n")
    write_day(tmp_path, day, conversations_per_day=60)
    assert _files(tmp_path) == before


# --- completeness
def _header(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return pq.read_schema(path).names
    first = path.open().readline()
    return first.strip().split(",") if path.suffix == ".csv" else list(json.loads(first))


def test_every_file_has_every_contract_column_and_every_column_has_values(landing: Path) -> None:
    for name, entity in ENTITIES.items():
        contract = [c.name for c in entity.own_columns]
        files = sorted((landing / name).glob("date=*/*"))
        assert files, name
        for path in files:
            if path.relative_to(landing).as_posix() not in BAD_FILES:
                assert _header(path) == contract, path
        frame = read(landing, name)
        assert all(frame[column].notna().any() for column in contract), name
    roster = pd.read_parquet(landing / "employees" / "employees.parquet")
    assert list(roster.columns) == [c.name for c in EMPLOYEES.columns]


def test_parquet_files_carry_the_contract_types(landing: Path) -> None:
    expected = {
        "VARCHAR": pa.string(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "DOUBLE[]": pa.list_(pa.float64()),
    }
    for name, entity in ENTITIES.items():
        for path in sorted((landing / name).glob("date=*/*.parquet"))[:1]:
            schema = pq.read_schema(path)
            for column in entity.own_columns:
                assert schema.field(column.name).type == expected[column.type], (path, column)


# --- the planted defects, and nothing else
def _violations(name: str, frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    entity = ENTITIES[name]
    bad = frame["_unparseable"].copy()
    for column in entity.own_columns:
        value = frame[column.name]
        if column.required:
            bad |= value.isna()
        if column.min is not None:
            bad |= pd.to_numeric(value, errors="coerce") < column.min
        if column.max is not None:
            bad |= pd.to_numeric(value, errors="coerce") > column.max
        if column.values is not None:
            bad |= value.notna() & ~value.isin(column.values)
        if column.type.endswith("[]"):
            bad |= value.map(
                lambda v: len(v) == 0 or not np.isfinite(np.array(v, float)).all(),
                na_action="ignore",
            ).fillna(False)
        if column.same_length_within:
            day = frame[entity.event_time].dt.date
            length = value.map(len, na_action="ignore")
            groups = [frame["_file"], *(frame[g] for g in column.same_length_within), day]
            bad |= length != length.groupby(groups).transform(lambda n: n.mode().iloc[0])
    rows = {(name, f, int(r)) for f, r in frame.loc[bad, ["_file", "_row"]].itertuples(index=False)}
    with duckdb.connect() as con:
        con.register("t", frame.drop(columns=["_unparseable", *_list_columns(entity)]))
        for rule, _reason in entity.row_rules:
            found = con.execute(f"select _file, _row from t where not coalesce({rule}, true)")
            rows |= {(name, f, int(r)) for f, r in found.fetchall()}
    return rows


def test_only_the_planted_rows_break_the_contract(landing: Path) -> None:
    found = set()
    for name in ENTITIES:
        found |= _violations(name, read(landing, name))
    planted = {(b["entity"], b["file"], b["row_index"]) for b in PLANTED["bad_rows"]}
    assert found == planted


def test_only_the_planted_duplicate_and_correction_repeat_a_key(landing: Path) -> None:
    repeated = {}
    for name, entity in ENTITIES.items():
        frame = read(landing, name)
        contract = [c.name for c in entity.own_columns]
        exact = frame[frame.duplicated(subset=contract, keep="first")]
        for dup in PLANTED["duplicates"]:
            if dup["entity"] == name:
                assert exact[["_file", "_row"]].values.tolist() == [
                    [dup["file"], dup["duplicate_index"]]
                ]
        keyed = frame.dropna(subset=list(entity.key)).drop_duplicates(subset=contract)
        keys = keyed[keyed.duplicated(subset=list(entity.key), keep=False)]
        repeated[name] = sorted(set(keys[entity.key[0]]))
    correction = PLANTED["corrections"][0]
    assert repeated["conversations"] == [correction["key"]]
    assert all(not keys for name, keys in repeated.items() if name != "conversations")
    exact_total = sum(
        read(landing, n).duplicated(subset=[c.name for c in ENTITIES[n].own_columns]).sum()
        for n in ENTITIES
    )
    assert exact_total == len(PLANTED["duplicates"])


def test_the_bad_file_lacks_its_required_column_and_the_correction_flips_a_row(
    landing: Path,
) -> None:
    for bad in PLANTED["bad_files"]:
        frame = pd.read_parquet(landing / bad["file"])
        assert len(frame) == bad["rows"]
        assert bad["missing_column"] not in frame.columns
        assert bad["missing_column"] in {c.name for c in ENTITIES[bad["entity"]].columns}
    correction = PLANTED["corrections"][0]
    conversations = read(landing, "conversations")
    rows = conversations[conversations.conversation_id == correction["key"]]
    assert rows["_file"].tolist() == [correction["replaces_file"], correction["file"]]
    assert rows["resolved"].iloc[0] != rows["resolved"].iloc[1]
    assert rows["started_at"].nunique() == 1


# --- the planted effects
def test_support_go_live_has_a_human_only_pre_period(landing: Path) -> None:
    conversations = read(landing, "conversations")
    support = conversations[conversations.ai_system == "support_assistant"]
    pre = support[support.started_at < UTC_GO_LIVE]
    post = support[support.started_at >= UTC_GO_LIVE]
    assert (UTC_GO_LIVE.date() - DEMO_START).days >= 28
    assert not pre.ai_involved.any() and not pre.escalated_to_human.any()
    assert pre.started_at.min().date() == DEMO_START
    assert abs(post.ai_involved.mean() - PLANTED["go_live"]["ai_share_after"]) < 0.02
    deployments = read(landing, "deployments")
    go_live = deployments[deployments.ai_system == "support_assistant"].iloc[0]
    assert go_live.deployed_at == UTC_GO_LIVE and go_live.control_ai_system == "sales_agent"
    sales = conversations[conversations.ai_system == "sales_agent"]
    assert sales.ai_involved.all()


def test_experiment_shows_the_planted_lift_within_seven_days(landing: Path) -> None:
    plan = PLANTED["experiment"]
    units = read(landing, "experiments")
    revenue = read(landing, "revenue")
    orders = revenue[revenue.status == "completed"][["customer_id", "occurred_at"]]
    joined = units.merge(orders, left_on="unit_id", right_on="customer_id", how="left")
    window = pd.Timedelta(days=plan["window_days"])
    joined["converted"] = (joined.occurred_at >= joined.assigned_at) & (
        joined.occurred_at <= joined.assigned_at + window
    )
    rate = joined.groupby(["variant", "unit_id"]).converted.any().groupby("variant").mean()
    n = units.variant.value_counts()
    assert abs(n["treatment"] / n.sum() - plan["treatment_share"]) < 0.01
    assert abs(rate["control"] - plan["control_rate"]) < 0.01
    assert abs(rate["treatment"] - plan["treatment_rate"]) < 0.01
    lift = rate["treatment"] - rate["control"]
    se = np.sqrt(sum(rate[v] * (1 - rate[v]) / n[v] for v in ("control", "treatment")))
    assert abs(lift - plan["absolute_lift"]) < 0.01 and lift > 1.96 * se
    late = joined.occurred_at > joined.assigned_at + window
    assert late.sum() > 0, "late orders test the window"
    pending = revenue[(revenue.status == "pending") & revenue.customer_id.isin(units.unit_id)]
    assert len(pending) > 0, "pending orders must not count as conversions"
    assert units.assigned_at.max().date() == plan["last_day"]


def test_outage_lowers_uptime_and_fails_the_calls(landing: Path) -> None:
    uptime = read(landing, "uptime").dropna(subset=["up"])
    support = uptime[uptime.ai_system == "support_assistant"]
    daily = support.groupby(support.checked_at.dt.date).up.mean()
    outage_day = OUTAGE[0].date()
    assert daily[outage_day] < 0.9 < daily.drop(outage_day).min()
    in_window = support[(support.checked_at >= OUTAGE[0]) & (support.checked_at < OUTAGE[1])]
    assert len(in_window) == PLANTED["outage"]["failed_checks"] and not in_window.up.any()
    calls = read(landing, "llm_calls")
    window = calls[(calls.started_at >= OUTAGE[0]) & (calls.started_at < OUTAGE[1])]
    window = window[window.ai_system == "support_assistant"]
    assert len(window) > 0 and (window.status == "error").all()
    assert window.duration_ms.median() > 20 * calls.duration_ms.median()
    assert (support.checked_at.dt.minute % 5 == 0).all()
    assert support.checked_at.min() == UTC_GO_LIVE


def test_fairness_gaps_in_resolution_and_positive_predictions(landing: Path) -> None:
    conversations = read(landing, "conversations")
    ai = conversations[conversations.ai_involved & (conversations.ai_system == "support_assistant")]
    resolved = (ai.resolved & ~ai.escalated_to_human).groupby(ai.customer_group).mean()
    assert resolved["A"] - resolved["B"] > 0.05
    assert resolved["B"] / resolved["A"] < 0.92
    predictions = read(landing, "predictions")
    fraud = predictions[predictions.task == "fraud_flag"]
    positive = (fraud.predicted_label == "true").groupby(fraud.group).mean()
    assert positive["B"] - positive["A"] > 0.02
    tasks = set(predictions.task)
    assert tasks == {"fraud_flag", "claim_category", "claim_amount"}
    amounts = predictions[predictions.task == "claim_amount"]
    assert amounts.predicted_value.notna().all() and amounts.actual_value.notna().mean() > 0.8


def test_repeat_contacts_make_first_contact_resolution_lower(landing: Path) -> None:
    conversations = read(landing, "conversations").drop_duplicates("conversation_id", keep="last")
    frame = conversations.dropna(subset=["customer_id"]).sort_values("started_at")
    issue = frame.issue_key.fillna(frame.intent)
    following = frame.groupby([frame.customer_id, issue]).started_at.shift(-1)
    repeat = following - frame.started_at <= pd.Timedelta(days=7)
    fcr = (frame.resolved & ~frame.escalated_to_human & ~repeat).mean()
    assert 0.05 < repeat.mean() < 0.12
    assert fcr < frame.resolved.mean() - 0.05


def test_calls_have_two_to_six_spans_and_partial_pricing(landing: Path) -> None:
    calls = read(landing, "llm_calls")
    agent = calls[calls.conversation_id.notna()]
    spans = agent.groupby("conversation_id").size()
    assert spans.min() == 2 and spans.max() == 6
    assert set(calls.operation) == {
        "invoke_agent",
        "chat",
        "execute_tool",
        "embeddings",
        "text_completion",
    }
    assert 0.05 < calls.cost_usd.notna().mean() < 0.5
    assert calls.logprob_sum.notna().any() and (calls.logprob_sum.dropna() <= 0).all()
    assert (calls.duration_ms % 1 != 0).mean() > 0.9, "durations keep their sub-ms part"
    models = {(m.provider, m.model) for m in MODEL_PRICES}
    assert set(map(tuple, calls[["provider", "model"]].drop_duplicates().values)) == models
    priced = calls.dropna(subset=["cost_usd"])
    price = next(m for m in MODEL_PRICES if m.provider == "anthropic")
    expected = (
        priced.input_tokens * price.input_usd_per_1k
        + priced.output_tokens * price.output_usd_per_1k
    ) / 1000
    assert np.allclose(priced.cost_usd, expected, atol=1e-7)


def test_costs_miss_the_planted_bill_days_and_span_periods(landing: Path) -> None:
    costs = read(landing, "costs")
    inference = costs[(costs.cost_type == "ai_inference") & (costs.billed_cost > 0)]
    openai_days = set(inference[inference.provider_name == "openai"].charge_period_start.dt.date)
    missing = set(PLANTED["costs"]["missing_bills"]["openai"])
    live_days = {
        UTC_GO_LIVE.date() + timedelta(i) for i in range((DEMO_END - UTC_GO_LIVE.date()).days + 1)
    }
    assert openai_days == live_days - missing and missing & live_days
    platform = costs[costs.cost_type == "ai_platform"]
    assert len(platform) == 3 and platform.ai_system.isna().all()
    assert ((platform.charge_period_end - platform.charge_period_start).dt.days >= 28).all()
    assert set(costs.billing_currency) == {"USD", "EUR"}
    credit = costs[costs.billed_cost < 0]
    assert len(credit) == 1 and credit.charge_period_start.dt.date.iloc[0] in openai_days
    implementation = costs[costs.cost_type == "ai_implementation"]
    assert set(implementation.charge_period_start.dt.date) == {
        PLANTED["go_live"]["deployed_at"].date(),
        PLANTED["sales_rollout"]["deployed_at"].date(),
    }
    assert costs[costs.cost_type == "human_labor"].cost_id.isna().all()
    revenue = read(landing, "revenue")
    assert set(revenue.currency) == {"USD", "EUR"} and (revenue.amount < 0).any()
    assert revenue.attributed_conversation_id.notna().any()


def test_links_between_entities_resolve(landing: Path) -> None:
    conversations = read(landing, "conversations")
    known = set(conversations.conversation_id)
    for name, column in [
        ("llm_calls", "conversation_id"),
        ("evaluations", "conversation_id"),
        ("feedback", "conversation_id"),
        ("revenue", "attributed_conversation_id"),
    ]:
        ids = set(read(landing, name)[column].dropna())
        assert ids and ids <= known, name
    units = set(read(landing, "experiments").unit_id)
    sales = conversations[conversations.ai_system == "sales_agent"]
    assert set(read(landing, "revenue").customer_id) & units
    assert set(sales.customer_id) & units


def test_employee_adoption_is_about_sixty_percent(landing: Path) -> None:
    usage = read(landing, "employee_usage")
    roster = pd.read_parquet(landing / "employees" / "employees.parquet")
    eligible = set(roster[roster.eligible].employee_id)
    week = pd.to_datetime(usage.usage_date).dt.to_period("W")
    adoption = usage[usage.employee_id.isin(eligible)].groupby(week).employee_id.nunique()
    assert ((adoption / len(eligible)).between(0.55, 0.62)).all()
    assert not set(usage.employee_id) <= eligible, "a few ineligible people use it too"


def test_image_features_come_from_the_planted_gaussians(landing: Path) -> None:
    plan = PLANTED["image_features"]
    features = read(landing, "image_features")
    assert set(features.ai_system) == {plan["ai_system"]}
    days = features.groupby(features.created_at.dt.date).set.value_counts().unstack()
    assert len(days) == (DEMO_END - DEMO_START).days + 1
    assert (days["real"] == plan["real_per_day"]).all()
    assert (days["generated"] == plan["generated_per_day"]).all()
    vectors = {
        kind: np.array(features.loc[features.set == kind, "vector"].to_list())
        for kind in ("real", "generated")
    }
    assert vectors["real"].shape[1] == plan["dimension"]
    real_std = np.array(plan["real_std"])
    assert np.allclose(vectors["real"].mean(axis=0), plan["real_mean"], atol=0.1)
    assert np.allclose(vectors["real"].std(axis=0), real_std, rtol=0.1)
    offset = vectors["generated"].mean(axis=0) - vectors["real"].mean(axis=0)
    assert np.allclose(offset, plan["generated_mean_offset"], atol=0.1)
    scale = (vectors["generated"].std(axis=0) / vectors["real"].std(axis=0)) ** 2
    assert np.allclose(scale, plan["generated_covariance_scale"], rtol=0.1)
    closed_form = np.sum(np.square(plan["generated_mean_offset"])) + (
        1 - np.sqrt(plan["generated_covariance_scale"])
    ) ** 2 * np.sum(real_std**2)
    assert plan["population_fid"] == pytest.approx(closed_form)
    # The whole range is a large sample: its FID is close to the population's.
    whole = frechet_distance(vectors["real"], vectors["generated"])
    assert whole == pytest.approx(plan["population_fid"], abs=0.1)


# --- formats
def test_text_formats_use_offsets_python_booleans_and_float_counts(landing: Path) -> None:
    uptime = (landing / "uptime" / "date=2026-09-23" / "uptime.csv").read_text().splitlines()
    assert uptime[1].split(",")[1].endswith("+02:00") and uptime[1].split(",")[2] in (
        "True",
        "False",
    )
    assert uptime[1].split(",")[1].startswith("2026-09-23T02:00:00")
    usage = pd.read_csv(
        landing / "employee_usage" / "date=2026-09-23" / "employee_usage.csv", dtype=str
    )
    assert usage.sessions.str.endswith(".0").all()
    line = (landing / "evaluations" / "date=2026-09-23" / "evaluations.jsonl").read_text()
    first = json.loads(line.splitlines()[0])
    assert first["evaluated_at"].endswith("Z")
    texts = read(landing, "evaluations").dropna(subset=["response_text"])
    assert len(texts) > 100 and texts.reference_text.notna().all()
    assert set(read(landing, "evaluations").evaluator) == {"llm_judge", "human", "heuristic"}


def test_otlp_export_follows_the_genai_conventions(landing: Path) -> None:
    path = landing / "otlp" / f"date={OUTAGE[0].date()}" / "traces.json"
    export = json.loads(path.read_text())
    resource = export["resourceSpans"][0]
    assert resource["resource"]["attributes"][0] == {
        "key": "service.name",
        "value": {"stringValue": "sales_agent"},
    }
    spans = resource["scopeSpans"][0]["spans"]
    attributes = [{a["key"]: a["value"] for a in s["attributes"]} for s in spans]
    assert all("gen_ai.operation.name" in a and "gen_ai.request.model" in a for a in attributes)
    assert all(("gen_ai.provider.name" in a) != ("gen_ai.system" in a) for a in attributes)
    tokens = [
        a["gen_ai.usage.input_tokens"] for a in attributes if "gen_ai.usage.input_tokens" in a
    ]
    assert tokens and all(isinstance(t["intValue"], str) for t in tokens)
    assert any("gen_ai.tool.name" in a for a in attributes)
    assert all(int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"]) for s in spans)
    calls = read(landing, "llm_calls")
    ids = {s["spanId"] for s in spans}
    assert not ids & set(calls.span_id), "a span is either in OTLP or in llm_calls, never both"
    conversation_ids = {a["gen_ai.conversation.id"]["stringValue"] for a in attributes}
    conversations = read(landing, "conversations")
    assert conversation_ids <= set(conversations.conversation_id)
    errors = [
        s
        for s in json.loads(path.read_text())["resourceSpans"][0]["scopeSpans"][0]["spans"]
        if s["status"]
    ]
    assert all(s["status"]["code"] == 2 for s in errors)
    all_errors = sum(
        any(
            s["status"]
            for s in json.loads(p.read_text())["resourceSpans"][0]["scopeSpans"][0]["spans"]
        )
        for p in (landing / "otlp").glob("date=*/traces.json")
    )
    assert all_errors > 0
