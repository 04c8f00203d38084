"""Deterministic demo data in the landing-zone contract (docs/input_contract.md).

The demo has to prove that the pipeline recovers what is really in the data, so the simulator
plants known effects (a go-live with a human-only pre-period, an A/B lift, an outage, fairness
gaps, bad rows) and states them as data in `PLANTED`; docs/demo_data.md explains every number.

Every day is drawn from its own random streams, seeded by (seed, day, stream name), so a nightly
demo that simulates only yesterday writes the same files as a full-range run. Events that reach
across days (follow-up contacts, experiment conversions) are drawn on the day they originate
from small "origin" streams, which later days regenerate instead of reading earlier files.
All draws are vectorised: one day of a million conversations has no per-row Python loop.
"""

from __future__ import annotations

import shutil
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.lib.contract import EMPLOYEES, ENTITIES, Entity

DEMO_START: date = date(2026, 8, 3)  # a Monday
DEMO_END: date = date(2026, 11, 1)  # a Sunday: 13 complete ISO weeks

US = 1_000_000  # microseconds per second: every instant is int64 microseconds since the epoch
DAY_US = 86_400 * US
HOUR_US = 3_600 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SUPPORT, SALES, CLAIMS, COPILOT = (
    "support_assistant",
    "sales_agent",
    "claims_classifier",
    "writing_copilot",
)
USE_CASE = {SUPPORT: "customer_service", SALES: "sales", CLAIMS: "operations", COPILOT: "content"}

# --- the calendar of planted events
GO_LIVE_AT = datetime(2026, 9, 7, 8, tzinfo=UTC)  # support_assistant: human-only before this
SALES_ROLLOUT_AT = datetime(2026, 10, 19, 9, tzinfo=UTC)  # sales_agent v2 to every lead
EXPERIMENT_ID = "exp_sales_assist"
EXPERIMENT_DAYS = (date(2026, 8, 3), date(2026, 10, 18))  # assignment days, inclusive
OUTAGE = (datetime(2026, 9, 23, 13, tzinfo=UTC), datetime(2026, 9, 23, 16, tzinfo=UTC))
NOVEL_INTENT_FROM = date(2026, 10, 5)  # `warranty_claim` first appears
CREDIT_DAY = date(2026, 10, 2)  # a day that also has a bill
CREDIT_USD = -1.0  # an openai credit: about ten days of the support assistant's inference
EUR_USD = 1.10  # USD per EUR assumed by the simulator (EUR amounts are USD amounts / 1.10)
LABOR_USD_PER_HOUR = 38.0  # loaded cost of an in-house agent hour (the labor_rates default)
BPO_EUR_PER_HOUR = 34.0  # what the outsourced contact centre bills per handled hour
PLATFORM_EUR_PER_MONTH = 2_400.0

# --- image features of the writing copilot's illustrations (the fid metric): each day 30 real and
# 30 generated vectors of dimension 8. Real ~ N(mean, diag(std²)); generated ~ N(mean + offset,
# scale x diag(std²)), so the population FID is ||offset||² + (1 - sqrt(scale))² x sum(std²).
IMAGE_FEATURES_PER_SET = 30
IMAGE_FEATURE_MEAN = np.array([-1.0, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0])
IMAGE_FEATURE_STD = np.array([1.0, 1.0, 0.8, 0.8, 0.6, 0.6, 0.4, 0.4])
IMAGE_FEATURE_OFFSET = np.full(8, 0.25)
IMAGE_FEATURE_COVARIANCE_SCALE = 1.44  # generated standard deviations are 1.2 x the real ones


@dataclass(frozen=True)
class ModelPrice:
    provider: str
    model: str
    input_usd_per_1k: float
    output_usd_per_1k: float
    valid_from: date


# Index order matters: calls store the model as an index into this tuple.
MODEL_PRICES: tuple[ModelPrice, ...] = (
    ModelPrice("openai", "gpt-4o-mini", 0.00015, 0.0006, date(2026, 1, 1)),
    ModelPrice("anthropic", "claude-haiku-4-5", 0.001, 0.005, date(2026, 1, 1)),
    ModelPrice("internal", "acme-embed-1", 0.00002, 0.0, date(2026, 1, 1)),
)
OPENAI, ANTHROPIC, INTERNAL = 0, 1, 2
PREDICTION_MODELS = {
    "fraud_flag": "claims-gbm-2.3",
    "claim_amount": "claims-gbm-2.3",
    "claim_category": "claims-bert-1.1",
}

# --- segments and their shares
CHANNELS, CHANNEL_P = ("chat", "email", "voice"), (0.55, 0.25, 0.20)
AI_SHARE_BY_CHANNEL = np.array([0.95, 0.85, 0.65])  # after go-live: 0.865 overall
LANGUAGES, LANGUAGE_P = ("en", "es", "de", "fr"), (0.70, 0.15, 0.10, 0.05)
REGIONS, REGION_P = ("NA", "EMEA", "APAC"), (0.45, 0.35, 0.20)
EMEA = 1
SEGMENTS, SEGMENT_P = ("consumer", "smb", "enterprise"), (0.70, 0.22, 0.08)
GROUP_B_SHARE = 0.4
SUPPORT_INTENTS = (
    "order_status",
    "billing",
    "returns",
    "technical_issue",
    "account_access",
    "shipping",
    "product_question",
    "cancel_subscription",
    "warranty_claim",
)
SUPPORT_INTENT_P = (0.20, 0.16, 0.14, 0.14, 0.10, 0.10, 0.10, 0.06)
NOVEL_INTENT_SHARE = 0.08
SALES_INTENTS = ("pricing", "product_fit", "demo_request", "upgrade")
SALES_INTENT_P = (0.35, 0.30, 0.20, 0.15)
INTENTS = SUPPORT_INTENTS + SALES_INTENTS
NOVEL_INTENT = SUPPORT_INTENTS.index("warranty_claim")
TOOLS = {
    SUPPORT: ("lookup_order", "issue_refund", "reset_password", "search_kb", "create_ticket"),
    SALES: ("lookup_pricing", "check_inventory", "create_quote", "book_demo"),
}
TEAMS = ("support", "sales", "marketing", "engineering", "legal")
TEAM_P = (0.30, 0.25, 0.20, 0.15, 0.10)
CLAIM_CATEGORIES = ("auto", "property", "health", "travel", "liability")

# Share of the day's volume by UTC hour (a business-hours peak) and the latency it causes: a chat
# call in an hour with k times the average traffic takes 1 + 0.3 (k - 1) times as long.
_HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1.5, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 7, 6, 5, 4, 3, 2.5, 2, 1.5, 1]
)
_HOUR_P = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()
_LOAD_FACTOR = 1 + 0.3 * (_HOUR_P * 24 - 1)

# (reference, close paraphrase, off-topic answer): the texts behind BLEU, ROUGE-L and METEOR.
TEXTS = (
    (
        "Your refund has been issued and will reach your card within five business days.",
        "We issued your refund and it will reach your card in five business days.",
        "Please contact your bank about the refund status.",
    ),
    (
        "Your order shipped today and should arrive on Thursday.",
        "Your order was shipped today and will arrive Thursday.",
        "We cannot find any order under this account.",
    ),
    (
        "I have reset your password and sent a sign-in link to your email.",
        "Your password is reset and a sign-in link was sent to your email.",
        "Please try to sign in again later.",
    ),
    (
        "The annual plan costs 120 dollars and includes priority support.",
        "The annual plan is 120 dollars and comes with priority support.",
        "Our plans start at 10 dollars per month.",
    ),
    (
        "Your subscription is cancelled and you will not be charged again.",
        "We cancelled your subscription so you will not be charged again.",
        "Your subscription will renew next month.",
    ),
    (
        "The replacement part is covered by your warranty at no cost.",
        "Your warranty covers the replacement part at no cost.",
        "Warranty claims take several weeks to review.",
    ),
    (
        "You can return the item within 30 days for a full refund.",
        "Items can be returned within 30 days for a full refund.",
        "Returns are not accepted for this item.",
    ),
    (
        "Your invoice was corrected and the duplicate charge was removed.",
        "We corrected your invoice and removed the duplicate charge.",
        "The charge on your invoice is correct.",
    ),
)

FORMATS = {name: "parquet" for name in ENTITIES} | {
    "evaluations": "jsonl",
    "costs": "jsonl",
    "uptime": "csv",
    "employee_usage": "csv",
}
ROSTER_FILE = "employees/employees.parquet"
ROSTER_SIZE, ELIGIBLE_SHARE, ADOPTER_SHARE, SHADOW_USERS = 240, 0.9, 0.6, 4
FOLLOWUP_LOOKBACK_DAYS = 9  # follow-ups come up to 9 days after their first contact
ORDER_LOOKBACK_DAYS = 14  # late experiment orders come up to 14 days after assignment


def _day_file(entity: str, day: date, name: str | None = None) -> str:
    return f"{entity}/date={day.isoformat()}/{name or entity + '.' + FORMATS[entity]}"


def _population_fid() -> float:
    """Fréchet distance of the two planted Gaussians: their covariances commute (both diagonal,
    one a multiple of the other), so sqrtm(S_r S_g) = sqrt(scale) S_r."""
    mean_term = IMAGE_FEATURE_OFFSET @ IMAGE_FEATURE_OFFSET
    covariance_term = (1 - np.sqrt(IMAGE_FEATURE_COVARIANCE_SCALE)) ** 2 * (
        IMAGE_FEATURE_STD @ IMAGE_FEATURE_STD
    )
    return float(mean_term + covariance_term)


def _missing_bill_days(provider: int, start: date, end: date) -> list[date]:
    """Days without an inference bill, so that token pricing has to fill them."""
    days = (start + timedelta(i) for i in range((end - start).days + 1))
    rule = {OPENAI: lambda d: d.toordinal() % 9 == 0, ANTHROPIC: lambda d: d.toordinal() % 11 == 5}
    return [d for d in days if rule[provider](d)]


