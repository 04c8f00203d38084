{{ config(
    materialized='incremental',
    **replace_periods_config(['grain', 'period_start'], looks_ahead=false)
) }}

-- The technical family and the fairness metrics over predictions, as metric inputs (see the
-- metric_inputs docs block), by the predictions made in the period and reported per task and
-- per model (no segment 'all': a pooled accuracy over unrelated tasks means nothing).
-- Labels true/1 and false/0 read as one binary pair; a slice whose labels are all of that pair
-- is binary (positive class 'true'), any other is multi-class (macro averages over the union of
-- its predicted and actual labels, a class without predictions or members counting 0, as
-- scikit-learn's zero_division=0). A metric appears only where its input exists: no accuracy
-- for a regression task, no AUC or fairness for a multi-class one.

with predictions as (

    select
        *,
        case
            when lower(trim(predicted_label)) in ('true', '1') then 'true'
            when lower(trim(predicted_label)) in ('false', '0') then 'false'
            else predicted_label
        end as predicted_class,
        case
            when lower(trim(actual_label)) in ('true', '1') then 'true'
            when lower(trim(actual_label)) in ('false', '0') then 'false'
            else actual_label
        end as actual_class
    from {{ ref('stg_raw__predictions') }}
    where {{ in_recompute_reads('predicted_date') }}

),

sliced as (

    select * from ({{ sliced('predictions', 'predicted_date', ['task', 'model']) }}) as expanded
    where segment_key <> 'all'

),

labelled as (

    select * from sliced
    where predicted_class is not null
        and actual_class is not null

),

slices as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        -- Binary: labels, and every one of them true or false (a regression task has none).
        (
            {{ count_if('predicted_class is not null or actual_class is not null') }} > 0
            and {{ count_if(
                "(predicted_class is not null and predicted_class not in ('true', 'false'))"
                ~ " or (actual_class is not null and actual_class not in ('true', 'false'))"
            ) }} = 0
        ) as is_binary,
        {{ count_if('predicted_class is not null and actual_class is not null') }} as labelled,
        {{ count_if('predicted_class = actual_class') }} as correct,
        {{ count_if("predicted_class = 'true' and actual_class = 'true'") }} as true_positives,
        {{ count_if("predicted_class = 'true' and actual_class = 'false'") }} as false_positives,
        {{ count_if("predicted_class = 'false' and actual_class = 'true'") }} as false_negatives,
        count(abs(predicted_value - actual_value)) as valued,
        sum(abs(predicted_value - actual_value)) as absolute_error_sum,
        stddev_samp(abs(predicted_value - actual_value)) as absolute_error_sd
    from sliced
    group by 1, 2, 3, 4, 5

),

-- Multi-class: each label of the union of predicted and actual labels, with its counts.
class_votes as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        predicted_class as label_class,
        1 as predicted,
        0 as actual,
        case when predicted_class = actual_class then 1 else 0 end as hit
    from labelled
    union all
    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        actual_class as label_class,
        0 as predicted,
        1 as actual,
        0 as hit
    from labelled

),

classes as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        label_class,
        sum(predicted) as predicted,
        sum(actual) as actual,
        sum(hit) as hits
    from class_votes
    group by 1, 2, 3, 4, 5, 6

),

macro_averages as (

    select
        classes.grain,
        classes.period_start,
        classes.ai_system,
        classes.segment_key,
        classes.segment_value,
        max(slices.labelled) as labelled,
        count(*) as classes,
        sum(coalesce({{ safe_divide('classes.hits', 'classes.predicted') }}, 0)) as precision_sum,
        sum(coalesce({{ safe_divide('classes.hits', 'classes.actual') }}, 0)) as recall_sum,
        -- Per class 2TP / (2TP + FP + FN), and 2TP + FP + FN = predicted + actual.
        sum({{ safe_divide('2 * classes.hits', 'classes.predicted + classes.actual') }}) as f1_sum
    from classes
    inner join slices
        on slices.grain = classes.grain
        and slices.period_start = classes.period_start
        and slices.ai_system = classes.ai_system
        and slices.segment_key = classes.segment_key
        and slices.segment_value = classes.segment_value
    where not slices.is_binary
    group by 1, 2, 3, 4, 5

),

binary_slices as (

    select
        *,
        2 * true_positives as f1_numerator,
        2 * true_positives + false_positives + false_negatives as f1_denominator,
        true_positives + false_positives as predicted_positives,
        true_positives + false_negatives as actual_positives
    from slices
    where is_binary
        and labelled > 0

),

-- The rows of the binary slices: the input of auc_roc and of the fairness metrics.
binary_sliced as (

    select sliced.*
    from sliced
    inner join slices
        on slices.grain = sliced.grain
        and slices.period_start = sliced.period_start
        and slices.ai_system = sliced.slice_ai_system
        and slices.segment_key = sliced.segment_key
        and slices.segment_value = sliced.segment_value
    where slices.is_binary

),

-- ROC AUC as the Mann-Whitney statistic: mean rank of the positives, tied scores sharing the
-- average of their ranks (a tie between a positive and a negative counts one half).
scored as (

    select
        sliced.grain,
        sliced.period_start,
        sliced.slice_ai_system as ai_system,
        sliced.segment_key,
        sliced.segment_value,
        sliced.actual_class,
        rank() over (
            partition by
                sliced.grain, sliced.period_start, sliced.slice_ai_system,
                sliced.segment_key, sliced.segment_value
            order by sliced.score
        ) + (count(*) over (
            partition by
                sliced.grain, sliced.period_start, sliced.slice_ai_system,
                sliced.segment_key, sliced.segment_value, sliced.score
        ) - 1) / 2.0 as score_rank
    from binary_sliced as sliced
    where sliced.score is not null
        and sliced.actual_class is not null

),

