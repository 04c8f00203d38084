{#
    How an incremental model replaces what a run recomputes. A run recomputes a window (the
    periods or rows macros/incremental_window.sql derives from the vars min_date/max_date); it
    must replace the whole window, not only the keys its new rows carry: a day whose files were
    removed, or a program or segment that a corrected file no longer has, yields no new row,
    and its old rows must go all the same. So every run deletes every row of the window
    (in_replaced_window: the model's meta replaced_window, the same predicate its select
    recomputes) and every row whose key the new rows carry, then inserts the new rows. Rows
    outside the window are left alone.

    On DuckDB (and Postgres) this is the custom incremental strategy replace_window: one delete
    and one insert in the transaction of the model's build, so a run killed half-way leaves the
    table as it was. On Spark, dbt-spark runs only its own strategies; see spark__ below.
#}

{#
    Config of a model keyed by period: key_columns are (grain, period_start), or one date
    column; window overrides the window they imply (see in_replaced_window for the forms), and
    looks_ahead: false says that neither the model nor any model upstream of it looks at later
    days (macros/incremental_window.sql), which narrows its window to the touched days.
#}
{% macro replace_periods_config(key_columns, window=none, looks_ahead=true) -%}
    {%- if window is none -%}
        {%- set window = {'periods': key_columns} if key_columns | length == 2
            else {'days': key_columns[0]} -%}
    {%- endif -%}
    {{ return(adapter.dispatch('replace_periods_config', 'ai_metrics_warehouse')(
        key_columns, window, looks_ahead
    )) }}
{%- endmacro %}

{% macro default__replace_periods_config(key_columns, window, looks_ahead) -%}
    {{ return({
        'incremental_strategy': 'replace_window',
        'unique_key': key_columns,
        'meta': {'looks_ahead': looks_ahead, 'replaced_window': window},
    }) }}
{%- endmacro %}

{#
    Spark: insert_overwrite of the key partitions (parquet) replaces the partitions the new rows
    write; a pre-hook first drops the window's other partitions. It runs before the new rows are
    computed, so it drops only the partitions of the touched days (looks_ahead false): the only
    ones a removal can empty, and none that a model reads back from its own table
    (int_conversations_aggregated reads the look-ahead periods' percentiles). Not run here yet.
#}
{% macro spark__replace_periods_config(key_columns, window, looks_ahead) -%}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': key_columns,
        'file_format': 'parquet',
        'pre_hook': '{{ spark__drop_replaced_partitions() }}',
        'meta': {'looks_ahead': looks_ahead, 'replaced_window': window},
    }) }}
{%- endmacro %}

{% macro spark__drop_replaced_partitions() -%}
    {%- if execute and is_incremental() and recompute_window(false) is not none -%}
        {%- set keys = config.get('partition_by') -%}
        {%- set found = run_query(
            'select distinct ' ~ keys | join(', ') ~ ' from ' ~ this
            ~ ' where ' ~ in_replaced_window(looks_ahead=false)
        ) -%}
        {%- if found.rows | length > 0 -%}
            alter table {{ this }} drop if exists
            {%- for row in found.rows %}
                partition (
                    {%- for key in keys -%}
                        {{ key }} = '{{ row[loop.index0] }}'{{ ', ' if not loop.last }}
                    {%- endfor -%}
                ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#
    Config of a model keyed by entity (key_columns): an entity is rebuilt when its inputs
    change, and window says which of the table's rows a run rebuilds whether or not they still
    have inputs (an entity whose inputs were all removed must disappear); the model's select
    must read those rows back (in_replaced_window) among the entities it recomputes.
#}
{% macro replace_rows_config(key_columns, window) -%}
    {{ return(adapter.dispatch('replace_rows_config', 'ai_metrics_warehouse')(key_columns, window)) }}
{%- endmacro %}

{% macro default__replace_rows_config(key_columns, window) -%}
    {{ return({
        'incremental_strategy': 'replace_window',
        'unique_key': key_columns,
        'meta': {'replaced_window': window},
    }) }}
{%- endmacro %}

{#
    Spark: merge on the key (a Delta table), then a post-hook deletes the window's rows that the
    new rows (dbt-spark's temporary view <model>__dbt_tmp, absent on a first build) do not
    have. A run killed between the two leaves those rows in the window: the next run recomputes
    them and deletes them. Not run here yet (Delta cannot be installed on these machines).
#}
{% macro spark__replace_rows_config(key_columns, window) -%}
    {{ return({
        'incremental_strategy': 'merge',
        'unique_key': key_columns,
        'file_format': 'delta',
        'post_hook': '{{ spark__delete_unreplaced_rows() }}',
        'meta': {'replaced_window': window},
    }) }}
{%- endmacro %}

{% macro spark__delete_unreplaced_rows() -%}
    {%- set batch = this.identifier ~ '__dbt_tmp' -%}
    {%- if execute and is_incremental()
        and run_query("show tables like '" ~ batch ~ "'").rows | length > 0 -%}
        {%- set keys = config.get('unique_key') -%}
        merge into {{ this }} as dbt_target
        using (
            select {{ keys | join(', ') }} from {{ this }}
            where {{ in_replaced_window() }}
            except
            select {{ keys | join(', ') }} from {{ batch }}
        ) as dbt_gone
        on {% for key in keys %}{{ 'and ' if not loop.first }}dbt_gone.{{ key }} = dbt_target.{{ key }} {% endfor %}
        when matched then delete
    {%- endif -%}
{%- endmacro %}


{# dbt's entry point of the custom strategy replace_window. #}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {{ return(adapter.dispatch('replace_window_sql', 'ai_metrics_warehouse')(
        arg_dict['target_relation'],
        arg_dict['temp_relation'],
        arg_dict['unique_key'],
        arg_dict['dest_columns'],
    )) }}
{%- endmacro %}

{#
    Delete the window and the new rows' keys, then insert the new rows.
#}
{% macro default__replace_window_sql(target, source, unique_key, dest_columns) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    delete from {{ target }} as dbt_incremental_target
    where {{ in_replaced_window('dbt_incremental_target') }}
        or {{ key_in_new_rows(source, keys) }};

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}


{#
    A target row (dbt_incremental_target) whose key the new rows carry, as a semi-join: each
    target row is visited once, where a join would pair it with every new row of its key.
#}
{% macro key_in_new_rows(source, keys) -%}
    exists (
        select 1
        from {{ source }} as dbt_incremental_source
        where
            {%- for key in keys %}
            {{ 'and ' if not loop.first }}dbt_incremental_source.{{ key }} = dbt_incremental_target.{{ key }}
            {%- endfor %}
    )
{%- endmacro %}
