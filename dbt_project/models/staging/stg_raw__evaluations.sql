with source as (

    select * from {{ source('raw', 'evaluations') }}
    -- Only current rows: duplicates and replaced rows stay in raw for the audit trail.
    where _disposition = 'loaded'

),

renamed as (

    select
        cast(evaluation_id as {{ dbt.type_string() }}) as evaluation_id,
        cast(ai_system as {{ dbt.type_string() }}) as ai_system,
        cast(evaluated_at as {{ dbt.type_timestamp() }}) as evaluated_at,
        cast(evaluated_at as date) as evaluated_date,
        cast(evaluator as {{ dbt.type_string() }}) as evaluator,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(span_id as {{ dbt.type_string() }}) as span_id,
        cast(response_text as {{ dbt.type_string() }}) as response_text,
        cast(reference_text as {{ dbt.type_string() }}) as reference_text,
        cast(hallucination as {{ dbt.type_boolean() }}) as is_hallucination,
        cast(factual as {{ dbt.type_boolean() }}) as is_factual,
        cast(tone_score as {{ type_double() }}) as tone_score,
        cast(empathy_score as {{ type_double() }}) as empathy_score,
        cast(quality_score as {{ type_double() }}) as quality_score,
        cast(explanation_present as {{ dbt.type_boolean() }}) as has_explanation,
        cast(compliant as {{ dbt.type_boolean() }}) as is_compliant
    from source

)

select * from renamed
