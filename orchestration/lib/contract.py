"""The input contract of PRODUCT.md section 2, as data.

Every piece that reads, writes or checks landing files (the loader, the simulator, the quality
suites, the dbt sources) takes column names, types and rules from here, so the contract is stated
once. Types are DuckDB types of the typed `raw.<entity>` tables: timestamps are UTC `TIMESTAMP`
(an input without an offset is UTC), flags `BOOLEAN`, counts `BIGINT`, measures `DOUBLE`, and
feature vectors `DOUBLE[]` (a Parquet list column, or a JSON array such as `[0.12, -0.5, 3]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # VARCHAR, TIMESTAMP, BOOLEAN, BIGINT, DOUBLE, DATE, DOUBLE[]
    required: bool = False
    # Inclusive numeric bounds, checked on the typed value; None means unbounded.
    min: float | None = None
    max: float | None = None
    # Closed set of accepted values (compared as text); None means any.
    values: tuple[str, ...] | None = None
    # Lists only: rows with equal values in these columns and the same event day hold lists of
    # one length (the most common one among them in the file; a row of another length is bad).
    same_length_within: tuple[str, ...] | None = None
    # Only another layout (FOCUS) supplies it: files in the contract's own columns never do.
    layout_only: bool = False


@dataclass(frozen=True)
class Layout:
    """Another column layout an entity's files may come in, as an exporter writes them (FOCUS
    for costs). A file is read with it when it sits in the layout's own landing folder or has
    one of its `markers` columns; its column names are matched without regard to case.
    """

    name: str
    # Contract column -> the layout's names for it, in order of preference (FOCUS 1.3 renamed
    # ProviderName to ServiceProviderName).
    columns: dict[str, tuple[str, ...]]
    # Contract columns a file of this layout must have, with a value in every row: they replace
    # the contract's own required columns.
    required: tuple[str, ...]
    markers: tuple[str, ...]
    # A landing folder beside the entity's own whose files are all in this layout.
    folder: str

    def source_names(self, column: str) -> tuple[str, ...]:
        return self.columns.get(column, ())


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    # The column whose UTC day a row belongs to (the contract's ⏱ column).
    event_time: str
    # Columns that identify a row: a later row with the same key replaces an earlier one. A row
    # whose key is missing (a cost without cost_id) is identified by its whole source record:
    # two such rows are duplicates only when every column of their files is equal.
    key: tuple[str, ...]
    # Row rules beyond single columns: (SQL predicate over typed columns that must hold, reason).
    row_rules: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Other column layouts its files may come in.
    layouts: tuple[Layout, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def required_in_every_layout(self) -> tuple[str, ...]:
        """What every loaded row has, whatever layout its file came in."""
        return tuple(
            name for name in self.required if all(name in lay.required for lay in self.layouts)
        )

    @property
    def own_columns(self) -> tuple[Column, ...]:
        """The columns of a file in the contract's own layout."""
        return tuple(c for c in self.columns if not c.layout_only)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def in_layout(self, layout: Layout) -> Entity:
        """The entity as a file of that layout is checked: the layout's required columns."""
        columns = tuple(replace(c, required=c.name in layout.required) for c in self.columns)
        return replace(self, columns=columns)


def _c(name: str, type_: str = "VARCHAR", required: bool = False, **rules) -> Column:
    return Column(name, type_, required, **rules)


def R(name: str, type_: str = "VARCHAR", **rules) -> Column:  # reads like the contract's "R"
    return _c(name, type_, True, **rules)


def O(name: str, type_: str = "VARCHAR", **rules) -> Column:  # noqa: E743 - the contract's "O"
    return _c(name, type_, False, **rules)


# Texts that mean "missing" in a number, boolean, date or time column (compared in lower case),
# beside an empty value: pandas' and Python's NaN, R's and spreadsheets' NA, JSON's null. In a
# text column only an empty value (and a JSON null or NaN literal) is missing: "NA" is a value.
MISSING_MARKERS = ("nan", "-nan", "na", "n/a", "null", "none")

