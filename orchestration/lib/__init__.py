"""Plain Python the Dagster assets call: contract, readers, simulator, quality, rendering.

No Dagster imports here, so every piece can be tested and reused without a code location.
"""
