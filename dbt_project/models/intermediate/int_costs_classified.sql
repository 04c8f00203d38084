{{ config(materialized='view') }}

-- One row per current cost row with the program it belongs to (ai_system), its cost_type and
-- the amount that counts (cost, in billing_currency; cost_column says which column it is).
-- A row in the contract's own columns counts as filed: billed_cost, its cost_type, its
-- ai_system ('unallocated' when untagged). A FinOps FOCUS row counts the column the setting
-- focus_cost_column names (null when that column is, never another one), belongs to the
-- program its Tags name under the key of the setting focus_ai_system_tag ('unallocated'
-- without one), and takes its cost_type from the most specific focus_cost_types rule that
-- matches it ('other' when none does). A view of its own rather than CTEs of int_costs_spread:
-- one row per cost row, so that the classification is tested, and can be queried, before the
-- rows are spread over days; as a view it stores nothing and reads the settings and rules in
-- effect whenever it is read.

with costs as (

    select * from {{ ref('stg_raw__costs') }}

),

settings as (

    -- Always one row: the setting values, null where a setting is missing.
    select
        max(case when setting_name = 'focus_cost_column' then setting_value end)
            as focus_cost_column,
        max(case when setting_name = 'focus_ai_system_tag' then setting_value end)
            as focus_ai_system_tag
    from {{ ref('stg_reference__settings') }}

),

tagged as (

    select
        costs.*,
        -- The FOCUS column names as the setting may spell them; an unknown name is kept as
        -- given (its rows get no cost, and the accepted_values test on cost_column fails).
        case
            when not costs.is_focus then 'billed_cost'
            when lower(settings.focus_cost_column) = 'billedcost' then 'BilledCost'
            when lower(settings.focus_cost_column) = 'effectivecost' then 'EffectiveCost'
            when lower(settings.focus_cost_column) = 'listcost' then 'ListCost'
            when lower(settings.focus_cost_column) = 'contractedcost' then 'ContractedCost'
            else settings.focus_cost_column
        end as cost_column,
        -- The program tag's value (own rows have no tags); a blank one counts as no tag.
        nullif(
            trim({{ json_member_text('costs.tags', 'settings.focus_ai_system_tag') }}), ''
        ) as program_tag
    from costs
    cross join settings

),

ranked as (

    -- Every focus_cost_types rule that matches a FOCUS row (none for an own row), the most
    -- specific first: a named service_category, then a named charge_category, then a named
    -- tagged (the cost type orders duplicate rules, which the tests of
    -- stg_reference__focus_cost_types report). cost_id alone would do (it is the key);
    -- charge_start_date partitions too so that the day filter of an incremental run of
    -- int_costs_spread reaches the rows below the window.
    select
        tagged.*,
        rules.cost_type as rule_cost_type,
        row_number() over (
            partition by tagged.cost_id, tagged.charge_start_date
            order by
                case when rules.service_category = '*' then 1 else 0 end,
                case when rules.charge_category = '*' then 1 else 0 end,
                case when rules.tagged = '*' then 1 else 0 end,
                rules.cost_type nulls last
        ) as rule_rank
    from tagged
    left join {{ ref('stg_reference__focus_cost_types') }} as rules
        on tagged.is_focus
        and rules.service_category in ('*', lower(trim(tagged.service_category)))
        and rules.charge_category in ('*', lower(trim(tagged.charge_category)))
        and rules.tagged in (
            '*', case when tagged.program_tag is null then 'no' else 'yes' end
        )

),

classified as (

    select
        cost_id,
        is_focus,
        charge_period_start,
        charge_period_end,
        charge_start_date,
        billing_currency,
        cost_column,
        service_name,
        provider_name,
        charge_category,
        service_category,
        program_tag,
        case
            when is_focus then coalesce(program_tag, 'unallocated')
            else coalesce(ai_system, 'unallocated')
        end as ai_system,
        case
            when is_focus then coalesce(rule_cost_type, 'other')
            else cost_type
        end as cost_type,
        -- The chosen column only: a FOCUS row without it has no cost, never 0 or another one.
        case cost_column
            when 'billed_cost' then billed_cost
            when 'BilledCost' then billed_cost
            when 'EffectiveCost' then effective_cost
            when 'ListCost' then list_cost
            when 'ContractedCost' then contracted_cost
        end as cost  -- noqa: RF04
    from ranked
    where rule_rank = 1

)

select * from classified
