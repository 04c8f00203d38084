{{ config(
    materialized='incremental',
    **replace_periods_config(['grain', 'period_start'], looks_ahead=false)
) }}

-- One row per grain, period, ai_system (and ALL) and segment 'all': the counts, sums and
-- standard deviations behind every metric over evaluations (response quality, hallucination,
-- factuality, tone, empathy, explainability, compliance), over the evaluations made in the
-- period. Incremental runs rebuild the recomputed periods from all their evaluations.

with evaluations as (

    select
        *,
        -- The mean of the present values among quality_score, tone_score and 1 - hallucination.
        (
            coalesce(quality_score, 0)
            + coalesce(tone_score, 0)
            + case when not is_hallucination then 1 else 0 end
        )
        / nullif(
            case when quality_score is null then 0 else 1 end
            + case when tone_score is null then 0 else 1 end
            + case when is_hallucination is null then 0 else 1 end,
            0
        ) as quality_index
    from {{ ref('stg_raw__evaluations') }}
    where {{ in_recompute_reads('evaluated_date') }}

),

sliced as (

    {{ sliced('evaluations', 'evaluated_date') }}

),

aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as evaluations,
        count(quality_index) as quality_indexed,
        sum(quality_index) as quality_index_sum,
        stddev_samp(quality_index) as quality_index_sd,
        count(is_hallucination) as hallucination_known,
        {{ count_if('is_hallucination') }} as hallucinations,
        count(is_factual) as factuality_known,
        {{ count_if('is_factual') }} as factual,
        count(tone_score) as tone_scored,
        sum(tone_score) as tone_score_sum,
        stddev_samp(tone_score) as tone_score_sd,
        count(empathy_score) as empathy_scored,
        sum(empathy_score) as empathy_score_sum,
        stddev_samp(empathy_score) as empathy_score_sd,
        count(has_explanation) as explanation_known,
        {{ count_if('has_explanation') }} as explained,
        count(is_compliant) as compliance_known,
        {{ count_if('is_compliant') }} as compliant
    from sliced
    group by 1, 2, 3, 4, 5

)

select * from aggregated
