with source as (

    select * from {{ source('raw', 'employees') }}

),

renamed as (

    select
        {{ hash_pii('employee_id') }} as employee_id,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(eligible as {{ dbt.type_boolean() }}) as is_eligible
    from source

)

select * from renamed
