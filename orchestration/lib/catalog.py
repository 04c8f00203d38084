"""The metric catalog: every metric of marts.metric_values, documented once, here.

This registry states what each metric means and how this version computes it, per metric
(definition, unit, statistic and interval, slices, source columns, event time, caveats), with
the settings the metrics read.
`python -m orchestration.lib.catalog` writes it where users look, so that the texts never drift
apart:

- `dbt_project/models/metric_docs.md`: a `{% docs metric_<name> %}` block per metric and one
  `metric_settings` block, shown in dbt docs through the metric_catalog model's description;
- `dbt_project/models/marts/_marts__metric_catalog.yml`: that model's description and columns;
- `dbt_project/seeds/metric_definitions.csv`: one row per metric, queryable as marts.metric_catalog;
- `docs/metrics.md`: the reference page.

`render()` returns the same texts, so a test can tell when the committed files are stale.
"""

# The texts are prose for readers: they use typographic signs (times, minus, en dash) on
# purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.environment import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.lib.generated import write_changed

GRAINS = ("day", "week", "month")
# segment_key values of marts.metric_values (the output contract).
# Conversation metrics: `all` plus the dbt var conversation_segments, in its order.
CONVERSATION_SEGMENTS = (
    "all",
    "channel",
    "handled_by",
    "use_case",
    "language",
    "region",
    "customer_segment",
    "customer_group",
    "intent",
)
# Metrics over predictions (technical, fairness): per task and per model, no `all` row.
PREDICTION_SEGMENTS = ("task", "model")
ALL_ONLY = ("all",)

FAMILIES = {
    "customer_service": "Customer service",
    "operational": "Operational",
    "technical": "Technical",
    "generative": "Generative",
    "agents": "Agents",
    "responsible_ai": "Responsible AI",
    "employees": "Employees",
    "business": "Business",
}
STATISTICS = {
    "proportion": "proportion (numerator / denominator; sample_size = denominator)",
    "mean": "mean (numerator = sum, denominator = count; sample_size = count)",
    "ratio": "ratio (numerator / denominator)",
    "value": "value as computed",
}
INTERVALS = {
    "wilson": "95 % Wilson score interval",
    "normal": "95 % normal interval (mean ± z·s/√n, null when n < 2)",
    "none": "no interval",
}
DIRECTIONS = {"higher": "higher is better", "lower": "lower is better", "none": "no direction"}

GENERATED_BY = "python -m orchestration.lib.catalog"
SOURCE_FILE = "orchestration/lib/catalog.py"

# Caveats that several metrics share.
LINKED_LOOKBACK = (
    "Incremental runs recompute the conversations of the 7 days before their new data (var "
    "fcr_lookahead_days): a linked {what} arriving more than 7 days after its conversation "
    "started only counts after a full rebuild (`dbt build --full-refresh`)."
)
LINKED_CALL = LINKED_LOOKBACK.format(what="call")
LINKED_EVALUATION = LINKED_LOOKBACK.format(what="evaluation")
LABELS = (
    "Labels are normalised first: lower(trim(label)) 'true' or '1' is true, 'false' or '0' is "
    "false, anything else stays as it is."
)
NO_ALL_ROW = (
    "Sliced by task and by model only: there is no segment `all` row (a model slice pools the "
    "tasks it serves)."
)
BINARY_ONLY = (
    "Only binary slice-periods (every normalised predicted and actual label true or false) have "
    "a row; positive class true."
)
POOLED = "ALL pools the rows of every program; it is not an average of the programs' values."
NOT_AVERAGEABLE = (
    "A percentile: a week's or month's value is not the mean of its days' values, and ALL is "
    "the percentile of the pooled rows."
)
EVALUATORS = "Every evaluator (human, llm_judge, heuristic, …) is pooled."
# A changed reference table (orchestration/lib/reference_changes.py widens the run's window).
REFERENCE_CHANGE = (
    "A changed {what} is applied to every period it reaches by the next run through Dagster "
    "(`amw run`, the UI's jobs); a `dbt build` by hand needs `--full-refresh`."
)
SETTING_REBUILD = REFERENCE_CHANGE.format(what="setting")
# The columns a cost row's amount that counts comes from: billed_cost on a row in the contract's
# own columns; on a FinOps FOCUS row the column the setting focus_cost_column names.
COST_AMOUNT = (
    "costs.billed_cost",
    "costs.effective_cost",
    "costs.list_cost",
    "costs.contracted_cost",
)


@dataclass(frozen=True)
class Metric:
    """One metric of marts.metric_values and everything a reader needs to trust its value."""

    name: str
    family: str
    unit: str
    # proportion, mean, ratio or value (how marts.metric_values turns inputs into the value).
    statistic: str
    # wilson, normal or none: the 95 % interval in ci_low/ci_high.
    interval: str
    # higher, lower or none (none: no side is better without context).
    direction: str
    definition: str
    sources: tuple[str, ...]
    # The event-time column that assigns a row to its period.
    event_time: str
    segments: tuple[str, ...] = ALL_ONLY
    caveats: tuple[str, ...] = ()
    grains: tuple[str, ...] = GRAINS
    # precision and recall are proportions on binary slice-periods but macro averages (a ratio
    # without interval) on multi-class ones: the statistic and interval on those.
    multiclass_statistic: str | None = None
    multiclass_interval: str | None = None
    # The metrics that must not get worse while this one improves (containment bought with
    # unsolved customers, cost cut with lower resolution): the scorecard shows them beside it.
    guardrails: tuple[str, ...] = ()

    @property
    def statistic_label(self) -> str:
        """The statistic column of the catalog table: one word, or binary and multi-class."""
        if self.multiclass_statistic is None:
            return self.statistic
        return f"{self.statistic} (binary); {self.multiclass_statistic} (multi-class)"

    @property
    def interval_label(self) -> str:
        if self.multiclass_interval is None:
            return self.interval
        return f"{self.interval} (binary); {self.multiclass_interval} (multi-class)"


@dataclass(frozen=True)
class Setting:
    """A named value of `settings.csv` that metrics read; its default is the seed's value."""

    name: str
    meaning: str
    # The catalog metrics that read it, and what else does (the scorecard, the gate, baselines).
    metrics: tuple[str, ...] = ()
    other_users: str = ""


def _sliced(
    event_time: str,
    segments: tuple[str, ...],
    default_family: str,
    shared_caveats: tuple[str, ...] = (),
):
    """A constructor of metrics that share their event time, slices and some caveats (positional
    fields as Metric's: name, unit, statistic, interval, direction, definition, sources)."""

    def build(
        name: str,
        unit: str,
        statistic: str,
        interval: str,
        direction: str,
        definition: str,
        sources: tuple[str, ...],
        caveats: tuple[str, ...] = (),
        family: str = default_family,
        **fields: str | tuple[str, ...],
    ) -> Metric:
        return Metric(
            name=name,
            family=family,
            unit=unit,
            statistic=statistic,
            interval=interval,
            direction=direction,
            definition=definition,
            sources=sources,
            event_time=event_time,
            segments=segments,
            caveats=(*caveats, *shared_caveats),
            **fields,
        )

    return build


# A metric over the conversations that started in the period, sliced by their segments.
_conversation = _sliced("conversations.started_at", CONVERSATION_SEGMENTS, "customer_service")
# A metric over predictions by predicted_at, sliced by task and by model only.
_prediction = _sliced("predictions.predicted_at", PREDICTION_SEGMENTS, "technical", (NO_ALL_ROW,))


# The linked-row metrics read actions: llm_calls with operation execute_tool or invoke_agent.
ACTIONS = "actions (llm_calls with operation `execute_tool` or `invoke_agent`)"
FCR_SOURCES = (
    "conversations.resolved",
    "conversations.escalated_to_human",
    "conversations.customer_id",
    "conversations.issue_key",
    "conversations.intent",
    "conversations.started_at",
)
CALL_FEATURES = (
    "Every operation counts alike (chat, embeddings, tool and agent steps), errors included."
)
EVALUATION_TEXTS = ("evaluations.response_text", "evaluations.reference_text")
TEXT_PAIRS = "Evaluations without both response_text and reference_text are left out."

