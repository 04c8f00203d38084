"""The input contract, as data: what a landing folder holds and what each row must meet.

Every piece that reads, writes or checks landing files (the loader, the simulator, the quality
suites, the dbt sources) takes column names, types and rules from here, so the contract is stated
once. Types are DuckDB types of the typed `raw.<entity>` tables: timestamps are UTC `TIMESTAMP`
(an input without an offset is UTC), flags `BOOLEAN`, counts `BIGINT`, measures `DOUBLE`, and
feature vectors `DOUBLE[]` (a Parquet list column, or a JSON array such as `[0.12, -0.5, 3]`).

Entities, columns, layouts and reference tables carry a `doc` for their users:
`python -m orchestration.lib.contract` writes the reference page `docs/input_contract.md` from
this data, and `render()` returns the same text, so a test can tell when the page is stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchestration.lib.environment import REPO_ROOT
from orchestration.lib.generated import write_changed


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
    # What the column means to a user: its unit, and its values where the rules do not say.
    doc: str = field(default="", kw_only=True)


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
    # What such a file is, and how its rows count where they differ from the contract's own.
    doc: str = field(default="", kw_only=True)

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
    # What one row is, for a user.
    doc: str = field(default="", kw_only=True)

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

# How a value of each contract type is written in a file (the readers accept exactly these).
VALUE_FORMATS = {
    "VARCHAR": "text",
    "TIMESTAMP": "an ISO-8601 date and time such as `2026-08-03T14:05:09Z` or "
    "`2026-08-03 16:05:09.250+02:00`; an offset is converted to UTC, a value without one is UTC",
    "DATE": "a date, `YYYY-MM-DD` (a timestamp counts by its UTC date)",
    "BOOLEAN": "`true` or `false`, also `t`/`f`, `1`/`0`, `yes`/`no`, `y`/`n`, in any case",
    "BIGINT": "a whole number (`5` and `5.0`, not `5.5`)",
    "DOUBLE": "a finite number",
    "DOUBLE[]": "a non-empty list of finite numbers: a Parquet list, or a JSON array such as "
    "`[0.12, -0.5, 3]` (in CSV a quoted field)",
}

# Operations of an agent rather than of a model: their spans name no model (a tool runs code).
AGENT_OPERATIONS = ("execute_tool", "invoke_agent", "create_agent")

USE_CASES = ("customer_service", "sales", "marketing", "operations", "content")
COST_TYPES = ("ai_inference", "ai_platform", "ai_implementation", "human_labor", "other")
# The FOCUS cost columns the `focus_cost_column` setting may name, by their contract column.
FOCUS_COST_COLUMNS = {
    "BilledCost": "billed_cost",
    "EffectiveCost": "effective_cost",
    "ListCost": "list_cost",
    "ContractedCost": "contracted_cost",
}
# The FinOps FOCUS columns (1.0 to 1.3) a cost file is read with, by the contract column they
# fill; a FOCUS row's cost type and program are derived when dbt runs (int_costs_classified), from
# settings and the `focus_cost_types` reference table, so that changing them needs no reload.
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
    doc="A FinOps FOCUS cost and usage export (FOCUS 1.0 to 1.3) as a cloud or SaaS provider "
    "writes it, one row per charge. Its rows carry no id, cost type or program: when dbt runs, "
    "the amount that counts is the FOCUS column the setting `focus_cost_column` names (one of "
    f"{', '.join(f'`{name}`' for name in FOCUS_COST_COLUMNS)}), the program is the value of the "
    "tag the setting `focus_ai_system_tag` names (`unallocated` without one), and the cost type "
    "comes from the reference table `focus_cost_types`; changing them needs no reload.",
)
IMAGE_FEATURE_SETS = ("real", "generated")

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "conversations",
            doc="One customer contact (chat, call, email or task) in an AI program, whether or "
            "not the AI took part.",
            columns=(
                R("conversation_id", doc="Unique id of the contact."),
                R(
                    "ai_system",
                    doc="The AI program or queue the contact belongs to, also when people "
                    "alone handled it and before the AI went live.",
                ),
                R("started_at", "TIMESTAMP", doc="When the contact started."),
                R("ended_at", "TIMESTAMP", doc="When the contact ended."),
                R(
                    "customer_id",
                    doc="The customer's key; personal data, hashed from staging on.",
                ),
                R("ai_involved", "BOOLEAN", doc="The AI took part in the contact."),
                R(
                    "escalated_to_human",
                    "BOOLEAN",
                    doc="The AI handed the contact to a person; false when the AI took no part.",
                ),
                R(
                    "resolved",
                    "BOOLEAN",
                    doc="The customer's issue was solved in this contact.",
                ),
                O("resolved_at", "TIMESTAMP", doc="When the issue was solved."),
                O(
                    "use_case",
                    values=USE_CASES,
                    doc="The kind of work the program does; missing means `customer_service`.",
                ),
                O("channel", doc="Where the contact happened (chat, voice, email, …): a segment."),
                O("language", doc="Language of the contact: a segment."),
                O("region", doc="The customer's region: a segment."),
                O("customer_segment", doc="The customer's segment (e.g. a tier): a segment."),
                O("intent", doc="What the customer wanted, as classified: a segment."),
                O(
                    "issue_key",
                    doc="Groups repeat contacts about one issue, for first-contact resolution; "
                    "missing means the intent.",
                ),
                O(
                    "customer_group",
                    doc="A sensitive attribute of the customer for fairness analysis, where "
                    "policy allows collecting it.",
                ),
                O(
                    "task_completed",
                    "BOOLEAN",
                    doc="The AI agent reached the customer's goal.",
                ),
                O(
                    "human_handle_seconds",
                    "DOUBLE",
                    min=0,
                    doc="Seconds of people's working time spent on the contact.",
                ),
                O(
                    "csat",
                    "DOUBLE",
                    min=1,
                    max=5,
                    doc="Customer satisfaction score given for the contact, 1 (worst) to 5.",
                ),
                O(
                    "sentiment_start",
                    "DOUBLE",
                    min=-1,
                    max=1,
                    doc="Customer sentiment at the start, -1 (negative) to 1 (positive).",
                ),
                O(
                    "sentiment_end",
                    "DOUBLE",
                    min=-1,
                    max=1,
                    doc="Customer sentiment at the end, -1 (negative) to 1 (positive).",
                ),
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
            doc="One model call or agent step: an OpenTelemetry GenAI span.",
            columns=(
                R("span_id", doc="Unique id of the span."),
                O("trace_id", doc="The trace the span belongs to."),
                O("parent_span_id", doc="The span that started this one; missing for a root."),
                O("conversation_id", doc="The conversation the call served, when known."),
                R("ai_system", doc="The AI program that made the call."),
                R(
                    "operation",
                    doc="What the call did, as `gen_ai.operation.name`: `chat`, "
                    "`text_completion`, `embeddings`, `execute_tool`, `invoke_agent`, …",
                ),
                O("provider", doc="Who serves the model (`openai`, `anthropic`, …)."),
                O(
                    "model",
                    doc="The model called; required but on the agent operations "
                    "(execute_tool, invoke_agent, create_agent), whose spans the OpenTelemetry "
                    "GenAI conventions leave without one.",
                ),
                R("started_at", "TIMESTAMP", doc="When the call started."),
                R("duration_ms", "DOUBLE", min=0, doc="How long the call took, in ms."),
                O("input_tokens", "BIGINT", min=0, doc="Tokens sent to the model."),
                O("output_tokens", "BIGINT", min=0, doc="Tokens the model returned."),
                R("status", values=("ok", "error"), doc="Whether the call succeeded."),
                O("error_type", doc="The kind of error of a failed call."),
                O("tool_name", doc="The tool an `execute_tool` step ran."),
                O(
                    "action_correct",
                    "BOOLEAN",
                    doc="A label: the tool or agent action was the right one.",
                ),
                O(
                    "human_intervened",
                    "BOOLEAN",
                    doc="A person stepped in on this step.",
                ),
                O(
                    "guardrail_triggered",
                    "BOOLEAN",
                    doc="A guardrail (a safety or policy filter) fired on the call.",
                ),
                O(
                    "logprob_sum",
                    "DOUBLE",
                    max=0,
                    doc="Sum of the natural-log probabilities of `logprob_tokens` output "
                    "tokens, for perplexity.",
                ),
                O(
                    "logprob_tokens",
                    "BIGINT",
                    min=0,
                    doc="How many output tokens `logprob_sum` covers.",
                ),
                O(
                    "cost_usd",
                    "DOUBLE",
                    min=0,
                    doc="The call's cost in USD when the tracer priced it; without it the call "
                    "is priced from its tokens with `model_prices`.",
                ),
            ),
            event_time="started_at",
            key=("span_id",),
            row_rules=(
                (
                    "model is not null or operation in ("
                    + ", ".join(f"'{operation}'" for operation in AGENT_OPERATIONS)
                    + ")",
                    "model: required value missing (only "
                    + ", ".join(AGENT_OPERATIONS)
                    + " calls may lack one)",
                ),
            ),
        ),
        Entity(
            "evaluations",
            doc="One judged AI response: a person, an LLM judge or a heuristic scored it.",
            columns=(
                R("evaluation_id", doc="Unique id of the evaluation."),
                R("ai_system", doc="The AI program whose response was judged."),
                R("evaluated_at", "TIMESTAMP", doc="When the response was judged."),
                R("evaluator", doc="Who judged: `human`, `llm_judge`, `heuristic`, …"),
                O("conversation_id", doc="The conversation of the response, when known."),
                O("span_id", doc="The call that produced the response, when known."),
                O(
                    "response_text",
                    doc="The response, for the text-overlap metrics (BLEU, ROUGE-L, METEOR).",
                ),
                O("reference_text", doc="A reference answer to compare the response with."),
                O(
                    "hallucination",
                    "BOOLEAN",
                    doc="The response states something unsupported or made up.",
                ),
                O("factual", "BOOLEAN", doc="The response is factually correct."),
                O("tone_score", "DOUBLE", min=0, max=1, doc="How fitting the tone was, 0 to 1."),
                O(
                    "empathy_score",
                    "DOUBLE",
                    min=0,
                    max=1,
                    doc="How empathetic the response was, 0 to 1.",
                ),
                O(
                    "quality_score",
                    "DOUBLE",
                    min=0,
                    max=1,
                    doc="Overall quality of the response, 0 to 1.",
                ),
                O(
                    "explanation_present",
                    "BOOLEAN",
                    doc="The response explains its answer or decision.",
                ),
                O("compliant", "BOOLEAN", doc="The response complies with policy."),
            ),
            event_time="evaluated_at",
            key=("evaluation_id",),
        ),
        Entity(
            "feedback",
            doc="One piece of feedback a user gave on an AI program.",
            columns=(
                R("feedback_id", doc="Unique id of the feedback."),
                R("ai_system", doc="The AI program the feedback is about."),
                R("created_at", "TIMESTAMP", doc="When it was given."),
                O("conversation_id", doc="The conversation it is about, when known."),
                R(
                    "kind",
                    values=("thumbs", "rating", "preference"),
                    doc="What `value` holds: a thumb, a rating or a preference between two "
                    "systems.",
                ),
                R(
                    "value",
                    "DOUBLE",
                    doc="`thumbs`: 1 up, -1 down; `rating`: 1 to 5; `preference`: 1 this system "
                    "preferred, 0 the other one, 0.5 a tie.",
                ),
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
            doc="One output of a classic (predictive) model, with its ground truth once known.",
            columns=(
                R("prediction_id", doc="Unique id of the prediction."),
                R("ai_system", doc="The AI program the model serves."),
                R("model", doc="The model that predicted."),
                R("task", doc="What was predicted (e.g. `churn`); metrics are per task."),
                R("predicted_at", "TIMESTAMP", doc="When the prediction was made."),
                O(
                    "predicted_label",
                    doc="The predicted class; a binary task says `true` (the positive class) or "
                    "`false`, also `1` or `0`.",
                ),
                O("actual_label", doc="The true class once known, in the same terms."),
                O(
                    "score",
                    "DOUBLE",
                    min=0,
                    max=1,
                    doc="Probability of the positive class, for AUC-ROC.",
                ),
                O("predicted_value", "DOUBLE", doc="The predicted number (regression)."),
                O("actual_value", "DOUBLE", doc="The true number (regression), once known."),
                O("group", doc="A sensitive attribute of the subject, for fairness analysis."),
            ),
            event_time="predicted_at",
            key=("prediction_id",),
        ),
        Entity(
            "costs",
            doc="One cost line of an AI program: a charge over a period, in the contract's own "
            "columns or as a row of a FinOps FOCUS bill (see below). The cost is split equally "
            "over the UTC days its charge period touches, each day's share converted to USD at "
            "that day's rate.",
            columns=(
                O("cost_id", doc="Unique id of the cost line; FOCUS rows have none."),
                R(
                    "charge_period_start",
                    "TIMESTAMP",
                    doc="Start of the charge period (included).",
                ),
                R(
                    "charge_period_end",
                    "TIMESTAMP",
                    doc="End of the charge period (excluded).",
                ),
                R(
                    "billed_cost",
                    "DOUBLE",
                    doc="The amount charged, in `billing_currency`; credits are negative.",
                ),
                R(
                    "billing_currency",
                    doc="ISO 4217 code of the amounts' currency (`USD`, `EUR`, …), converted "
                    "with `fx_rates`.",
                ),
                R(
                    "cost_type",
                    values=COST_TYPES,
                    doc="What the money went to: model inference, the AI platform, building it, "
                    "people's work, or other.",
                ),
                O(
                    "ai_system",
                    doc="The AI program the cost belongs to; missing means `unallocated`.",
                ),
                O("service_name", doc="The service charged for."),
                O("provider_name", doc="Who provided the service."),
                O(
                    "effective_cost",
                    "DOUBLE",
                    layout_only=True,
                    doc="The cost after negotiated discounts, with up-front commitment "
                    "purchases spread over the usage they cover.",
                ),
                O(
                    "list_cost",
                    "DOUBLE",
                    layout_only=True,
                    doc="The cost at the provider's public list prices.",
                ),
                O(
                    "contracted_cost",
                    "DOUBLE",
                    layout_only=True,
                    doc="The cost at the negotiated unit prices, before commitment discounts.",
                ),
                O(
                    "charge_category",
                    layout_only=True,
                    doc="The kind of charge: `Usage`, `Purchase`, `Tax`, `Credit` or `Adjustment`.",
                ),
                O(
                    "charge_class",
                    layout_only=True,
                    doc="`Correction` for a row that corrects an earlier period's charge.",
                ),
                O("charge_description", layout_only=True, doc="The charge in words."),
                O(
                    "service_category",
                    layout_only=True,
                    doc="The service's category in FOCUS terms (`AI and Machine Learning`, "
                    "`Compute`, …).",
                ),
                O(
                    "service_subcategory",
                    layout_only=True,
                    doc="A finer category within the service category.",
                ),
                O("resource_id", layout_only=True, doc="The provider's id of the resource."),
                O("sku_id", layout_only=True, doc="The provider's id of the product charged."),
                O(
                    "sub_account_id",
                    layout_only=True,
                    doc="The account, project or subscription charged.",
                ),
                O(
                    "commitment_discount_id",
                    layout_only=True,
                    doc="The commitment (a reservation or savings plan) that applied.",
                ),
                O(
                    "commitment_discount_status",
                    layout_only=True,
                    doc="`Used` or `Unused`: the row is the used or unused part of a commitment.",
                ),
                O(
                    "tags",
                    layout_only=True,
                    doc="The resource's tags as a JSON object (a Parquet map becomes one); the "
                    "program is the value under the `focus_ai_system_tag` key.",
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
            doc="One order or refund of a customer, for the revenue AI programs bring in.",
            columns=(
                R("order_id", doc="Unique id of the order."),
                R(
                    "customer_id",
                    doc="The customer's key, as in conversations; hashed from staging on.",
                ),
                R("occurred_at", "TIMESTAMP", doc="When the order was placed or refunded."),
                R("amount", "DOUBLE", doc="The amount in `currency`; refunds are negative."),
                R(
                    "currency",
                    doc="ISO 4217 code of the amount's currency, converted with `fx_rates`.",
                ),
                O(
                    "status",
                    doc="`completed` or `refunded`; other values are ignored, missing means "
                    "`completed`.",
                ),
                O(
                    "attributed_conversation_id",
                    doc="The conversation the order is credited to, when the shop knows it.",
                ),
            ),
            event_time="occurred_at",
            key=("order_id",),
            row_rules=(("length(currency) = 3", "currency is not an ISO 4217 code"),),
        ),
        Entity(
            "experiments",
            doc="One assignment of a unit (a customer) to a variant of an A/B experiment.",
            columns=(
                R("experiment_id", doc="The experiment."),
                R("ai_system", doc="The AI program under test."),
                R(
                    "unit_id",
                    doc="The unit assigned: a customer_id, hashed like it so that it still "
                    "joins revenue.",
                ),
                R(
                    "variant",
                    values=("control", "treatment"),
                    doc="The variant the unit was assigned to.",
                ),
                R("assigned_at", "TIMESTAMP", doc="When the unit was assigned."),
            ),
            event_time="assigned_at",
            key=("experiment_id", "unit_id"),
        ),
        Entity(
            "deployments",
            doc="One release of an AI program, the event pre/post comparisons are made around.",
            columns=(
                R("ai_system", doc="The AI program released."),
                R("deployed_at", "TIMESTAMP", doc="When the release went live."),
                O("version", doc="The version released."),
                O("description", doc="What changed."),
                O(
                    "control_ai_system",
                    doc="A program that did not change around the release: the control for a "
                    "difference-in-differences comparison.",
                ),
            ),
            event_time="deployed_at",
            key=("ai_system", "deployed_at"),
        ),
        Entity(
            "uptime",
            doc="One availability check of an AI program.",
            columns=(
                R("ai_system", doc="The AI program checked."),
                R("checked_at", "TIMESTAMP", doc="When it was checked."),
                R("up", "BOOLEAN", doc="The program was available."),
            ),
            event_time="checked_at",
            key=("ai_system", "checked_at"),
        ),
        Entity(
            "employee_usage",
            doc="One employee's use of an internal AI tool on one day.",
            columns=(
                R("employee_id", doc="The employee's key; hashed from staging on."),
                R("ai_system", doc="The AI tool used."),
                R("usage_date", "DATE", doc="The day of use."),
                O("team", doc="The employee's team."),
                R("sessions", "BIGINT", min=0, doc="Sessions with the tool that day."),
                O("minutes_saved", "DOUBLE", min=0, doc="Minutes of work the tool saved."),
                O(
                    "satisfaction",
                    "DOUBLE",
                    min=1,
                    max=5,
                    doc="The employee's satisfaction with the tool, 1 (worst) to 5.",
                ),
            ),
            event_time="usage_date",
            key=("employee_id", "ai_system", "usage_date"),
        ),
        Entity(
            "image_features",
            doc="One image's feature vector (an embedding such as Inception's), real or "
            "generated: the input of the fid metric. An optional feed: without its folder "
            "nothing loads and fid has no value.",
            columns=(
                R("feature_id", doc="Unique id of the image's vector."),
                R(
                    "ai_system",
                    doc="The AI program that generated the images, or whose real images "
                    "they are compared with.",
                ),
                R("created_at", "TIMESTAMP", doc="When the vector was computed."),
                R(
                    "set",
                    values=IMAGE_FEATURE_SETS,
                    doc="`real`: a reference image; `generated`: one the program made.",
                ),
                R(
                    "vector",
                    "DOUBLE[]",
                    same_length_within=("ai_system",),
                    doc="The image's features.",
                ),
            ),
            event_time="created_at",
            key=("feature_id",),
        ),
    )
}

EMPLOYEES = Entity(
    "employees",
    doc="The roster: one row per employee. A snapshot, not a daily feed: the latest file of "
    "its folder, in path order, is the roster, and it has no event time.",
    columns=(
        R("employee_id", doc="The employee's key, as in employee_usage; hashed from staging on."),
        O("team", doc="The employee's team."),
        R(
            "eligible",
            "BOOLEAN",
            doc="The employee may use the AI tools: the base of the adoption rate.",
        ),
    ),
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
# What each reference table holds, for its users.
REFERENCE_TABLE_DOCS: dict[str, str] = {
    "fx_rates": "USD per unit of a currency from `date` on; an amount takes the latest rate on "
    "or before the day it belongs to.",
    "labor_rates": "The loaded cost of an hour of people's work per role from `valid_from` on; "
    "role `default` applies to everyone.",
    "model_prices": "USD per 1,000 input and output tokens per provider and model from "
    "`valid_from` on; prices the calls without `cost_usd`.",
    "targets": "The scorecard's target per metric and ai_system (`ALL` for every program), the "
    "direction that is good (`higher` or `lower`) and the smallest sample judged.",
    "experiment_settings": "Per experiment: the expected share of units in treatment (0.5 "
    "without a row) and the days after assignment an order counts (7 without a row).",
    "settings": "Named settings (`name`, `value`), listed in the metric reference "
    "([Settings](metrics.md#settings)); an override replaces only the names it lists.",
    "focus_cost_types": "Rules giving a FOCUS cost row its cost_type from its ChargeCategory, "
    "ServiceCategory and whether it carries the program tag (`tagged`: `yes`, `no`); `*` matches "
    "anything and the most specific matching rule wins.",
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


# --- the reference page ------------------------------------------------------------------------

GENERATED_BY = "python -m orchestration.lib.contract"
SOURCE_FILE = "orchestration/lib/contract.py"
PAGE_FILE = Path("docs/input_contract.md")
# The readers' file formats, as the page names them.
FORMAT_NAMES = {
    "parquet": "Parquet",
    "csv": 'CSV: a header row, comma-separated, `"`-quoted, UTF-8',
    "jsonl": "JSON Lines: one JSON object per line",
}
# What fills the llm_calls columns an OTLP span carries outside its attributes.
OTLP_SPAN_FIELDS = (
    ("`spanId`", "span_id"),
    ("`traceId`", "trace_id"),
    ("`parentSpanId`", "parent_span_id"),
    ("resource attribute `service.name`", "ai_system"),
    ("`startTimeUnixNano`", "started_at"),
    ("`endTimeUnixNano` - `startTimeUnixNano`", "duration_ms"),
    ("`status.code`: 2 (`STATUS_CODE_ERROR`) is `error`, anything else `ok`", "status"),
)


def _code(items: Iterable[str], separator: str = ", ") -> str:
    return separator.join(f"`{item}`" for item in items)


def _cell(text: str) -> str:
    """Text for one Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _rule(entity: Entity, column: Column) -> str:
    """The single-column rules of a column, in words."""
    rules = []
    if column.name == entity.event_time:
        rules.append("⏱ event time")
    if column.name in entity.key:
        rules.append("key" if len(entity.key) == 1 else "part of the key")
    if column.min is not None and column.max is not None:
        rules.append(f"{column.min:g} to {column.max:g}")
    elif column.min is not None:
        rules.append(f"≥ {column.min:g}")
    elif column.max is not None:
        rules.append(f"≤ {column.max:g}")
    if column.values is not None:
        rules.append(f"one of {_code(column.values)}")
    if column.same_length_within:
        rules.append(
            f"as long as most lists of its {_code(column.same_length_within)} and day in the file"
        )
    if column.layout_only:
        rules += [
            f"only in {layout.name} files, from {_code(layout.columns[column.name], ' or ')}"
            for layout in entity.layouts
            if column.name in layout.columns
        ]
    return "; ".join(rules)


