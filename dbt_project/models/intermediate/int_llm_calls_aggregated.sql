{{ config(
    materialized='incremental',
    **replace_periods_config(['grain', 'period_start'], looks_ahead=false)
) }}

-- One row per grain, period, ai_system (and ALL) and segment 'all': the counts, sums,
-- percentiles and maxima behind every metric over llm calls (operational, generative, agents,
-- responsible AI), over the calls started in the period. The calls are sliced once here, so the
-- families that read calls do not each expand them again. Incremental runs rebuild the
-- recomputed periods from all their calls.

with calls as {{ not_materialized() }} (

    select * from {{ ref('int_llm_calls_priced') }}
    where {{ in_recompute_reads('started_date') }}

),

calls_sliced as {{ not_materialized() }} (

    {{ sliced('calls', 'started_date') }}

),

aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as calls,
        {{ count_if('is_error') }} as error_calls,
        count(tokens_total) as calls_with_tokens,
        sum(tokens_total) as tokens_total,
        count(inference_cost_usd) as calls_costed,
        sum(inference_cost_usd) as inference_cost_usd,
        -- Minutes in the whole period (a day, an ISO week or a calendar month).
        max(case grain
            when 'day' then 1440
            when 'week' then 10080
            else 1440 * {{ dbt.datediff(
                'period_start', dbt.dateadd('month', 1, 'period_start'), 'day'
            ) }}
        end) as period_minutes,
        -- Actions (tool and agent steps): autonomy and correctness where known.
        {{ count_if('is_action') }} as actions,
        {{ count_if('is_action and is_human_intervened is not null') }} as interventions_known,
        {{ count_if('is_action and not is_human_intervened') }} as autonomous_actions,
        {{ count_if('is_action and is_action_correct is not null') }} as correctness_known,
        {{ count_if('is_action and is_action_correct') }} as correct_actions,
        -- Guardrails of the generating calls (chat, text completion) where known.
        {{ count_if("operation in ('chat', 'text_completion')") }} as generating_calls,
        {{ count_if(
            "operation in ('chat', 'text_completion') and is_guardrail_triggered is not null"
        ) }} as guardrail_known,
        {{ count_if(
            "operation in ('chat', 'text_completion') and not is_guardrail_triggered"
        ) }} as guardrail_passed,
        -- Log-probabilities of the calls that report them (perplexity).
        {{ count_if('logprob_sum is not null and logprob_tokens > 0') }} as logprob_calls,
        -1 * sum(case when logprob_sum is not null and logprob_tokens > 0 then logprob_sum end)
            as negative_logprob_sum,
        sum(case when logprob_sum is not null and logprob_tokens > 0 then logprob_tokens end)
            as logprob_tokens
    from calls_sliced
    group by 1, 2, 3, 4, 5

),

minutes as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as calls_in_minute
    from calls_sliced
    group by 1, 2, 3, 4, 5, {{ dbt.date_trunc('minute', 'started_at') }}

),

peaks as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        max(calls_in_minute) as peak_calls_per_minute
    from minutes
    group by 1, 2, 3, 4, 5

),

-- Tokens per conversation: the calls linked to a conversation, summed per conversation.
conversation_tokens as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        conversation_id,
        sum(tokens_total) as tokens
    from calls_sliced
    where conversation_id is not null
    group by 1, 2, 3, 4, 5, 6

),

tokens_per_conversation as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        count(*) as conversations_with_calls,
        count(tokens) as conversations_with_tokens,
        sum(tokens) as conversation_tokens_sum,
        stddev_samp(tokens) as conversation_tokens_sd
    from conversation_tokens
    group by 1, 2, 3, 4, 5

),

latency_percentiles as (

    {{ ranked_percentiles(
        'calls_sliced',
        ['grain', 'period_start', 'slice_ai_system', 'segment_key', 'segment_value'],
        'duration_ms',
        {'latency_p50_ms': 0.5, 'latency_p95_ms': 0.95, 'latency_p99_ms': 0.99},
    ) }}

),

final as (

    select
        aggregated.*,
        latency_percentiles.latency_p50_ms,
        latency_percentiles.latency_p95_ms,
        latency_percentiles.latency_p99_ms,
        peaks.peak_calls_per_minute,
        -- Null where no call of the slice is linked to a conversation.
        tokens_per_conversation.conversations_with_calls,
        tokens_per_conversation.conversations_with_tokens,
        tokens_per_conversation.conversation_tokens_sum,
        tokens_per_conversation.conversation_tokens_sd
    from aggregated
    inner join peaks
        on peaks.grain = aggregated.grain
        and peaks.period_start = aggregated.period_start
        and peaks.ai_system = aggregated.ai_system
        and peaks.segment_key = aggregated.segment_key
        and peaks.segment_value = aggregated.segment_value
    left join latency_percentiles
        on latency_percentiles.grain = aggregated.grain
        and latency_percentiles.period_start = aggregated.period_start
        and latency_percentiles.slice_ai_system = aggregated.ai_system
        and latency_percentiles.segment_key = aggregated.segment_key
        and latency_percentiles.segment_value = aggregated.segment_value
    left join tokens_per_conversation
        on tokens_per_conversation.grain = aggregated.grain
        and tokens_per_conversation.period_start = aggregated.period_start
        and tokens_per_conversation.ai_system = aggregated.ai_system
        and tokens_per_conversation.segment_key = aggregated.segment_key
        and tokens_per_conversation.segment_value = aggregated.segment_value

)

select * from final