METRICS: tuple[Metric, ...] = (
    # --- customer service ----------------------------------------------------------------------
    _conversation(
        "ai_involvement_rate",
        "share",
        "proportion",
        "wilson",
        "none",
        "Share of conversations in which the AI took part: AI conversations (ai_involved) / all "
        "conversations that started in the period.",
        ("conversations.ai_involved",),
        (
            "The denominator holds every contact of the program: human-only ones and those before "
            "the AI went live included.",
        ),
    ),
    _conversation(
        "containment_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Share of AI conversations the AI kept to itself: AI conversations not escalated to a "
        "person / AI conversations.",
        ("conversations.ai_involved", "conversations.escalated_to_human"),
        (
            "Says nothing about resolution: a contained conversation may be unresolved (see "
            "ai_resolution_rate).",
            "Null when the slice has no AI conversation.",
        ),
        guardrails=("csat_average", "first_contact_resolution_rate"),
    ),
    _conversation(
        "automation_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "AI conversations resolved and not escalated / all conversations (ai_involvement_rate × "
        "ai_resolution_rate).",
        ("conversations.ai_involved", "conversations.resolved", "conversations.escalated_to_human"),
        ("Unlike ai_resolution_rate, the denominator includes human-only conversations.",),
        guardrails=("csat_average", "first_contact_resolution_rate"),
    ),
    _conversation(
        "ai_resolution_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "AI conversations resolved and not escalated / AI conversations.",
        ("conversations.ai_involved", "conversations.resolved", "conversations.escalated_to_human"),
        (
            "`resolved` is the source's flag for this contact: a repeat contact about the same "
            "issue does not undo it (first_contact_resolution_rate does).",
            "Null when the slice has no AI conversation.",
        ),
        guardrails=("csat_average", "first_contact_resolution_rate"),
    ),
    _conversation(
        "escalation_rate",
        "share",
        "proportion",
        "wilson",
        "lower",
        "AI conversations escalated to a person / AI conversations (1 − containment_rate).",
        ("conversations.ai_involved", "conversations.escalated_to_human"),
        ("Null when the slice has no AI conversation.",),
        guardrails=("csat_average", "ai_resolution_rate"),
    ),
    _conversation(
        "first_contact_resolution_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Conversations resolved, not escalated, and with no other conversation of the same "
        "customer and issue_key (in any ai_system) starting within fcr_window_days × 24 hours "
        "after this one started / all conversations.",
        FCR_SOURCES,
        (
            "Provisional for the last 7 days (fcr_window_days): the window looks past the period's "
            "end, so those days are recomputed as later days arrive.",
            "issue_key defaults to intent; contacts with neither group as one unknown issue; the "
            "window's end is included.",
            "The dbt var fcr_lookahead_days must be at least the setting fcr_window_days, or "
            "incremental runs miss repeat contacts; a changed window needs a full rebuild.",
            "The denominator is every conversation, human-only ones included.",
        ),
    ),
    _conversation(
        "average_handling_time_seconds",
        "seconds",
        "mean",
        "normal",
        "lower",
        "Mean of ended_at − started_at over the conversations, in seconds with the sub-second "
        "part.",
        ("conversations.started_at", "conversations.ended_at"),
        (
            "Wall-clock length of the contact, human time after an escalation included; agent "
            "effort is human_handle_seconds (see human_oversight_cost_usd).",
        ),
        guardrails=("csat_average", "first_contact_resolution_rate"),
    ),
    _conversation(
        "resolution_time_p50_seconds",
        "seconds",
        "value",
        "none",
        "lower",
        "Median (50th percentile, linearly interpolated) of resolved_at − started_at over the "
        "resolved conversations, in seconds, human time included.",
        ("conversations.started_at", "conversations.resolved_at", "conversations.resolved"),
        (
            "Resolved conversations without resolved_at are left out (sample_size counts the ones "
            "used).",
            NOT_AVERAGEABLE,
        ),
        guardrails=("first_contact_resolution_rate", "csat_average"),
    ),
    _conversation(
        "resolution_time_p90_seconds",
        "seconds",
        "value",
        "none",
        "lower",
        "90th percentile (linearly interpolated) of resolved_at − started_at over the resolved "
        "conversations, in seconds, human time included.",
        ("conversations.started_at", "conversations.resolved_at", "conversations.resolved"),
        (
            "Resolved conversations without resolved_at are left out (sample_size counts the ones "
            "used).",
            NOT_AVERAGEABLE,
        ),
        guardrails=("first_contact_resolution_rate", "csat_average"),
    ),
    _conversation(
        "csat_average",
        "csat_1_to_5",
        "mean",
        "normal",
        "higher",
        "Mean csat (1–5) over the conversations with a rating.",
        ("conversations.csat",),
        (
            "Only rated conversations count (sample_size); customers who answer a survey may "
            "differ from those who do not.",
        ),
    ),
    _conversation(
        "csat_satisfied_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Share of rated conversations with csat ≥ 4.",
        ("conversations.csat",),
        ("Only rated conversations count; null when none was rated.",),
    ),
    _conversation(
        "sentiment_shift",
        "sentiment_points",
        "mean",
        "normal",
        "higher",
        "Mean of sentiment_end − sentiment_start (each −1…1) over the conversations with both, in "
        "sentiment points (−2…2).",
        ("conversations.sentiment_start", "conversations.sentiment_end"),
        ("Conversations missing either value are left out.",),
    ),
    _conversation(
        "exception_rate",
        "share",
        "proportion",
        "wilson",
        "lower",
        "AI conversations escalated or with at least one linked llm_call in error / AI "
        "conversations.",
        (
            "conversations.ai_involved",
            "conversations.escalated_to_human",
            "llm_calls.status",
            "llm_calls.conversation_id",
        ),
        (
            "Calls link through conversation_id: calls without it never make an exception.",
            LINKED_CALL,
        ),
    ),
    Metric(
        name="response_quality_index",
        family="customer_service",
        unit="index_0_to_100",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="100 × the mean over evaluations of the mean of the values present among "
        "quality_score, tone_score and 1 − hallucination (0–100).",
        sources=(
            "evaluations.quality_score",
            "evaluations.tone_score",
            "evaluations.hallucination",
        ),
        event_time="evaluations.evaluated_at",
        caveats=(
            "Taken by the evaluations' own evaluated_at, not by their conversation; segment `all` "
            "only; the interval is the mean's, scaled by 100.",
            "An evaluation with none of the three values is left out; one with a single value "
            "weighs as much as one with all three.",
            EVALUATORS,
        ),
    ),
    # --- operational ---------------------------------------------------------------------------
    *(
        Metric(
            name=f"latency_p{p}_ms",
            family="operational",
            unit="ms",
            statistic="value",
            interval="none",
            direction="lower",
            definition=f"{p}th percentile of duration_ms over the calls that started in the "
            "period, linearly interpolated (numpy's default, SQL percentile_cont).",
            sources=("llm_calls.duration_ms",),
            event_time="llm_calls.started_at",
            caveats=(
                CALL_FEATURES,
                NOT_AVERAGEABLE,
                *(
                    ("A high percentile of a small period rests on a few calls: read sample_size.",)
                    if p == 99
                    else ()
                ),
            ),
            guardrails=("error_rate",),
        )
        for p in (50, 95, 99)
    ),
    Metric(
        name="throughput_per_minute",
        family="operational",
        unit="calls_per_minute",
        statistic="ratio",
        interval="none",
        direction="none",
        definition="Calls that started in the period / minutes in the period (1,440 a day, "
        "10,080 an ISO week, 1,440 × the days of a month).",
        sources=("llm_calls.started_at",),
        event_time="llm_calls.started_at",
        caveats=(
            "Minutes without calls count: the current, unfinished period is divided by all its "
            "minutes and reads low until it ends.",
            "Follows demand as much as capacity (see peak_throughput_per_minute).",
        ),
    ),
    Metric(
        name="peak_throughput_per_minute",
        family="operational",
        unit="calls_per_minute",
        statistic="value",
        interval="none",
        direction="none",
        definition="The most calls that started in any one UTC clock minute of the period.",
        sources=("llm_calls.started_at",),
        event_time="llm_calls.started_at",
        caveats=(
            "Clock minutes (hh:mm:00 to hh:mm:59), not a sliding 60-second window; for ALL the "
            "calls of every program in the same minute together.",
        ),
    ),
    Metric(
        name="error_rate",
        family="operational",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="lower",
        definition="Calls with status error / calls that started in the period.",
        sources=("llm_calls.status",),
        event_time="llm_calls.started_at",
        caveats=(CALL_FEATURES,),
    ),
    Metric(
        name="tokens_total",
        family="operational",
        unit="tokens",
        statistic="value",
        interval="none",
        direction="none",
        definition="Sum of input_tokens + output_tokens over the calls that started in the period "
        "(a missing count adds nothing).",
        sources=("llm_calls.input_tokens", "llm_calls.output_tokens"),
        event_time="llm_calls.started_at",
        caveats=(
            "A call with neither count is left out (sample_size = calls with a count): the total "
            "understates usage where the tracer drops token counts.",
        ),
    ),
    Metric(
        name="tokens_per_conversation",
        family="operational",
        unit="tokens",
        statistic="mean",
        interval="normal",
        direction="none",
        definition="Mean, over the conversations with linked calls in the period, of the tokens "
        "(input + output) of those calls.",
        sources=("llm_calls.input_tokens", "llm_calls.output_tokens", "llm_calls.conversation_id"),
        event_time="llm_calls.started_at",
        caveats=(
            "Calls are taken by their own started_at: a conversation whose calls cross a period "
            "boundary counts in both periods, with part of its tokens in each.",
            "Calls without conversation_id are left out, and so are conversations without calls.",
        ),
    ),
    Metric(
        name="inference_cost_usd",
        family="operational",
        unit="usd",
        statistic="value",
        interval="none",
        direction="none",
        definition="Sum of the calls' cost: cost_usd where the tracer priced the call, else input "
        "and output tokens × the price per 1,000 tokens of its model (and provider, when the call "
        "names one) valid on the call's UTC day.",
        sources=(
            "llm_calls.cost_usd",
            "llm_calls.input_tokens",
            "llm_calls.output_tokens",
            "llm_calls.model",
            "llm_calls.provider",
            "model_prices.input_usd_per_1k",
            "model_prices.output_usd_per_1k",
            "model_prices.valid_from",
        ),
        event_time="llm_calls.started_at",
        caveats=(
            "A call without cost_usd and without tokens (no count, or a total of 0) costs 0. A "
            "call with tokens, without cost_usd, whose model has no price is left out (flagged "
            "is_unpriced in intermediate.int_llm_calls_priced); sample_size counts the calls "
            "costed.",
            REFERENCE_CHANGE.format(what="model_prices table"),
            "An estimate from the calls, not a bill: ai_run_cost_usd prefers the bills.",
        ),
    ),
    Metric(
        name="uptime_percent",
        family="operational",
        unit="percent",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="100 × uptime checks with up true / uptime checks made in the period.",
        sources=("uptime.up",),
        event_time="uptime.checked_at",
        caveats=(
            "Each check counts once whatever the time since the previous one: unevenly spaced "
            "checks weigh some stretches more than others.",
            "The Wilson interval is scaled by 100.",
        ),
    ),
    Metric(
        name="latency_load_slope_ms_per_1k_calls",
        family="operational",
        unit="ms_per_1k_calls",
        statistic="value",
        interval="none",
        direction="lower",
        definition="Least-squares slope of the hourly p95 of duration_ms on the hourly number of "
        "calls (per 1,000 calls), over the UTC hours of the period with calls: how latency holds "
        "up under load.",
        sources=("llm_calls.duration_ms", "llm_calls.started_at"),
        event_time="llm_calls.started_at",
        caveats=(
            "Null with fewer than 2 hours, or when every hour has the same number of calls; "
            "sample_size counts hours, not calls.",
            "An association, not a causal effect: busy hours may also differ in models and "
            "operations.",
            "ALL fits the hourly points of the pooled calls.",
        ),
    ),
    # --- technical -----------------------------------------------------------------------------
    _prediction(
        "accuracy",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Share of labelled predictions (predicted_label and actual_label both present) whose "
        "normalised labels are equal.",
        ("predictions.predicted_label", "predictions.actual_label"),
        (LABELS, "Rows without both labels are left out; a slice-period without any has no row."),
        guardrails=("demographic_parity_difference", "equal_opportunity_difference"),
    ),
    _prediction(
        "precision",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Binary slice-periods: TP / (TP + FP) of the positive class true. Other slice-periods: "
        "the macro average of per-class precision over the union of predicted and actual labels, "
        "a class never predicted counting 0 (scikit-learn zero_division=0).",
        ("predictions.predicted_label", "predictions.actual_label"),
        (
            LABELS,
            "Binary or macro is decided per slice-period: one stray label (e.g. 'yes') turns a "
            "binary task's period into a multi-class one, so one task's values can switch "
            "definition between periods.",
            "Binary: a proportion with a Wilson interval, null when nothing was predicted "
            "positive. Multi-class: a ratio without interval, numerator = sum of per-class "
            "precisions, "
            "denominator = number of classes, sample_size = labelled rows.",
        ),
        multiclass_statistic="ratio",
        multiclass_interval="none",
        guardrails=("demographic_parity_difference", "equal_opportunity_difference"),
    ),
    _prediction(
        "recall",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Binary slice-periods: TP / (TP + FN) of the positive class true. Other slice-periods: "
        "the macro average of per-class recall over the union of predicted and actual labels, a "
        "class without members counting 0 (scikit-learn zero_division=0).",
        ("predictions.predicted_label", "predictions.actual_label"),
        (
            LABELS,
            "Binary or macro is decided per slice-period, as for precision.",
            "Binary: a proportion with a Wilson interval, null when there is no actual positive. "
            "Multi-class: a ratio without interval (sum of per-class recalls / number of classes), "
            "sample_size = labelled rows.",
        ),
        multiclass_statistic="ratio",
        multiclass_interval="none",
        guardrails=("demographic_parity_difference", "equal_opportunity_difference"),
    ),
    _prediction(
        "f1",
        "share",
        "ratio",
        "none",
        "higher",
        "Binary slice-periods: 2TP / (2TP + FP + FN) of the positive class true. Other "
        "slice-periods: the macro average of per-class 2TP / (2TP + FP + FN) over the union of "
        "predicted and actual labels.",
        ("predictions.predicted_label", "predictions.actual_label"),
        (
            LABELS,
            "Binary: null when 2TP + FP + FN is 0; sample_size = labelled rows.",
            "Macro F1 is not the harmonic mean of the macro precision and macro recall reported "
            "beside it.",
        ),
        guardrails=("demographic_parity_difference", "equal_opportunity_difference"),
    ),
    _prediction(
        "auc_roc",
        "share",
        "ratio",
        "none",
        "higher",
        "Area under the ROC curve of score against the actual label, ties counted half "
        "(scikit-learn roc_auc_score): the Mann-Whitney U / (positives × negatives), over the "
        "predictions with a score and an actual label.",
        ("predictions.score", "predictions.actual_label"),
        (
            BINARY_ONLY,
            "Null when only one class occurs; score must be the probability of the positive class "
            "true (a score oriented the other way gives 1 − AUC).",
        ),
        guardrails=("demographic_parity_difference", "equal_opportunity_difference"),
    ),
    _prediction(
        "mae",
        "target_units",
        "mean",
        "normal",
        "lower",
        "Mean of |predicted_value − actual_value| over the predictions with both values, in the "
        "units of the predicted quantity.",
        ("predictions.predicted_value", "predictions.actual_value"),
        (
            "Units are those of each task's target: a model slice that serves several regression "
            "tasks mixes their units.",
        ),
    ),
    # --- generative ----------------------------------------------------------------------------
    Metric(
        name="bleu",
        family="generative",
        unit="bleu_0_to_100",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Corpus BLEU (sacrebleu's defaults, 0–100) of response_text against "
        "reference_text over the evaluations with both.",
        sources=EVALUATION_TEXTS,
        event_time="evaluations.evaluated_at",
        caveats=(
            "One corpus score over all pairs of the slice-period, not a mean of sentence scores: "
            "it cannot be averaged over days or programs (ALL is scored over the pooled pairs).",
            "sacrebleu defaults: 13a tokenisation, case-sensitive, exponential smoothing, one "
            "reference; a corpus without any 4-gram (texts under 4 tokens) scores 0 even on exact "
            "matches.",
            TEXT_PAIRS,
        ),
    ),
    Metric(
        name="rouge_l",
        family="generative",
        unit="score_0_to_1",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean over the evaluations with both texts of the ROUGE-L F-measure of "
        "response_text against reference_text (rouge-score, Porter stemming on).",
        sources=EVALUATION_TEXTS,
        event_time="evaluations.evaluated_at",
        caveats=(
            "rouge-score's tokenizer lower-cases and keeps only a-z and 0-9: text in other "
            "scripts (Cyrillic, CJK, …) scores 0.",
            TEXT_PAIRS,
        ),
    ),
    Metric(
        name="meteor",
        family="generative",
        unit="score_0_to_1",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean over the evaluations with both texts of NLTK's meteor_score of "
        "response_text against reference_text, on lower-cased whitespace tokens, with exact and "
        "Porter-stem matches only.",
        sources=EVALUATION_TEXTS,
        event_time="evaluations.evaluated_at",
        caveats=(
            "METEOR without WordNet synonyms, so the value never depends on the machine: lower "
            "than METEOR with synonyms and not comparable with published METEOR figures.",
            "Whitespace tokens keep their punctuation: 'done.' does not match 'done'.",
            TEXT_PAIRS,
        ),
    ),
    Metric(
        name="hallucination_rate",
        family="generative",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="lower",
        definition="Share of evaluations with hallucination true, among those with a value.",
        sources=("evaluations.hallucination",),
        event_time="evaluations.evaluated_at",
        caveats=(EVALUATORS,),
    ),
    Metric(
        name="factuality_rate",
        family="generative",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Share of evaluations with factual true, among those with a value.",
        sources=("evaluations.factual",),
        event_time="evaluations.evaluated_at",
        caveats=(EVALUATORS,),
    ),
    Metric(
        name="perplexity",
        family="generative",
        unit="perplexity",
        statistic="value",
        interval="none",
        direction="lower",
        definition="exp(−Σ logprob_sum / Σ logprob_tokens) over the calls that report both "
        "(logprob_tokens > 0): the token-weighted perplexity of the generated output.",
        sources=("llm_calls.logprob_sum", "llm_calls.logprob_tokens"),
        event_time="llm_calls.started_at",
        caveats=(
            "Only calls with log-probabilities count: providers that do not return them are "
            "absent, so the value describes the calls that do (sample_size).",
            "Pooled over tokens (numerator −Σ logprob_sum, denominator Σ logprob_tokens), not a "
            "mean of per-call perplexities.",
            "Not comparable between models with different tokenizers.",
        ),
    ),
    Metric(
        name="tone_score_average",
        family="generative",
        unit="score_0_to_1",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean tone_score (0–1) of the evaluations with a value.",
        sources=("evaluations.tone_score",),
        event_time="evaluations.evaluated_at",
        caveats=(EVALUATORS,),
    ),
    Metric(
        name="empathy_score_average",
        family="generative",
        unit="score_0_to_1",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean empathy_score (0–1) of the evaluations with a value.",
        sources=("evaluations.empathy_score",),
        event_time="evaluations.evaluated_at",
        caveats=(EVALUATORS,),
    ),
    Metric(
        name="human_preference_score",
        family="generative",
        unit="preference_0_to_1",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean value of the feedback of kind `preference`: 1 when this system was "
        "preferred, 0 when the other was, 0.5 for a tie.",
        sources=("feedback.kind", "feedback.value"),
        event_time="feedback.created_at",
        caveats=("Relative to whatever system it was compared with; 0.5 is a draw.",),
    ),
    Metric(
        name="thumbs_up_rate",
        family="generative",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Share of the feedback of kind `thumbs` with value +1.",
        sources=("feedback.kind", "feedback.value"),
        event_time="feedback.created_at",
        caveats=("Only customers who give feedback count; they may differ from those who do not.",),
    ),
    Metric(
        name="feedback_rate",
        family="generative",
        unit="feedback_per_ai_conversation",
        statistic="ratio",
        interval="none",
        direction="none",
        definition="Feedback rows of any kind created in the period / AI conversations started in "
        "the period (same program; ALL pools every program).",
        sources=("feedback.feedback_id", "conversations.ai_involved"),
        event_time="feedback.created_at (numerator); conversations.started_at (denominator)",
        caveats=(
            "Numerator and denominator are taken by their own times and feedback need not belong "
            "to an AI conversation: the value can exceed 1 and is not a share.",
            "sample_size = AI conversations; null when there is none.",
        ),
    ),
    Metric(
        name="fid",
        family="generative",
        unit="fid",
        statistic="value",
        interval="none",
        direction="lower",
        definition="Fréchet distance between Gaussians fitted (mean and covariance) to the real "
        "and to the generated image feature vectors created in the period: ||μr − μg||² + "
        "Tr(Σr + Σg − 2(ΣrΣg)^½).",
        sources=("image_features.set", "image_features.vector"),
        event_time="image_features.created_at",
        caveats=(
            "Needs the optional image_features feed (vectors the user's own encoder produced): "
            "without it the metric has no rows.",
            "Null when either set has fewer than 2 vectors, or when the vectors of a slice do not "
            "share one dimension (e.g. ALL over programs with different encoders); sample_size = "
            "generated vectors.",
            "Biased upwards in small samples and tied to the encoder used: compare values of "
            "similar sample sizes and the same encoder only.",
        ),
    ),
    # --- agents --------------------------------------------------------------------------------
    _conversation(
        "goal_completion_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "AI conversations with task_completed true / AI conversations with task_completed "
        "recorded.",
        ("conversations.ai_involved", "conversations.task_completed"),
        ("AI conversations without task_completed are left out.",),
        family="agents",
        guardrails=("action_accuracy", "guardrail_compliance_rate"),
    ),
    Metric(
        name="autonomy_score",
        family="agents",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition=f"Share of {ACTIONS} with human_intervened false, among those with it recorded.",
        sources=("llm_calls.operation", "llm_calls.human_intervened"),
        event_time="llm_calls.started_at",
        caveats=("Other operations (chat, embeddings) do not count.",),
        guardrails=("action_accuracy", "goal_completion_rate"),
    ),
    Metric(
        name="action_accuracy",
        family="agents",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition=f"Share of {ACTIONS} with action_correct true, among those with it recorded.",
        sources=("llm_calls.operation", "llm_calls.action_correct"),
        event_time="llm_calls.started_at",
        caveats=("Other operations (chat, embeddings) do not count.",),
    ),
    _conversation(
        "multi_step_reasoning_score",
        "share",
        "proportion",
        "wilson",
        "higher",
        "Among AI conversations with at least 2 linked actions and task_completed recorded: the "
        "share with task_completed true and no linked action with action_correct false.",
        (
            "conversations.ai_involved",
            "conversations.task_completed",
            "llm_calls.operation",
            "llm_calls.action_correct",
            "llm_calls.conversation_id",
        ),
        ("An action with action_correct unknown does not count as incorrect.", LINKED_CALL),
        family="agents",
    ),
    Metric(
        name="agent_reliability_index",
        family="agents",
        unit="share",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Weighted mean of the uptime share (uptime_percent / 100), action_accuracy and "
        "goal_completion_rate of the same period and program (segment `all`), with the weights "
        "reliability_weight_uptime, reliability_weight_action_accuracy and "
        "reliability_weight_goal_completion (1 each by default).",
        sources=(
            "uptime.up",
            "llm_calls.operation",
            "llm_calls.action_correct",
            "conversations.ai_involved",
            "conversations.task_completed",
        ),
        event_time="uptime.checked_at, llm_calls.started_at and conversations.started_at (each "
        "component by its own)",
        caveats=(
            "Null (with sample_size 0) when any component with a non-zero weight is null; "
            "otherwise sample_size is the smallest sample_size of the components used.",
            "Its components count different rows (checks, actions, conversations), so the index "
            "has no interval.",
            SETTING_REBUILD,
        ),
    ),
    Metric(
        name="learning_efficiency",
        family="agents",
        unit="points_per_week",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Least-squares slope of 100 × the weekly goal_completion_rate (segment `all`) "
        "on the week number, over the weeks of [W − (N − 1) weeks, W] that have a rate (N = "
        "learning_efficiency_weeks, default 8), in percentage points per week.",
        sources=("conversations.ai_involved", "conversations.task_completed"),
        event_time="conversations.started_at (by ISO week)",
        grains=("week",),
        caveats=(
            "Week grain only. Null with fewer than 2 weeks; weeks without a rate are skipped, "
            "not counted as 0; sample_size = weeks used.",
            "Every week weighs the same whatever its number of conversations, and a change in the "
            "mix of contacts shows up as learning.",
            SETTING_REBUILD,
        ),
    ),
    _conversation(
        "adaptability",
        "ratio",
        "ratio",
        "none",
        "higher",
        "Goal completion rate of the AI conversations (task_completed recorded) on novel intents "
        "/ the same rate on the other intents; an intent is novel when its program first saw it "
        "(earliest started_at of any of its conversations with that intent) at most "
        "novel_intent_window_days × 24 hours (default 28 days) before the conversation started.",
        (
            "conversations.intent",
            "conversations.ai_involved",
            "conversations.task_completed",
            "conversations.started_at",
        ),
        (
            "First seen means first seen in the loaded history, so the intents a program already "
            "saw within the first novel_intent_window_days of its history are its initial "
            "repertoire and never novel (else every intent would be novel in the first weeks of "
            "data).",
            "Conversations with a null intent are left out; null when either group is empty or "
            "the other intents' rate is 0; sample_size = novel-intent AI conversations with "
            "task_completed recorded.",
            SETTING_REBUILD,
        ),
        family="agents",
    ),
    # --- responsible AI ------------------------------------------------------------------------
    _prediction(
        "demographic_parity_difference",
        "share",
        "value",
        "none",
        "lower",
        "Largest minus smallest selection rate over the values of predictions.group, a group's "
        "selection rate being its predictions with normalised predicted label true / its "
        "predictions with a predicted label (fairlearn demographic_parity_difference).",
        ("predictions.group", "predictions.predicted_label", "predictions.actual_label"),
        (
            BINARY_ONLY,
            "Rows without a group are left out; null with fewer than 2 groups; no interval, and a "
            "small group can set the maximum or the minimum alone.",
            LABELS,
        ),
        family="responsible_ai",
    ),
    _prediction(
        "demographic_parity_ratio",
        "ratio",
        "ratio",
        "none",
        "higher",
        "Smallest / largest selection rate over the values of predictions.group (fairlearn "
        "demographic_parity_ratio); 1 is parity.",
        ("predictions.group", "predictions.predicted_label", "predictions.actual_label"),
        (
            BINARY_ONLY,
            "Rows without a group are left out; null with fewer than 2 groups or when no group has "
            "a positive prediction.",
            LABELS,
        ),
        family="responsible_ai",
    ),
    _prediction(
        "equal_opportunity_difference",
        "share",
        "value",
        "none",
        "lower",
        "Largest minus smallest true-positive rate (recall of class true) over the values of "
        "predictions.group, over the predictions with both labels.",
        ("predictions.group", "predictions.predicted_label", "predictions.actual_label"),
        (
            BINARY_ONLY,
            "A group without actual positives is left out; null with fewer than 2 groups left; "
            "sample_size = labelled rows of the groups used.",
            LABELS,
        ),
        family="responsible_ai",
    ),
    Metric(
        name="outcome_parity_ratio",
        family="responsible_ai",
        unit="ratio",
        statistic="ratio",
        interval="none",
        direction="higher",
        definition="Smallest / largest ai_resolution_rate (AI conversations resolved and not "
        "escalated / AI conversations) over the values of customer_group; 1 is parity.",
        sources=(
            "conversations.customer_group",
            "conversations.ai_involved",
            "conversations.resolved",
            "conversations.escalated_to_human",
        ),
        event_time="conversations.started_at",
        caveats=(
            "Segment `all` only. Groups without an AI conversation and conversations without a "
            "customer_group are left out (customer_group is present only where policy allows).",
            "Null with fewer than 2 groups or when the largest rate is 0; sample_size = AI "
            "conversations with a customer_group.",
        ),
    ),
    Metric(
        name="explainability_index",
        family="responsible_ai",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Share of evaluations with explanation_present true, among those with a value.",
        sources=("evaluations.explanation_present",),
        event_time="evaluations.evaluated_at",
        caveats=("Named an index but a proportion (0–1).", EVALUATORS),
    ),
    _conversation(
        "auditability_rate",
        "share",
        "proportion",
        "wilson",
        "higher",
        "AI conversations with at least one linked llm_call, every linked call having model, "
        "status, input_tokens and output_tokens recorded / AI conversations.",
        (
            "conversations.ai_involved",
            "llm_calls.conversation_id",
            "llm_calls.model",
            "llm_calls.status",
            "llm_calls.input_tokens",
            "llm_calls.output_tokens",
        ),
        (
            "An AI conversation without any linked call counts as not auditable.",
            "model and status are required by the input contract, so in practice the token counts "
            "decide.",
            LINKED_CALL,
        ),
        family="responsible_ai",
    ),
    _conversation(
        "human_oversight_ratio",
        "share",
        "proportion",
        "wilson",
        "none",
        "AI conversations with at least one linked evaluation by evaluator `human` / AI "
        "conversations.",
        ("conversations.ai_involved", "evaluations.conversation_id", "evaluations.evaluator"),
        ("Named a ratio but a proportion (0–1).", LINKED_EVALUATION),
        family="responsible_ai",
    ),
    Metric(
        name="guardrail_compliance_rate",
        family="responsible_ai",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Calls with operation chat or text_completion and guardrail_triggered false / "
        "those calls with guardrail_triggered recorded (1 − their trigger rate).",
        sources=("llm_calls.operation", "llm_calls.guardrail_triggered"),
        event_time="llm_calls.started_at",
        caveats=(
            "Measures how often a guardrail had to step in, not whether it worked; other "
            "operations (tool calls, embeddings) do not count.",
        ),
    ),
    Metric(
        name="compliance_score",
        family="responsible_ai",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Share of evaluations with compliant true, among those with a value.",
        sources=("evaluations.compliant",),
        event_time="evaluations.evaluated_at",
        caveats=(EVALUATORS,),
    ),
    # --- employees -----------------------------------------------------------------------------
    Metric(
        name="adoption_rate",
        family="employees",
        unit="share",
        statistic="proportion",
        interval="wilson",
        direction="higher",
        definition="Eligible employees (roster eligible true) with at least one session in the "
        "period (in the program; for ALL in any program) / eligible employees in the roster.",
        sources=(
            "employees.eligible",
            "employees.employee_id",
            "employee_usage.employee_id",
            "employee_usage.sessions",
        ),
        event_time="employee_usage.usage_date (the roster is a snapshot)",
        caveats=(
            "The roster is a snapshot (latest file): every period uses today's eligibility, and "
            "every program is measured against the whole eligible roster.",
            "Usage of employees not in the roster does not count.",
        ),
        guardrails=("employee_satisfaction",),
    ),
    Metric(
        name="sessions_per_active_employee",
        family="employees",
        unit="sessions",
        statistic="ratio",
        interval="none",
        direction="none",
        definition="Sum of sessions / distinct employees with at least one session in the period "
        "(eligible or not).",
        sources=("employee_usage.sessions", "employee_usage.employee_id"),
        event_time="employee_usage.usage_date",
        caveats=(
            "Distinct over the whole period: a week's value is not the mean of its days' values.",
        ),
    ),
    Metric(
        name="employee_satisfaction",
        family="employees",
        unit="satisfaction_1_to_5",
        statistic="mean",
        interval="normal",
        direction="higher",
        definition="Mean satisfaction (1–5) over the usage rows with a value.",
        sources=("employee_usage.satisfaction",),
        event_time="employee_usage.usage_date",
        caveats=("Each usage row counts once: employees who report more often weigh more.",),
    ),
    Metric(
        name="minutes_saved_total",
        family="employees",
        unit="minutes",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Sum of minutes_saved over the usage rows of the period.",
        sources=("employee_usage.minutes_saved",),
        event_time="employee_usage.usage_date",
        caveats=(
            "Rows without minutes_saved are left out (sample_size counts the rows with it): "
            "where it is missing the total is a lower bound, as the source reports it.",
        ),
        guardrails=("employee_satisfaction",),
    ),
    # --- business cost inputs ------------------------------------------------------------------
    Metric(
        name="ai_run_cost_usd",
        family="business",
        unit="usd",
        statistic="value",
        interval="none",
        direction="none",
        definition="Billed ai_inference + ai_platform costs of the period in USD (each cost row's "
        "amount that counts: billed_cost, or on a FinOps FOCUS row the column the setting "
        "focus_cost_column names); for a program and day no ai_inference bill covers, the calls' "
        "inference_cost_usd stands in for the inference part.",
        sources=(
            *COST_AMOUNT,
            "costs.billing_currency",
            "costs.cost_type",
            "costs.ai_system",
            "costs.charge_category",
            "costs.service_category",
            "costs.tags",
            "costs.charge_period_start",
            "costs.charge_period_end",
            "focus_cost_types.cost_type",
            "fx_rates.usd_rate",
            "llm_calls.cost_usd",
        ),
        event_time="each UTC day of [costs.charge_period_start, costs.charge_period_end) (an "
        "equal share each); llm_calls.started_at for the stand-in",
        caveats=(
            "Credits are negative costs, so a value can be negative.",
            "Untagged costs count under the program `unallocated`; ALL sums every program, "
            "unallocated included.",
            "A FinOps FOCUS row counts the column focus_cost_column names (default "
            "EffectiveCost, amortized: a commitment purchase counts 0 and its share sits on the "
            "usage rows it covers), under the program its Tags name by the key "
            "focus_ai_system_tag, with the cost_type of the most specific focus_cost_types rule "
            "(`other` when none matches; only ai_inference and ai_platform count here).",
            "A cost in a currency without an FX rate on or before its day (USD needs none), or a "
            "FOCUS row whose chosen cost column is empty, is left out (unconverted_cost_rows in "
            "marts.roi_summary).",
            REFERENCE_CHANGE.format(what="focus_cost_types table or FOCUS setting"),
        ),
    ),
    Metric(
        name="human_oversight_cost_usd",
        family="business",
        unit="usd",
        statistic="value",
        interval="none",
        direction="none",
        definition="human_handle_seconds of the AI conversations that started in the period × "
        "the loaded hourly rate of role `default` valid on the conversation's start day / 3600.",
        sources=(
            "conversations.human_handle_seconds",
            "conversations.ai_involved",
            "labor_rates.hourly_usd",
        ),
        event_time="conversations.started_at",
        caveats=(
            "AI conversations without human_handle_seconds are left out (sample_size); "
            "human-only conversations are not part of it.",
            REFERENCE_CHANGE.format(what="labor_rates table"),
        ),
    ),
    Metric(
        name="cost_to_serve_usd",
        family="business",
        unit="usd",
        statistic="ratio",
        interval="none",
        direction="lower",
        definition="(ai_run_cost_usd + human_oversight_cost_usd) / AI conversations that started "
        "in the period with resolved true (escalated ones included).",
        sources=(
            *COST_AMOUNT,
            "llm_calls.cost_usd",
            "conversations.human_handle_seconds",
            "conversations.ai_involved",
            "conversations.resolved",
        ),
        event_time="the costs' days and conversations.started_at",
        caveats=(
            "Costs count by their own days and conversations by their start: in a short period "
            "a bill and the conversations it serves can fall apart.",
            "Null when no AI conversation was resolved.",
        ),
        guardrails=("ai_resolution_rate", "csat_average"),
    ),
    Metric(
        name="human_cost_to_serve_usd",
        family="business",
        unit="usd",
        statistic="ratio",
        interval="none",
        direction="lower",
        definition="Labour cost of the human-only conversations that started in the period "
        "(human_handle_seconds × the loaded hourly rate / 3600) / those of them resolved: the "
        "comparison for cost_to_serve_usd.",
        sources=(
            "conversations.human_handle_seconds",
            "conversations.ai_involved",
            "conversations.resolved",
            "labor_rates.hourly_usd",
        ),
        event_time="conversations.started_at",
        caveats=(
            "Only human-only conversations with human_handle_seconds count, in the numerator "
            "and the denominator.",
            "Null for a program without resolved human-only conversations in the period.",
        ),
    ),
    Metric(
        name="cost_reduction_usd",
        family="business",
        unit="usd",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Σ over the period's days of (baseline cost per resolution × AI conversations "
        "resolved) − (ai_run_cost_usd + human_oversight_cost_usd). The baseline is the program's "
        "cost per resolved conversation (AI run cost + human labour of every contact / resolved "
        "contacts) in the prepost_window_days before its first deployment, from that deployment "
        "on; before it, or without a usable pre-window, the day's human_cost_to_serve_usd of "
        "concurrent human-only contacts.",
        sources=(
            "deployments.deployed_at",
            "conversations.human_handle_seconds",
            "conversations.resolved",
            "conversations.ai_involved",
            *COST_AMOUNT,
            "llm_calls.cost_usd",
            "labor_rates.hourly_usd",
        ),
        event_time="conversations.started_at and the costs' days",
        caveats=(
            "Days without AI resolutions or without a baseline are left out (sample_size counts "
            "the AI resolutions used).",
            "ALL sums the programs, each against its own baseline.",
            "Negative when the AI costs more per resolution than the baseline.",
        ),
        guardrails=("ai_resolution_rate", "csat_average"),
    ),
    Metric(
        name="attributed_revenue_usd",
        family="business",
        unit="usd",
        statistic="value",
        interval="none",
        direction="higher",
        definition="Completed minus refunded revenue in USD (each row at the FX rate of its "
        "occurred_at day) whose attributed_conversation_id is an AI conversation of the program.",
        sources=(
            "revenue.amount",
            "revenue.currency",
            "revenue.status",
            "revenue.attributed_conversation_id",
            "conversations.ai_involved",
            "fx_rates.usd_rate",
        ),
        event_time="revenue.occurred_at",
        caveats=(
            "A refund counts negative whatever sign it was filed with; other statuses (pending) "
            "count nothing.",
            "A row in a currency without an FX rate on or before its day (USD needs none) is "
            "left out.",
        ),
        guardrails=("csat_average", "compliance_score"),
    ),
    Metric(
        name="revenue_per_ai_interaction_usd",
        family="business",
        unit="usd",
        statistic="ratio",
        interval="none",
        direction="higher",
        definition="attributed_revenue_usd / AI conversations that started in the period.",
        sources=(
            "revenue.amount",
            "revenue.attributed_conversation_id",
            "conversations.ai_involved",
        ),
        event_time="revenue.occurred_at and conversations.started_at, each by its own time",
        caveats=("Null in a period without attributed revenue.",),
        guardrails=("csat_average", "compliance_score"),
    ),
    Metric(
        name="ai_revenue_share",
        family="business",
        unit="share",
        statistic="ratio",
        interval="none",
        direction="higher",
        definition="attributed_revenue_usd / all revenue counted in the period (completed minus "
        "refunded, attributed or not).",
        sources=("revenue.amount", "revenue.status", "revenue.attributed_conversation_id"),
        event_time="revenue.occurred_at",
        caveats=(
            "The denominator is the company's revenue, the same for every program: the "
            "programs' shares add up to ALL's.",
        ),
    ),
    Metric(
        name="roai",
        family="business",
        unit="ratio",
        statistic="ratio",
        interval="none",
        direction="higher",
        definition="(value − investment) / investment, with investment = ai_run_cost_usd + "
        "human_oversight_cost_usd + ai_implementation costs, and value = the cost the AI "
        "resolutions avoided (baseline cost per resolution × AI resolutions, as in "
        "cost_reduction_usd) + incremental revenue (of the experiment units assigned on days "
        "with units in both arms: treatment revenue − treatment units × control revenue per "
        "control unit, each day a stratum; on other days attributed_revenue_usd).",
        sources=(
            *COST_AMOUNT,
            "costs.cost_type",
            "conversations.human_handle_seconds",
            "conversations.resolved",
            "revenue.amount",
            "experiments.variant",
            "deployments.deployed_at",
        ),
        event_time="the costs' days, conversations.started_at, revenue.occurred_at and "
        "experiments.assigned_at",
        caveats=(
            "Deviation from the specified value = cost_reduction_usd + revenue, which would "
            "subtract the run and oversight costs twice (cost_reduction_usd is already net of "
            "them): value counts the avoided cost gross instead.",
            "The cumulative roai since deployment and the payback date are in marts.roi_summary.",
            "An experiment's incremental revenue uses each unit's conversion-window revenue, "
            "provisional until the window has closed.",
        ),
        guardrails=("csat_average", "hallucination_rate"),
    ),
    Metric(
        name="time_to_value_days",
        family="business",
        unit="days",
        statistic="value",
        interval="none",
        direction="lower",
        definition="Days from the first deployment's day to the first day on which cumulative "
        "value (as in roai) reaches cumulative investment since then; the value of every period "
        "that ends on or after that day.",
        sources=("deployments.deployed_at", *COST_AMOUNT, "conversations.resolved"),
        event_time="deployments.deployed_at",
        caveats=(
            "Null until the investment has paid back; sample_size counts the days with data "
            "since the deployment.",
            "A program without a deployment row counts from its first day with data; ALL from "
            "the first deployment of any program.",
        ),
    ),
)

# The metrics that count cost rows (int_costs_spread), and so read the FOCUS settings.
COST_METRICS = (
    "ai_run_cost_usd",
    "cost_to_serve_usd",
    "cost_reduction_usd",
    "roai",
    "time_to_value_days",
)

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "prepost_window_days",
        "Days of the pre- and post-deployment windows around deployed_at that the baseline "
        "comparison (marts.baseline_comparison, the scorecard's baseline_value) compares.",
        other_users="baseline comparison",
    ),
    Setting(
        "novel_intent_window_days",
        "An intent is novel for a conversation when its program first saw it at most this many "
        "days (× 24 hours) before the conversation started; intents seen in the first this many "
        "days of a program's history are its initial repertoire, never novel.",
        ("adaptability",),
    ),
    Setting(
        "learning_efficiency_weeks",
        "Number of weeks, the current one included, whose goal completion rates the learning "
        "slope is fitted over.",
        ("learning_efficiency",),
    ),
    Setting(
        "reliability_weight_uptime",
        "Weight of the uptime share in the agent reliability index (0 leaves it out).",
        ("agent_reliability_index",),
    ),
    Setting(
        "reliability_weight_action_accuracy",
        "Weight of action_accuracy in the agent reliability index (0 leaves it out).",
        ("agent_reliability_index",),
    ),
    Setting(
        "reliability_weight_goal_completion",
        "Weight of goal_completion_rate in the agent reliability index (0 leaves it out).",
        ("agent_reliability_index",),
    ),
    Setting(
        "default_min_sample_size",
        "Minimum sample_size below which the scorecard shows a value as insufficient data, for "
        "metrics whose target row sets no min_sample_size of its own.",
        other_users="scorecard status, weekly gate",
    ),
    Setting(
        "fcr_window_days",
        "Days (× 24 hours) after a contact in which another contact of the same customer and "
        "issue makes it no first-contact resolution; the dbt var fcr_lookahead_days must be at "
        "least this.",
        ("first_contact_resolution_rate",),
    ),
    Setting(
        "gate_headline_metrics",
        "Comma-separated metrics whose week-grain sample size the weekly quality gate checks "
        "(blocking publication); every other metric below its minimum is only shown as "
        "insufficient data.",
        other_users="weekly gate",
    ),
    Setting(
        "cuped_lookback_days",
        "Days (× 24 hours) before a unit's assignment whose completed orders are its CUPED "
        "covariate (pre-assignment conversions).",
        other_users="marts.experiment_results",
    ),
    Setting(
        "experiment_alpha",
        "Significance level of an experiment's verdict: significant_win or significant_loss when "
        "the pooled z-test p-value is below it.",
        other_users="marts.experiment_results",
    ),
    Setting(
        "srm_alpha",
        "An experiment whose sample-ratio-mismatch p-value is below this is `invalid`.",
        other_users="marts.experiment_results",
    ),
    Setting(
        "focus_cost_column",
        "Which cost column of a FinOps FOCUS cost row counts: `BilledCost` (what was invoiced), "
        "`EffectiveCost` (amortized: a commitment purchase counts 0 and its share sits on the "
        "usage rows it covers), `ListCost` or `ContractedCost`. A FOCUS row whose chosen column "
        "is empty has no cost (never 0, never another column) and counts in "
        "unconverted_cost_rows; a row in the contract's own columns always counts billed_cost.",
        COST_METRICS,
        other_users="marts.roi_summary",
    ),
    Setting(
        "focus_ai_system_tag",
        "The key in a FinOps FOCUS cost row's Tags (a JSON object) whose value names the program "
        "(ai_system) the cost belongs to, read as one key (`user:ai-program` and `a.b` are keys, "
        "not paths; a JSON true reads `true`). A FOCUS row without it, or with a blank value, "
        "counts under `unallocated`; whether a row has it is the `tagged` column of the "
        "focus_cost_types rules.",
        COST_METRICS,
        other_users="marts.roi_summary",
    ),
)

