{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The metric store: one row per metric, grain, period, ai_system (and ALL) and segment. Each
-- family model yields metric inputs (sufficient statistics, see the metric_inputs docs block);
-- here they become values and 95 % intervals: Wilson for proportions, normal for means, none
-- for percentiles, sums and other ratios. Add a family by adding its model to `families`.

{%- set families = [
    'int_customer_service_metrics_unpivoted',
    'int_operational_metrics_unpivoted',
    'int_business_metrics_unpivoted',
    'int_prediction_metrics_unpivoted',
    'int_generative_metrics_unpivoted',
    'int_text_metrics_unpivoted',
    'int_image_features_metrics_unpivoted',
    'int_agent_metrics_unpivoted',
    'int_responsible_ai_metrics_unpivoted',
    'int_employee_metrics_unpivoted',
] %}

with inputs as (

    {%- for family in families %}
    select * from {{ ref(family) }}
    where {{ in_recompute_periods() }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

valued as (

    select
        inputs.*,
        case
            when inputs.statistic in ('proportion', 'mean', 'ratio')
                then inputs.scale * {{ safe_divide('inputs.numerator', 'inputs.denominator') }}
            else inputs.value
        end as metric_value
    from inputs

),

final as (

    select
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(period_start as date) as period_start,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(metric_value as {{ type_double() }}) as value,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(sample_size as {{ dbt.type_bigint() }}) as sample_size,
        cast(case statistic
            when 'proportion' then scale * {{ wilson_low('numerator', 'denominator') }}
            when 'mean' then {{ normal_low(
                'metric_value', 'scale * standard_deviation', 'denominator'
            ) }}
        end as {{ type_double() }}) as ci_low,
        cast(case statistic
            when 'proportion' then scale * {{ wilson_high('numerator', 'denominator') }}
            when 'mean' then {{ normal_high(
                'metric_value', 'scale * standard_deviation', 'denominator'
            ) }}
        end as {{ type_double() }}) as ci_high,
        cast(unit as {{ dbt.type_string() }}) as unit
    from valued

)

select * from final
