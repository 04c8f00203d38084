"""One row per evaluation with a response_text and a reference_text: BLEU's sufficient statistics,
the ROUGE-L F-measure and METEOR of the pair, scored by sacrebleu, rouge-score and NLTK
(orchestration/lib/text_metrics.py).

Scoring is the slow part, so the model is incremental on evaluation_id and scores only what it
has not scored yet: an evaluation whose texts (their md5 fingerprint), program or day changed
since its row was written is scored again and replaces its row (delete+insert). A post-hook
(_intermediate__models.yml: Python models take no Jinja) drops the rows of evaluations
that no longer have both texts (a correction that removed one).

Finding what is new is an anti-join on fingerprints over all evaluations, cheap next to scoring,
so it needs no recompute window: a missed night is caught up by the next one.
"""

import pyarrow as pa

from orchestration.lib.text_metrics import PairScores, TextScorer

# The columns that identify what was scored: a row whose values all match is not scored again.
SCORED_INPUT = ["evaluation_id", "ai_system", "evaluated_date", "text_fingerprint"]

SCHEMA = pa.schema(
    [
        ("evaluation_id", pa.string()),
        ("ai_system", pa.string()),
        ("evaluated_date", pa.date32()),
        ("text_fingerprint", pa.string()),
        ("is_scored", pa.bool_()),
        *[(name, pa.int64()) for name in PairScores._fields if name.startswith("bleu_")],
        ("rouge_l_f", pa.float64()),
        ("meteor", pa.float64()),
    ]
)


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="evaluation_id",
        incremental_strategy="delete+insert",
    )
    pairs = (
        dbt.ref("stg_raw__evaluations")
        .filter("response_text is not null and reference_text is not null")
        .project(
            "evaluation_id, ai_system, evaluated_date, "
            # JSON of the two texts: an unambiguous encoding of the pair to hash.
            "md5(to_json([response_text, reference_text])) as text_fingerprint, "
            "response_text, reference_text"
        )
    )
    if dbt.is_incremental:
        scored = session.sql(f"select {', '.join(SCORED_INPUT)} from {dbt.this}")
        pairs = pairs.join(scored, SCORED_INPUT, how="anti")
    batch = pairs.to_arrow_table()

    # A scorer (and its NLTK import) only when there is something to score.
    scores = (
        TextScorer().score_pairs(
            zip(
                batch["response_text"].to_pylist(), batch["reference_text"].to_pylist(), strict=True
            )
        )
        if batch.num_rows
        else []
    )
    columns = {name: batch[name] for name in SCORED_INPUT}
    columns["is_scored"] = [score is not None for score in scores]
    for position, name in enumerate(PairScores._fields):
        columns[name] = [None if score is None else score[position] for score in scores]
    # An explicit schema: the same column types on every run, with or without rows to score.
    return pa.table({field.name: columns[field.name] for field in SCHEMA}).cast(SCHEMA)