SETTINGS_SEED = DBT_PROJECT_DIR / "seeds" / "settings.csv"
DOCS_FILE = Path("dbt_project/models/metric_docs.md")
SEED_FILE = Path("dbt_project/seeds/metric_definitions.csv")
MODEL_YAML_FILE = Path("dbt_project/models/marts/_marts__metric_catalog.yml")
PAGE_FILE = Path("docs/metrics.md")
SEED_COLUMNS = (
    "metric_name",
    "family",
    "unit",
    "statistic",
    "confidence_interval",
    "direction",
    "grains",
    "segments",
    "definition",
    "guardrails",
)


def metrics_by_family() -> dict[str, list[Metric]]:
    """The metrics in catalog order, grouped by family in FAMILIES order."""
    grouped: dict[str, list[Metric]] = {family: [] for family in FAMILIES}
    for metric in METRICS:
        grouped[metric.family].append(metric)
    return grouped


def setting_defaults(path: Path = SETTINGS_SEED) -> dict[str, str]:
    """The defaults of the settings seed: the pipeline reads them from there, so do the docs."""
    with path.open(newline="", encoding="utf-8") as f:
        return {row["name"]: row["value"] for row in csv.DictReader(f)}


# --- rendering ---------------------------------------------------------------------------------


def _code(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _statistic_text(metric: Metric) -> str:
    text = f"{metric.statistic}, {INTERVALS[metric.interval]}"
    if metric.multiclass_statistic is not None:
        text = (
            f"{text} on binary slice-periods; {metric.multiclass_statistic}, "
            f"{INTERVALS[metric.multiclass_interval or 'none']} on multi-class ones"
        )
    return text


def _segments_text(metric: Metric) -> str:
    if metric.segments == CONVERSATION_SEGMENTS:
        return f"{_code(metric.segments)} (the conversation segments)"
    if metric.segments == PREDICTION_SEGMENTS:
        return f"{_code(metric.segments)} only (no `all` row)"
    return "`all` only"


def _metric_body(metric: Metric) -> list[str]:
    """The Markdown of one metric, shared by its dbt docs block and the reference page."""
    lines = [
        metric.definition,
        "",
        f"- unit: `{metric.unit}`; {DIRECTIONS[metric.direction]}",
        f"- statistic: {_statistic_text(metric)}",
        f"- grains: {', '.join(metric.grains)}",
        f"- segments: {_segments_text(metric)}",
        f"- sources: {_code(metric.sources)}",
        f"- event time: {metric.event_time}",
    ]
    if metric.guardrails:
        lines.append(
            f"- guardrails: {_code(metric.guardrails)} (must not get worse while this one "
            "improves; the scorecard shows them beside it)"
        )
    if metric.caveats:
        lines.append("- caveats:")
        lines.extend(f"  - {caveat}" for caveat in metric.caveats)
    return lines


def _settings_table() -> list[str]:
    defaults = setting_defaults()
    lines = ["| setting | default | meaning | used by |", "|---|---|---|---|"]
    for setting in SETTINGS:
        used_by = "; ".join(filter(None, [_code(setting.metrics), setting.other_users]))
        lines.append(
            f"| `{setting.name}` | `{defaults[setting.name]}` | {setting.meaning} | {used_by} |"
        )
    return lines


def render_docs_blocks() -> str:
    """dbt_project/models/metric_docs.md: one docs block per metric, one for the settings."""
    lines = [
        f"{{# Generated by `{GENERATED_BY}` from {SOURCE_FILE}: edit the registry there and "
        "rerun, never this file. #}",
        "",
    ]
    for metric in METRICS:
        lines += [
            f"{{% docs metric_{metric.name} %}}",
            f"**{metric.name}** ({FAMILIES[metric.family]}): " + _metric_body(metric)[0],
            *_metric_body(metric)[1:],
            "{% enddocs %}",
            "",
        ]
    lines += [
        "{% docs metric_settings %}",
        "Settings the metrics read (`settings.csv`; a user's `<landing>/reference/settings.csv` "
        "overrides them by name):",
        "",
        *_settings_table(),
        "{% enddocs %}",
    ]
    return "\n".join(lines) + "\n"


def render_seed() -> str:
    """dbt_project/seeds/metric_definitions.csv: the catalog as a table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for m in METRICS:
        writer.writerow(
            [
                m.name,
                m.family,
                m.unit,
                m.statistic_label,
                m.interval_label,
                m.direction,
                ",".join(m.grains),
                ",".join(m.segments),
                m.definition,
                ",".join(m.guardrails),
            ]
        )
    return out.getvalue()


_COLUMN_DOCS = {
    "metric_name": "The metric_name of marts.metric_values (snake case).",
    "family": "customer_service, operational, technical, generative, agents, responsible_ai, "
    "employees or business.",
    "unit": "The unit column of marts.metric_values for this metric.",
    "statistic": "proportion, mean, ratio or value (see the metric_inputs docs); precision and "
    "recall name their binary and multi-class statistics.",
    "confidence_interval": "wilson, normal or none: the 95 % interval in ci_low/ci_high; "
    "precision and recall name their binary and multi-class intervals.",
    "direction": "higher or lower (is better), or none.",
    "grains": "Comma-separated grains the metric is computed at.",
    "segments": "Comma-separated segment_key values of its rows.",
    "definition": "What the metric measures, in one or two sentences.",
    "guardrails": "Comma-separated metrics that must not get worse while this one improves "
    "(shown beside it on the scorecard); null when none.",
}
_ACCEPTED = {
    "family": list(FAMILIES),
    "direction": list(DIRECTIONS),
}


def render_model_yaml() -> str:
    """The metric_catalog model's YAML: its description shows every docs block in dbt docs."""
    lines = [
        "version: 2",
        "",
        f"# Generated by `{GENERATED_BY}` from {SOURCE_FILE}:",
        "# edit the registry there and rerun, never this file.",
        "# Contract types are named so that DuckDB and Spark both accept them.",
        "models:",
        "  - name: metric_catalog",
        "    description: |",
        "      The metric catalog: one row per metric of marts.metric_values (join on",
        "      metric_name). Its rows come from the seed metric_definitions, which",
        f"      `{GENERATED_BY}` writes from `{SOURCE_FILE}`.",
        "      Every metric with its unit, statistic, slices, sources and caveats:",
    ]
    for family, metrics in metrics_by_family().items():
        lines += ["", f"      ### {FAMILIES[family]}"]
        for metric in metrics:
            lines += ["", f"      {{{{ doc('metric_{metric.name}') }}}}"]
    lines += [
        "",
        "      ### Settings",
        "",
        "      {{ doc('metric_settings') }}",
        "    data_tests:",
        "      - expression_is_true:",
        "          name: metric_catalog_learning_efficiency_is_weekly",
        "          arguments:",
        "            expression: \"(metric_name = 'learning_efficiency') = (grains = 'week')\"",
        "    columns:",
    ]
    for column in SEED_COLUMNS:
        lines += [
            f"      - name: {column}",
            f"        description: {json.dumps(_COLUMN_DOCS[column], ensure_ascii=False)}",
            "        data_type: string",
        ]
        if column in _ACCEPTED:
            lines += [
                "        data_tests:",
                "          - not_null",
                "          - accepted_values:",
                "              arguments:",
                f"                values: [{', '.join(_ACCEPTED[column])}]",
            ]
        elif column != "guardrails":  # null for a metric without guardrails
            unique = "unique, " if column == "metric_name" else ""
            lines.append(f"        data_tests: [{unique}not_null]")
    return "\n".join(lines) + "\n"


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, spaces to hyphens, other punctuation dropped."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def render_page() -> str:
    """docs/metrics.md: the reference page, every metric by family, then the settings."""
    grouped = metrics_by_family()
    lines = [
        "# Metric reference",
        "",
        f"Generated by `{GENERATED_BY}` from `{SOURCE_FILE}`: edit the registry there and "
        "rerun the command, never this page. The same texts are in dbt docs (model "
        "`metric_catalog`) and, one row per metric, in the table `marts.metric_catalog`.",
        "",
        f"{len(METRICS)} metrics of `marts.metric_values` (one row per metric_name, grain, "
        "period_start, ai_system and `ALL`, segment_key and segment_value) and the "
        f"{len(SETTINGS)} settings they read. Common rules:",
        "",
        "- statistic `proportion`: numerator / denominator with a 95 % Wilson score interval, "
        "sample_size = denominator; `mean`: sum / count with a normal interval mean ± z·s/√n "
        "(s the sample standard deviation, null when n < 2); `ratio`: numerator / denominator, "
        "no interval; `value`: as computed, no interval. z = 1.959964.",
        "- A zero denominator gives a null value, never 0; rows whose input for a metric is null "
        "are left out of it, and sample_size counts the rows used.",
        "- Ratios are ratios of sums over the whole period, never averages of daily ratios; "
        "percentiles are linearly interpolated. `ALL` pools every program's rows.",
        "- Conversation metrics take the conversations that started in the period, with their "
        "linked calls and evaluations whenever those happened; the others take their rows by "
        "their own event time.",
        "- Conversation segments: `all` and each of channel, handled_by (`ai`, `ai_then_human`, "
        "`human`), use_case, language, region, customer_segment, customer_group and intent "
        "(`unknown` when missing). Prediction metrics: per `task` and per `model` only.",
        "- Guardrails: the metrics that must not get worse while a metric improves (containment "
        "bought with unsolved customers, cost cut with lower resolution). The weekly scorecard "
        "shows them beside the metric they protect, on the same slice.",
        "- A changed reference table or setting reaches periods a run does not recompute only "
        "after a full rebuild (`dbt build --full-refresh`).",
        "",
        "## Contents",
        "",
    ]
    for family, metrics in grouped.items():
        title = FAMILIES[family]
        links = ", ".join(f"[{m.name}](#{_anchor(m.name)})" for m in metrics)
        lines.append(f"- [{title}](#{_anchor(title)}): {links}")
    lines += ["- [Settings](#settings)", ""]
    for family, metrics in grouped.items():
        lines += [f"## {FAMILIES[family]}", ""]
        for metric in metrics:
            lines += [f"### {metric.name}", "", *_metric_body(metric), ""]
    lines += [
        "## Settings",
        "",
        "Named values of `dbt_project/seeds/settings.csv`; a user's "
        "`<landing>/reference/settings.csv` overrides them by name.",
        "",
        *_settings_table(),
    ]
    return "\n".join(lines) + "\n"


def render() -> dict[Path, str]:
    """Every generated file (relative to the repository root) and its current text."""
    return {
        DOCS_FILE: render_docs_blocks(),
        SEED_FILE: render_seed(),
        MODEL_YAML_FILE: render_model_yaml(),
        PAGE_FILE: render_page(),
    }


def write(root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated files that differ from `render()`; returns those it changed."""
    return write_changed(render(), root)


if __name__ == "__main__":
    written = write()
    print("wrote: " + ", ".join(map(str, written)) if written else "the catalog files are current")