ranks as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        count(*) as scored,
        {{ count_if("actual_class = 'true'") }} as positives,
        {{ count_if("actual_class = 'false'") }} as negatives,
        sum(case when actual_class = 'true' then score_rank else 0 end) as positive_rank_sum
    from scored
    group by 1, 2, 3, 4, 5

),

auc as (

    select
        *,
        -- U = rank sum of the positives - n+(n+ + 1)/2; AUC = U / (n+ n-), null with one class.
        case
            when positives > 0 and negatives > 0
                then positive_rank_sum - positives * (positives + 1) / 2.0
        end as mann_whitney_u,
        positives * negatives as pairs
    from ranks

),

-- Fairness: per binary slice and sensitive group, the selection and true-positive rates.
groups as (

    select
        sliced.grain,
        sliced.period_start,
        sliced.slice_ai_system as ai_system,
        sliced.segment_key,
        sliced.segment_value,
        sliced.sensitive_group,
        count(sliced.predicted_class) as predicted,
        {{ safe_divide(
            count_if("sliced.predicted_class = 'true'"), 'count(sliced.predicted_class)'
        ) }} as selection_rate,
        {{ count_if("sliced.actual_class = 'true' and sliced.predicted_class is not null") }}
            as labelled_positives,
        {{ count_if('sliced.actual_class is not null and sliced.predicted_class is not null') }}
            as labelled,
        {{ safe_divide(
            count_if("sliced.actual_class = 'true' and sliced.predicted_class = 'true'"),
            count_if("sliced.actual_class = 'true' and sliced.predicted_class is not null")
        ) }} as true_positive_rate
    from binary_sliced as sliced
    where sliced.sensitive_group is not null
    group by 1, 2, 3, 4, 5, 6

),

parity as (

    select
        grain,
        period_start,
        ai_system,
        segment_key,
        segment_value,
        sum(case when selection_rate is not null then predicted else 0 end) as selection_rows,
        case
            when count(selection_rate) >= 2
                then max(selection_rate) - min(selection_rate)
        end as parity_difference,
        case when count(selection_rate) >= 2 then min(selection_rate) end as lowest_selection_rate,
        case when count(selection_rate) >= 2 then max(selection_rate) end as highest_selection_rate,
        sum(case when true_positive_rate is not null then labelled else 0 end)
            as opportunity_rows,
        case
            when count(true_positive_rate) >= 2
                then max(true_positive_rate) - min(true_positive_rate)
        end as opportunity_difference
    from groups
    group by 1, 2, 3, 4, 5

),

labelled_metrics as (

    {{ metric_rows('(select * from slices where labelled > 0) as labelled_slices', [
        {'name': 'accuracy', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'correct', 'denominator': 'labelled'},
    ]) }}

),

binary_metrics as (

    {{ metric_rows('binary_slices', [
        {'name': 'precision', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'true_positives', 'denominator': 'predicted_positives'},
        {'name': 'recall', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'true_positives', 'denominator': 'actual_positives'},
        {'name': 'f1', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'f1_numerator', 'denominator': 'f1_denominator',
         'sample_size': 'labelled'},
    ]) }}

),

macro_metrics as (

    {{ metric_rows('macro_averages', [
        {'name': 'precision', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'precision_sum', 'denominator': 'classes', 'sample_size': 'labelled'},
        {'name': 'recall', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'recall_sum', 'denominator': 'classes', 'sample_size': 'labelled'},
        {'name': 'f1', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'f1_sum', 'denominator': 'classes', 'sample_size': 'labelled'},
    ]) }}

),

auc_metrics as (

    {{ metric_rows('auc', [
        {'name': 'auc_roc', 'statistic': 'ratio', 'unit': 'share',
         'numerator': 'mann_whitney_u', 'denominator': 'pairs', 'sample_size': 'scored'},
    ]) }}

),

error_metrics as (

    {{ metric_rows('(select * from slices where valued > 0) as valued_slices', [
        {'name': 'mae', 'statistic': 'mean', 'unit': 'target_units',
         'numerator': 'absolute_error_sum', 'denominator': 'valued',
         'standard_deviation': 'absolute_error_sd'},
    ]) }}

),

fairness_metrics as (

    {{ metric_rows('parity', [
        {'name': 'demographic_parity_difference', 'statistic': 'value', 'unit': 'share',
         'value': 'parity_difference', 'sample_size': 'selection_rows'},
        {'name': 'demographic_parity_ratio', 'statistic': 'ratio', 'unit': 'ratio',
         'numerator': 'lowest_selection_rate', 'denominator': 'highest_selection_rate',
         'sample_size': 'selection_rows'},
        {'name': 'equal_opportunity_difference', 'statistic': 'value', 'unit': 'share',
         'value': 'opportunity_difference', 'sample_size': 'opportunity_rows'},
    ]) }}

),

unioned as (

    select * from labelled_metrics
    union all
    select * from binary_metrics
    union all
    select * from macro_metrics
    union all
    select * from auc_metrics
    union all
    select * from error_metrics
    union all
    select * from fairness_metrics

)

select * from unioned