USE_CASES = ("customer_service", "sales", "marketing", "operations", "content")
COST_TYPES = ("ai_inference", "ai_platform", "ai_implementation", "human_labor", "other")
# The FinOps FOCUS columns (1.0 to 1.3) a cost file is read with, by the contract column they
# fill; a FOCUS row's cost type and program are derived when dbt runs (staging), from settings
# and the `focus_cost_types` reference table, so that changing them needs no reload.
FOCUS = Layout(
    name="FOCUS",
    columns={
        "charge_period_start": ("ChargePeriodStart",),
        "charge_period_end": ("ChargePeriodEnd",),
        "billed_cost": ("BilledCost",),
        "billing_currency": ("BillingCurrency",),
        "service_name": ("ServiceName",),
        "provider_name": ("ProviderName", "ServiceProviderName"),
        "effective_cost": ("EffectiveCost",),
        "list_cost": ("ListCost",),
        "contracted_cost": ("ContractedCost",),
        "charge_category": ("ChargeCategory",),
        "charge_class": ("ChargeClass",),
        "charge_description": ("ChargeDescription",),
        "service_category": ("ServiceCategory",),
        "service_subcategory": ("ServiceSubcategory",),
        "resource_id": ("ResourceId",),
        "sku_id": ("SkuId",),
        "sub_account_id": ("SubAccountId",),
        "commitment_discount_id": ("CommitmentDiscountId",),
        "commitment_discount_status": ("CommitmentDiscountStatus",),
        "tags": ("Tags",),
    },
    required=(
        "charge_period_start",
        "charge_period_end",
        "billed_cost",
        "billing_currency",
        "charge_category",
    ),
    markers=("BilledCost", "ChargePeriodStart", "EffectiveCost", "ChargeCategory"),
    folder="focus",
)
# The FOCUS cost columns the `focus_cost_column` setting may name, by their contract column.
FOCUS_COST_COLUMNS = {
    "BilledCost": "billed_cost",
    "EffectiveCost": "effective_cost",
    "ListCost": "list_cost",
    "ContractedCost": "contracted_cost",
}
IMAGE_FEATURE_SETS = ("real", "generated")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "conversations",
            (
                R("conversation_id"),
                R("ai_system"),
                R("started_at", "TIMESTAMP"),
                R("ended_at", "TIMESTAMP"),
                R("customer_id"),
                R("ai_involved", "BOOLEAN"),
                R("escalated_to_human", "BOOLEAN"),
                R("resolved", "BOOLEAN"),
                O("resolved_at", "TIMESTAMP"),
                O("use_case", values=USE_CASES),
                O("channel"),
                O("language"),
                O("region"),
                O("customer_segment"),
                O("intent"),
                O("issue_key"),
                O("customer_group"),
                O("task_completed", "BOOLEAN"),
                O("human_handle_seconds", "DOUBLE", min=0),
                O("csat", "DOUBLE", min=1, max=5),
                O("sentiment_start", "DOUBLE", min=-1, max=1),
                O("sentiment_end", "DOUBLE", min=-1, max=1),
            ),
            event_time="started_at",
            key=("conversation_id",),
            row_rules=(
                ("ended_at >= started_at", "ended_at is before started_at"),
                (
                    "resolved_at is null or resolved_at >= started_at",
                    "resolved_at is before started_at",
                ),
                (
                    "ai_involved or not escalated_to_human",
                    "escalated_to_human is true but ai_involved is false",
                ),
            ),
        ),
        Entity(
            "llm_calls",
            (
                R("span_id"),
                O("trace_id"),
                O("parent_span_id"),
                O("conversation_id"),
                R("ai_system"),
                R("operation"),
                O("provider"),
                R("model"),
                R("started_at", "TIMESTAMP"),
                R("duration_ms", "DOUBLE", min=0),
                O("input_tokens", "BIGINT", min=0),
                O("output_tokens", "BIGINT", min=0),
                R("status", values=("ok", "error")),
                O("error_type"),
                O("tool_name"),
                O("action_correct", "BOOLEAN"),
                O("human_intervened", "BOOLEAN"),
                O("guardrail_triggered", "BOOLEAN"),
                O("logprob_sum", "DOUBLE", max=0),
                O("logprob_tokens", "BIGINT", min=0),
                O("cost_usd", "DOUBLE", min=0),
            ),
            event_time="started_at",
            key=("span_id",),
        ),
        Entity(
            "evaluations",
            (
                R("evaluation_id"),
                R("ai_system"),
                R("evaluated_at", "TIMESTAMP"),
                R("evaluator"),
                O("conversation_id"),
                O("span_id"),
                O("response_text"),
                O("reference_text"),
                O("hallucination", "BOOLEAN"),
                O("factual", "BOOLEAN"),
                O("tone_score", "DOUBLE", min=0, max=1),
                O("empathy_score", "DOUBLE", min=0, max=1),
                O("quality_score", "DOUBLE", min=0, max=1),
                O("explanation_present", "BOOLEAN"),
                O("compliant", "BOOLEAN"),
            ),
            event_time="evaluated_at",
            key=("evaluation_id",),
        ),
        Entity(
            "feedback",
            (
                R("feedback_id"),
                R("ai_system"),
                R("created_at", "TIMESTAMP"),
                O("conversation_id"),
                R("kind", values=("thumbs", "rating", "preference")),
                R("value", "DOUBLE"),
            ),
            event_time="created_at",
            key=("feedback_id",),
            row_rules=(
                (
                    "(kind = 'thumbs' and value in (-1, 1))"
                    " or (kind = 'rating' and value between 1 and 5)"
                    " or (kind = 'preference' and value in (0, 0.5, 1))",
                    "value is out of range for its kind",
                ),
            ),
        ),
        Entity(
            "predictions",
            (
                R("prediction_id"),
                R("ai_system"),
                R("model"),
                R("task"),
                R("predicted_at", "TIMESTAMP"),
                O("predicted_label"),
                O("actual_label"),
                O("score", "DOUBLE", min=0, max=1),
                O("predicted_value", "DOUBLE"),
                O("actual_value", "DOUBLE"),
                O("group"),
            ),
            event_time="predicted_at",
            key=("prediction_id",),
        ),
        Entity(
            "costs",
            (
                O("cost_id"),
                R("charge_period_start", "TIMESTAMP"),
                R("charge_period_end", "TIMESTAMP"),
                R("billed_cost", "DOUBLE"),
                R("billing_currency"),
                R("cost_type", values=COST_TYPES),
                O("ai_system"),
                O("service_name"),
                O("provider_name"),
                *(
                    O(name, type_, layout_only=True)
                    for name, type_ in (
                        ("effective_cost", "DOUBLE"),
                        ("list_cost", "DOUBLE"),
                        ("contracted_cost", "DOUBLE"),
                        ("charge_category", "VARCHAR"),
                        ("charge_class", "VARCHAR"),
                        ("charge_description", "VARCHAR"),
                        ("service_category", "VARCHAR"),
                        ("service_subcategory", "VARCHAR"),
                        ("resource_id", "VARCHAR"),
                        ("sku_id", "VARCHAR"),
                        ("sub_account_id", "VARCHAR"),
                        ("commitment_discount_id", "VARCHAR"),
                        ("commitment_discount_status", "VARCHAR"),
                        ("tags", "VARCHAR"),
                    )
                ),
            ),
            event_time="charge_period_start",
            # Without a cost_id (FOCUS rows never have one) the key is the whole source record.
            key=("cost_id",),
            row_rules=(
                (
                    "charge_period_end > charge_period_start",
                    "charge_period_end is not after charge_period_start",
                ),
                ("length(billing_currency) = 3", "billing_currency is not an ISO 4217 code"),
            ),
            layouts=(FOCUS,),
        ),
        Entity(
            "revenue",
            (
                R("order_id"),
                R("customer_id"),
                R("occurred_at", "TIMESTAMP"),
                R("amount", "DOUBLE"),
                R("currency"),
                O("status"),
                O("attributed_conversation_id"),
            ),
            event_time="occurred_at",
            key=("order_id",),
            row_rules=(("length(currency) = 3", "currency is not an ISO 4217 code"),),
        ),
        Entity(
            "experiments",
            (
                R("experiment_id"),
                R("ai_system"),
                R("unit_id"),
                R("variant", values=("control", "treatment")),
                R("assigned_at", "TIMESTAMP"),
            ),
            event_time="assigned_at",
            key=("experiment_id", "unit_id"),
        ),
        Entity(
            "deployments",
            (
                R("ai_system"),
                R("deployed_at", "TIMESTAMP"),
                O("version"),
                O("description"),
                O("control_ai_system"),
            ),
            event_time="deployed_at",
            key=("ai_system", "deployed_at"),
        ),
        Entity(
            "uptime",
            (R("ai_system"), R("checked_at", "TIMESTAMP"), R("up", "BOOLEAN")),
            event_time="checked_at",
            key=("ai_system", "checked_at"),
        ),
        Entity(
            "employee_usage",
            (
                R("employee_id"),
                R("ai_system"),
                R("usage_date", "DATE"),
                O("team"),
                R("sessions", "BIGINT", min=0),
                O("minutes_saved", "DOUBLE", min=0),
                O("satisfaction", "DOUBLE", min=1, max=5),
            ),
            event_time="usage_date",
            key=("employee_id", "ai_system", "usage_date"),
        ),
        # Optional feed (a landing folder without it loads nothing): image feature vectors of
        # real and generated images, the input of the fid metric.
        Entity(
            "image_features",
            (
                R("feature_id"),
                R("ai_system"),
                R("created_at", "TIMESTAMP"),
                R("set", values=IMAGE_FEATURE_SETS),
                R("vector", "DOUBLE[]", same_length_within=("ai_system",)),
            ),
            event_time="created_at",
            key=("feature_id",),
        ),
    )
}

