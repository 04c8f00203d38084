{{ config(materialized='incremental', **replace_periods_config(['started_date'])) }}

-- One row per conversation with its per-row KPI inputs: handled_by, durations, the
-- first-contact-resolution flag, what its linked calls and evaluations say (errors, actions,
-- audit trail, human review), whether its intent is novel, and the cost of its human handling
-- time. Incremental runs rebuild the conversations of the recomputed days; the FCR look-ahead
-- reads the contacts that started up to the window after them.

-- Read by several CTEs: inlined, so that the history-wide first-seen scans read three columns,
-- not every column with the customer hash.
with conversations as {{ not_materialized() }} (

    select * from {{ ref('stg_raw__conversations') }}

),

recomputed as (

    select * from conversations
    where {{ in_recompute_days('started_date') }}

),

fcr_window as (

    select cast(setting_value as {{ dbt.type_int() }}) as fcr_window_days
    from {{ ref('stg_reference__settings') }}
    where setting_name = 'fcr_window_days'

),

-- A repeat contact: the same (hashed) customer and issue, in any ai_system, starting after this
-- one and at most fcr_window_days x 24 hours later. Contacts without any issue key group as one
-- unknown issue.
repeat_contacts as (

    select distinct recomputed.conversation_id
    from recomputed
    cross join fcr_window
    inner join conversations as later
        on later.customer_id = recomputed.customer_id
        and coalesce(later.issue_key, '') = coalesce(recomputed.issue_key, '')
        and later.conversation_id <> recomputed.conversation_id
        and later.started_at > recomputed.started_at
        and later.started_at <= {{ dbt.dateadd(
            'hour', 'fcr_window.fcr_window_days * 24', 'recomputed.started_at'
        ) }}
    where {{ on_or_after_recompute_start('later.started_date') }}

),

-- What a conversation's calls say, whenever they happened: errors, actions (tool and agent
-- steps) and whether every call left a complete audit trail (model, status, token counts).
linked_calls as (

    select
        conversation_id,
        count(*) as calls,
        {{ count_if('is_error') }} as error_calls,
        {{ count_if(
            'model is null or status is null or input_tokens is null or output_tokens is null'
        ) }} as unaudited_calls,
        {{ count_if('is_action') }} as actions,
        {{ count_if('is_action and not is_action_correct') }} as incorrect_actions
    from {{ ref('stg_raw__llm_calls') }}
    where conversation_id is not null
        -- A conversation's calls happen after it started (a day of clock skew allowed).
        and {{ on_or_after_recompute_start('started_date', lookback_days=1) }}
    group by 1

),

human_reviews as (

    select distinct conversation_id
    from {{ ref('stg_raw__evaluations') }}
    where evaluator = 'human'
        and conversation_id is not null
        and {{ on_or_after_recompute_start('evaluated_date', lookback_days=1) }}

),

novel_intent_window as (

    select cast(setting_value as {{ dbt.type_int() }}) as novel_intent_window_days
    from {{ ref('stg_reference__settings') }}
    where setting_name = 'novel_intent_window_days'

),

-- When each program first saw each intent (any contact, AI or not): the start of the window
-- in which the intent counts as novel. Intents the program saw within the first window of its
-- history are its initial repertoire, not novel: there was no earlier history to be new to.
programs_first_seen as (

    select
        ai_system,
        min(started_at) as history_start_at
    from conversations
    group by 1

),

intents_first_seen as (

    select
        intents.ai_system,
        intents.intent,
        intents.first_seen_at,
        intents.first_seen_at > {{ dbt.dateadd(
            'hour',
            'novel_intent_window.novel_intent_window_days * 24',
            'programs_first_seen.history_start_at'
        ) }} as is_new_to_history
    from (
        select
            ai_system,
            intent,
            min(started_at) as first_seen_at
        from conversations
        where intent is not null
        group by 1, 2
    ) as intents
    cross join novel_intent_window
    inner join programs_first_seen
        on programs_first_seen.ai_system = intents.ai_system

),

labor_rates as (

    select
        hourly_usd,
        valid_from,
        lead(valid_from) over (order by valid_from) as valid_until
    from {{ ref('stg_reference__labor_rates') }}
    where role = 'default'

),

enriched as (

    select
        recomputed.conversation_id,
        recomputed.ai_system,
        recomputed.started_at,
        recomputed.ended_at,
        recomputed.started_date,
        recomputed.resolved_at,
        recomputed.customer_id,
        recomputed.use_case,
        recomputed.channel,
        recomputed.language,
        recomputed.region,
        recomputed.customer_segment,
        recomputed.intent,
        recomputed.issue_key,
        recomputed.customer_group,
        recomputed.handled_by,
        recomputed.is_ai_involved,
        recomputed.is_escalated,
        recomputed.is_resolved,
        recomputed.is_task_completed,
        (
            recomputed.is_resolved
            and not recomputed.is_escalated
            and repeat_contacts.conversation_id is null
        ) as is_first_contact_resolution,
        coalesce(linked_calls.error_calls, 0) > 0 as has_error_call,
        (
            recomputed.is_ai_involved
            and (recomputed.is_escalated or coalesce(linked_calls.error_calls, 0) > 0)
        ) as is_exception,
        coalesce(linked_calls.calls, 0) as calls,
        coalesce(linked_calls.actions, 0) as actions,
        coalesce(linked_calls.incorrect_actions, 0) as incorrect_actions,
        -- At least one call, and every call with model, status and both token counts.
        coalesce(linked_calls.calls, 0) > 0 and linked_calls.unaudited_calls = 0 as is_auditable,
        human_reviews.conversation_id is not null as has_human_review,
        -- Null when the intent is unknown: such contacts are neither novel nor familiar.
        case
            when recomputed.intent is not null
                then intents_first_seen.is_new_to_history
                    and recomputed.started_at <= {{ dbt.dateadd(
                    'hour',
                    'novel_intent_window.novel_intent_window_days * 24',
                    'intents_first_seen.first_seen_at'
                ) }}
        end as is_novel_intent,
        {{ seconds_between('recomputed.started_at', 'recomputed.ended_at') }} as handle_seconds,
        case
            when recomputed.is_resolved and recomputed.resolved_at is not null
                then {{ seconds_between('recomputed.started_at', 'recomputed.resolved_at') }}
        end as resolution_seconds,
        recomputed.csat,
        recomputed.sentiment_end - recomputed.sentiment_start as sentiment_shift,
        recomputed.human_handle_seconds,
        recomputed.human_handle_seconds * labor_rates.hourly_usd / 3600.0 as human_handle_cost_usd
    from recomputed
    left join repeat_contacts
        on repeat_contacts.conversation_id = recomputed.conversation_id
    cross join novel_intent_window
    left join linked_calls
        on linked_calls.conversation_id = recomputed.conversation_id
    left join human_reviews
        on human_reviews.conversation_id = recomputed.conversation_id
    left join intents_first_seen
        on intents_first_seen.ai_system = recomputed.ai_system
        and intents_first_seen.intent = recomputed.intent
    left join labor_rates
        on {{ valid_on('labor_rates', 'recomputed.started_date') }}

)

select * from enriched
