-- The user's override (<landing>/reference/experiment_settings.csv, loaded as text) when it has
-- rows, else the seed of defaults: an override replaces the whole table.
with override as (

    select
        cast(nullif(trim(experiment_id), '') as {{ dbt.type_string() }}) as experiment_id,
        cast(nullif(trim(expected_treatment_share), '') as {{ type_double() }})
            as expected_treatment_share,
        cast(nullif(trim(conversion_window_days), '') as {{ dbt.type_bigint() }})
            as conversion_window_days
    from {{ source('raw', 'reference_experiment_settings') }}

),

seed as (

    select
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(expected_treatment_share as {{ type_double() }}) as expected_treatment_share,
        cast(conversion_window_days as {{ dbt.type_bigint() }}) as conversion_window_days
    from {{ ref('experiment_settings') }}

),

chosen as (

    select * from override
    union all
    select * from seed
    where not exists (select 1 from override)

)

select * from chosen
