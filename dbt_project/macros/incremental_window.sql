{#
    The recompute window of an incremental run. The vars min_date/max_date are the event days the
    run's landing partitions touched; a new day can also change the rows of the
    fcr_lookahead_days before it where a row looks at later days (the first-contact-resolution
    flag, calls and evaluations linked to a conversation). So a run recomputes:
      - per-row models: the event days [min_date - lookahead, max_date];
      - metric periods: the days, ISO weeks (Monday) and months those days touch;
    and reads the input rows of whole recomputed periods ([read_from, read_until)).
    The lookahead is 0 for a model configured with meta looks_ahead: false (or a call with
    looks_ahead=false), which says that neither it nor any model upstream of it looks at later
    days: its window is the touched days alone, so that a new day does not recompute the month
    before it (int_conversations_enriched and the models downstream of it keep the lookahead;
    marts.metric_values, which reads the family tables, keeps it too and so covers every
    family's window).
    Returns none when the vars are unset or the model is not built incrementally (first build,
    --full-refresh, unit tests): the model then builds everything.
#}
{% macro recompute_window(looks_ahead=none) -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set days = recompute_days(
        config.meta_get('looks_ahead', true) if looks_ahead is none else looks_ahead
    ) -%}
    {%- if days is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set dt = modules.datetime -%}
    {%- set first, last = days -%}
    {%- set week_from = first - dt.timedelta(days=first.weekday()) -%}
    {%- set week_to = last - dt.timedelta(days=last.weekday()) -%}
    {%- set month_from = first.replace(day=1) -%}
    {%- set month_to = last.replace(day=1) -%}
    {%- set next_month = (month_to + dt.timedelta(days=32)).replace(day=1) -%}
    {%- set week_end = week_to + dt.timedelta(days=7) -%}
    {{ return({
        'day_from': first, 'day_to': last,
        'week_from': week_from, 'week_to': week_to,
        'month_from': month_from, 'month_to': month_to,
        'read_from': [week_from, month_from] | min,
        'read_until': [week_end, next_month] | max,
    }) }}
{%- endmacro %}


{# The first and last recomputed event day (none when the vars are unset). #}
{% macro recompute_days(looks_ahead) -%}
    {%- set min_var = var('min_date', none) -%}
    {%- set max_var = var('max_date', none) -%}
    {%- if min_var is none or max_var is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set dt = modules.datetime -%}
    {%- set lookahead = (var('fcr_lookahead_days') | int) if looks_ahead else 0 -%}
    {%- set first = dt.datetime.strptime(min_var | string, '%Y-%m-%d').date()
        - dt.timedelta(days=lookahead) -%}
    {%- set last = dt.datetime.strptime(max_var | string, '%Y-%m-%d').date() -%}
    {%- if last < first -%}
        {{ exceptions.raise_compiler_error('max_date ' ~ last ~ ' is before min_date') }}
    {%- endif -%}
    {{ return([first, last]) }}
{%- endmacro %}


{# The recomputed event days, as a predicate on a date column (true on a full build). #}
{% macro in_recompute_days(date_column, looks_ahead=none) -%}
    {%- set w = recompute_window(looks_ahead) -%}
    {%- if w is none -%}
        (1 = 1)
    {%- else -%}
        ({{ date_column }} >= {{ date_literal(w.day_from) }}
            and {{ date_column }} <= {{ date_literal(w.day_to) }})
    {%- endif -%}
{%- endmacro %}


{# Input rows of the whole recomputed periods, as a predicate on a date column. #}
{% macro in_recompute_reads(date_column, lookback_days=0, lookahead_days=0) -%}
    {%- set w = recompute_window() -%}
    {%- if w is none -%}
        (1 = 1)
    {%- else -%}
        {%- set dt = modules.datetime -%}
        ({{ date_column }} >= {{ date_literal(w.read_from - dt.timedelta(days=lookback_days)) }}
            and {{ date_column }} < {{ date_literal(w.read_until + dt.timedelta(days=lookahead_days)) }})
    {%- endif -%}
{%- endmacro %}


{#
    The recomputed (grain, period_start) pairs, as a predicate. looks_ahead=false: only the
    periods of the touched days themselves, without the look-ahead's.
#}
{% macro in_recompute_periods(grain_column='grain', period_column='period_start', looks_ahead=none) -%}
    {%- set w = recompute_window(looks_ahead) -%}
    {%- if w is none -%}
        (1 = 1)
    {%- else -%}
        (({{ grain_column }} = 'day'
            and {{ period_column }} >= {{ date_literal(w.day_from) }}
            and {{ period_column }} <= {{ date_literal(w.day_to) }})
        or ({{ grain_column }} = 'week'
            and {{ period_column }} >= {{ date_literal(w.week_from) }}
            and {{ period_column }} <= {{ date_literal(w.week_to) }})
        or ({{ grain_column }} = 'month'
            and {{ period_column }} >= {{ date_literal(w.month_from) }}
            and {{ period_column }} <= {{ date_literal(w.month_to) }}))
    {%- endif -%}
{%- endmacro %}


{# A date literal that every engine reads the same way. #}
{% macro date_literal(day) -%}
    cast('{{ day }}' as date)
{%- endmacro %}


{#
    Rows on or after the first recomputed day (minus a look-back), as a predicate: for inputs
    linked to the recomputed rows that happen later (a conversation's calls, later contacts).
#}
{% macro on_or_after_recompute_start(date_column, lookback_days=0, looks_ahead=none) -%}
    {%- set w = recompute_window(looks_ahead) -%}
    {%- if w is none -%}
        (1 = 1)
    {%- else -%}
        ({{ date_column }} >= {{ date_literal(w.day_from - modules.datetime.timedelta(days=lookback_days)) }})
    {%- endif -%}
{%- endmacro %}


{#
    The rows of this model that an incremental run replaces, as a predicate on its own columns
    (qualified by alias when given): the window its meta replaced_window names, which
    replace_periods_config and replace_rows_config set (macros/replace_window.sql):
      periods: [grain column, period column]: the recomputed days, ISO weeks and months;
      days: a date column: the recomputed event days;
      days_from: a date column: every day from the first recomputed one on;
      weeks: a week-start column: the recomputed ISO weeks;
      also: boolean columns whose rows are replaced on every run, in the window or not.
    The window must lie within what the model's select recomputes, or a run deletes rows it
    does not write again: for most models it is the very predicate the select filters by
    (sliced's in_recompute_periods, in_recompute_days), int_business_daily and scorecard_weekly
    recompute more than it, and int_experiment_units reads its rows back among the units it
    rebuilds. True when the run recomputes everything.
#}
{% macro in_replaced_window(alias=none, looks_ahead=none) -%}
    {%- set window = config.meta_get('replaced_window') -%}
    {%- if not window -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ' replaces its recompute window but has no meta replaced_window:'
            ~ ' configure it with replace_periods_config or replace_rows_config'
        ) }}
    {%- endif -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set w = recompute_window(looks_ahead) -%}
    {%- if w is none -%}
        (1 = 1)
    {%- else -%}
        {%- set predicates = [] -%}
        {%- if window.periods -%}
            {%- do predicates.append(in_recompute_periods(
                prefix ~ window.periods[0], prefix ~ window.periods[1], looks_ahead
            )) -%}
        {%- elif window.days -%}
            {%- do predicates.append(in_recompute_days(prefix ~ window.days, looks_ahead)) -%}
        {%- elif window.days_from -%}
            {%- do predicates.append(
                on_or_after_recompute_start(prefix ~ window.days_from, looks_ahead=looks_ahead)
            ) -%}
        {%- elif window.weeks -%}
            {%- do predicates.append(
                '(' ~ prefix ~ window.weeks ~ ' >= ' ~ date_literal(w.week_from)
                ~ ' and ' ~ prefix ~ window.weeks ~ ' <= ' ~ date_literal(w.week_to) ~ ')'
            ) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ ': unknown replaced_window ' ~ window
                ~ ' (expected periods, days, days_from or weeks)'
            ) }}
        {%- endif -%}
        {%- for flag in window.get('also', []) -%}
            {%- do predicates.append('coalesce(' ~ prefix ~ flag ~ ', false)') -%}
        {%- endfor -%}
        ({{ predicates | join(' or ') }})
    {%- endif -%}
{%- endmacro %}


{#
    dbt's hook for the rows a generic test reads (its `where` config), extended: on a run with
    min_date/max_date, a test of a model with meta tested_rows_date (a date or timestamp column;
    on a staging view the raw timestamp, which DuckDB's zone maps can skip by) reads only the
    rows of the recomputed days: the only rows the run replaced (or, for a staging view,
    loaded). The rows of other days were tested by the run that wrote them; a key repeated
    across the window's edge goes unseen until a run without the vars, or with --full-refresh,
    which tests every row.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append(config.get('where')) -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {%- set date_column = tested.config.meta.get('tested_rows_date') if tested -%}
    {%- set days = recompute_days(tested.config.meta.get('looks_ahead', true)) if date_column -%}
    {%- if days and not flags.FULL_REFRESH -%}
        {%- set day_after = days[1] + modules.datetime.timedelta(days=1) -%}
        {%- do conditions.append(
            date_column ~ ' >= ' ~ date_literal(days[0])
            ~ ' and ' ~ date_column ~ ' < ' ~ date_literal(day_after)
        ) -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where (' ~ conditions | join(') and (') ~ ')) dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
