{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The responsible-AI family as metric inputs (see the metric_inputs docs block), except the
-- fairness metrics over predictions (int_prediction_metrics_unpivoted, beside the other
-- prediction metrics): outcome parity, auditability and human oversight by the conversations
-- that started in the period, explainability and compliance by the evaluations made in it, and
-- guardrail compliance by the chat and text-completion calls started in it.

with conversations as (

    select * from {{ ref('int_conversations_aggregated') }}
    where {{ in_recompute_periods() }}

),

-- ai_resolution_rate per customer_group, for the groups with AI conversations.
group_resolution as (

    select
        grain,
        period_start,
        ai_system,
        ai_conversations,
        {{ safe_divide('ai_resolved_contained', 'ai_conversations') }} as ai_resolution_rate
    from conversations
    where segment_key = 'customer_group'
        and segment_value <> 'unknown'
        and ai_conversations > 0

),

outcome_parity as (

    select
        grain,
        period_start,
        ai_system,
        'all' as segment_key,
        'all' as segment_value,
        sum(ai_conversations) as ai_conversations,
        case when count(*) >= 2 then min(ai_resolution_rate) end as lowest_resolution_rate,
        case when count(*) >= 2 then max(ai_resolution_rate) end as highest_resolution_rate
    from group_resolution
    group by 1, 2, 3

),

evaluations as (

    select * from {{ ref('int_evaluations_aggregated') }}
    where {{ in_recompute_periods() }}

),

-- The periods' call counts, where the program made chat or text-completion calls.
guardrails as (

    select * from {{ ref('int_llm_calls_aggregated') }}
    where generating_calls > 0
        and {{ in_recompute_periods() }}

),

conversation_metrics as (

    {{ metric_rows('conversations', [
        {'name': 'auditability_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_auditable', 'denominator': 'ai_conversations'},
        {'name': 'human_oversight_ratio', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_human_reviewed', 'denominator': 'ai_conversations'},
    ]) }}

),

parity_metrics as (

    {{ metric_rows('outcome_parity', [
        {'name': 'outcome_parity_ratio', 'statistic': 'ratio', 'unit': 'ratio',
         'numerator': 'lowest_resolution_rate', 'denominator': 'highest_resolution_rate',
         'sample_size': 'ai_conversations'},
    ]) }}

),

evaluation_metrics as (

    {{ metric_rows('evaluations', [
        {'name': 'explainability_index', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'explained', 'denominator': 'explanation_known'},
        {'name': 'compliance_score', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'compliant', 'denominator': 'compliance_known'},
    ]) }}

),

guardrail_metrics as (

    {{ metric_rows('guardrails', [
        {'name': 'guardrail_compliance_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'guardrail_passed', 'denominator': 'guardrail_known'},
    ]) }}

),

unioned as (

    select * from conversation_metrics
    union all
    select * from parity_metrics
    union all
    select * from evaluation_metrics
    union all
    select * from guardrail_metrics

)

select * from unioned
