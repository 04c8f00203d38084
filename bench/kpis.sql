-- The headline weekly KPIs of the customer-service family, by hand, straight over the landing
-- Parquet: what DuckDB itself can do, the practical limit the pipeline is measured against.
-- One row per ISO week (Monday), ai_system (and ALL) and metric, like marts.metric_values at
-- grain week, segment all. $conversations is the files' glob; [$first, $last] the UTC days read.
with conversations as (
    select
        conversation_id,
        ai_system,
        started_at,
        ended_at,
        customer_id,
        -- Contacts without an issue key group by intent, and without either as one unknown issue.
        coalesce(issue_key, intent, '') as issue_key,
        customer_group,
        ai_involved,
        escalated_to_human,
        resolved,
        csat,
        cast(date_trunc('week', started_at) as date) as week
    from read_parquet($conversations)
    where cast(started_at as date) between $first and $last
),

-- A repeat contact: the same customer and issue, in any ai_system, within 7 x 24 hours after.
repeated as (
    select distinct earlier.conversation_id
    from conversations as earlier
    inner join conversations as later
        on later.customer_id = earlier.customer_id
        and later.issue_key = earlier.issue_key
        and later.started_at > earlier.started_at
        and later.started_at <= earlier.started_at + interval 7 day
),

flagged as (
    select
        c.*,
        c.ai_involved and not c.escalated_to_human and c.resolved as ai_resolved_contained,
        c.resolved and not c.escalated_to_human and r.conversation_id is null as fcr
    from conversations as c
    left join repeated as r on r.conversation_id = c.conversation_id
),

by_system as (
    select
        week,
        coalesce(ai_system, 'ALL') as ai_system,
        count(*) filter (where ai_resolved_contained)
        / nullif(count(*) filter (where ai_involved), 0) as ai_resolution_rate,
        count(*) filter (where ai_involved and not escalated_to_human)
        / nullif(count(*) filter (where ai_involved), 0) as containment_rate,
        count(*) filter (where ai_involved and escalated_to_human)
        / nullif(count(*) filter (where ai_involved), 0) as escalation_rate,
        count(*) filter (where fcr) / count(*) as first_contact_resolution_rate,
        avg(csat) as csat_average,
        avg(epoch(ended_at) - epoch(started_at)) as average_handling_time_seconds
    from flagged
    group by grouping sets ((week, ai_system), (week))
),

-- Outcome parity: the smallest over the largest AI resolution rate of the customer groups.
group_rates as (
    select
        week,
        coalesce(ai_system, 'ALL') as ai_system,
        avg(cast(ai_resolved_contained as double)) as rate
    from flagged
    where ai_involved and customer_group is not null
    group by grouping sets ((week, ai_system, customer_group), (week, customer_group))
),

parity as (
    select
        week,
        ai_system,
        case when count(*) >= 2 and max(rate) > 0 then min(rate) / max(rate) end
            as outcome_parity_ratio
    from group_rates
    group by week, ai_system
)

select week, ai_system, metric_name, value
from (
    select * from by_system natural full join parity
) unpivot (
    value for metric_name in (
        ai_resolution_rate,
        containment_rate,
        escalation_rate,
        first_contact_resolution_rate,
        csat_average,
        average_handling_time_seconds,
        outcome_parity_ratio
    )
)
order by week, ai_system, metric_name