def _folders(entity: Entity) -> list[str]:
    """The entity's landing folders, as readers.entity_folders lists them."""
    from orchestration.lib.readers import OTLP_FOLDER  # the readers import this module

    folders = [f"`{entity.name}/`"]
    if entity.name == "llm_calls":
        folders.append(f"`{OTLP_FOLDER}/` (OpenTelemetry traces, below)")
    folders += [f"`{layout.folder}/` ({layout.name} files, below)" for layout in entity.layouts]
    return folders


def _entity_lines(entity: Entity) -> list[str]:
    snapshot = not entity.event_time
    lines = [f"## {entity.name}", "", entity.doc, ""]
    lines += _table(
        ("column", "type", "R/O", "rule", "meaning"),
        (
            (f"`{c.name}`", c.type, "R" if c.required else "O", _rule(entity, c), c.doc)
            for c in entity.columns
        ),
    )
    lines += ["", f"- Files: {' and '.join(_folders(entity))}."]
    if snapshot:
        lines.append(
            f"- Key: {_code(entity.key)}. Of several rows with one key in the roster file, the "
            "last one counts."
        )
    else:
        lines.append(
            f"- Event time ⏱: `{entity.event_time}`. Each row belongs to its UTC day, whatever "
            "folder the file sits in."
        )
        key = (
            f"- Key: {_code(entity.key)}. A later row with the same key replaces an earlier one, "
            "whichever folders they sit in; an exact duplicate loads once."
        )
        keyless = [k for k in entity.key if not entity.column(k).required]
        if keyless:
            key += (
                f" A row without {_code(keyless)} is identified by its whole source record: two "
                "such rows are duplicates only when every column of their files is equal, and "
                "neither replaces the other otherwise."
            )
        lines.append(key)
    if entity.row_rules:
        lines += [
            "",
            "Row rules: a row where one does not hold is quarantined with its reason:",
            "",
        ]
        lines += _table(
            ("reason", "must hold (over the typed values)"),
            ((reason, f"`{predicate}`") for predicate, reason in entity.row_rules),
        )
    for layout in entity.layouts:
        lines += ["", *_layout_lines(entity, layout)]
    if entity.name == "llm_calls":
        lines += ["", *_otlp_lines()]
    return [*lines, ""]


