with source as (

    select * from {{ source('raw', 'costs') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(coalesce(cost_id, _row_key) as {{ dbt.type_string() }}) as cost_id,
        -- A FinOps FOCUS row always has a ChargeCategory; a row in the contract's own columns
        -- never does. Its program, cost type and amount are derived in int_costs_classified.
        charge_category is not null as is_focus,
        cast(charge_period_start as {{ dbt.type_timestamp() }}) as charge_period_start,
        cast(charge_period_end as {{ dbt.type_timestamp() }}) as charge_period_end,
        cast(charge_period_start as date) as charge_start_date,
        cast(billed_cost as {{ type_double() }}) as billed_cost,
        cast(effective_cost as {{ type_double() }}) as effective_cost,
        cast(list_cost as {{ type_double() }}) as list_cost,
        cast(contracted_cost as {{ type_double() }}) as contracted_cost,
        cast(upper(billing_currency) as {{ dbt.type_string() }}) as billing_currency,
        cast(cost_type as {{ dbt.type_string() }}) as cost_type,
        -- As filed: null when an own row is untagged, and on every FOCUS row (its program is in
        -- tags).
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(service_name as {{ dbt.type_string() }}) as service_name,
        cast(provider_name as {{ dbt.type_string() }}) as provider_name,
        cast(charge_category as {{ dbt.type_string() }}) as charge_category,
        cast(charge_class as {{ dbt.type_string() }}) as charge_class,
        cast(charge_description as {{ dbt.type_string() }}) as charge_description,
        cast(service_category as {{ dbt.type_string() }}) as service_category,
        cast(service_subcategory as {{ dbt.type_string() }}) as service_subcategory,
        cast(resource_id as {{ dbt.type_string() }}) as resource_id,
        cast(sku_id as {{ dbt.type_string() }}) as sku_id,
        cast(sub_account_id as {{ dbt.type_string() }}) as sub_account_id,
        cast(commitment_discount_id as {{ dbt.type_string() }}) as commitment_discount_id,
        cast(commitment_discount_status as {{ dbt.type_string() }})
            as commitment_discount_status,
        -- A JSON object as text ({"ai_system": "support-bot", ...}), FOCUS rows only.
        cast(tags as {{ dbt.type_string() }}) as tags
    from source

)

select * from renamed
