{{ config(materialized='incremental', **replace_periods_config(['grain', 'period_start'])) }}

-- The generative family as metric inputs (see the metric_inputs docs block), except the text
-- metrics (BLEU, ROUGE-L, METEOR: int_text_metrics_unpivoted) and FID
-- (int_image_features_metrics_unpivoted), which their libraries compute: hallucination,
-- factuality, tone and empathy by the evaluations made in the period, perplexity by the calls
-- started in it, preference and thumbs by the feedback created in it, and feedback_rate as the
-- period's feedback over the AI conversations that started in it.

with evaluations as (

    select * from {{ ref('int_evaluations_aggregated') }}
    where {{ in_recompute_periods() }}

),

-- exp(-sum of log-probabilities / tokens) over the calls that carry log-probabilities: the
-- per-token perplexity of the pooled calls (null in a period whose calls carry none).
perplexity as (

    select
        *,
        exp(negative_logprob_sum / logprob_tokens) as perplexity
    from {{ ref('int_llm_calls_aggregated') }}
    where {{ in_recompute_periods() }}

),

feedback as (

    select * from {{ ref('stg_raw__feedback') }}
    where {{ in_recompute_reads('created_date') }}

),

feedback_sliced as (

    {{ sliced('feedback', 'created_date') }}

),

feedback_aggregated as (

    select
        grain,
        period_start,
        slice_ai_system as ai_system,
        segment_key,
        segment_value,
        count(*) as feedback_events,
        {{ count_if("kind = 'preference'") }} as preferences,
        sum(case when kind = 'preference' then value end) as preference_sum,
        stddev_samp(case when kind = 'preference' then value end) as preference_sd,
        {{ count_if("kind = 'thumbs'") }} as thumbs,
        {{ count_if("kind = 'thumbs' and value = 1") }} as thumbs_up
    from feedback_sliced
    group by 1, 2, 3, 4, 5

),

ai_conversations as (

    select * from {{ ref('int_conversations_aggregated') }}
    where segment_key = 'all'
        and {{ in_recompute_periods() }}

),

-- Feedback events and AI conversations of the period, each by its own event time.
feedback_per_conversation as (

    select
        'all' as segment_key,
        'all' as segment_value,
        coalesce(feedback.grain, conversations.grain) as grain,
        coalesce(feedback.period_start, conversations.period_start) as period_start,
        coalesce(feedback.ai_system, conversations.ai_system) as ai_system,
        coalesce(feedback.feedback_events, 0) as feedback_events,
        coalesce(conversations.ai_conversations, 0) as ai_conversations
    from feedback_aggregated as feedback
    full outer join ai_conversations as conversations
        on conversations.grain = feedback.grain
        and conversations.period_start = feedback.period_start
        and conversations.ai_system = feedback.ai_system

),

evaluation_metrics as (

    {{ metric_rows('evaluations', [
        {'name': 'hallucination_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'hallucinations', 'denominator': 'hallucination_known'},
        {'name': 'factuality_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'factual', 'denominator': 'factuality_known'},
        {'name': 'tone_score_average', 'statistic': 'mean', 'unit': 'score_0_to_1',
         'numerator': 'tone_score_sum', 'denominator': 'tone_scored',
         'standard_deviation': 'tone_score_sd'},
        {'name': 'empathy_score_average', 'statistic': 'mean', 'unit': 'score_0_to_1',
         'numerator': 'empathy_score_sum', 'denominator': 'empathy_scored',
         'standard_deviation': 'empathy_score_sd'},
    ]) }}

),

perplexity_metrics as (

    {{ metric_rows('perplexity', [
        {'name': 'perplexity', 'statistic': 'value', 'unit': 'perplexity',
         'value': 'perplexity', 'numerator': 'negative_logprob_sum',
         'denominator': 'logprob_tokens', 'sample_size': 'logprob_calls'},
    ]) }}

),

feedback_metrics as (

    {{ metric_rows('feedback_aggregated', [
        {'name': 'human_preference_score', 'statistic': 'mean', 'unit': 'preference_0_to_1',
         'numerator': 'preference_sum', 'denominator': 'preferences',
         'standard_deviation': 'preference_sd'},
        {'name': 'thumbs_up_rate', 'statistic': 'proportion', 'unit': 'share',
         'numerator': 'thumbs_up', 'denominator': 'thumbs'},
    ]) }}

),

feedback_rate_metrics as (

    {{ metric_rows('feedback_per_conversation', [
        {'name': 'feedback_rate', 'statistic': 'ratio', 'unit': 'feedback_per_ai_conversation',
         'numerator': 'feedback_events', 'denominator': 'ai_conversations'},
    ]) }}

),

unioned as (

    select * from evaluation_metrics
    union all
    select * from perplexity_metrics
    union all
    select * from feedback_metrics
    union all
    select * from feedback_rate_metrics

)

select * from unioned
