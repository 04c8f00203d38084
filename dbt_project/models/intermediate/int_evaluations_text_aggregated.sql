{{ config(materialized='table') }}

-- One row per grain, period, ai_system (and ALL) and segment 'all': the summed BLEU sufficient
-- statistics and the counts, sums and standard deviations of ROUGE-L and METEOR, over the
-- scored response/reference pairs of the evaluations made in the period (by evaluated_date).
-- A table rebuilt whole: one small row per period, from per-pair rows that are already scored;
-- marts.metric_values keeps only the periods a run recomputes.

with scored as (

    select * from {{ ref('int_evaluations_text_scored') }}
    where is_scored

),

sliced as (

    {{ sliced('scored', 'evaluated_date') }}

),

aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as pairs,
        cast(sum(bleu_matches_1) as {{ dbt.type_bigint() }}) as bleu_matches_1,
        cast(sum(bleu_matches_2) as {{ dbt.type_bigint() }}) as bleu_matches_2,
        cast(sum(bleu_matches_3) as {{ dbt.type_bigint() }}) as bleu_matches_3,
        cast(sum(bleu_matches_4) as {{ dbt.type_bigint() }}) as bleu_matches_4,
        cast(sum(bleu_totals_1) as {{ dbt.type_bigint() }}) as bleu_totals_1,
        cast(sum(bleu_totals_2) as {{ dbt.type_bigint() }}) as bleu_totals_2,
        cast(sum(bleu_totals_3) as {{ dbt.type_bigint() }}) as bleu_totals_3,
        cast(sum(bleu_totals_4) as {{ dbt.type_bigint() }}) as bleu_totals_4,
        cast(sum(bleu_hypothesis_length) as {{ dbt.type_bigint() }}) as bleu_hypothesis_length,
        cast(sum(bleu_reference_length) as {{ dbt.type_bigint() }}) as bleu_reference_length,
        count(rouge_l_f) as rouge_l_scored,
        cast(sum(rouge_l_f) as {{ type_double() }}) as rouge_l_f_sum,
        cast(stddev_samp(rouge_l_f) as {{ type_double() }}) as rouge_l_f_sd,
        count(meteor) as meteor_scored,
        cast(sum(meteor) as {{ type_double() }}) as meteor_sum,
        cast(stddev_samp(meteor) as {{ type_double() }}) as meteor_sd
    from sliced
    group by 1, 2, 3, 4, 5

)

select * from aggregated
