with source as (

    select * from {{ source('raw', 'costs') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(coalesce(cost_id, _row_key) as {{ dbt.type_string() }}) as cost_id,
        cast(charge_period_start as {{ dbt.type_timestamp() }}) as charge_period_start,
        cast(charge_period_end as {{ dbt.type_timestamp() }}) as charge_period_end,
        cast(charge_period_start as date) as charge_start_date,
        cast(billed_cost as {{ type_double() }}) as billed_cost,
        cast(upper(billing_currency) as {{ dbt.type_string() }}) as billing_currency,
        cast(cost_type as {{ dbt.type_string() }}) as cost_type,
        cast(coalesce(ai_system, 'unallocated') as {{ dbt.type_string() }}) as ai_system,
        cast(service_name as {{ dbt.type_string() }}) as service_name,
        cast(provider_name as {{ dbt.type_string() }}) as provider_name
    from source

)

select * from renamed