def _layout_lines(entity: Entity, layout: Layout) -> list[str]:
    """How a file of another layout is recognised, and the contract column each of its fills."""
    rows = []
    for column, names in layout.columns.items():
        need = "required" if column in layout.required else "optional"
        for i, name in enumerate(names):
            note = f"; read when the file has no {_code(names[:i])}" if i else ""
            rows.append((f"`{name}`", f"`{column}`", need + note))
    required = [layout.columns[c][0] for c in layout.required]
    unread = [c.name for c in entity.columns if c.name not in layout.columns]
    lines = [
        f"### {entity.name} in {layout.name} files",
        "",
        layout.doc,
        "",
        f"- A file of `{entity.name}/` is read as a {layout.name} file when it has a column named "
        f"{_code(layout.markers, ' or ')}; every file of `{layout.folder}/` is one.",
        "- Its column names match without regard to case (`billedcost` is `BilledCost`); where "
        "a column has two names, the first one the file has counts. Its other columns load "
        "nowhere, but they are part of the whole record that identifies a row without a key.",
        f"- Required, with a value in every row: {_code(required)}. These replace the R marks "
        f"of the table above, whose other columns a {layout.name} file may lack.",
        f"- Not read from a {layout.name} file (null in its rows): {_code(unread)}.",
    ]
    if entity.row_rules:
        lines.append("- The row rules above hold for its rows too.")
    return [*lines, "", *_table((f"{layout.name} column", "raw column", "in the file"), rows)]


