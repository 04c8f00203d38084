{{ config(materialized='incremental', **replace_periods_config(['started_date'])) }}

-- One row per conversation with its per-row KPI inputs: handled_by, durations, the
-- first-contact-resolution flag, the exception flag from its linked calls and the cost of its
-- human handling time. Incremental runs rebuild the conversations of the recomputed days; the
-- FCR look-ahead reads the contacts that started up to the window after them.

with conversations as (

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

error_calls as (

    select distinct conversation_id
    from {{ ref('stg_raw__llm_calls') }}
    where is_error
        and conversation_id is not null
        -- A conversation's calls happen after it started (a day of clock skew allowed).
        and {{ on_or_after_recompute_start('started_date', lookback_days=1) }}

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
        error_calls.conversation_id is not null as has_error_call,
        (
            recomputed.is_ai_involved
            and (recomputed.is_escalated or error_calls.conversation_id is not null)
        ) as is_exception,
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
    left join error_calls
        on error_calls.conversation_id = recomputed.conversation_id
    left join labor_rates
        on labor_rates.valid_from <= recomputed.started_date
        and (labor_rates.valid_until is null or labor_rates.valid_until > recomputed.started_date)

)

select * from enriched
