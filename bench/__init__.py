"""`make bench`: the pipeline at enterprise volume, measured against what DuckDB alone can do."""