def _otlp_lines() -> list[str]:
    """How OTLP/JSON spans fill llm_calls columns."""
    from orchestration.lib.readers import OTLP_ATTRIBUTES, OTLP_FOLDER  # they import this module

    rows = [(source, f"`{column}`") for source, column in OTLP_SPAN_FIELDS]
    rows += [
        (f"attribute {_code(names, ', else ')}", f"`{column}`")
        for column, names in OTLP_ATTRIBUTES.items()
    ]
    return [
        "### llm_calls from OpenTelemetry traces",
        "",
        f"Files in `{OTLP_FOLDER}/` (`.json` or `.jsonl`) are OTLP/JSON trace exports, as the "
        "OpenTelemetry file exporter writes them (`resourceSpans` → `scopeSpans` → `spans`): each "
        "span is one llm_calls row, numbered in file order. Its columns come from the span, by the "
        "OpenTelemetry GenAI semantic conventions; any other column from a span attribute of its "
        "own name (`cost_usd`, say).",
        "",
        *_table(("from the span", "column"), rows),
    ]


def _landing_lines() -> list[str]:
    from orchestration.lib.readers import FORMATS, OTLP_FOLDER  # the readers import this module

    tree = []
    for entity in ENTITIES.values():
        tree.append((f"{entity.name}/date=YYYY-MM-DD/<files>", ""))
        if entity.name == "llm_calls":
            tree.append((f"{OTLP_FOLDER}/date=YYYY-MM-DD/<files>", "OpenTelemetry traces"))
        tree += [
            (f"{lay.folder}/date=YYYY-MM-DD/<files>", f"{lay.name} files of {entity.name}")
            for lay in entity.layouts
        ]
    tree += [
        (f"{EMPLOYEES.name}/<files>", "the roster: the latest file counts"),
        ("reference/<name>.csv", "overrides of the reference tables"),
    ]
    width = max(len(path) for path, _ in tree) + 2
    suffixes: dict[str, list[str]] = {}
    for suffix, fmt in FORMATS.items():
        suffixes.setdefault(fmt, []).append(suffix)
    formats = "; ".join(f"{_code(s)}: {FORMAT_NAMES[fmt]}" for fmt, s in suffixes.items())
    return [
        "## Landing folder",
        "",
        "```",
        "<landing>/",
        *(f"  {path:<{width}}{note}".rstrip() for path, note in tree),
        "```",
        "",
        "- One folder per entity, named as the entity. Files may sit in Hive-style "
        "`date=YYYY-MM-DD/` sub-folders (the deepest one counts), recommended: a nightly run then "
        "reads one day's folders. A file outside any `date=` folder loads too, each row on the "
        "day of its event time, but every run reads it again.",
        "- A row belongs to the UTC day of its event-time column (⏱), whatever folder it sits in: "
        "a `date=` folder only says where to look.",
        f"- File types, by name: {formats}. Another type is rejected; hidden files and names "
        "starting with `_` (`.DS_Store`, `_SUCCESS`) are skipped.",
        "- Column names are the contract's, matched exactly (FOCUS files excepted). Extra columns "
        "are ignored; a missing optional column is null; a file without a required column is "
        "rejected whole.",
        "- Files are read in path order: of two rows with one key, the one in the file that "
        "sorts last wins, so a correction file named to sort last replaces what it corrects.",
    ]


