{{ config(
    materialized='incremental',
    **replace_periods_config(['started_date'], looks_ahead=false)
) }}

-- One row per llm call with its tokens and inference cost: the tracer's cost_usd where given,
-- else 0 for a call without tokens (neither count, or a total of 0: a failed call used nothing
-- to price, whatever its model), else tokens x the price of its model (and provider, when the
-- call names one) valid on the call's day. A call with tokens, without a cost, whose model has
-- no price keeps a null cost and is flagged.

with calls as (

    select * from {{ ref('stg_raw__llm_calls') }}
    where {{ in_recompute_days('started_date') }}

),

prices as (

    select
        provider,
        model,
        input_usd_per_1k,
        output_usd_per_1k,
        valid_from,
        lead(valid_from) over (partition by provider, model order by valid_from) as valid_until
    from {{ ref('stg_reference__model_prices') }}

),

matched as (

    select
        calls.span_id,
        prices.input_usd_per_1k,
        prices.output_usd_per_1k,
        -- One price per call even when a call without a provider matches several providers.
        row_number() over (partition by calls.span_id order by prices.provider) as price_rank
    from calls
    inner join prices
        on prices.model = calls.model
        and (calls.provider is null or prices.provider = calls.provider)
        and {{ valid_on('prices', 'calls.started_date') }}

),

counted as (

    select
        calls.*,
        -- A missing count adds nothing; a call with neither count has no token total.
        case
            when calls.input_tokens is not null or calls.output_tokens is not null
                then coalesce(calls.input_tokens, 0) + coalesce(calls.output_tokens, 0)
        end as tokens_total
    from calls

),

priced as (

    select
        counted.*,
        matched.span_id is not null as has_price,
        case
            when counted.cost_usd is not null then 'tracer'
            when coalesce(counted.tokens_total, 0) = 0 then 'no_tokens'
            when matched.span_id is not null then 'price_table'
        end as cost_source,
        case
            when counted.cost_usd is not null then counted.cost_usd
            when coalesce(counted.tokens_total, 0) = 0 then cast(0 as {{ type_double() }})
            else (
                coalesce(counted.input_tokens, 0) * matched.input_usd_per_1k
                + coalesce(counted.output_tokens, 0) * matched.output_usd_per_1k
            ) / 1000.0
        end as inference_cost_usd,
        counted.cost_usd is null
        and coalesce(counted.tokens_total, 0) <> 0
        and matched.span_id is null as is_unpriced
    from counted
    left join matched
        on matched.span_id = counted.span_id
        and matched.price_rank = 1

)

select * from priced
