{#
    A reference row valid on a day: rows with valid_from (null: since always) and valid_until
    (the next row's valid_from, exclusive; null: still valid), as FX rates, model prices and
    labour rates are read.
#}
{% macro valid_on(alias, day) -%}
    (({{ alias }}.valid_from is null or {{ alias }}.valid_from <= {{ day }})
        and ({{ alias }}.valid_until is null or {{ alias }}.valid_until > {{ day }}))
{%- endmacro %}