def _value_lines() -> list[str]:
    used = {c.type for e in (*ENTITIES.values(), EMPLOYEES) for c in e.columns}
    return [
        "## Values",
        "",
        *_table(
            ("type", "how a value is written"),
            ((t, VALUE_FORMATS[t]) for t in sorted(used, key=list(VALUE_FORMATS).index)),
        ),
    ]


def _missing_lines() -> list[str]:
    typed = sorted({c.type for e in ENTITIES.values() for c in e.columns} - {"VARCHAR"})
    return [
        "## Missing values",
        "",
        "A missing value in an optional column is null; in a required column it quarantines the "
        "row. Missing are:",
        "",
        "- in every column: an empty or blank value (an empty CSV field), a JSON `null`, a "
        "Parquet null, and a JSON `NaN` literal (Python's `json.dumps` writes pandas' NaN so);",
        f"- in a column of type {', '.join(typed)} (a number, boolean, date, time or list), also "
        f"the texts {_code(MISSING_MARKERS)} in any case (pandas' and Python's NaN, R's and "
        "spreadsheets' NA, null, None) and a Parquet NaN;",
        "- in a VARCHAR (text) column nothing else: the text `NA` is a value (a region code, say).",
    ]


def _bad_input_lines() -> list[str]:
    return [
        "## Bad rows and files",
        "",
        "- A row that breaks a rule (a value that is not of its type, a required value missing, "
        "a value out of bounds or not accepted, a row rule) goes to `quarantine.rows` with its "
        "file, its row number and every reason; the good rows of the file load.",
        "- A file that cannot be read, is of another type or lacks a required column is rejected "
        "whole into `quarantine.files`, with the file and the reason; the other files load.",
        "- Row numbers are lines in CSV (the header is line 1) and JSON Lines, rows (from 1) in "
        "Parquet, spans in file order in OTLP exports.",
        "- Every load accounts for every row in `raw.load_audit`: read = loaded + quarantined + "
        "duplicate + replaced.",
    ]


