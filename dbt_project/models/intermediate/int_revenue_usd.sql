{{ config(materialized='incremental', **replace_periods_config(['occurred_date'])) }}

-- One row per revenue row in USD, at the latest FX rate on or before its occurred_at day (a
-- currency without a rate leaves amount_usd null). counted_usd is what revenue metrics add up:
-- completed orders count their amount, refunds count negative (whatever the sign they were filed
-- with), other statuses (pending, ...) nothing. attributed_ai_system is the program of the
-- attributed conversation when the AI took part in it (the metric catalog: revenue attributed
-- to AI conversations). Incremental: rebuilt for the rows of the recomputed days.

with revenue as (

    select * from {{ ref('stg_raw__revenue') }}
    where {{ in_recompute_days('occurred_date') }}

),

converted as (

    select
        revenue.order_id,
        revenue.customer_id,
        revenue.occurred_at,
        revenue.occurred_date,
        revenue.status,
        revenue.currency,
        revenue.amount,
        fx.usd_rate,
        revenue.attributed_conversation_id,
        revenue.amount * fx.usd_rate as amount_usd,
        case revenue.status
            when 'completed' then revenue.amount * fx.usd_rate
            when 'refunded' then -abs(revenue.amount * fx.usd_rate)
        end as counted_usd,
        case when conversations.is_ai_involved then conversations.ai_system end
            as attributed_ai_system
    from revenue
    left join {{ ref('int_fx_rate_periods') }} as fx
        on fx.currency = revenue.currency
        and {{ valid_on('fx', 'revenue.occurred_date') }}
    left join {{ ref('int_conversations_enriched') }} as conversations
        on conversations.conversation_id = revenue.attributed_conversation_id

)

select * from converted
