"""Plain Python the Dagster assets call: contract, readers, simulator, quality, rendering. No Dagster here."""