def _reference_lines() -> list[str]:
    return [
        "## Reference tables",
        "",
        "Their defaults ship as the dbt seeds `dbt_project/seeds/<name>.csv`. A CSV of the same "
        "name in `reference/` (header row, every column below) replaces a table as a whole, "
        "settings only by name; a file of another name, or one that cannot be read, is rejected "
        "and the default stays.",
        "",
        *_table(
            ("file", "columns", "holds"),
            (
                (f"`reference/{name}.csv`", _code(columns), REFERENCE_TABLE_DOCS[name])
                for name, columns in REFERENCE_TABLES.items()
            ),
        ),
    ]


def render_page() -> str:
    """docs/input_contract.md: the landing folder, the value rules, then every entity."""
    entities = [*ENTITIES.values(), EMPLOYEES]
    sections = ("Landing folder", "Values", "Missing values", "Bad rows and files")
    lines = [
        "# Input contract",
        "",
        f"Generated by `{GENERATED_BY}` from `{SOURCE_FILE}`: edit the contract there and rerun "
        "the command, never this page.",
        "",
        "What the warehouse reads: files in a landing folder, one folder per entity. In the "
        "tables, R marks a required column (a file without it is rejected, a row without a "
        "value quarantined) and O an optional one (a file may lack it); ⏱ marks the event-time "
        "column, whose UTC day a row belongs to.",
        "",
        "## Contents",
        "",
        *(f"- [{title}](#{title.lower().replace(' ', '-')})" for title in sections),
        "- Entities: " + ", ".join(f"[{e.name}](#{e.name})" for e in entities),
        "- [Reference tables](#reference-tables)",
        "",
        *_landing_lines(),
        "",
        *_value_lines(),
        "",
        *_missing_lines(),
        "",
        *_bad_input_lines(),
        "",
    ]
    for entity in entities:
        lines += _entity_lines(entity)
    lines += _reference_lines()
    return "\n".join(lines) + "\n"


def render() -> dict[Path, str]:
    """The generated page (relative to the repository root) and its current text."""
    return {PAGE_FILE: render_page()}


def write(root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated page when it differs from `render()`; returns what it changed."""
    return write_changed(render(), root)


if __name__ == "__main__":
    written = write()
    print("wrote: " + ", ".join(map(str, written)) if written else "the contract page is current")
