{#
    Building blocks of the metric families. Every family model yields "metric input" rows
    (sufficient statistics in long format, see the `metric_inputs` docs block); marts.metric_values
    turns them into values and 95 % intervals in one place.
#}

{#
    Every input row once per grain (day, ISO week, month), per program and 'ALL', and per
    segment ('all' plus the given segment columns; a missing segment value reads 'unknown').
    Output columns: grain, period_start, slice_ai_system, segment_key, segment_value, then src.*.
    Only the periods of the recompute window are kept.
#}
{% macro sliced(relation, date_column, segments=[]) -%}
    select * from (
        select
            grains.grain as grain,
            {{ period_start('grains.grain', 'src.' ~ date_column) }} as period_start,
            case when systems.is_all then 'ALL' else src.ai_system end as slice_ai_system,
            segment_keys.segment_key as segment_key,
            case segment_keys.segment_key
                when 'all' then 'all'
                {%- for segment in segments %}
                when '{{ segment }}' then coalesce(cast(src.{{ segment }} as {{ dbt.type_string() }}), 'unknown')
                {%- endfor %}
            end as segment_value,
            src.*
        from {{ relation }} as src
        cross join ({{ grains() }}) as grains
        cross join (
            select false as is_all
            union all select true as is_all
        ) as systems
        cross join (
            select 'all' as segment_key
            {%- for segment in segments %}
            union all select '{{ segment }}' as segment_key
            {%- endfor %}
        ) as segment_keys
    ) as expanded
    where {{ in_recompute_periods('expanded.grain', 'expanded.period_start') }}
{%- endmacro %}


{# The grains as rows (column grain): day, week, month. #}
{% macro grains() -%}
    select 'day' as grain
    union all select 'week' as grain
    union all select 'month' as grain
{%- endmacro %}


{# The first day of the period of a grain (day; ISO week, Monday; month) that a date falls in. #}
{% macro period_start(grain, date_column) -%}
    case {{ grain }}
        when 'day' then cast({{ date_column }} as date)
        when 'week' then cast({{ dbt.date_trunc('week', date_column) }} as date)
        else cast({{ dbt.date_trunc('month', date_column) }} as date)
    end
{%- endmacro %}


{#
    Long "metric input" rows from a wide aggregate CTE with the slice columns grain,
    period_start, ai_system, segment_key, segment_value. Each metric is a dict:
      name, statistic ('proportion' | 'mean' | 'ratio' | 'value'), unit, scale (default 1) and
      numerator + denominator (+ standard_deviation for means), or value + sample_size.
    A proportion's sample size is its denominator; a mean's is its count (the denominator).
#}
{% macro metric_rows(relation, metrics) -%}
    {%- for m in metrics %}
    select
        cast('{{ m.name }}' as {{ dbt.type_string() }}) as metric_name,
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        cast('{{ m.statistic }}' as {{ dbt.type_string() }}) as statistic,
        cast({{ m.get('numerator', 'null') }} as {{ type_double() }}) as numerator,
        cast({{ m.get('denominator', 'null') }} as {{ type_double() }}) as denominator,
        cast({{ m.get('standard_deviation', 'null') }} as {{ type_double() }}) as standard_deviation,
        cast({{ m.get('value', 'null') }} as {{ type_double() }}) as value,
        cast({{ m.get('sample_size', m.get('denominator', 'null')) }} as {{ dbt.type_bigint() }}) as sample_size,
        cast({{ m.get('scale', 1) }} as {{ type_double() }}) as scale,
        cast('{{ m.unit }}' as {{ dbt.type_string() }}) as unit
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{# cast(n as double) / nullif(d, 0): null, not inf or an error, on a zero denominator. #}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}


{#
    Wilson score interval of x successes in n trials, z = var('ci_z'):
    (p + z²/2n ∓ z·sqrt(p(1 − p)/n + z²/4n²)) / (1 + z²/n); null when n is 0.
#}
{% macro wilson_bound(successes, trials, side) -%}
    {%- set z = var('ci_z') -%}
    {%- set p = safe_divide(successes, trials) -%}
    {%- set n = 'nullif(cast(' ~ trials ~ ' as ' ~ type_double() ~ '), 0)' -%}
    (({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
        {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
        ))
        / (1 + {{ z }} * {{ z }} / {{ n }}))
{%- endmacro %}

{% macro wilson_low(successes, trials) -%}{{ wilson_bound(successes, trials, 'low') }}{%- endmacro %}

{% macro wilson_high(successes, trials) -%}{{ wilson_bound(successes, trials, 'high') }}{%- endmacro %}


{# Normal interval of a mean: mean ∓ z·s/√n (null when s is unknown, i.e. n < 2). #}
{% macro normal_bound(mean, standard_deviation, n, side) -%}
    ({{ mean }} {{ '-' if side == 'low' else '+' }} {{ var('ci_z') }} * {{ standard_deviation }}
        / sqrt(nullif(cast({{ n }} as {{ type_double() }}), 0)))
{%- endmacro %}

{% macro normal_low(mean, standard_deviation, n) -%}{{ normal_bound(mean, standard_deviation, n, 'low') }}{%- endmacro %}

{% macro normal_high(mean, standard_deviation, n) -%}{{ normal_bound(mean, standard_deviation, n, 'high') }}{%- endmacro %}


{# 1 when the condition holds, else 0: a count that sums the same on every engine. #}
{% macro count_if(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}


{#
    Exact percentiles of value_column per group of key_columns, interpolated linearly as
    percentile_cont does: with n values ranked 0 .. n - 1 and h = (n - 1) p, the value ranked
    floor(h) plus (h - floor(h)) times the step to the value ranked ceil(h). percentiles maps
    output column names to fractions p. One row per group with a non-null value; relation is
    read twice (a CTE given here should be not_materialized()).
    Ranking every value is a sort of the whole relation, which spilled 55 GiB at tier L of
    `make bench`; percentile_cont keeps every group's values in memory at once, which tier M
    does not fit in 14 GiB. So ranks are found in two passes: a histogram counts each group's
    values per bucket (percentile_bucket, ordered as the values are), whose running sums say
    which buckets hold the ranks the percentiles read and how many values rank below each;
    then only the values of those buckets are sorted. Ties share a bucket, so the ranks are
    exact whatever the data; the buckets only decide how little is sorted.
#}
{# h = (n - 1) p of ranked_percentiles, over its column value_count. #}
{% macro percentile_position(p) -%}
    (value_count - 1) * cast({{ p }} as {{ type_double() }})
{%- endmacro %}

{#
    A bucket number that never decreases as value grows: 32 buckets per factor e (3 % wide) for
    positive values, one for zero, and mirrored below it for negative ones. Any such function
    keeps ranked_percentiles exact; narrower buckets make its histogram larger.
#}
{% macro percentile_bucket(value) -%}
    case
        when {{ value }} > 0 then floor(ln({{ value }}) * 32)
        when {{ value }} = 0 then -100000
        else -200000 - floor(ln(-{{ value }}) * 32)
    end
{%- endmacro %}

{% macro ranked_percentiles(relation, key_columns, value_column, percentiles) -%}
    {%- set keys = key_columns | join(', ') -%}
    select
        {{ keys }},
        {%- for name, p in percentiles.items() %}
        {%- set h = percentile_position(p) %}
        min(case when value_rank = floor({{ h }}) then ranked_value end)
            + ({{ h }} - floor({{ h }}))
            * (min(case when value_rank = ceil({{ h }}) then ranked_value end)
                - min(case when value_rank = floor({{ h }}) then ranked_value end))
            as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- for key in key_columns %}
            buckets.{{ key }},
            {%- endfor %}
            src.{{ value_column }} as ranked_value,
            buckets.value_count,
            buckets.ranks_below + row_number() over (
                partition by {% for key in key_columns %}buckets.{{ key }}, {% endfor %}buckets.bucket
                order by src.{{ value_column }}
            ) - 1 as value_rank
        from {{ relation }} as src
        inner join (
            select * from (
                select
                    {{ keys }},
                    bucket,
                    sum(bucket_values) over (
                        partition by {{ keys }} order by bucket
                        rows between unbounded preceding and current row
                    ) - bucket_values as ranks_below,
                    bucket_values,
                    sum(bucket_values) over (partition by {{ keys }}) as value_count
                from (
                    select {{ keys }}, {{ percentile_bucket(value_column) }} as bucket, count(*) as bucket_values
                    from {{ relation }}
                    where {{ value_column }} is not null
                    group by {{ keys }}, {{ percentile_bucket(value_column) }}
                ) as histogram
            ) as cumulative
            -- The buckets holding a rank the percentiles read.
            where
                {%- for p in percentiles.values() %}
                {%- set h = percentile_position(p) %}
                {%- set outer = loop %}
                {%- for rank in ['floor(' ~ h ~ ')', 'ceil(' ~ h ~ ')'] %}
                {{ 'or ' if not (outer.first and loop.first) }}({{ rank }} >= ranks_below and {{ rank }} < ranks_below + bucket_values)
                {%- endfor %}
                {%- endfor %}
        ) as buckets
            -- Null-safe, as partition by groups nulls.
            on {% for key in key_columns %}src.{{ key }} is not distinct from buckets.{{ key }}
            and {% endfor %}{{ percentile_bucket('src.' ~ value_column) }} = buckets.bucket
        where src.{{ value_column }} is not null
    ) as ranked
    -- Only the ranks the percentiles read reach the aggregation.
    where
        {%- for p in percentiles.values() %}
        {%- set h = percentile_position(p) %}
        {{ 'or ' if not loop.first }}value_rank in (floor({{ h }}), ceil({{ h }}))
        {%- endfor %}
    group by {{ keys }}, value_count
{%- endmacro %}