# The roster is a snapshot, not a daily feed: the latest file (in path order) is the roster.
EMPLOYEES = Entity(
    "employees",
    (R("employee_id"), O("team"), R("eligible", "BOOLEAN")),
    event_time="",
    key=("employee_id",),
)

# Reference tables a user may override with `<landing>/reference/<name>.csv`; the defaults are the
# dbt seeds of the same name. Column lists match the seeds.
REFERENCE_TABLES: dict[str, tuple[str, ...]] = {
    "fx_rates": ("currency", "date", "usd_rate"),
    "labor_rates": ("role", "hourly_usd", "valid_from"),
    "model_prices": ("provider", "model", "input_usd_per_1k", "output_usd_per_1k", "valid_from"),
    "targets": ("metric_name", "ai_system", "target", "direction", "min_sample_size"),
    "experiment_settings": ("experiment_id", "expected_treatment_share", "conversion_window_days"),
    "settings": ("name", "value"),
    "focus_cost_types": ("charge_category", "service_category", "tagged", "cost_type"),
}

# Columns the loader adds to every typed raw table, after the contract's own columns.
RAW_META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_partition_date", "DATE"),  # the landing partition (date= folder) the row was loaded with
    ("_event_date", "DATE"),  # UTC day of the event-time column: the day the row belongs to
    ("_source_file", "VARCHAR"),  # path relative to the landing directory
    ("_row_number", "BIGINT"),  # line number in CSV/JSONL (header is line 1), row number in Parquet
    ("_row_key", "VARCHAR"),  # the key columns joined, or the row hash when the entity has none
    ("_row_hash", "VARCHAR"),  # hash of the typed contract columns: equal hash = exact duplicate
    ("_disposition", "VARCHAR"),  # loaded | duplicate | replaced (only `loaded` rows reach staging)
    ("_loaded_at", "TIMESTAMP"),
)


def quote_identifier(name: str) -> str:
    """Quote a column name for DuckDB: contract names include SQL keywords such as `group`."""
    return '"' + name.replace('"', '""') + '"'


def raw_columns(entity: Entity) -> tuple[tuple[str, str], ...]:
    """The columns of `raw.<entity>`: the contract's, in contract order, then the loader's."""
    return tuple((c.name, c.type) for c in entity.columns) + RAW_META_COLUMNS


def create_table_sql(table: str, columns: tuple[tuple[str, str], ...]) -> str:
    """`create table if not exists` DDL for a qualified table name and (name, type) pairs."""
    body = ", ".join(f"{quote_identifier(name)} {type_}" for name, type_ in columns)
    return f"create table if not exists {table} ({body})"