# --- the planted effects, as data
PLANTED: dict = {
    "demo": {
        "start": DEMO_START,
        "end": DEMO_END,
        "iso_weeks": 13,
        "seed": 7,
        "conversations_per_day": 400,
    },
    "ai_systems": dict(USE_CASE),
    "formats": dict(FORMATS) | {"otlp": "otlp_json", "employees": "parquet"},
    "models": [vars(m) for m in MODEL_PRICES],
    "fx_usd_per_unit": {"USD": 1.0, "EUR": EUR_USD},
    "labor": {"default_hourly_usd": LABOR_USD_PER_HOUR, "bpo_hourly_eur": BPO_EUR_PER_HOUR},
    "go_live": {
        "ai_system": SUPPORT,
        "deployed_at": GO_LIVE_AT,
        "version": "1.0.0",
        "control_ai_system": SALES,
        "pre_period_days": (GO_LIVE_AT.date() - DEMO_START).days,
        "ai_share_after": 0.865,
        "ai_share_by_channel": dict(zip(CHANNELS, AI_SHARE_BY_CHANNEL.tolist(), strict=True)),
        "human_resolution_rate": 0.74,
        "escalation_rate": 0.17,
        "implementation_cost_usd": 45_000.0,
    },
    "sales_rollout": {
        "ai_system": SALES,
        "deployed_at": SALES_ROLLOUT_AT,
        "version": "2.0.0",
        "implementation_cost_usd": 12_000.0,
    },
    "experiment": {
        "experiment_id": EXPERIMENT_ID,
        "ai_system": SALES,
        "first_day": EXPERIMENT_DAYS[0],
        "last_day": EXPERIMENT_DAYS[1],
        "treatment_share": 0.5,
        "window_days": 7,
        "control_rate": 0.10,
        "treatment_rate": 0.12,
        "absolute_lift": 0.02,
        "relative_lift": 0.2,
        "late_order_share": 0.03,
        "pending_order_share": 0.02,
        "units_per_day": "conversations_per_day x weekday factor",
    },
    "outage": {
        "ai_system": SUPPORT,
        "start": OUTAGE[0],
        "end": OUTAGE[1],
        "failed_checks": 36,
        "uptime_percent_that_day_at_most": 87.5,
        "error_type": "timeout",
        "timeout_ms": 30_000,
        "escalation_rate_in_window": 0.9,
    },
    "fairness": {
        "conversations": {
            "ai_system": SUPPORT,
            "attribute": "customer_group",
            "group_b_share": GROUP_B_SHARE,
            "goal_completion_gap_b": 0.16,
            "ai_resolution_rate_a": 0.68,
            "ai_resolution_rate_b": 0.58,
        },
        "predictions": {
            "ai_system": CLAIMS,
            "task": "fraud_flag",
            "attribute": "group",
            "group_b_share": GROUP_B_SHARE,
            "positive_rate_a": 0.06,
            "positive_rate_b": 0.095,
            "true_positive_rate_a": 0.67,
            "true_positive_rate_b": 0.86,
        },
    },
    "novel_intent": {
        "ai_system": SUPPORT,
        "intent": "warranty_claim",
        "first_day": NOVEL_INTENT_FROM,
        "share": NOVEL_INTENT_SHARE,
        "goal_completion_penalty": 0.25,
    },
    "learning": {"ai_system": SUPPORT, "goal_completion_gain_per_week": 0.02, "weeks": 8},
    "repeat_contacts": {
        "ai_system": SUPPORT,
        "within_7_days_share": 0.12,
        "after_7_days_share": 0.02,
    },
    "image_features": {
        "ai_system": COPILOT,
        "file": "image_features/date=YYYY-MM-DD/image_features.parquet",
        "real_per_day": IMAGE_FEATURES_PER_SET,
        "generated_per_day": IMAGE_FEATURES_PER_SET,
        "dimension": len(IMAGE_FEATURE_MEAN),
        "real_mean": IMAGE_FEATURE_MEAN.tolist(),
        "real_std": IMAGE_FEATURE_STD.tolist(),
        "generated_mean_offset": IMAGE_FEATURE_OFFSET.tolist(),
        "generated_covariance_scale": IMAGE_FEATURE_COVARIANCE_SCALE,
        "population_fid": _population_fid(),
    },
    "perplexity": {
        "ai_system": SUPPORT,
        "model": "gpt-4o-mini",
        "mean_nll_per_token": 0.35,
        "share_of_chat_calls": 0.6,
    },
    "costs": {
        "missing_bills": {
            "openai": _missing_bill_days(OPENAI, DEMO_START, DEMO_END),
            "anthropic": _missing_bill_days(ANTHROPIC, DEMO_START, DEMO_END),
        },
        "credit": {
            "day": CREDIT_DAY,
            "provider": "openai",
            "billed_cost": CREDIT_USD,
            "currency": "USD",
        },
        "platform": {
            "eur_per_month": PLATFORM_EUR_PER_MONTH,
            "ai_system": None,
            "written_on": "last day of the month",
        },
    },
    "adoption": {
        "roster": ROSTER_SIZE,
        "eligible": round(ROSTER_SIZE * ELIGIBLE_SHARE),
        "adopters": round(round(ROSTER_SIZE * ELIGIBLE_SHARE) * ADOPTER_SHARE),
        "ineligible_users": SHADOW_USERS,
        "workday_use": 0.55,
        "weekend_use": 0.05,
    },
    "otlp": {
        "ai_system": SALES,
        "rule": "spans of sales_agent conversations in region EMEA",
        "file": "otlp/date=YYYY-MM-DD/traces.json",
    },
    "bad_rows": [
        {
            "entity": "conversations",
            "day": date(2026, 8, 20),
            "file": _day_file("conversations", date(2026, 8, 20)),
            "row_index": 5,
            "key": "cv-20260820-0000005",
            "column": "customer_id",
            "value": None,
            "reason": "required value missing",
        },
        {
            "entity": "evaluations",
            "day": date(2026, 8, 13),
            "file": _day_file("evaluations", date(2026, 8, 13)),
            "row_index": 3,
            "key": "ev-20260813-0000003",
            "column": "evaluated_at",
            "value": "2026-13-45T99:00:00Z",
            "reason": "unparseable timestamp",
        },
        {
            "entity": "conversations",
            "day": date(2026, 9, 15),
            "file": _day_file("conversations", date(2026, 9, 15)),
            "row_index": 5,
            "key": "cv-20260915-0000005",
            "column": "csat",
            "value": 7.0,
            "reason": "csat out of range",
        },
        {
            "entity": "conversations",
            "day": date(2026, 9, 22),
            "file": _day_file("conversations", date(2026, 9, 22)),
            "row_index": 5,
            "key": "cv-20260922-0000005",
            "column": "ended_at",
            "value": "started_at - 60 s",
            "reason": "ended_at is before started_at",
        },
        {
            "entity": "feedback",
            "day": date(2026, 10, 6),
            "file": _day_file("feedback", date(2026, 10, 6)),
            "row_index": 1,
            "key": "fb-20261006-0000001",
            "column": "value",
            "value": 3.0,
            "with": {"kind": "thumbs"},
            "reason": "value is out of range for its kind (thumbs)",
        },
        {
            "entity": "uptime",
            "day": date(2026, 10, 20),
            "file": _day_file("uptime", date(2026, 10, 20)),
            "row_index": 0,
            "key": (CLAIMS, "2026-10-20T00:00:00Z"),
            "column": "up",
            "value": "maybe",
            "reason": "unparseable boolean",
        },
    ],
    "bad_files": [
        {
            "entity": "llm_calls",
            "day": date(2026, 9, 1),
            "rows": 5,
            "missing_column": "status",
            "file": "llm_calls/date=2026-09-01/llm_calls_late_batch.parquet",
        },
    ],
    "duplicates": [
        {
            "entity": "revenue",
            "day": date(2026, 9, 10),
            "file": _day_file("revenue", date(2026, 9, 10)),
            "row_index": 2,
            "duplicate_index": 3,
            "key": "ord-20260910-0000002",
            "count": 1,
        },
    ],
    "corrections": [
        {
            "entity": "conversations",
            "day": date(2026, 10, 2),
            "key": "cv-20260930-0000000",
            "file": "conversations/date=2026-10-02/zz_correction.csv",
            "replaces_day": date(2026, 9, 30),
            "replaces_file": _day_file("conversations", date(2026, 9, 30)),
            "change": "resolved flipped; resolved_at and csat follow",
        },
    ],
}


# --- small vectorised helpers
def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _day_us(day: date) -> int:
    return (day - EPOCH.date()).days * DAY_US


def _rng(seed: int, day: date, stream: str) -> np.random.Generator:
    """One independent stream per (seed, day, purpose): no day depends on another's draws."""
    return np.random.default_rng([seed, day.toordinal(), zlib.crc32(stream.encode())])


def _volume(day: date, n: int) -> int:
    """Weekends carry 60 % of a weekday; the weekly mean is n per day."""
    return round(n * (0.6 if day.weekday() >= 5 else 1.16))


def _arrivals(rng: np.random.Generator, day: date, k: int) -> np.ndarray:
    hours = rng.choice(24, size=k, p=_HOUR_P)
    offsets = ((hours + rng.random(k)) * HOUR_US).astype(np.int64)
    return np.sort(_day_us(day) + offsets)


def _pick(u: np.ndarray, weights: tuple[float, ...] | np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights) / np.sum(weights)
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


