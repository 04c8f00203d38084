"""The recompute window's look-back (dbt_project/macros/incremental_window.sql) may be dropped,
with meta looks_ahead: false, only by a model that reads no incremental model keeping it: else a
new day would change rows upstream that the narrower window does not rebuild."""

import json

from tests.conftest import MANIFEST


def _models() -> dict[str, dict]:
    nodes = json.loads(MANIFEST.read_text())["nodes"]
    return {key: node for key, node in nodes.items() if node["resource_type"] == "model"}


def _looks_ahead(node: dict) -> bool:
    return node["config"].get("meta", {}).get("looks_ahead", True)


def _upstream(models: dict[str, dict], key: str) -> set[str]:
    seen: set[str] = set()
    pending = [key]
    while pending:
        for parent in models[pending.pop()]["depends_on"]["nodes"]:
            if parent in models and parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen


def test_a_model_without_the_look_back_reads_none_that_keeps_it():
    models = _models()
    narrow = [key for key, node in models.items() if not _looks_ahead(node)]
    assert "model.ai_metrics_warehouse.int_llm_calls_priced" in narrow
    offending = {
        key: sorted(
            parent
            for parent in _upstream(models, key)
            if models[parent]["config"]["materialized"] == "incremental"
            and _looks_ahead(models[parent])
        )
        for key in narrow
    }
    assert {key: parents for key, parents in offending.items() if parents} == {}


def test_the_models_that_look_at_later_days_keep_the_look_back():
    models = _models()
    for name in ("int_conversations_enriched", "int_conversations_aggregated", "metric_values"):
        (node,) = [node for node in models.values() if node["name"] == name]
        assert _looks_ahead(node), name
