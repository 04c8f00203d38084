{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The agent family as metric inputs (see the metric_inputs docs block): goal completion,
-- multi-step reasoning and adaptability by the conversations that started in the period (every
-- conversation segment); autonomy and action accuracy by the actions (tool and agent steps)
-- started in it; the reliability index from uptime, action accuracy and goal completion; the
-- learning slope from the weekly goal completion of the weeks up to the period's.

with conversations as (

    select * from {{ ref('int_conversations_aggregated') }}
    where {{ in_recompute_periods() }}

),

settings as (

    select
        max(case
            when setting_name = 'learning_efficiency_weeks'
                then cast(setting_value as {{ type_double() }})
        end) as learning_weeks,
        max(case
            when setting_name = 'reliability_weight_uptime'
                then cast(setting_value as {{ type_double() }})
        end) as weight_uptime,
        max(case
            when setting_name = 'reliability_weight_action_accuracy'
                then cast(setting_value as {{ type_double() }})
        end) as weight_action_accuracy,
        max(case
            when setting_name = 'reliability_weight_goal_completion'
                then cast(setting_value as {{ type_double() }})
        end) as weight_goal_completion
    from {{ ref('stg_reference__settings') }}

),

-- The periods' call counts, where the program took actions (tool and agent steps).
actions_aggregated as (

    select * from {{ ref('int_llm_calls_aggregated') }}
    where actions > 0
        and {{ in_recompute_periods() }}

),

-- Goal completion on novel and on familiar intents, each a rate: adaptability is their ratio.
adaptation as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        novel_goals_known,
        {{ safe_divide('novel_goals_completed', 'novel_goals_known') }} as novel_goal_rate,
        {{ safe_divide('familiar_goals_completed', 'familiar_goals_known') }}
            as familiar_goal_rate
    from conversations

),

uptime as (

    select
        grain,
        period_start,
        ai_system,
        sample_size,
        numerator / nullif(denominator, 0) as uptime_share
    from {{ ref('int_operational_metrics_unpivoted') }}
    where metric_name = 'uptime_percent'
        and segment_key = 'all'
        and {{ in_recompute_periods() }}

),

-- The three components of agent_reliability_index side by side, per program and period.
reliability_components as (

    select
        coalesce(goals.grain, accuracy.grain, uptime.grain) as grain,
        coalesce(goals.period_start, accuracy.period_start, uptime.period_start)
            as period_start,
        coalesce(goals.ai_system, accuracy.ai_system, uptime.ai_system) as ai_system,
        uptime.uptime_share,
        uptime.sample_size as uptime_checks,
        {{ safe_divide('accuracy.correct_actions', 'accuracy.correctness_known') }}
            as action_accuracy,
        accuracy.correctness_known,
        {{ safe_divide('goals.goals_completed', 'goals.goals_known') }} as goal_completion,
        goals.goals_known
    from (
        select * from conversations
        where segment_key = 'all'
    ) as goals
    full outer join actions_aggregated as accuracy
        on accuracy.grain = goals.grain
        and accuracy.period_start = goals.period_start
        and accuracy.ai_system = goals.ai_system
    full outer join uptime
        on uptime.grain = coalesce(goals.grain, accuracy.grain)
        and uptime.period_start = coalesce(goals.period_start, accuracy.period_start)
        and uptime.ai_system = coalesce(goals.ai_system, accuracy.ai_system)

),

-- A weighted mean of the three shares; null when a component that has weight is missing, so a
-- program without uptime checks or without labelled actions gets no index rather than a
-- flattering one.
reliability_weighted as (

    select
        components.grain,
        components.period_start,
        components.ai_system,
        'all' as segment_key,
        'all' as segment_value,
        case
            when (settings.weight_uptime > 0 and components.uptime_share is null)
                or (settings.weight_action_accuracy > 0 and components.action_accuracy is null)
                or (settings.weight_goal_completion > 0 and components.goal_completion is null)
                then null
            else (
                settings.weight_uptime * coalesce(components.uptime_share, 0)
                + settings.weight_action_accuracy * coalesce(components.action_accuracy, 0)
                + settings.weight_goal_completion * coalesce(components.goal_completion, 0)
            ) / nullif(
                settings.weight_uptime
                + settings.weight_action_accuracy
                + settings.weight_goal_completion,
                0
            )
        end as reliability_index,
        -- The smallest sample among the weighted components: the index is as thin as that.
        least(
            case when settings.weight_uptime > 0 then components.uptime_checks end,
            case when settings.weight_action_accuracy > 0 then components.correctness_known end,
            case when settings.weight_goal_completion > 0 then components.goals_known end
        ) as thinnest_component
    from reliability_components as components
    cross join settings

),

