{#
    Salted SHA-256 of a personal identifier (customer_id, employee_id, experiment unit_id), as
    lower-case hex. Equal ids hash alike, so they still join after hashing.

    The salt is never text that dbt renders: dbt keeps rendered SQL in target/ (compiled SQL,
    manifest.json, run_results.json, partial_parse.msgpack) and in dbt.log, and the warehouse
    keeps each view's SQL, where anyone who reads them could take the salt and reverse the
    hashes by hashing candidate ids. The SQL reads it at run time from the session variable
    amw_hash_salt, which the runner sets on each connection: on DuckDB the plugin in
    profiles.yml (orchestration/lib/dbt_salt.py), from AMW_HASH_SALT or AMW_HASH_SALT_FILE.
#}
{% macro hash_pii(column) -%}
    {{ return(adapter.dispatch('hash_pii', 'ai_metrics_warehouse')(column)) }}
{%- endmacro %}

{% macro duckdb__hash_pii(column) -%}
    sha256({{ dbt.concat([hash_salt(), 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')']) }})
{%- endmacro %}

{% macro spark__hash_pii(column) -%}
    sha2({{ dbt.concat([hash_salt(), 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')']) }}, 256)
{%- endmacro %}


{#
    The salt, read when the query runs. Unset, it raises an error instead of hashing with no
    salt (a null salt would make every id null, an empty one would make the hashes public).
    Staging views hash as they are read: outside dbt, read hashed ids from intermediate or marts
    tables.
#}
{% macro hash_salt() -%}
    {{ return(adapter.dispatch('hash_salt', 'ai_metrics_warehouse')()) }}
{%- endmacro %}

{% macro hash_salt_missing() -%}
    the session variable amw_hash_salt is not set: dbt sets it from AMW_HASH_SALT or AMW_HASH_SALT_FILE
{%- endmacro %}

{#
    The cast matters: an unset variable is an untyped NULL, and DuckDB folds `NULL || id` to
    NULL before the error() is ever reached.
#}
{% macro duckdb__hash_salt() -%}
    coalesce(cast(getvariable('amw_hash_salt') as {{ dbt.type_string() }}), error('{{ hash_salt_missing() }}'))
{%- endmacro %}

{#
    Spark (not run here yet): a session variable (Spark 4), declared and set by whatever starts
    dbt's Spark session, before dbt runs, with the value bound as a parameter rather than written
    into SQL text: `DECLARE VARIABLE amw_hash_salt STRING`, then `SET VAR amw_hash_salt = :salt`.
    Undeclared, the name does not resolve and the query fails. Spark refuses session variables in
    persisted views, so on Spark the staging models that hash must be tables.
#}
{% macro spark__hash_salt() -%}
    coalesce(system.session.amw_hash_salt, raise_error('{{ hash_salt_missing() }}'))
{%- endmacro %}
