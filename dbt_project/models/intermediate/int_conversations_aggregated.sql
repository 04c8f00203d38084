{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- One row per grain, period, ai_system (and ALL) and segment (all, then each column of the
-- var conversation_segments): the counts, sums and percentiles behind every metric over
-- conversations (customer service, agents, responsible AI), over the conversations that
-- started in the period. Incremental runs rebuild the recomputed periods from all their
-- conversations, except the percentiles of the periods only the look-ahead reaches (below).

with conversations as {{ not_materialized() }} (

    select * from {{ ref('int_conversations_enriched') }}
    where {{ in_recompute_reads('started_date') }}

),

sliced as {{ not_materialized() }} (

    {{ sliced('conversations', 'started_date', var('conversation_segments')) }}

),

aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as conversations,
        {{ count_if('is_ai_involved') }} as ai_conversations,
        {{ count_if('is_ai_involved and not is_escalated') }} as ai_contained,
        {{ count_if('is_ai_involved and not is_escalated and is_resolved') }}
            as ai_resolved_contained,
        {{ count_if('is_ai_involved and is_escalated') }} as ai_escalated,
        {{ count_if('is_ai_involved and is_exception') }} as ai_exceptions,
        {{ count_if('is_first_contact_resolution') }} as first_contact_resolutions,
        count(handle_seconds) as handled,
        sum(handle_seconds) as handle_seconds_sum,
        stddev_samp(handle_seconds) as handle_seconds_sd,
        count(resolution_seconds) as resolutions_timed,
        count(csat) as rated,
        sum(csat) as csat_sum,
        stddev_samp(csat) as csat_sd,
        {{ count_if('csat >= 4') }} as csat_satisfied,
        count(sentiment_shift) as sentiment_scored,
        sum(sentiment_shift) as sentiment_shift_sum,
        stddev_samp(sentiment_shift) as sentiment_shift_sd,
        {{ count_if('is_ai_involved and is_task_completed is not null') }} as goals_known,
        {{ count_if('is_ai_involved and is_task_completed') }} as goals_completed,
        {{ count_if('is_ai_involved and actions >= 2 and is_task_completed is not null') }}
            as multi_step_known,
        {{ count_if(
            'is_ai_involved and actions >= 2 and is_task_completed and incorrect_actions = 0'
        ) }} as multi_step_succeeded,
        {{ count_if('is_ai_involved and is_auditable') }} as ai_auditable,
        {{ count_if('is_ai_involved and has_human_review') }} as ai_human_reviewed,
        {{ count_if('is_ai_involved and is_novel_intent and is_task_completed is not null') }}
            as novel_goals_known,
        {{ count_if('is_ai_involved and is_novel_intent and is_task_completed') }}
            as novel_goals_completed,
        {{ count_if('is_ai_involved and not is_novel_intent and is_task_completed is not null') }}
            as familiar_goals_known,
        {{ count_if('is_ai_involved and not is_novel_intent and is_task_completed') }}
            as familiar_goals_completed
    from sliced
    group by 1, 2, 3, 4, 5

),

-- resolution_seconds and the slices come from the conversation's own row: a later day cannot
-- change them, so periods the run reaches only through the look-ahead keep their percentiles.
touched as {{ not_materialized() }} (

    select * from sliced
    where {{ in_recompute_periods('grain', 'period_start', looks_ahead=false) }}

),

computed_percentiles as (

    {{ ranked_percentiles(
        'touched',
        ['grain', 'period_start', 'slice_ai_system', 'segment_key', 'segment_value'],
        'resolution_seconds',
        {'resolution_seconds_p50': 0.5, 'resolution_seconds_p90': 0.9},
    ) }}

),

resolution_percentiles as (

    select * from computed_percentiles
    {%- if recompute_window() is not none %}
    union all
    select
        grain,
        period_start,
        ai_system as slice_ai_system,
        segment_key,
        segment_value,
        resolution_seconds_p50,
        resolution_seconds_p90
    from {{ this }}
    where {{ in_recompute_periods() }}
        and not {{ in_recompute_periods('grain', 'period_start', looks_ahead=false) }}
    {%- endif %}

),

final as (

    select
        aggregated.*,
        resolution_percentiles.resolution_seconds_p50,
        resolution_percentiles.resolution_seconds_p90
    from aggregated
    left join resolution_percentiles
        on resolution_percentiles.grain = aggregated.grain
        and resolution_percentiles.period_start = aggregated.period_start
        and resolution_percentiles.slice_ai_system = aggregated.ai_system
        and resolution_percentiles.segment_key = aggregated.segment_key
        and resolution_percentiles.segment_value = aggregated.segment_value

)

select * from final