def _unit_hash(values: np.ndarray, salt: int) -> np.ndarray:
    """A uniform [0, 1) per integer id (splitmix64): a customer keeps its attributes."""
    x = values.astype(np.uint64) + np.uint64(salt * 0x9E3779B97F4A7C15 % 2**64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _lognormal(z: np.ndarray, median: float | np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(np.log(median) + sigma * z)


def _expo(u: np.ndarray, mean: float | np.ndarray) -> np.ndarray:
    return -mean * np.log1p(-u)


def _ids(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    digits = pc.cast(pa.array(numbers, pa.int64()), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, width=width, padding="0"), "")


def _day_ids(prefix: str, day: date, k: int) -> pa.Array:
    return _ids(f"{prefix}-{day:%Y%m%d}-", np.arange(k))


_HEX = np.array([f"{i:02x}" for i in range(256)], dtype="S2")


def _hex_ids(rng: np.random.Generator, k: int, nbytes: int) -> pa.Array:
    """OpenTelemetry-style ids: 8 random bytes for a span, 16 for a trace, as hex."""
    raw = rng.integers(0, 256, size=(k, nbytes), dtype=np.uint8)
    return pa.array(_HEX[raw].view(f"S{2 * nbytes}").ravel()).cast(pa.string())


def _labels(labels: tuple[str, ...], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pc.take(pa.array(labels), pa.array(idx, pa.int64(), mask=null))


_ARROW = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "DOUBLE[]": pa.list_(pa.float64()),
}


def _arrow(value: object, type_: pa.DataType, k: int) -> pa.Array:
    """Column values as given by the builders: an array, (values, null mask), a constant or None."""
    if value is None:
        return pa.nulls(k, type_)
    if isinstance(value, pa.ChunkedArray):  # large takes come back chunked
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        return value if value.type == type_ else value.cast(type_)
    if isinstance(value, tuple):
        values, null = value
        source = pa.int64() if pa.types.is_timestamp(type_) else None
        return pa.array(values, source, mask=null).cast(type_)
    if isinstance(value, np.ndarray):
        return pa.array(value, pa.int64() if pa.types.is_timestamp(type_) else None).cast(type_)
    return pa.repeat(pa.scalar(value, type_), k)


def _table(entity: Entity, k: int, columns: dict[str, object]) -> pa.Table:
    """A table with exactly the contract's own columns, in contract order: a missing one is a
    bug (the demo writes no FOCUS files)."""
    names = {c.name for c in entity.own_columns}
    if set(columns) != names:
        raise ValueError(f"{entity.name}: columns differ by {sorted(set(columns) ^ names)}")
    arrays = [_arrow(columns[c.name], _ARROW[c.type], k) for c in entity.own_columns]
    return pa.table(arrays, names=[c.name for c in entity.own_columns])


def _customer_ids(numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise("cus-", pc.cast(pa.array(numbers), pa.string()), "")


@dataclass(frozen=True)
class _Customers:
    """Segments are a function of the customer, so repeat contacts and orders agree."""

    group_b: np.ndarray
    region: np.ndarray
    language: np.ndarray
    segment: np.ndarray

    @classmethod
    def of(cls, numbers: np.ndarray) -> _Customers:
        return cls(
            group_b=_unit_hash(numbers, 1) < GROUP_B_SHARE,
            region=_pick(_unit_hash(numbers, 2), REGION_P),
            language=_pick(_unit_hash(numbers, 3), LANGUAGE_P),
            segment=_pick(_unit_hash(numbers, 4), SEGMENT_P),
        )


# --- origin streams: what later days need to regenerate
@dataclass(frozen=True)
class _Origins:
    start_us: np.ndarray
    customer: np.ndarray
    intent: np.ndarray
    index: np.ndarray  # position in the origin day: the issue key's serial
    followup_us: np.ndarray  # -1: no follow-up


def _support_pool(n: int) -> int:
    return max(2_000, 40 * n)


def _support_origins(seed: int, day: date, n: int) -> _Origins:
    """First contacts of the support queue and when (if ever) each customer comes back."""
    rng = _rng(seed, day, "support_origins")
    k = round(0.62 * _volume(day, n))
    start = _arrivals(rng, day, k)
    customer = rng.integers(0, _support_pool(n), k)
    weights = (*SUPPORT_INTENT_P, 0.0)
    if day >= NOVEL_INTENT_FROM:
        weights = (*(w * (1 - NOVEL_INTENT_SHARE) for w in SUPPORT_INTENT_P), NOVEL_INTENT_SHARE)
    intent = _pick(rng.random(k), weights)
    u = rng.random(k)
    soon = (1 + np.minimum(rng.exponential(36, k), 160)) * HOUR_US
    late = rng.uniform(180, 216, k) * HOUR_US  # 7.5 to 9 days: outside the 7-day window
    followup = np.where(u < 0.12, start + soon, np.where(u < 0.14, start + late, -1))
    return _Origins(start, customer, intent, np.arange(k), followup.astype(np.int64))


@lru_cache(maxsize=16)
def _followups(seed: int, day: date, n: int) -> _Origins:
    o = _support_origins(seed, day, n)
    keep = o.followup_us >= 0
    return _Origins(*(getattr(o, f)[keep] for f in _Origins.__dataclass_fields__))


@dataclass(frozen=True)
class _Leads:
    assigned_us: np.ndarray
    number: np.ndarray  # customer number of the lead
    index: np.ndarray
    in_experiment: bool
    treatment: np.ndarray
    engaged: np.ndarray  # chatted with the sales agent
    conversation_us: np.ndarray
    order_us: np.ndarray  # -1: no order
    order_status: np.ndarray  # 0 none, 1 completed, 2 pending
    amount_usd: np.ndarray
    refunded: np.ndarray
    refund_fraction: np.ndarray


def _leads(seed: int, day: date, n: int) -> _Leads:
    """New sales leads; during the experiment only treatment leads may meet the sales agent.

    Conversion within 7 days: control 10 %; treatment 12 % overall (14 % of the 60 % who chat,
    9 % of the others). Outside the experiment every lead may chat (30 % do). The sales
    programme starts on DEMO_START: no earlier leads, so no order of the demo range points to a
    conversation outside it.
    """
    rng = _rng(seed, day, "sales_leads")
    k = _volume(day, n) if day >= DEMO_START else 0
    assigned = _arrivals(rng, day, k)
    in_exp = EXPERIMENT_DAYS[0] <= day <= EXPERIMENT_DAYS[1]
    treatment = rng.random(k) < 0.5
    u_engage = rng.random(k)
    engaged = treatment & (u_engage < 0.6) if in_exp else u_engage < 0.3
    p = np.where(engaged, 0.14, 0.09 if in_exp else 0.10)
    if in_exp:
        p = np.where(treatment, p, 0.10)
    u = rng.random(k)
    converts = u < p
    late = (u >= p) & (u < p + 0.03)
    pending = (u >= p + 0.03) & (u < p + 0.05)
    within = (3600 + rng.beta(1, 3, k) * (6.8 * 86_400 - 3600)) * US
    after = rng.uniform(7.2, 14, k) * DAY_US
    order = np.where(converts | pending, assigned + within, np.where(late, assigned + after, -1))
    conversation = _within_day(assigned, rng.uniform(60, 1200, k) * US, rng.random(k), day)
    return _Leads(
        assigned_us=assigned,
        number=day.toordinal() * 10_000_000 + np.arange(k),
        index=np.arange(k),
        in_experiment=in_exp,
        treatment=treatment,
        engaged=engaged,
        conversation_us=conversation,
        order_us=order.astype(np.int64),
        order_status=np.where(converts | late, 1, np.where(pending, 2, 0)),
        amount_usd=np.round(_lognormal(rng.standard_normal(k), 120.0, 0.6), 2),
        refunded=rng.random(k) < 0.06,
        refund_fraction=rng.random(k),
    )


@dataclass(frozen=True)
class _LeadOrders:
    day: date
    order_us: np.ndarray
    status: np.ndarray
    number: np.ndarray
    index: np.ndarray
    engaged: np.ndarray
    amount_usd: np.ndarray
    refunded: np.ndarray
    refund_fraction: np.ndarray


@lru_cache(maxsize=16)
def _lead_orders(seed: int, day: date, n: int) -> _LeadOrders:
    leads = _leads(seed, day, n)
    keep = leads.order_us >= 0
    return _LeadOrders(
        day,
        leads.order_us[keep],
        leads.order_status[keep],
        leads.number[keep],
        leads.index[keep],
        leads.engaged[keep],
        leads.amount_usd[keep],
        leads.refunded[keep],
        leads.refund_fraction[keep],
    )


# --- conversations
@dataclass(frozen=True)
class _Conversations:
    table: pa.Table
    system: np.ndarray  # 0 support_assistant, 1 sales_agent
    start_us: np.ndarray
    end_us: np.ndarray
    ai: np.ndarray
    escalated: np.ndarray
    resolved: np.ndarray
    task_completed: np.ndarray  # -1 unknown, 0, 1
    outage: np.ndarray
    region: np.ndarray
    customer: np.ndarray
    handle_seconds: np.ndarray


def _support_contacts(seed: int, day: date, n: int) -> tuple[np.ndarray, ...]:
    """Today's first contacts plus the follow-ups of earlier (and today's) first contacts."""
    own = _support_origins(seed, day, n)
    lo, hi = _day_us(day), _day_us(day) + DAY_US
    parts = [
        (
            own.start_us,
            own.customer,
            own.intent,
            np.full(len(own.index), day.toordinal()),
            own.index,
        )
    ]
    for back in range(FOLLOWUP_LOOKBACK_DAYS + 1):
        origin_day = day - timedelta(back)
        f = _followups(seed, origin_day, n)
        sel = (f.followup_us >= lo) & (f.followup_us < hi)
        k = int(sel.sum())
        parts.append(
            (
                f.followup_us[sel],
                f.customer[sel],
                f.intent[sel],
                np.full(k, origin_day.toordinal()),
                f.index[sel],
            )
        )
    start, customer, intent, origin_day, origin_index = (
        np.concatenate(c) for c in zip(*parts, strict=True)
    )
    order = np.argsort(start, kind="stable")
    return start[order], customer[order], intent[order], origin_day[order], origin_index[order]


def _issue_keys(origin_ordinal: np.ndarray, origin_index: np.ndarray) -> pa.Array:
    ymd = np.array([int(f"{date.fromordinal(o):%Y%m%d}") for o in np.unique(origin_ordinal)])
    as_ymd = ymd[np.searchsorted(np.unique(origin_ordinal), origin_ordinal)]
    left = pc.cast(pa.array(as_ymd), pa.string())
    right = pc.utf8_lpad(pc.cast(pa.array(origin_index), pa.string()), width=7, padding="0")
    return pc.binary_join_element_wise("iss-", left, "-", right, "")


def _conversations(seed: int, day: date, n: int) -> _Conversations:
    s_start, s_customer, s_intent, s_origin_day, s_origin_index = _support_contacts(seed, day, n)
    leads = _leads(seed, day, n)
    rng = _rng(seed, day, "conversations")
    ns = len(s_start)
    sales = np.flatnonzero(leads.engaged)
    k = ns + len(sales)
    system = np.r_[np.zeros(ns, np.int8), np.ones(len(sales), np.int8)]
    is_support = system == 0
    start = np.r_[s_start, leads.conversation_us[sales]]
    customer = np.r_[s_customer, leads.number[sales]]
    sales_intent = len(SUPPORT_INTENTS) + _pick(rng.random(len(sales)), SALES_INTENT_P)
    intent = np.r_[s_intent, sales_intent]
    who = _Customers.of(customer)
    u = rng.random((14, k))
    z = rng.standard_normal((4, k))
    channel = np.where(is_support, _pick(u[0], CHANNEL_P), 0)
    o = _outcomes(u, z, is_support, channel, start, who.group_b, intent == NOVEL_INTENT)
    ids = pa.concat_arrays(
        [_day_ids("cv", day, ns), _ids(f"cv-{day:%Y%m%d}-s", leads.index[sales])]
    )
    issue = pa.concat_arrays(
        [_issue_keys(s_origin_day, s_origin_index), pa.nulls(len(sales), pa.string())]
    )
    sentiment_null = ~o["sentiment_known"]
    table = _table(
        ENTITIES["conversations"],
        k,
        {
            "conversation_id": ids,
            "ai_system": _labels((SUPPORT, SALES), system),
            "started_at": start,
            "ended_at": o["end_us"],
            "customer_id": _customer_ids(customer),
            "ai_involved": o["ai"],
            "escalated_to_human": o["escalated"],
            "resolved": o["resolved"],
            "resolved_at": (o["resolved_us"], ~o["resolved"]),
            "use_case": _labels(
                (USE_CASE[SUPPORT], USE_CASE[SALES]), system, is_support & (u[12] < 0.05)
            ),
            "channel": _labels(CHANNELS, channel),
            "language": _labels(LANGUAGES, who.language),
            "region": _labels(REGIONS, who.region),
            "customer_segment": _labels(SEGMENTS, who.segment),
            "intent": _labels(INTENTS, intent),
            "issue_key": issue,
            "customer_group": _labels(("A", "B"), who.group_b.astype(np.int64)),
            "task_completed": (o["task_completed"] == 1, o["task_completed"] < 0),
            "human_handle_seconds": np.round(o["handle_seconds"], 3),
            "csat": (o["csat"], ~o["csat_known"]),
            "sentiment_start": (o["sentiment_start"], sentiment_null),
            "sentiment_end": (o["sentiment_end"], sentiment_null),
        },
    )
    return _Conversations(
        table,
        system,
        start,
        o["end_us"],
        o["ai"],
        o["escalated"],
        o["resolved"],
        o["task_completed"],
        o["outage"],
        who.region,
        customer,
        o["handle_seconds"],
    )


_CSAT_CUM = np.cumsum(
    [
        [0.00, 0.00, 0.12, 0.33, 0.55],  # human-only, resolved
        [0.00, 0.00, 0.15, 0.35, 0.50],  # AI, resolved without a person
        [0.00, 0.05, 0.20, 0.35, 0.40],  # escalated, resolved
        [0.25, 0.30, 0.25, 0.12, 0.08],  # unresolved
    ],
    axis=1,
)


def _outcomes(
    u: np.ndarray,
    z: np.ndarray,
    is_support: np.ndarray,
    channel: np.ndarray,
    start: np.ndarray,
    group_b: np.ndarray,
    novel: np.ndarray,
) -> dict[str, np.ndarray]:
    """Who handled each contact and how it went; every planted conversation effect lives here."""
    live = start >= _us(GO_LIVE_AT)
    ai = np.where(is_support, live & (u[1] < AI_SHARE_BY_CHANNEL[channel]), True)
    outage = is_support & ai & (start >= _us(OUTAGE[0])) & (start < _us(OUTAGE[1]))
    p_escalate = np.where(outage, 0.9, np.where(is_support, 0.17, 0.12))
    escalated = ai & (u[2] < p_escalate)
    weeks = np.clip((start - _us(GO_LIVE_AT)) / (7 * DAY_US), 0, 8)
    p_goal = np.where(is_support, 0.74 + 0.02 * weeks - 0.16 * group_b - 0.25 * novel, 0.74)
    completed = ai & ~escalated & (u[3] < p_goal)
    task = np.where(ai & (u[13] >= 0.05), completed.astype(np.int8), -1)
    p_resolved = np.where(
        ~ai,
        0.74,
        np.where(escalated, 0.80, np.where(completed, 0.95, 0.20)),
    )
    resolved = u[4] < p_resolved
    handle = np.where(
        ~ai,
        _lognormal(z[0], 420.0, 0.45),
        np.where(
            escalated,
            _lognormal(z[0], np.where(is_support, 330.0, 600.0), 0.45),
            np.where(u[5] < 0.75, 0.0, _expo(u[6], 25.0)),
        ),
    )
    ai_part = np.where(ai, _lognormal(z[1], np.where(is_support, 150.0, 240.0), 0.5), 0.0)
    wait = np.where(~ai | escalated, _expo(u[7], 60.0), 0.0)
    duration = ai_part + wait + np.where(~ai | escalated, handle, 0.0)
    end = start + np.round(duration * US).astype(np.int64)
    email = channel == 1
    resolve_after = np.where(email, _expo(u[8], 3 * 3600.0), u[8] * 5)
    category = np.where(~resolved, 3, np.where(~ai, 0, np.where(escalated, 2, 1)))
    csat = 1.0 + (u[10][:, None] > _CSAT_CUM[category]).sum(axis=1)
    sentiment_start = np.clip(-0.2 + 0.3 * z[2], -1, 1)
    shift = np.where(resolved, 0.45, -0.1) + 0.2 * z[3]
    return {
        "ai": ai,
        "outage": outage,
        "escalated": escalated,
        "task_completed": task,
        "resolved": resolved,
        "resolved_us": end + np.round(resolve_after * US).astype(np.int64),
        "handle_seconds": handle,
        "end_us": end,
        "csat": np.minimum(csat, 5.0),
        "csat_known": u[9] < 0.35,
        "sentiment_known": u[11] < np.where(channel == 2, 0.5, 0.85),
        "sentiment_start": np.round(sentiment_start, 3),
        "sentiment_end": np.round(np.clip(sentiment_start + shift, -1, 1), 3),
    }


# --- llm calls
INVOKE, CHAT, TOOL, EMBED, COMPLETION = 0, 1, 2, 3, 4
OPERATIONS = ("invoke_agent", "chat", "execute_tool", "embeddings", "text_completion")


def _agent_calls(seed: int, day: date, conv: _Conversations) -> tuple[pa.Table, np.ndarray]:
    """2 to 6 spans per AI conversation: an invoke_agent root, then chat and tool steps
    (alternating) and, for support, an embeddings lookup. Returns the spans and a mask of
    those exported through OTLP instead (sales_agent conversations in EMEA)."""
    rng = _rng(seed, day, "llm_calls")
    conv_idx = np.flatnonzero(conv.ai)
    m = len(conv_idx)
    support = conv.system[conv_idx] == 0
    n_chat = 1 + _pick(rng.random(m), (0.45, 0.40, 0.15))
    n_tool = _pick(rng.random(m), (0.35, 0.45, 0.20))
    n_emb = (support & (rng.random(m) < 0.5)).astype(np.int64)
    n_tool = n_tool - ((1 + n_emb + n_chat + n_tool) > 6)
    total = 1 + n_emb + n_chat + n_tool
    owner = np.repeat(np.arange(m), total)
    s = len(owner)
    first = np.repeat(np.cumsum(total) - total, total)
    pos = np.arange(s) - first
    j = pos - 1 - n_emb[owner]
    pairs = np.minimum(n_chat, n_tool)[owner]
    chat_tail = (n_chat > n_tool)[owner]
    op = np.where(
        pos == 0,
        INVOKE,
        np.where(
            j < 0,
            EMBED,
            np.where(
                j < 2 * pairs, np.where(j % 2 == 0, CHAT, TOOL), np.where(chat_tail, CHAT, TOOL)
            ),
        ),
    )
    sup = support[owner]
    model = np.where(sup, np.where(op == EMBED, INTERNAL, OPENAI), ANTHROPIC)
    u = rng.random((12, s))
    z = rng.standard_normal((3, s))
    nll = rng.gamma(20.0, 0.35 / 20.0, s)
    cidx = conv_idx[owner]
    outage = conv.outage[cidx]
    hour = (conv.start_us[cidx] % DAY_US) // HOUR_US
    chat_ms = _lognormal(z[0], np.where(sup, 900.0, 1100.0), 0.45) * _LOAD_FACTOR[hour]
    duration = np.select(
        [op == CHAT, op == TOOL, op == EMBED],
        [chat_ms, _lognormal(z[0], 250.0, 0.7), _lognormal(z[0], 60.0, 0.3)],
        0.0,
    )
    error_type = np.select(
        [outage, (op == CHAT) & (u[0] < 0.012), (op == TOOL) & (u[0] < 0.03)],
        [1, 2, 3],
        0,
    )
    duration = np.where((error_type == 2), duration * 0.05, duration)
    duration = np.where(outage & (op != INVOKE), 30_000 + 2_000 * np.abs(z[1]), duration)
    duration = np.round(duration, 3)
    gap = np.where(op == INVOKE, 0.0, np.round(5 + 45 * u[1], 3))
    step = duration + gap
    csum = np.cumsum(step)
    before = csum - step - (csum[first] - step[first])
    root_start = conv.start_us[conv_idx] + np.round((100 + 1400 * rng.random(m)) * 1000).astype(
        np.int64
    )
    group_ms = np.add.reduceat(step, np.cumsum(total) - total) if s else np.zeros(0)
    duration = np.where(op == INVOKE, np.round(group_ms[owner] + 4.0, 3), duration)
    started = root_start[owner] + np.where(
        op == INVOKE, 0, np.round((2 + before) * 1000).astype(np.int64)
    )
    chat_step = np.maximum(j // 2, 0)
    tokens_null = (op == CHAT) & ~sup & (u[2] < 0.02)
    input_tokens = np.select(
        [op == CHAT, op == EMBED],
        [
            _lognormal(z[1], np.where(sup, 900.0, 1200.0), 0.4) * (1 + 0.25 * chat_step),
            _lognormal(z[1], 60.0, 0.3),
        ],
        0,
    ).astype(np.int64)
    output_tokens = np.where(
        (op == CHAT) & (error_type == 0),
        np.maximum(_lognormal(z[2], np.where(sup, 180.0, 250.0), 0.5), 1),
        0,
    ).astype(np.int64)
    is_action = (op == TOOL) | (op == INVOKE)
    task = conv.task_completed[cidx]
    correct_null = np.where(op == TOOL, u[3] < 0.2, np.where(op == INVOKE, task < 0, True))
    correct = np.where(op == TOOL, u[4] < np.where(sup, 0.9, 0.93), task == 1)
    intervened_null = np.where(op == TOOL, u[5] < 0.1, ~is_action)
    intervened = np.where(op == TOOL, u[6] < 0.05, conv.escalated[cidx])
    guard_null = (op != CHAT) | (u[7] < 0.1)
    guard = u[8] < np.where(sup, 0.02, 0.035)
    logprob = (op == CHAT) & sup & (error_type == 0) & (u[9] < 0.6)
    price = MODEL_PRICES[ANTHROPIC]
    cost = (input_tokens * price.input_usd_per_1k + output_tokens * price.output_usd_per_1k) / 1000
    priced = (op == CHAT) & ~sup & ~tokens_null
    tool_pick = np.where(sup, (u[10] * 5).astype(np.int64), 5 + (u[10] * 4).astype(np.int64))
    span_ids = _hex_ids(rng, s, 8)
    trace_ids = pc.take(_hex_ids(rng, m, 16), pa.array(owner))
    parent = pc.take(span_ids, pa.array(first))
    table = _table(
        ENTITIES["llm_calls"],
        s,
        {
            "span_id": span_ids,
            "trace_id": trace_ids,
            "parent_span_id": pc.if_else(pa.array(pos == 0), pa.scalar(None, pa.string()), parent),
            "conversation_id": pc.take(
                conv.table["conversation_id"].combine_chunks(), pa.array(cidx)
            ),
            "ai_system": _labels((SUPPORT, SALES), (~sup).astype(np.int64)),
            "operation": _labels(OPERATIONS, op),
            "provider": _labels(tuple(p.provider for p in MODEL_PRICES), model),
            "model": _labels(tuple(p.model for p in MODEL_PRICES), model),
            "started_at": started,
            "duration_ms": duration,
            "input_tokens": (input_tokens, tokens_null),
            "output_tokens": (output_tokens, tokens_null),
            "status": _labels(("ok", "error"), (error_type > 0).astype(np.int64)),
            "error_type": _labels(
                ("", "timeout", "rate_limit_exceeded", "tool_error"), error_type, error_type == 0
            ),
            "tool_name": _labels(TOOLS[SUPPORT] + TOOLS[SALES], tool_pick, op != TOOL),
            "action_correct": (correct, correct_null),
            "human_intervened": (intervened, intervened_null),
            "guardrail_triggered": (guard, guard_null),
            "logprob_sum": (np.round(-output_tokens * nll, 4), ~logprob),
            "logprob_tokens": (output_tokens, ~logprob),
            "cost_usd": (np.round(cost, 8), ~priced),
        },
    )
    otlp = ~sup & (conv.region[cidx] == EMEA)
    return table, otlp


# --- employees and the writing copilot
@dataclass(frozen=True)
class _Roster:
    table: pa.Table
    team: np.ndarray
    eligible: np.ndarray
    adopter: np.ndarray
    shadow: np.ndarray


@lru_cache(maxsize=4)
def _roster(seed: int) -> _Roster:
    """A fixed roster: 90 % eligible, 60 % of the eligible adopt, 4 ineligible people use it."""
    rng = np.random.default_rng([seed, zlib.crc32(b"roster")])
    team = _pick(rng.random(ROSTER_SIZE), TEAM_P)
    order = rng.permutation(ROSTER_SIZE)
    n_eligible = round(ROSTER_SIZE * ELIGIBLE_SHARE)
    eligible = np.zeros(ROSTER_SIZE, bool)
    eligible[order[:n_eligible]] = True
    adopter = np.zeros(ROSTER_SIZE, bool)
    adopter[order[: round(n_eligible * ADOPTER_SHARE)]] = True
    shadow = np.zeros(ROSTER_SIZE, bool)
    shadow[order[n_eligible : n_eligible + SHADOW_USERS]] = True
    ids = _ids("emp-", np.arange(1, ROSTER_SIZE + 1), width=4)
    table = _table(
        EMPLOYEES,
        ROSTER_SIZE,
        {"employee_id": ids, "team": _labels(TEAMS, team), "eligible": eligible},
    )
    return _Roster(table, team, eligible, adopter, shadow)


def _employee_usage(seed: int, day: date) -> tuple[pa.Table, np.ndarray]:
    """Today's usage rows and the start of every session (for the copilot's calls)."""
    roster = _roster(seed)
    rng = _rng(seed, day, "employee_usage")
    u = rng.random((5, ROSTER_SIZE))
    p_use = 0.05 if day.weekday() >= 5 else 0.55
    active = np.flatnonzero((roster.adopter & (u[0] < p_use)) | (roster.shadow & (u[0] < 0.3)))
    k = len(active)
    sessions = 1 + rng.poisson(1.5, k)
    saved = np.round(sessions * rng.gamma(2.0, 4.0, k), 1)
    satisfaction = 1.0 + _pick(rng.random(k), (0.03, 0.05, 0.15, 0.42, 0.35))
    table = _table(
        ENTITIES["employee_usage"],
        k,
        {
            "employee_id": pc.take(roster.table["employee_id"].combine_chunks(), pa.array(active)),
            "ai_system": COPILOT,
            "usage_date": pa.repeat(pa.scalar(day, pa.date32()), k),
            "team": _labels(TEAMS, roster.team[active]),
            "sessions": sessions,
            "minutes_saved": (saved, u[1][active] < 0.1),
            "satisfaction": (satisfaction, u[2][active] >= 0.3),
        },
    )
    return table, _arrivals(rng, day, int(sessions.sum()))


def _copilot_calls(seed: int, day: date, sessions: np.ndarray) -> pa.Table:
    """Writing copilot calls: 1 to 5 per session, no customer conversation, one trace each."""
    rng = _rng(seed, day, "copilot_calls")
    m = len(sessions)
    per = np.minimum(1 + rng.poisson(1.2, m), 5)
    owner = np.repeat(np.arange(m), per)
    s = len(owner)
    pos = np.arange(s) - np.repeat(np.cumsum(per) - per, per)
    u = rng.random((3, s))
    z = rng.standard_normal((3, s))
    op = np.where(u[0] < 0.6, COMPLETION, CHAT)
    error = u[1] < 0.01
    duration = np.round(_lognormal(z[0], np.where(op == CHAT, 1400.0, 700.0), 0.5), 3)
    started = sessions[owner] + (pos * 90 + u[2] * 60).astype(np.int64) * US
    output = np.where(error, 0, _lognormal(z[2], 300.0, 0.6)).astype(np.int64)
    return _table(
        ENTITIES["llm_calls"],
        s,
        {
            "span_id": _hex_ids(rng, s, 8),
            "trace_id": pc.take(_hex_ids(rng, m, 16), pa.array(owner)),
            "parent_span_id": None,
            "conversation_id": None,
            "ai_system": COPILOT,
            "operation": _labels(OPERATIONS, op),
            "provider": MODEL_PRICES[ANTHROPIC].provider,
            "model": MODEL_PRICES[ANTHROPIC].model,
            "started_at": started,
            "duration_ms": duration,
            "input_tokens": _lognormal(z[1], 700.0, 0.5).astype(np.int64),
            "output_tokens": output,
            "status": _labels(("ok", "error"), error.astype(np.int64)),
            "error_type": _labels(("rate_limit_exceeded",), np.zeros(s, np.int64), ~error),
            "tool_name": None,
            "action_correct": None,
            "human_intervened": None,
            "guardrail_triggered": None,
            "logprob_sum": None,
            "logprob_tokens": None,
            "cost_usd": None,
        },
    )


# --- evaluations and feedback
def _within_day(base: np.ndarray, offset: np.ndarray, u: np.ndarray, day: date) -> np.ndarray:
    """base + offset, or, where that passes midnight, a uniform point between base and midnight:
    follow-on events (a lead's chat, a review, a thumbs) stay in the day's folder without
    piling up at 23:59:59."""
    room = np.maximum(_day_us(day) + DAY_US - 1 - base, 0)
    offset = offset.astype(np.int64)
    return base + np.where(offset <= room, offset, (room * u).astype(np.int64))


def _evaluations(
    seed: int, day: date, conv: _Conversations, calls: pa.Table, sessions: np.ndarray
) -> pa.Table:
    """LLM-judge (20 %) and human (3 %) reviews of AI conversations; heuristic checks of 10 %
    of copilot sessions. Half of the judged ones carry a response and its reference text."""
    rng = _rng(seed, day, "evaluations")
    ai = np.flatnonzero(conv.ai)
    judge = ai[rng.random(len(ai)) < 0.20]
    human = ai[rng.random(len(ai)) < 0.03]
    copilot = np.flatnonzero(rng.random(len(sessions)) < 0.10)
    rows = np.r_[judge, human]
    kj, kh, kc = len(judge), len(human), len(copilot)
    k = kj + kh + kc
    u = rng.random((12, k))
    z = rng.beta([[8], [6], [7]], [[2], [3], [2.5]], (3, k))
    delay = np.r_[30 + 570 * u[0][:kj], 300 + 7200 * u[0][kj : kj + kh], np.full(kc, 600)] * US
    at = _within_day(np.r_[conv.end_us[rows], sessions[copilot]], delay, u[9], day)
    is_conv = np.arange(k) < kj + kh
    sup = np.r_[conv.system[rows] == 0, np.zeros(kc, bool)]
    unresolved = np.r_[~conv.resolved[rows], np.zeros(kc, bool)]
    hallucination = u[1] < np.where(sup, 0.05, 0.07) * np.where(unresolved, 2, 1)
    factual = ~hallucination & (u[2] < 0.97)
    text = np.arange(k) < kj
    text &= u[3] < 0.5
    pair = (u[4] * len(TEXTS)).astype(np.int64)
    variant = 1 + _pick(u[5], (0.3, 0.5, 0.2))  # 1 exact copy, 2 paraphrase, 3 off-topic
    references = tuple(t[0] for t in TEXTS)
    responses = references + tuple(t[1] for t in TEXTS) + tuple(t[2] for t in TEXTS)
    roots = calls.filter(pc.equal(calls["operation"], "invoke_agent"))
    conv_ids = pc.take(conv.table["conversation_id"].combine_chunks(), pa.array(rows))
    root_of = pc.index_in(
        conv_ids.slice(0, kj), value_set=roots["conversation_id"].combine_chunks()
    )
    span = pa.concat_arrays(
        [pc.take(roots["span_id"].combine_chunks(), root_of), pa.nulls(kh + kc, pa.string())]
    )
    quality = np.round(np.clip(z[2] - 0.1 * unresolved, 0, 1), 3)
    table = _table(
        ENTITIES["evaluations"],
        k,
        {
            "evaluation_id": pa.array(np.zeros(k, np.int64)),  # set after sorting
            "ai_system": _labels(
                (SUPPORT, SALES, COPILOT), np.r_[conv.system[rows].astype(np.int64), np.full(kc, 2)]
            ),
            "evaluated_at": at,
            "evaluator": _labels(
                ("llm_judge", "human", "heuristic"),
                np.r_[np.zeros(kj, np.int64), np.ones(kh, np.int64), np.full(kc, 2)],
            ),
            "conversation_id": pa.concat_arrays([conv_ids, pa.nulls(kc, pa.string())]),
            "span_id": span,
            "response_text": _labels(responses, (variant - 1) * len(TEXTS) + pair, ~text),
            "reference_text": _labels(references, pair, ~text),
            "hallucination": (hallucination, ~is_conv | (u[6] < 0.05)),
            "factual": (factual, ~is_conv | (u[6] < 0.05)),
            "tone_score": (np.round(z[0], 3), ~is_conv),
            "empathy_score": (np.round(z[1], 3), ~is_conv),
            "quality_score": quality,
            "explanation_present": (u[7] < np.where(sup, 0.7, 0.5), ~is_conv),
            "compliant": u[8] < np.where(is_conv, 0.97, 0.99),
        },
    )
    return _sorted_with_ids(table, "evaluated_at", "evaluation_id", "ev", day)


def _sorted_with_ids(table: pa.Table, time_column: str, id_column: str, prefix: str, day: date):
    table = table.sort_by([(time_column, "ascending")])
    return table.set_column(
        table.schema.get_field_index(id_column), id_column, _day_ids(prefix, day, table.num_rows)
    )


def _feedback(seed: int, day: date, conv: _Conversations, sessions: np.ndarray) -> pa.Table:
    """Thumbs on 12 % of AI conversations; ratings (8 %) and A/B preferences (5 %) of copilot
    sessions (preference: 1 for this system 55 %, 0 for the other 30 %, 0.5 tie 15 %)."""
    rng = _rng(seed, day, "feedback")
    ai = np.flatnonzero(conv.ai)
    thumbs = ai[rng.random(len(ai)) < 0.12]
    m = len(sessions)
    rated = np.flatnonzero(rng.random(m) < 0.08)
    preferred = np.flatnonzero(rng.random(m) < 0.05)
    kt, kr, kp = len(thumbs), len(rated), len(preferred)
    k = kt + kr + kp
    u = rng.random((4, k))
    up = u[0][:kt] < np.where(conv.resolved[thumbs], 0.85, 0.35)
    value = np.r_[
        np.where(up, 1.0, -1.0),
        1.0 + _pick(u[1][kt : kt + kr], (0.04, 0.06, 0.15, 0.40, 0.35)),
        np.array([1.0, 0.0, 0.5])[_pick(u[2][kt + kr :], (0.55, 0.30, 0.15))],
    ]
    base = np.r_[conv.end_us[thumbs], sessions[rated], sessions[preferred]]
    delay = np.r_[5 + 115 * u[1][:kt], np.full(kr, 300), np.full(kp, 240)] * US
    table = _table(
        ENTITIES["feedback"],
        k,
        {
            "feedback_id": pa.array(np.zeros(k, np.int64)),
            "ai_system": _labels(
                (SUPPORT, SALES, COPILOT),
                np.r_[conv.system[thumbs].astype(np.int64), np.full(kr + kp, 2)],
            ),
            "created_at": _within_day(base, delay, u[3], day),
            "conversation_id": pa.concat_arrays(
                [
                    pc.take(conv.table["conversation_id"].combine_chunks(), pa.array(thumbs)),
                    pa.nulls(kr + kp, pa.string()),
                ]
            ),
            "kind": _labels(
                ("thumbs", "rating", "preference"),
                np.r_[np.zeros(kt, np.int64), np.ones(kr, np.int64), np.full(kp, 2)],
            ),
            "value": value,
        },
    )
    return _sorted_with_ids(table, "created_at", "feedback_id", "fb", day)


# --- predictions, uptime, experiments, revenue, costs, deployments
def _predictions(seed: int, day: date, n: int) -> pa.Table:
    """Each claim gets a fraud flag (binary, with a score), a category and an amount.

    Fairness gap: the fraud model's logit is 0.7 higher for group B at the same truth, so B is
    flagged more often (about 9.5 % against 6 %) and its true-positive rate is higher
    (0.86 against 0.67).
    """
    rng = _rng(seed, day, "predictions")
    k = round(0.25 * _volume(day, n))
    at = _arrivals(rng, day, k)
    u = rng.random((6, k))
    z = rng.standard_normal((2, k))
    group_b = u[0] < GROUP_B_SHARE
    fraud = u[1] < 0.07
    score = 1 / (1 + np.exp(-(-2.5 + 3.0 * fraud + 0.7 * group_b + z[0])))
    category = _pick(u[2], (0.35, 0.25, 0.2, 0.12, 0.08))
    wrong = u[3] < 0.15
    predicted_category = np.where(wrong, (category + 1 + (u[4] * 4).astype(np.int64)) % 5, category)
    amount = np.round(_lognormal(z[1], 2_500.0, 0.8), 2)
    predicted_amount = np.round(amount * np.exp(0.25 * rng.standard_normal(k)), 2)
    label_null = u[5] < 0.1  # ground truth not known yet
    tasks = ("fraud_flag", "claim_category", "claim_amount")
    task = np.tile(np.arange(3), k)
    claim = np.repeat(np.arange(k), 3)
    truth = ("false", "true", *CLAIM_CATEGORIES)
    predicted = np.where(task == 0, (score >= 0.5)[claim], 2 + predicted_category[claim])
    actual = np.where(task == 0, fraud[claim], 2 + category[claim])
    table = _table(
        ENTITIES["predictions"],
        3 * k,
        {
            "prediction_id": _day_ids("pr", day, 3 * k),
            "ai_system": CLAIMS,
            "model": _labels(tuple(PREDICTION_MODELS[t] for t in tasks), task),
            "task": _labels(tasks, task),
            "predicted_at": at[claim],
            "predicted_label": _labels(truth, predicted.astype(np.int64), task == 2),
            "actual_label": _labels(
                truth, actual.astype(np.int64), (task == 2) | label_null[claim]
            ),
            "score": (np.round(score[claim], 6), task != 0),
            "predicted_value": (predicted_amount[claim], task != 2),
            "actual_value": (amount[claim], (task != 2) | label_null[claim]),
            "group": _labels(("A", "B"), group_b[claim].astype(np.int64)),
        },
    )
    return table


def _uptime(seed: int, day: date) -> pa.Table:
    """A check every 5 minutes per system (support_assistant from its go-live on); 0.2 % of
    checks fail at random, and every check in the outage window fails."""
    rng = _rng(seed, day, "uptime")
    systems = (CLAIMS, SALES, SUPPORT, COPILOT)
    checks = _day_us(day) + np.arange(288, dtype=np.int64) * 300 * US
    at = np.tile(checks, len(systems))
    system = np.repeat(np.arange(len(systems)), len(checks))
    keep = (system != systems.index(SUPPORT)) | (at >= _us(GO_LIVE_AT))
    down = rng.random(len(at)) < 0.002
    down |= (system == systems.index(SUPPORT)) & (at >= _us(OUTAGE[0])) & (at < _us(OUTAGE[1]))
    at, system, down = at[keep], system[keep], down[keep]
    order = np.lexsort((system, at))
    return _table(
        ENTITIES["uptime"],
        len(at),
        {"ai_system": _labels(systems, system[order]), "checked_at": at[order], "up": ~down[order]},
    )


def _image_features(seed: int, day: date) -> pa.Table:
    """The copilot's image feature vectors of the day: the real ones first, then the generated
    ones, each set at random times of the day (sorted)."""
    rng = _rng(seed, day, "image_features")
    k, dimension = IMAGE_FEATURES_PER_SET, len(IMAGE_FEATURE_MEAN)
    z = rng.standard_normal((2 * k, dimension))
    real = IMAGE_FEATURE_MEAN + z[:k] * IMAGE_FEATURE_STD
    generated = (
        IMAGE_FEATURE_MEAN
        + IMAGE_FEATURE_OFFSET
        + z[k:] * IMAGE_FEATURE_STD * np.sqrt(IMAGE_FEATURE_COVARIANCE_SCALE)
    )
    at = _day_us(day) + np.sort(rng.integers(0, DAY_US, (2, k)), axis=1).ravel()
    vectors = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * k * dimension + 1, dimension, dtype=np.int32)),
        pa.array(np.vstack([real, generated]).ravel()),
    )
    return _table(
        ENTITIES["image_features"],
        2 * k,
        {
            "feature_id": _day_ids("img", day, 2 * k),
            "ai_system": COPILOT,
            "created_at": at,
            "set": _labels(("real", "generated"), np.repeat([0, 1], k)),
            "vector": vectors,
        },
    )


def _experiments(leads: _Leads) -> pa.Table:
    k = len(leads.number) if leads.in_experiment else 0
    return _table(
        ENTITIES["experiments"],
        k,
        {
            "experiment_id": EXPERIMENT_ID,
            "ai_system": SALES,
            "unit_id": _customer_ids(leads.number[:k]),
            "variant": _labels(("control", "treatment"), leads.treatment[:k].astype(np.int64)),
            "assigned_at": leads.assigned_us[:k],
        },
    )


def _revenue(seed: int, day: date, n: int, conv: _Conversations) -> pa.Table:
    """Orders of sales leads (conversions, late and pending orders), upsells after 3 % of
    resolved AI support contacts (attributed), organic orders of support customers; 6 % of
    completed orders are refunded later the same day. EMEA customers pay in EUR."""
    rng = _rng(seed, day, "revenue")
    lo, hi = _day_us(day), _day_us(day) + DAY_US
    parts = []
    for back in range(ORDER_LOOKBACK_DAYS + 1):
        o = _lead_orders(seed, day - timedelta(back), n)
        sel = (o.order_us >= lo) & (o.order_us < hi)
        attributed = np.where(o.engaged[sel], o.index[sel], -1)
        conv_ids = _ids(f"cv-{o.day:%Y%m%d}-s", np.maximum(attributed, 0))
        conv_ids = pc.if_else(pa.array(attributed < 0), pa.scalar(None, pa.string()), conv_ids)
        parts.append(
            (
                o.order_us[sel],
                o.number[sel],
                o.amount_usd[sel],
                o.status[sel],
                o.refunded[sel],
                o.refund_fraction[sel],
                conv_ids,
            )
        )
    upsell = np.flatnonzero(conv.ai & conv.resolved & ~conv.escalated & (conv.system == 0))
    upsell = upsell[rng.random(len(upsell)) < 0.03]
    ku = len(upsell)
    ko = round(0.15 * _volume(day, n))
    u = rng.random((3, ku + ko))
    z = rng.standard_normal(ku + ko)
    upsell_delay = (60 + 3540 * u[0][:ku]) * US
    parts.append(
        (
            np.r_[
                _within_day(conv.end_us[upsell], upsell_delay, u[2][:ku], day),
                _arrivals(rng, day, ko),
            ],
            np.r_[conv.customer[upsell], rng.integers(0, _support_pool(n), ko)],
            np.round(_lognormal(z, 80.0, 0.7), 2),
            np.ones(ku + ko, np.int64),
            u[1] < 0.06,
            rng.random(ku + ko),
            pa.concat_arrays(
                [
                    pc.take(conv.table["conversation_id"].combine_chunks(), pa.array(upsell)),
                    pa.nulls(ko, pa.string()),
                ]
            ),
        )
    )
    at, number, amount_usd, status, refunded, fraction = (
        np.concatenate([p[i] for p in parts]) for i in range(6)
    )
    attributed = pa.concat_arrays([p[6] for p in parts])
    order = np.argsort(at, kind="stable")
    at, number, amount_usd, status = at[order], number[order], amount_usd[order], status[order]
    refunded, fraction = refunded[order] & (status == 1), fraction[order]
    attributed = pc.take(attributed, pa.array(order))
    k = len(at)
    eur = _Customers.of(number).region == EMEA
    amount = np.round(np.where(eur, amount_usd / EUR_USD, amount_usd), 2)
    ids = _day_ids("ord", day, k)
    refund = np.flatnonzero(refunded)
    refund_at = at[refund] + ((hi - 1 - at[refund]) * fraction[refund]).astype(np.int64)
    all_at = np.r_[at, refund_at]
    all_eur = np.r_[eur, eur[refund]]
    return _table(
        ENTITIES["revenue"],
        k + len(refund),
        {
            "order_id": pa.concat_arrays(
                [ids, pc.binary_join_element_wise(pc.take(ids, pa.array(refund)), "-r", "")]
            ),
            "customer_id": _customer_ids(np.r_[number, number[refund]]),
            "occurred_at": all_at,
            "amount": np.r_[amount, -amount[refund]],
            "currency": _labels(("USD", "EUR"), all_eur.astype(np.int64)),
            "status": _labels(
                ("completed", "pending", "refunded"), np.r_[status - 1, np.full(len(refund), 2)]
            ),
            "attributed_conversation_id": pa.concat_arrays(
                [attributed, pc.take(attributed, pa.array(refund))]
            ),
        },
    )


@dataclass(frozen=True)
class _Cost:
    cost_id: str | None
    start_us: int
    end_us: int
    billed_cost: float
    currency: str
    cost_type: str
    ai_system: str | None
    service_name: str
    provider_name: str


def _costs(day: date, calls: pa.Table, conv: _Conversations) -> pa.Table:
    """Daily inference bills per provider and system (some days missing), the monthly platform
    charge (untagged, EUR, written on the month's last day), implementation one-offs at each
    deployment, the daily outsourced labour bill (EUR, no cost_id) and one credit."""
    start, end = _day_us(day), _day_us(day) + DAY_US
    rows: list[_Cost] = []
    keys = ["ai_system", "provider", "model"]
    usage = calls.group_by(keys, use_threads=False).aggregate(
        [("input_tokens", "sum"), ("output_tokens", "sum")]
    )
    usage = usage.sort_by([(key, "ascending") for key in keys])  # a stable order of bills
    prices = {(p.provider, p.model): (i, p) for i, p in enumerate(MODEL_PRICES)}
    names = ("ai_system", "provider", "model", "input_tokens_sum", "output_tokens_sum")
    for system, provider, model, tokens_in, tokens_out in zip(
        *(usage[c].to_pylist() for c in names), strict=True
    ):
        index, price = prices[(provider, model)]
        if index == INTERNAL or day in _missing_bill_days(index, day, day):
            continue
        amount = (tokens_in or 0) * price.input_usd_per_1k + (
            tokens_out or 0
        ) * price.output_usd_per_1k
        rows.append(
            _Cost(
                f"inv-{provider}-{system}-{day:%Y%m%d}",
                start,
                end,
                round(amount / 1000, 2),
                "USD",
                "ai_inference",
                system,
                f"{model} API",
                provider,
            )
        )
    if day == CREDIT_DAY:
        rows.append(
            _Cost(
                f"credit-openai-{day:%Y%m}",
                start,
                end,
                CREDIT_USD,
                "USD",
                "ai_inference",
                SUPPORT,
                "promotional credit",
                "openai",
            )
        )
    if (day + timedelta(1)).day == 1:
        month = day.replace(day=1)
        rows.append(
            _Cost(
                f"platform-{month:%Y%m}",
                _day_us(month),
                end,
                PLATFORM_EUR_PER_MONTH,
                "EUR",
                "ai_platform",
                None,
                "AI platform subscription",
                "acme-cloud-eu",
            )
        )
    for deployment in _deployments_on(day):
        rows.append(
            _Cost(
                f"impl-{deployment['ai_system']}-{deployment['version']}",
                start,
                end,
                deployment["implementation_cost_usd"],
                "USD",
                "ai_implementation",
                deployment["ai_system"],
                "integration project",
                "acme-consulting",
            )
        )
    hours = conv.handle_seconds[conv.system == 0].sum() / 3600
    rows.append(
        _Cost(
            None,
            start,
            end,
            round(hours * BPO_EUR_PER_HOUR, 2),
            "EUR",
            "human_labor",
            SUPPORT,
            "tier-1 support agents",
            "contact-centre-bpo",
        )
    )
    columns = {f: [getattr(r, f) for r in rows] for f in _Cost.__dataclass_fields__}
    return _table(
        ENTITIES["costs"],
        len(rows),
        {
            "cost_id": pa.array(columns["cost_id"], pa.string()),
            "charge_period_start": np.array(columns["start_us"], np.int64),
            "charge_period_end": np.array(columns["end_us"], np.int64),
            "billed_cost": np.array(columns["billed_cost"], float),
            "billing_currency": pa.array(columns["currency"]),
            "cost_type": pa.array(columns["cost_type"]),
            "ai_system": pa.array(columns["ai_system"], pa.string()),
            "service_name": pa.array(columns["service_name"]),
            "provider_name": pa.array(columns["provider_name"]),
        },
    )


def _deployments_on(day: date) -> list[dict]:
    return [
        d for d in (PLANTED["go_live"], PLANTED["sales_rollout"]) if d["deployed_at"].date() == day
    ]


def _deployments(day: date) -> pa.Table:
    found = _deployments_on(day)
    descriptions = {
        SUPPORT: "support assistant go-live on chat, email and voice",
        SALES: "sales agent v2 rolled out to every lead after exp_sales_assist",
    }
    return _table(
        ENTITIES["deployments"],
        len(found),
        {
            "ai_system": pa.array([d["ai_system"] for d in found], pa.string()),
            "deployed_at": np.array([_us(d["deployed_at"]) for d in found], np.int64),
            "version": pa.array([d["version"] for d in found], pa.string()),
            "description": pa.array([descriptions[d["ai_system"]] for d in found], pa.string()),
            "control_ai_system": pa.array([d.get("control_ai_system") for d in found], pa.string()),
        },
    )


# --- one day, in memory
def simulate_day(
    day: date, *, seed: int = 7, conversations_per_day: int = 400
) -> dict[str, pa.Table]:
    """Every entity's rows for one UTC day (before the planted defects), plus `otlp` spans."""
    n = conversations_per_day
    conv = _conversations(seed, day, n)
    agent, otlp = _agent_calls(seed, day, conv)
    usage, sessions = _employee_usage(seed, day)
    copilot = _copilot_calls(seed, day, sessions)
    every_call = pa.concat_tables([agent, copilot])
    leads = _leads(seed, day, n)
    return {
        "conversations": conv.table,
        "llm_calls": pa.concat_tables([agent.filter(pa.array(~otlp)), copilot]),
        "otlp": agent.filter(pa.array(otlp)),
        "evaluations": _evaluations(seed, day, conv, agent, sessions),
        "feedback": _feedback(seed, day, conv, sessions),
        "predictions": _predictions(seed, day, n),
        "costs": _costs(day, every_call, conv),
        "revenue": _revenue(seed, day, n, conv),
        "experiments": _experiments(leads),
        "deployments": _deployments(day),
        "uptime": _uptime(seed, day),
        "employee_usage": usage,
        "image_features": _image_features(seed, day),
    }


# --- the planted defects
def _set_value(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    """Replace one cell; the value may have another type than the column (text formats)."""
    col = table[column].combine_chunks()
    if isinstance(value, str) and col.type != pa.string():
        col = _text_column(col, table.schema.field(column).type)
    mask = pa.array(np.arange(len(col)) == row)
    new = pc.if_else(mask, pa.scalar(value, col.type), col)
    return table.set_column(table.schema.get_field_index(column), column, new)


def _with_bad_rows(entity: str, day: date, table: pa.Table) -> pa.Table:
    for bad in PLANTED["bad_rows"]:
        if bad["entity"] != entity or bad["day"] != day or table.num_rows <= bad["row_index"]:
            continue
        row, column, value = bad["row_index"], bad["column"], bad["value"]
        if column == "ended_at":
            started = table["started_at"][row].value
            value = pa.scalar(started - 60 * US, pa.timestamp("us", tz="UTC")).as_py()
        for other, other_value in bad.get("with", {}).items():
            table = _set_value(table, other, row, other_value)
        table = _set_value(table, column, row, value)
    for dup in PLANTED["duplicates"]:
        if dup["entity"] == entity and dup["day"] == day and table.num_rows > dup["row_index"]:
            i = dup["row_index"]
            table = pa.concat_tables([table.slice(0, i + 1), table.slice(i, 1), table.slice(i + 1)])
    return table


def _correction(seed: int, n: int, correction: dict) -> pa.Table:
    """The corrected copy of an earlier day's conversation: resolved flipped."""
    table = _conversations(seed, correction["replaces_day"], n).table
    row = table.filter(pc.equal(table["conversation_id"], correction["key"]))
    resolved = not row["resolved"][0].as_py()
    row = _set_value(row, "resolved", 0, resolved)
    row = _set_value(row, "resolved_at", 0, row["ended_at"][0].as_py() if resolved else None)
    return _set_value(row, "csat", 0, 5.0 if resolved else 2.0)


# --- writing
def _text_column(col: pa.Array, type_: pa.DataType, csv: bool = False) -> pa.Array:
    """The text form of a column: JSON Lines use UTC `Z`, CSV a +02:00 offset (so a reader must
    convert it back to the UTC day), booleans True/False and counts like 5.0."""
    if pa.types.is_timestamp(type_):
        naive = col.cast(pa.timestamp("us"))
        if csv:
            shifted = pc.add(naive, pa.scalar(2 * HOUR_US, pa.duration("us")))
            return pc.binary_join_element_wise(
                pc.strftime(shifted, format="%Y-%m-%dT%H:%M:%S"), "+02:00", ""
            )
        return pc.binary_join_element_wise(pc.strftime(naive, format="%Y-%m-%dT%H:%M:%S"), "Z", "")
    if pa.types.is_date(type_):
        return pc.strftime(col, format="%Y-%m-%d")
    if pa.types.is_boolean(type_):
        return pc.if_else(col, "True", "False")
    if pa.types.is_integer(type_) and csv:
        return col.cast(pa.float64())  # pandas writes 5.0
    return col


def _as_text(table: pa.Table, csv: bool) -> pd.DataFrame:
    """Timestamps and dates become strings; the rest keeps JSON/CSV-native types."""
    out = {}
    for field in table.schema:
        col = table[field.name].combine_chunks()
        temporal = pa.types.is_timestamp(field.type) or pa.types.is_date(field.type)
        if temporal or (
            csv and (pa.types.is_integer(field.type) or pa.types.is_boolean(field.type))
        ):
            col = _text_column(col, field.type, csv)
        out[field.name] = col.to_pandas()
    return pd.DataFrame(out)


def _write_table(path: Path, table: pa.Table, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        _as_text(table, csv=True).to_csv(path, index=False)
    else:
        _as_text(table, csv=False).to_json(path, orient="records", lines=True)


def _otlp_json(spans: pa.Table) -> str:
    """The spans as one OTLP/JSON ExportTraceServiceRequest on one line (also valid JSON Lines).

    Built with vectorised string functions: ids and names never need JSON escaping.
    """

    def col(name: str) -> pa.Array:
        return spans[name].combine_chunks()

    def attr(key: str, kind: str, values: pa.Array) -> pa.Array:
        """One attribute and a comma, or nothing when the value is null (intValue is a string
        in OTLP/JSON too)."""
        text = pc.binary_join_element_wise(
            f'{{"key":"{key}","value":{{"{kind}":"', pc.cast(values, pa.string()), '"}},', ""
        )
        return pc.if_else(pc.is_valid(values), text, "")

    start_ns = pc.multiply(col("started_at").cast(pa.int64()), 1000)
    end_ns = pc.add(start_ns, pc.cast(pc.round(pc.multiply(col("duration_ms"), 1e6)), pa.int64()))
    is_root = pc.equal(col("operation"), "invoke_agent")
    provider_key = pc.if_else(is_root, "gen_ai.system", "gen_ai.provider.name")
    provider = pc.binary_join_element_wise(
        '{"key":"', provider_key, '","value":{"stringValue":"', col("provider"), '"}},', ""
    )
    parent = pc.if_else(
        pc.is_valid(col("parent_span_id")),
        pc.binary_join_element_wise(',"parentSpanId":"', col("parent_span_id"), '"', ""),
        "",
    )
    name_tail = pc.if_else(pc.is_valid(col("tool_name")), col("tool_name"), col("model"))
    error = pc.equal(col("status"), "error")
    status = pc.if_else(error, '{"code":2,"message":"call failed"}', "{}")
    attributes = pc.binary_join_element_wise(
        attr("gen_ai.operation.name", "stringValue", col("operation")),
        attr("gen_ai.request.model", "stringValue", col("model")),
        provider,
        attr("gen_ai.conversation.id", "stringValue", col("conversation_id")),
        attr("gen_ai.tool.name", "stringValue", col("tool_name")),
        attr("gen_ai.usage.input_tokens", "intValue", col("input_tokens")),
        attr("gen_ai.usage.output_tokens", "intValue", col("output_tokens")),
        attr("error.type", "stringValue", col("error_type")),
        "",
    )
    attributes = pc.utf8_rtrim(attributes, characters=",")
    spans_json = pc.binary_join_element_wise(
        '{"traceId":"',
        col("trace_id"),
        '","spanId":"',
        col("span_id"),
        '"',
        parent,
        ',"name":"',
        col("operation"),
        " ",
        name_tail,
        '","kind":',
        pc.if_else(is_root, "1", "3"),
        ',"startTimeUnixNano":"',
        pc.cast(start_ns, pa.string()),
        '","endTimeUnixNano":"',
        pc.cast(end_ns, pa.string()),
        '","attributes":[',
        attributes,
        '],"status":',
        status,
        "}",
        "",
    )
    resource = '{"attributes":[{"key":"service.name","value":{"stringValue":"' + SALES + '"}}]}'
    scope = '{"name":"opentelemetry.instrumentation.anthropic","version":"0.40.0"}'
    body = ",".join(spans_json.to_pylist())
    return (
        f'{{"resourceSpans":[{{"resource":{resource},"scopeSpans":[{{"scope":{scope},'
        f'"spans":[{body}]}}]}}]}}\n'
    )


def _clear_day(landing_dir: Path, day: date) -> None:
    """The simulator owns the date folders it writes: a rerun leaves nothing stale behind."""
    for entity in (*ENTITIES, "otlp"):
        folder = landing_dir / entity / f"date={day.isoformat()}"
        if folder.exists():
            shutil.rmtree(folder)


def write_roster(landing_dir: Path, *, seed: int = 7) -> int:
    """The employees roster (one snapshot file, the same for every day of a seed)."""
    table = _roster(seed).table
    _write_table(landing_dir / ROSTER_FILE, table, "parquet")
    return table.num_rows


def write_day(
    landing_dir: Path,
    day: date,
    *,
    seed: int = 7,
    conversations_per_day: int = 400,
    defects: bool = True,
) -> dict[str, int]:
    """Write every entity's files for one UTC day under `<entity>/date=YYYY-MM-DD/`.

    Deterministic in (seed, day, conversations_per_day) and independent of other days, so a
    nightly demo can simulate yesterday alone. Rewrites the day's folders (idempotent) and the
    roster, so a landing folder built one night at a time is complete. Returns rows written per
    entity, with `otlp` (spans in the OTLP export) and `employees` (the roster). Without
    `defects` the planted bad rows, duplicates, bad file and correction are left out: the
    benchmark compares the pipeline with queries that read the files as they are.
    """
    landing_dir = Path(landing_dir)
    tables = simulate_day(day, seed=seed, conversations_per_day=conversations_per_day)
    _clear_day(landing_dir, day)
    counts = {name: 0 for name in (*ENTITIES, "otlp")}
    for entity, table in tables.items():
        if table.num_rows == 0:
            continue
        if entity == "otlp":
            path = landing_dir / "otlp" / f"date={day.isoformat()}" / "traces.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_otlp_json(table))
        else:
            if defects:
                table = _with_bad_rows(entity, day, table)
            _write_table(landing_dir / _day_file(entity, day), table, FORMATS[entity])
        counts[entity] += table.num_rows
    for extra in _extra_files(day, tables, seed, conversations_per_day) if defects else []:
        entity, relative, table, fmt = extra
        _write_table(landing_dir / relative, table, fmt)
        counts[entity] += table.num_rows
    counts["employees"] = write_roster(landing_dir, seed=seed)
    return counts


def _extra_files(
    day: date, tables: dict[str, pa.Table], seed: int, n: int
) -> list[tuple[str, str, pa.Table, str]]:
    """The planted bad file (a required column missing) and correction file of this day."""
    extras = []
    for bad in PLANTED["bad_files"]:
        if bad["day"] == day:
            source = tables[bad["entity"]].slice(0, bad["rows"])
            ids = pc.binary_join_element_wise(source["span_id"].combine_chunks(), "-late", "")
            source = source.set_column(source.schema.get_field_index("span_id"), "span_id", ids)
            source = source.drop_columns([bad["missing_column"]])
            extras.append((bad["entity"], bad["file"], source, "parquet"))
    for correction in PLANTED["corrections"]:
        if correction["day"] == day:
            extras.append(
                (correction["entity"], correction["file"], _correction(seed, n, correction), "csv")
            )
    return extras


def write_landing(
    landing_dir: Path,
    start: date = DEMO_START,
    end: date = DEMO_END,
    *,
    seed: int = 7,
    conversations_per_day: int = 400,
    defects: bool = True,
) -> dict[str, int]:
    """Write every day from start to end (inclusive) and the roster; returns rows per entity."""
    totals: dict[str, int] = {}
    day = start
    while day <= end:
        counts = write_day(
            landing_dir,
            day,
            seed=seed,
            conversations_per_day=conversations_per_day,
            defects=defects,
        )
        for name, rows in counts.items():
            totals[name] = rows if name == "employees" else totals.get(name, 0) + rows
        day += timedelta(1)
    return totals
