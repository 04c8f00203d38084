{#
    Adapter-specific SQL, each behind `adapter.dispatch` with a duckdb__ and a spark__
    implementation, so that the same models run on DuckDB and on Spark.
#}

{# A 64-bit float: dbt.type_float() is 32-bit on DuckDB and Spark. #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'ai_metrics_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}


{#
    Seconds from one timestamp to another with the sub-second part: dbt.datediff truncates to
    whole units.
#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'ai_metrics_warehouse')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}) as double) / 1000000.0)
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as double) / 1000000.0)
{%- endmacro %}


{# A list of 64-bit floats (a feature vector): DuckDB's DOUBLE[], Spark's array<double>. #}
{% macro type_double_array() -%}
    {{ return(adapter.dispatch('type_double_array', 'ai_metrics_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double_array() -%}double precision[]{%- endmacro %}

{% macro duckdb__type_double_array() -%}double[]{%- endmacro %}

{% macro spark__type_double_array() -%}array<double>{%- endmacro %}


{# The number of elements of a list (a feature vector's dimension). #}
{% macro list_length(column) -%}
    {{ return(adapter.dispatch('list_length', 'ai_metrics_warehouse')(column)) }}
{%- endmacro %}

{% macro default__list_length(column) -%}cardinality({{ column }}){%- endmacro %}

{% macro duckdb__list_length(column) -%}len({{ column }}){%- endmacro %}

{% macro spark__list_length(column) -%}size({{ column }}){%- endmacro %}


{#
    Inline a CTE into every query that reads it. DuckDB materializes a CTE read more than once,
    holding all its rows; for the `sliced` expansion (up to 54 rows per input row) recomputing it
    from the input is far cheaper. Spark always inlines.
#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'ai_metrics_warehouse')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%}not materialized{%- endmacro %}


{#
    delete+insert on DuckDB (int_evaluations_text_scored, by evaluation_id; the models keyed by
    period replace their whole window instead: macros/replace_window.sql). dbt-duckdb deletes
    with `using source where keys match`, a join of every target row of a key with every source
    row of it (at tier M of `make bench`, keyed by day, 100,000 x 100,000 pairs a day: 200 s a
    night); a semi-join (exists) visits each target row once. The insert is dbt's.
#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    delete from {{ target }} as dbt_incremental_target
    where {{ key_in_new_rows(source, keys) }}
    {%- for predicate in incremental_predicates or [] %}
        and {{ predicate }}
    {%- endfor %};

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}


{#
    The text of a JSON object's member, by a key that is a SQL expression (a value read from a
    table, not a compile-time constant): null when the member is missing or JSON null, or when
    the text is no valid JSON; a string member without its quotes, JSON true as 'true', a
    number as its digits, an object or array as its JSON text. The key is quoted into the path,
    so keys such as `user:ai-program` or `a.b` are read whole. Spark's bracket notation cannot
    hold a key with a single quote: such a key finds nothing there.
#}
{% macro json_member_text(json_text, key) -%}
    {{ return(adapter.dispatch('json_member_text', 'ai_metrics_warehouse')(json_text, key)) }}
{%- endmacro %}

{# DuckDB: `$."key"`, with `\` and `"` escaped; json_extract_string raises on invalid JSON. #}
{% macro duckdb__json_member_text(json_text, key) -%}
    {%- set quoted_key = "replace(replace(" ~ key ~ ", '\\', '\\\\'), '\"', '\\\"')" -%}
    {%- set path = dbt.concat(["'$.\"'", quoted_key, "'\"'"]) -%}
    case when json_valid({{ json_text }}) then json_extract_string({{ json_text }}, {{ path }}) end
{%- endmacro %}

{# Spark: `$['key']` (chr(39) is the quote: string literals escape it differently per engine). #}
{% macro spark__json_member_text(json_text, key) -%}
    get_json_object({{ json_text }}, {{ dbt.concat(["'$['", "chr(39)", key, "chr(39)", "']'"]) }})
{%- endmacro %}
