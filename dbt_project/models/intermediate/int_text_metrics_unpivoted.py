"""The text-similarity metrics of the generative family as metric inputs (one row per metric,
grain, period, ai_system and segment 'all'; see the metric_inputs docs block), from the period
sums of int_evaluations_text_aggregated:

- bleu: corpus BLEU of the period's pairs, computed from the summed sufficient statistics by
  sacrebleu (orchestration/lib/text_metrics.py), statistic 'value';
- rouge_l, meteor: means (sum, count, sample standard deviation); marts.metric_values divides
  and adds the normal interval, as for every mean.

A Python model only because BLEU needs sacrebleu; the columns and their types are those every
family yields, in the order marts.metric_values unions them in.
"""

import pyarrow as pa

from orchestration.lib.metric_inputs import METRIC_INPUTS
from orchestration.lib.text_metrics import bleu_from_statistics

SLICE = ["grain", "period_start", "ai_system", "segment_key", "segment_value"]
MATCHES = [f"bleu_matches_{n}" for n in range(1, 5)]
TOTALS = [f"bleu_totals_{n}" for n in range(1, 5)]
# The means: metric_name -> (sum, count, standard deviation) columns of the aggregate.
MEANS = {
    "rouge_l": ("rouge_l_f_sum", "rouge_l_scored", "rouge_l_f_sd"),
    "meteor": ("meteor_sum", "meteor_scored", "meteor_sd"),
}


def model(dbt, session):
    dbt.config(materialized="table")
    periods = dbt.ref("int_evaluations_text_aggregated").to_arrow_table().to_pylist()
    rows = []
    for period in periods:
        slice_ = {name: period[name] for name in SLICE}
        rows.append(
            {
                "metric_name": "bleu",
                **slice_,
                "statistic": "value",
                "value": bleu_from_statistics(
                    [period[name] for name in MATCHES],
                    [period[name] for name in TOTALS],
                    period["bleu_hypothesis_length"],
                    period["bleu_reference_length"],
                ),
                "sample_size": period["pairs"],
                "scale": 1.0,
                "unit": "bleu_0_to_100",
            }
        )
        for metric_name, (total, count, deviation) in MEANS.items():
            rows.append(
                {
                    "metric_name": metric_name,
                    **slice_,
                    "statistic": "mean",
                    "numerator": period[total],
                    "denominator": period[count],
                    "standard_deviation": period[deviation],
                    "sample_size": period[count],
                    "scale": 1.0,
                    "unit": "score_0_to_1",
                }
            )
    # Missing keys are nulls; the schema types the columns, also when there are no rows.
    return pa.Table.from_pylist(rows, schema=METRIC_INPUTS)
