{{ config(severity='warn') }}

-- Programs and days whose current feature vectors have more than one dimension: a data error
-- (a program's vectors of one day share one dimension). The loader quarantines the
-- odd rows of a file; vectors of one day that sit in different files reach staging, their
-- slices get a null fid, and this test names them. A warning: the other metrics still build.
select
    ai_system,
    created_date,
    count(distinct {{ list_length('vector') }}) as dimensions
from {{ ref('stg_raw__image_features') }}
group by 1, 2
having count(distinct {{ list_length('vector') }}) > 1
