{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The customer-service family as metric inputs (one row per metric, grain, period, ai_system
-- and segment; see the metric_inputs docs block): conversation metrics by the conversations that
-- started in the period, response_quality_index by the evaluations made in it.

with conversations as (

    select * from {{ ref('int_conversations_aggregated') }}
    where {{ in_recompute_periods() }}

),

evaluations as (

    select * from {{ ref('int_evaluations_aggregated') }}
    where {{ in_recompute_periods() }}

),

conversation_metrics as (

    {{ metric_rows('conversations', [
        {'name': 'ai_involvement_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_conversations', 'denominator': 'conversations'},
        {'name': 'containment_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_contained', 'denominator': 'ai_conversations'},
        {'name': 'automation_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_resolved_contained', 'denominator': 'conversations'},
        {'name': 'ai_resolution_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_resolved_contained', 'denominator': 'ai_conversations'},
        {'name': 'escalation_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_escalated', 'denominator': 'ai_conversations'},
        {'name': 'first_contact_resolution_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'first_contact_resolutions', 'denominator': 'conversations'},
        {'name': 'exception_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'ai_exceptions', 'denominator': 'ai_conversations'},
        {'name': 'csat_satisfied_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'csat_satisfied', 'denominator': 'rated'},
        {'name': 'average_handling_time_seconds', 'statistic': 'mean', 'unit': 'seconds',
         'numerator': 'handle_seconds_sum', 'denominator': 'handled',
         'standard_deviation': 'handle_seconds_sd'},
        {'name': 'csat_average', 'statistic': 'mean', 'unit': 'csat_1_to_5',
         'numerator': 'csat_sum', 'denominator': 'rated', 'standard_deviation': 'csat_sd'},
        {'name': 'sentiment_shift', 'statistic': 'mean', 'unit': 'sentiment_points',
         'numerator': 'sentiment_shift_sum', 'denominator': 'sentiment_scored',
         'standard_deviation': 'sentiment_shift_sd'},
        {'name': 'resolution_time_p50_seconds', 'statistic': 'value', 'unit': 'seconds',
         'value': 'resolution_seconds_p50', 'sample_size': 'resolutions_timed'},
        {'name': 'resolution_time_p90_seconds', 'statistic': 'value', 'unit': 'seconds',
         'value': 'resolution_seconds_p90', 'sample_size': 'resolutions_timed'},
    ]) }}

),

evaluation_metrics as (

    {{ metric_rows('evaluations', [
        {'name': 'response_quality_index', 'statistic': 'mean', 'unit': 'index_0_to_100',
         'scale': 100, 'numerator': 'quality_index_sum', 'denominator': 'quality_indexed',
         'standard_deviation': 'quality_index_sd'},
    ]) }}

),

unioned as (

    select * from conversation_metrics
    union all
    select * from evaluation_metrics

)

select * from unioned
