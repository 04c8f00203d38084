{{ config(
    materialized='incremental',
    **replace_rows_config(['experiment_id', 'unit_id'], window={
        'days': 'assigned_date', 'also': ['is_window_open', 'is_in_both_variants'],
    })
) }}

-- One row per experiment and unit: the unit's first assignment (earliest assigned_at, a tie going
-- to the smaller variant name), its conversion window [assigned_at, assigned_at + window x 24 h]
-- (timestamps, both ends included), whether it converted in it (a completed order), its revenue
-- in it (completed orders minus refunds, int_revenue_usd's counted_usd) and its completed orders
-- in the cuped_lookback_days x 24 hours before assignment (the CUPED covariate). A unit assigned
-- to both variants keeps its row, flagged is_in_both_variants, and is left out of the analysis.
-- Incremental runs rebuild the units whose look-back or window can hold an order of the
-- recomputed days (or that have an assignment on them), every unit whose window was still
-- open (a later order moves the revenue horizon), and every unit first assigned on a
-- recomputed day or seen in both variants (a removed assignment can drop it or its flag).

{%- set w = recompute_window() %}
{%- set window_days = 'coalesce(experiment_settings.conversion_window_days, '
    ~ var('default_conversion_window_days') ~ ')' %}

with cuped_lookback as (

    select cast(setting_value as {{ dbt.type_bigint() }}) as cuped_lookback_days
    from {{ ref('stg_reference__settings') }}
    where setting_name = 'cuped_lookback_days'

),
{%- if w is not none %}

recomputed_units as (

    select experiments.experiment_id, experiments.unit_id
    from {{ ref('int_experiment_assignments') }} as experiments
    cross join cuped_lookback
    left join {{ ref('stg_reference__experiment_settings') }} as experiment_settings
        on experiment_settings.experiment_id = experiments.experiment_id
    where experiments.assigned_at >= {{ dbt.dateadd(
            'hour',
            '-24 * ' ~ window_days,
            'cast(' ~ date_literal(w.day_from) ~ ' as ' ~ dbt.type_timestamp() ~ ')',
        ) }}
        and experiments.assigned_at < {{ dbt.dateadd(
            'hour',
            '24 * (cuped_lookback.cuped_lookback_days + 1)',
            'cast(' ~ date_literal(w.day_to) ~ ' as ' ~ dbt.type_timestamp() ~ ')',
        ) }}
    union
    -- The units this run replaces whether or not they still have an assignment (the
    -- config's window: a first assignment on a recomputed day, a window still open, both
    -- variants): a unit whose assignments were removed must disappear.
    select experiment_id, unit_id from {{ this }}
    where {{ in_replaced_window() }}

),
{%- endif %}

assignments as (

    select
        experiments.experiment_id,
        experiments.ai_system,
        experiments.unit_id,
        experiments.variant,
        experiments.assigned_at,
        experiments.assigned_date,
        row_number() over (
            partition by experiments.experiment_id, experiments.unit_id
            order by experiments.assigned_at, experiments.variant
        ) as assignment_number,
        min(experiments.variant) over (partition by experiments.experiment_id, experiments.unit_id)
        <> max(experiments.variant) over (
            partition by experiments.experiment_id, experiments.unit_id
        ) as is_in_both_variants
    from {{ ref('int_experiment_assignments') }} as experiments
    {%- if w is not none %}
    where exists (
        select 1 from recomputed_units
        where recomputed_units.experiment_id = experiments.experiment_id
            and recomputed_units.unit_id = experiments.unit_id
    )
    {%- endif %}

),

-- The last revenue row loaded: a window ending after it could still see a conversion.
revenue_horizon as (

    select max(occurred_at) as latest_occurred_at
    from {{ ref('int_revenue_usd') }}

),

first_assignments as (

    select
        assignments.experiment_id,
        assignments.ai_system,
        assignments.unit_id,
        assignments.variant,
        assignments.assigned_at,
        assignments.assigned_date,
        assignments.is_in_both_variants,
        cuped_lookback.cuped_lookback_days,
        {{ window_days }} as conversion_window_days
    from assignments
    cross join cuped_lookback
    left join {{ ref('stg_reference__experiment_settings') }} as experiment_settings
        on experiment_settings.experiment_id = assignments.experiment_id
    where assignments.assignment_number = 1

),

units as (

    select
        *,
        {{ dbt.dateadd('hour', 'conversion_window_days * 24', 'assigned_at') }}
            as window_ends_at,
        {{ dbt.dateadd('hour', '-cuped_lookback_days * 24', 'assigned_at') }}
            as lookback_starts_at
    from first_assignments

),

-- The unit's orders from the start of its look-back to the end of its window.
orders as (

    select
        units.experiment_id,
        units.unit_id,
        revenue.status = 'completed' and revenue.occurred_at >= units.assigned_at
            as is_conversion,
        case when revenue.occurred_at >= units.assigned_at then revenue.counted_usd end
            as window_revenue_usd,
        revenue.status = 'completed' and revenue.occurred_at < units.assigned_at
            as is_pre_conversion
    from units
    inner join {{ ref('int_revenue_usd') }} as revenue
        on revenue.customer_id = units.unit_id
        and revenue.occurred_at >= units.lookback_starts_at
        and revenue.occurred_at <= units.window_ends_at

),

unit_orders as (

    select
        experiment_id,
        unit_id,
        {{ count_if('is_conversion') }} as conversions,
        sum(window_revenue_usd) as revenue_usd,
        {{ count_if('is_pre_conversion') }} as pre_conversions
    from orders
    group by 1, 2

),

final as (

    select
        units.experiment_id,
        units.ai_system,
        units.unit_id,
        units.variant,
        units.assigned_at,
        units.assigned_date,
        units.conversion_window_days,
        units.window_ends_at,
        units.is_in_both_variants,
        coalesce(unit_orders.conversions, 0) > 0 as is_converted,
        coalesce(unit_orders.revenue_usd, 0) as revenue_usd,
        cast(coalesce(unit_orders.pre_conversions, 0) as {{ dbt.type_bigint() }})
            as pre_conversions,
        coalesce(units.window_ends_at > revenue_horizon.latest_occurred_at, true)
            as is_window_open
    from units
    cross join revenue_horizon
    left join unit_orders
        on unit_orders.experiment_id = units.experiment_id
        and unit_orders.unit_id = units.unit_id

)

select * from final
