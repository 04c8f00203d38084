{{ config(
    materialized='incremental',
    **replace_periods_config(['assigned_date'], looks_ahead=false)
) }}

-- One row per current experiment assignment, as stg_raw__experiments, kept as a table so that
-- each unit_id is hashed once, when its day loads: int_experiment_units looks up every
-- assignment of a recomputed unit, whenever it was made, on each run.

select * from {{ ref('stg_raw__experiments') }}
where {{ in_recompute_days('assigned_date') }}
