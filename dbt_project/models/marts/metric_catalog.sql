-- One row per metric of marts.metric_values: its family, unit, statistic, interval, direction,
-- grains, segments, definition and guardrails, so that the catalog joins the metric store on
-- metric_name.
-- The rows come from the seed metric_definitions, generated from orchestration/lib/catalog.py
-- (`python -m orchestration.lib.catalog`), never overridden from the landing folder.

with definitions as (

    select * from {{ ref('metric_definitions') }}

),

renamed as (

    select
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        -- `family` is no keyword on DuckDB or Spark; sqlfluff borrows it from Postgres.
        cast(family as {{ dbt.type_string() }}) as family,  -- noqa: RF04
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(statistic as {{ dbt.type_string() }}) as statistic,
        cast(confidence_interval as {{ dbt.type_string() }}) as confidence_interval,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(grains as {{ dbt.type_string() }}) as grains,
        cast(segments as {{ dbt.type_string() }}) as segments,
        cast(definition as {{ dbt.type_string() }}) as definition,
        -- Comma-separated; null (an empty seed cell) for a metric without guardrails.
        cast(guardrails as {{ dbt.type_string() }}) as guardrails
    from definitions

)

select * from renamed
