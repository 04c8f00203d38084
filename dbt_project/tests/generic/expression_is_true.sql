{#
    Rows for which an arithmetic identity or bound does not hold (e.g. numerator <= denominator,
    ci_low <= value <= ci_high). Nulls count as holding: a null metric is allowed, a wrong one not.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, true)

{% endtest %}
