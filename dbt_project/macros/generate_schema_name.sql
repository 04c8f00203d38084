{#
    Use the folder's custom schema (staging, intermediate, marts, reference) as is, instead of
    dbt's default "<target schema>_<custom>": the schema names are part of the warehouse contract
    that Dagster, the quality checks and analysts rely on.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