reliability as (

    select
        *,
        case when reliability_index is null then 0 else thinnest_component end as sample_size
    from reliability_weighted

),

-- Weekly goal completion (segment all) of every week: the points of the learning slope.
weekly_goals as (

    select
        period_start as week_start,
        ai_system,
        100 * {{ safe_divide('goals_completed', 'goals_known') }} as goal_completion_points
    from {{ ref('int_conversations_aggregated') }}
    where grain = 'week'
        and segment_key = 'all'

),

-- For each recomputed week W: the weeks W - (N - 1) .. W with a rate, x in weeks before W.
learning_points as (

    select
        target.period_start,
        target.ai_system,
        cast(
            {{ dbt.datediff('target.period_start', 'week_point.week_start', 'day') }}
            as {{ type_double() }}
        ) / 7.0 as week_offset,
        week_point.goal_completion_points
    from conversations as target
    cross join settings
    inner join weekly_goals as week_point
        on week_point.ai_system = target.ai_system
        and week_point.week_start <= target.period_start
        and week_point.week_start > {{ dbt.dateadd(
            'day', '-7 * cast(settings.learning_weeks as ' ~ dbt.type_int() ~ ')',
            'target.period_start'
        ) }}
        and week_point.goal_completion_points is not null
    where target.grain = 'week'
        and target.segment_key = 'all'

),

learning as (

    select
        target.grain,
        target.period_start,
        target.ai_system,
        target.segment_key,
        target.segment_value,
        count(points.goal_completion_points) as weeks_observed,
        -- Least-squares slope: points of goal completion gained per week.
        case
            when count(points.goal_completion_points) >= 2
                then covar_pop(points.goal_completion_points, points.week_offset)
                    / nullif(var_pop(points.week_offset), 0)
        end as learning_slope
    from conversations as target
    left join learning_points as points
        on points.period_start = target.period_start
        and points.ai_system = target.ai_system
    where target.grain = 'week'
        and target.segment_key = 'all'
    group by 1, 2, 3, 4, 5

),

conversation_metrics as (

    {{ metric_rows('conversations', [
        {'name': 'goal_completion_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'goals_completed', 'denominator': 'goals_known'},
        {'name': 'multi_step_reasoning_score', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'multi_step_succeeded', 'denominator': 'multi_step_known'},
    ]) }}

),

adaptability_metrics as (

    {{ metric_rows('adaptation', [
        {'name': 'adaptability', 'statistic': 'ratio', 'unit': 'ratio',
         'numerator': 'novel_goal_rate', 'denominator': 'familiar_goal_rate',
         'sample_size': 'novel_goals_known'},
    ]) }}

),

action_metrics as (

    {{ metric_rows('actions_aggregated', [
        {'name': 'autonomy_score', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'autonomous_actions', 'denominator': 'interventions_known'},
        {'name': 'action_accuracy', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'correct_actions', 'denominator': 'correctness_known'},
    ]) }}

),

reliability_metrics as (

    {{ metric_rows('reliability', [
        {'name': 'agent_reliability_index', 'statistic': 'value', 'unit': 'share',
         'value': 'reliability_index', 'sample_size': 'sample_size'},
    ]) }}

),

learning_metrics as (

    {{ metric_rows('learning', [
        {'name': 'learning_efficiency', 'statistic': 'value', 'unit': 'points_per_week',
         'value': 'learning_slope', 'sample_size': 'weeks_observed'},
    ]) }}

),

unioned as (

    select * from conversation_metrics
    union all
    select * from adaptability_metrics
    union all
    select * from action_metrics
    union all
    select * from reliability_metrics
    union all
    select * from learning_metrics

)

select * from unioned
