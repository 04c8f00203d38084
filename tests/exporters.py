"""Landing files written by the libraries users' exporters run, not by our own simulator.

A warehouse that only ever reads files its own simulator wrote proves little: the simulator
shares the reader's assumptions. These writers go through the real code paths instead:

- OTLP trace files: spans built with the OpenTelemetry SDK and written by its official OTLP/JSON
  file exporter (`opentelemetry-exporter-otlp-json-file`), one JSON line per exported batch;
- FinOps FOCUS cost bills: pandas DataFrames written with `to_csv`, pyarrow Parquet (`Tags` as a
  `map<string, string>` column, as AWS's FOCUS Parquet export has it) and `to_json` lines;
- other entities' records: `json.dumps` per line and pandas `to_csv`, as a hand-written Python
  exporter would.

The writers take the path to write; the trace writer also returns what a test compares the
warehouse with (ids as the file carries them, exact start and end times).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import (
    Span,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
    format_span_id,
    format_trace_id,
    set_span_in_context,
)

# OTLP traces ----------------------------------------------------------------------------------

# The provider attribute of the current GenAI semantic conventions, and the older one that the
# openai-v2 and OpenLLMetry instrumentations wrote.
PROVIDER_NAME = "gen_ai.provider.name"
SYSTEM = "gen_ai.system"
# Operations that call a model over the network (CLIENT spans); the others run in the program.
_MODEL_OPERATIONS = ("chat", "text_completion", "embeddings")


@dataclass(frozen=True)
class GenAiCall:
    """One GenAI operation to trace, with the GenAI semantic-convention attributes it carries.

    A None attribute is not set on the span at all (as instrumentations leave out what they do
    not know). `children` run inside this span: they get its span id as their parent.
    """

    operation: str  # gen_ai.operation.name: chat, text_completion, embeddings, execute_tool, …
    start_ns: int  # Unix epoch nanoseconds
    duration_ns: int
    request_model: str | None = None
    response_model: str | None = None
    provider: str | None = None
    provider_attribute: str = PROVIDER_NAME  # or SYSTEM, the older convention
    input_tokens: int | None = None
    output_tokens: int | None = None
    conversation_id: str | None = None
    tool_name: str | None = None
    cost_usd: float | None = None
    # Set: the span's status is ERROR (described by it) and it carries `error.type`.
    error_type: str | None = None
    children: tuple[GenAiCall, ...] = ()

    def attributes(self) -> dict[str, str | int | float]:
        values = {
            "gen_ai.operation.name": self.operation,
            "gen_ai.request.model": self.request_model,
            "gen_ai.response.model": self.response_model,
            self.provider_attribute: self.provider,
            "gen_ai.usage.input_tokens": self.input_tokens,
            "gen_ai.usage.output_tokens": self.output_tokens,
            "gen_ai.conversation.id": self.conversation_id,
            "gen_ai.tool.name": self.tool_name,
            "cost_usd": self.cost_usd,
            "error.type": self.error_type,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class WrittenSpan:
    """A span as the exporter wrote it: ids as the file carries them (lowercase hex)."""

    call: GenAiCall
    ai_system: str  # the resource's service.name
    trace_id: str
    span_id: str
    parent_span_id: str | None
    start_ns: int
    end_ns: int

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def started_at(self) -> datetime:
        """The start in UTC without tzinfo, to the microsecond (a datetime holds no ns)."""
        return datetime(1970, 1, 1) + timedelta(microseconds=self.start_ns // 1000)

    @property
    def model(self) -> str | None:
        """The request model, else the response model (the GenAI conventions' order)."""
        return self.call.request_model or self.call.response_model


def write_otlp_traces(path: Path, programs: Mapping[str, Sequence[GenAiCall]]) -> list[WrittenSpan]:
    """Trace each program's calls with the SDK and export them into one OTLP/JSON file.

    Each program is a service with a TracerProvider of its own (its Resource's service.name is
    the program) and the SDK's default BatchSpanProcessor in front of the official file
    exporter, which appends one line per exported batch to `path`. Each top-level call starts
    a trace of its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    written: list[WrittenSpan] = []
    for program, calls in programs.items():
        provider = TracerProvider(resource=Resource.create({"service.name": program}))
        provider.add_span_processor(BatchSpanProcessor(FileSpanExporter(path)))
        tracer = provider.get_tracer("tests.exporters")
        for call in calls:
            _trace(tracer, program, call, None, written)
        # Shutting down flushes the batch and closes the file.
        provider.shutdown()
    return written


def _trace(
    tracer: Tracer,
    program: str,
    call: GenAiCall,
    parent: Span | None,
    written: list[WrittenSpan],
) -> None:
    target = call.tool_name or call.request_model or call.response_model
    span = tracer.start_span(
        f"{call.operation} {target}" if target else call.operation,
        context=set_span_in_context(parent) if parent else Context(),
        kind=SpanKind.CLIENT if call.operation in _MODEL_OPERATIONS else SpanKind.INTERNAL,
        attributes=call.attributes(),
        start_time=call.start_ns,
    )
    for child in call.children:
        _trace(tracer, program, child, span, written)
    if call.error_type is not None:
        span.set_status(Status(StatusCode.ERROR, call.error_type))
    end_ns = call.start_ns + call.duration_ns
    span.end(end_time=end_ns)
    context = span.get_span_context()
    written.append(
        WrittenSpan(
            call=call,
            ai_system=program,
            trace_id=format_trace_id(context.trace_id),
            span_id=format_span_id(context.span_id),
            parent_span_id=format_span_id(parent.get_span_context().span_id) if parent else None,
            start_ns=call.start_ns,
            end_ns=end_ns,
        )
    )


# FOCUS cost bills -----------------------------------------------------------------------------

FOCUS_VERSIONS = ("1.0", "1.2", "1.3")
# FOCUS date/time columns: ISO 8601 text with Z in CSV and JSON, UTC timestamps in Parquet.
FOCUS_DATETIME_COLUMNS = (
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargePeriodEnd",
    "ChargePeriodStart",
)
_FOCUS_1_2_COLUMNS = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    # Microsoft's extension column: null on other providers' rows.
    "x_ServicePeriodStart",
)
# 1.3 deprecated ProviderName and PublisherName for ServiceProviderName and HostProviderName.
_FOCUS_1_3_RENAMES = {"ProviderName": "ServiceProviderName", "PublisherName": "HostProviderName"}
_FOCUS_NUMBER_COLUMNS = (
    "BilledCost",
    "ConsumedQuantity",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "PricingQuantity",
)
PROGRAM_TAG = "ai_system"
SUPPORT_BOT = "support-bot"
SALES_ASSISTANT = "sales-assistant"


@dataclass(frozen=True)
class _Account:
    """A billing account: one provider, one billing currency."""

    provider: str
    currency: str
    account_id: str
    account_name: str
    sub_account_id: str
    sub_account_name: str
    region_id: str
    region_name: str


_AWS = _Account(
    "AWS",
    "USD",
    "409712385566",
    "Northwind Payer",
    "731004552910",
    "ai-prod",
    "us-east-1",
    "US East (N. Virginia)",
)
_AZURE = _Account(
    "Microsoft",
    "EUR",
    "81ca37f2-0d6e-4b8e-9f47-6c1d2b3e5a90",
    "Northwind EA",
    "/subscriptions/5f1c2e7a-94b3-4c0d-8a21-3e6f7b9d0c14",
    "ai-sales-prod",
    "swedencentral",
    "Sweden Central",
)
_GOOGLE = _Account(
    "Google Cloud",
    "JPY",
    "01A7F3-5C92D4-8E61B0",
    "Northwind Japan",
    "northwind-ai-jp",
    "northwind-ai-jp",
    "asia-northeast1",
    "Tokyo",
)
_AZURE_RESERVATION = (
    "/providers/Microsoft.Capacity/reservationOrders/3b7e2c51-8f0a-4d69-b1e4-7a2c9d5f6e03"
    "/reservations/c94a1e27-5d3b-4f80-a6e9-2b8c7f1d4a56"
)


@dataclass(frozen=True)
class _Pricing:
    """How a charge was priced: ListCost = ListUnitPrice x PricingQuantity."""

    category: str | None = None  # Standard, Committed, …
    quantity: float | None = None
    list_unit_price: float | None = None
    contracted_unit_price: float | None = None
    unit: str | None = None
    # What was consumed: token prices are per 1K tokens, so 1,000 tokens per priced unit.
    consumed_unit: str | None = None
    consumed_per_unit: float = 1.0

    @property
    def consumed_quantity(self) -> float | None:
        return None if self.quantity is None else self.quantity * self.consumed_per_unit


def _tokens(
    category: str, thousands: float, list_unit_price: float, contracted_unit_price: float
) -> _Pricing:
    return _Pricing(
        category, thousands, list_unit_price, contracted_unit_price, "1K Tokens", "Tokens", 1000.0
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _month(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day.replace(day=1), time(), UTC)
    return start, start + timedelta(days=calendar.monthrange(day.year, day.month)[1])


def _tags(program: str | None) -> str | None:
    return json.dumps({PROGRAM_TAG: program, "env": "prod"}) if program else None


def _charge(
    account: _Account,
    period: tuple[datetime, datetime],
    *,
    category: str,
    frequency: str,
    description: str,
    service: tuple[str, str, str],  # ServiceName, ServiceCategory, ServiceSubcategory
    resource: tuple[str, str, str] | None,  # ResourceId, ResourceName, ResourceType
    sku: tuple[str, str] | None,  # SkuId, SkuPriceId
    costs: tuple[float, float, float, float],  # Billed, Effective, List, Contracted
    pricing: _Pricing | None = None,
    program: str | None = None,
    billing_month: date | None = None,
    charge_class: str | None = None,
    commitment_status: str | None = None,
) -> dict[str, Any]:
    billing_start, billing_end = _month(billing_month or period[0].date())
    billed, effective, listed, contracted = costs
    pricing = pricing or _Pricing()
    committed = commitment_status is not None or category == "Purchase"
    return {
        "BilledCost": billed,
        "BillingAccountId": account.account_id,
        "BillingAccountName": account.account_name,
        "BillingCurrency": account.currency,
        "BillingPeriodEnd": _iso(billing_end),
        "BillingPeriodStart": _iso(billing_start),
        "ChargeCategory": category,
        "ChargeClass": charge_class,
        "ChargeDescription": description,
        "ChargeFrequency": frequency,
        "ChargePeriodEnd": _iso(period[1]),
        "ChargePeriodStart": _iso(period[0]),
        "CommitmentDiscountCategory": "Usage" if committed else None,
        "CommitmentDiscountId": _AZURE_RESERVATION if committed else None,
        "CommitmentDiscountName": "aoai-provisioned-throughput" if committed else None,
        "CommitmentDiscountStatus": commitment_status,
        "CommitmentDiscountType": "Reservation" if committed else None,
        "ConsumedQuantity": pricing.consumed_quantity if category == "Usage" else None,
        "ConsumedUnit": pricing.consumed_unit if category == "Usage" else None,
        "ContractedCost": contracted,
        "ContractedUnitPrice": pricing.contracted_unit_price,
        "EffectiveCost": effective,
        "InvoiceIssuerName": account.provider,
        "ListCost": listed,
        "ListUnitPrice": pricing.list_unit_price,
        "PricingCategory": pricing.category,
        "PricingQuantity": pricing.quantity,
        "PricingUnit": pricing.unit,
        "ProviderName": account.provider,
        "PublisherName": account.provider,
        "RegionId": account.region_id if resource else None,
        "RegionName": account.region_name if resource else None,
        "ResourceId": resource[0] if resource else None,
        "ResourceName": resource[1] if resource else None,
        "ResourceType": resource[2] if resource else None,
        "ServiceCategory": service[1],
        "ServiceName": service[0],
        "ServiceSubcategory": service[2],
        "SkuId": sku[0] if sku else None,
        "SkuPriceId": sku[1] if sku else None,
        "SubAccountId": account.sub_account_id,
        "SubAccountName": account.sub_account_name,
        "Tags": _tags(program),
        "x_ServicePeriodStart": _iso(period[0]) if account is _AZURE else None,
    }


_BEDROCK = ("Amazon Bedrock", "AI and Machine Learning", "Generative AI")
_AZURE_OPENAI = ("Azure OpenAI Service", "AI and Machine Learning", "Generative AI")
_VERTEX = ("Vertex AI", "AI and Machine Learning", "Generative AI")
_EC2 = ("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines")
_S3 = ("Amazon Simple Storage Service", "Storage", "Object Storage")
_BEDROCK_PROFILES = (
    "arn:aws:bedrock:us-east-1:731004552910:application-inference-profile/support-triage",
    "arn:aws:bedrock:us-east-1:731004552910:application-inference-profile/support-answers",
)


def _hour(day: date, hour: int) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(hour), UTC)
    return start, start + timedelta(hours=1)


def _day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def _daily_charges(day: date) -> list[dict[str, Any]]:
    """The ten charges of every day of the bill (see focus_bill)."""
    bedrock = [
        _charge(
            _AWS,
            _hour(day, 10),
            category="Usage",
            frequency="Usage-Based",
            description="Claude Sonnet 4 input tokens",
            service=_BEDROCK,
            resource=(profile, profile.rsplit("/", 1)[1], "Inference Profile"),
            sku=("BDR-CS4-IN", "BDR-CS4-IN-USE1"),
            costs=(12.33, 12.33, 13.70, 12.33),
            pricing=_tokens("Standard", 6850.0, 0.002, 0.0018),
            program=SUPPORT_BOT,
        )
        for profile in _BEDROCK_PROFILES
    ]
    return [
        *bedrock,
        _charge(
            _AWS,
            _hour(day, 9),
            category="Usage",
            frequency="Usage-Based",
            description="g5.xlarge On-Demand Linux instance hour",
            service=_EC2,
            resource=("i-0a4c1e97d3b25f860", "sales-assistant-gpu", "Virtual Machine"),
            sku=("EC2-G5XL-LNX", "EC2-G5XL-LNX-OD-USE1"),
            costs=(3.06, 3.06, 3.40, 3.06),
            pricing=_Pricing("Standard", 1.0, 3.40, 3.06, "Hours", "Hours"),
            program=SALES_ASSISTANT,
        ),
        _charge(
            _AWS,
            _day(day),
            category="Usage",
            frequency="Usage-Based",
            description="S3 Standard storage",
            service=_S3,
            resource=(
                "arn:aws:s3:::northwind-ai-transcripts",
                "northwind-ai-transcripts",
                "Bucket",
            ),
            sku=("S3-STD-STORAGE", "S3-STD-STORAGE-USE1"),
            costs=(0.92, 0.92, 0.92, 0.92),
            pricing=_Pricing("Standard", 40.0, 0.023, 0.023, "GB-Month", "GB-Month"),
        ),
        _charge(
            _AWS,
            _day(day),
            category="Credit",
            frequency="One-Time",
            description="Generative AI adoption promotional credit",
            service=_BEDROCK,
            resource=None,
            sku=None,
            costs=(-5.0, -5.0, -5.0, -5.0),
        ),
        _charge(
            _AZURE,
            _day(day),
            category="Usage",
            frequency="Usage-Based",
            description="gpt-4.1 provisioned throughput, covered by the reservation",
            service=_AZURE_OPENAI,
            resource=(
                "/subscriptions/5f1c2e7a-94b3-4c0d-8a21-3e6f7b9d0c14/resourceGroups/"
                "ai/providers/Microsoft.CognitiveServices/accounts/sales-openai",
                "sales-openai",
                "Cognitive Services account",
            ),
            sku=("AOAI-GPT41-PTU", "AOAI-GPT41-PTU-SEC"),
            costs=(0.0, 9.60, 12.80, 12.16),
            pricing=_tokens("Committed", 1600.0, 0.008, 0.0076),
            program=SALES_ASSISTANT,
            commitment_status="Used",
        ),
        _charge(
            _AZURE,
            _day(day),
            category="Usage",
            frequency="Usage-Based",
            description="Unused reservation hours",
            service=_AZURE_OPENAI,
            resource=(_AZURE_RESERVATION, "aoai-provisioned-throughput", "Reservation"),
            sku=("AOAI-GPT41-PTU", "AOAI-GPT41-PTU-SEC"),
            costs=(0.0, 0.40, 0.0, 0.0),
            pricing=_Pricing("Committed"),
            commitment_status="Unused",
        ),
        _charge(
            _GOOGLE,
            _day(day),
            category="Usage",
            frequency="Usage-Based",
            description="Gemini 2.5 Pro input tokens",
            service=_VERTEX,
            resource=(
                "projects/northwind-ai-jp/locations/asia-northeast1/endpoints/4471",
                "support-gemini",
                "Endpoint",
            ),
            sku=("6F2A-91C4-7B0E", "6F2A-91C4-7B0E-JP"),
            costs=(1850.0, 1850.0, 2220.0, 1850.0),
            pricing=_tokens("Standard", 3700.0, 0.60, 0.50),
            program=SUPPORT_BOT,
        ),
        _charge(
            _GOOGLE,
            _day(day),
            category="Tax",
            frequency="Usage-Based",
            description="Japanese consumption tax (10%)",
            service=_VERTEX,
            resource=None,
            sku=None,
            costs=(185.0, 185.0, 222.0, 185.0),
        ),
    ]


def focus_bill(days: int, version: str = "1.2", start: date = date(2026, 5, 1)) -> pd.DataFrame:
    """A FOCUS cost and usage bill of `days` days from `start`, as a provider's export has it.

    Three billing accounts, one currency each: AWS in USD, Microsoft (Azure) in EUR, Google
    Cloud in JPY. Amounts are in cents (two decimals); ChargePeriodStart/End are ISO 8601 text
    with Z; `Tags` is JSON object text, with the program under the key `ai_system`.

    Every day (ChargePeriodStart on that day), ten rows:

    ========  ==========================================  ======  =========  ====  ==========
    currency  row                                         Billed  Effective  List  Contracted
    ========  ==========================================  ======  =========  ====  ==========
    USD       Bedrock, 10:00-11:00, support-bot, profile   12.33      12.33  13.70     12.33
              support-triage
    USD       the same, profile support-answers (*)        12.33      12.33  13.70     12.33
    USD       EC2 Compute, 09:00-10:00, sales-assistant     3.06       3.06   3.40      3.06
    USD       S3 Storage, whole day, untagged               0.92       0.92   0.92      0.92
    USD       Credit (Bedrock), whole day, untagged        -5.00      -5.00  -5.00     -5.00
    EUR       Azure OpenAI, whole day, sales-assistant,     0.00       9.60  12.80     12.16
              covered by the reservation (Used)
    EUR       unused reservation (Unused), untagged         0.00       0.40   0.00      0.00
    JPY       Vertex AI, whole day, support-bot          1850.00    1850.00  2220.00  1850.00
    JPY       Tax, whole day, untagged                    185.00     185.00   222.00   185.00
    ========  ==========================================  ======  =========  ====  ==========

    (*) The two Bedrock rows agree on ChargePeriodStart/End, BilledCost, EffectiveCost,
    BillingCurrency, ServiceName and ProviderName (and on everything else but ResourceId,
    ResourceName): two real charges, not a duplicate.

    So a day totals, per currency (Billed / Effective / List / Contracted):
    USD 23.64 / 23.64 / 26.72 / 23.64; EUR 0.00 / 10.00 / 12.80 / 12.16;
    JPY 2035.00 / 2035.00 / 2442.00 / 2035.00.

    On the first day of a month, one more row: the reservation's monthly Purchase (EUR,
    ChargePeriod the whole month, ChargeFrequency Recurring): BilledCost, ListCost and
    ContractedCost 10.00 per day of that month (310.00 for May), EffectiveCost 0.00 (the
    Used and Unused rows amortize it: 10.00 a day). The day's EUR totals become
    310.00 / 10.00 / 322.80 / 322.16 for May.

    Once, charged on the last day of the month before `start` (2026-04-30 by default) at
    10:00-11:00 but billed in `start`'s month (BillingPeriodStart/End): a refund of a Bedrock
    overcharge, ChargeCategory Usage, ChargeClass Correction, tagged support-bot, USD
    -1.23 / -1.23 / -1.37 / -1.23.

    Rows: 10 per day, one per first of a month among the days, one refund. Charge periods are
    hourly (Bedrock, EC2, the refund), daily, or monthly (the Purchase).

    Versions: "1.2" has the columns above (FOCUS 1.2 names); "1.0" has no ServiceSubcategory;
    "1.3" has ServiceProviderName and HostProviderName in place of the deprecated ProviderName
    and PublisherName. Every version has Microsoft's extension column x_ServicePeriodStart
    (null on other providers' rows).
    """
    if version not in FOCUS_VERSIONS:
        raise ValueError(f"FOCUS version {version!r} is not one of {', '.join(FOCUS_VERSIONS)}")
    rows: list[dict[str, Any]] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.day == 1:
            month = _month(day)
            amount = 10.0 * (month[1] - month[0]).days
            rows.append(
                _charge(
                    _AZURE,
                    month,
                    category="Purchase",
                    frequency="Recurring",
                    description="Azure OpenAI provisioned throughput reservation, monthly",
                    service=_AZURE_OPENAI,
                    resource=None,
                    sku=("AOAI-GPT41-PTU-1M", "AOAI-GPT41-PTU-1M-SEC"),
                    costs=(amount, 0.0, amount, amount),
                    pricing=_Pricing("Standard", 1.0, amount, amount, "Months"),
                )
            )
        rows.extend(_daily_charges(day))
    corrected = start.replace(day=1) - timedelta(days=1)
    rows.append(
        _charge(
            _AWS,
            _hour(corrected, 10),
            category="Usage",
            frequency="Usage-Based",
            description="Refund of a Claude Sonnet 4 overcharge",
            service=_BEDROCK,
            resource=(_BEDROCK_PROFILES[0], "support-triage", "Inference Profile"),
            sku=("BDR-CS4-IN", "BDR-CS4-IN-USE1"),
            costs=(-1.23, -1.23, -1.37, -1.23),
            program=SUPPORT_BOT,
            billing_month=start,
            charge_class="Correction",
        )
    )
    bill = pd.DataFrame(rows, columns=list(_FOCUS_1_2_COLUMNS))
    for column in _FOCUS_NUMBER_COLUMNS:
        bill[column] = bill[column].astype("float64")
    if version == "1.0":
        bill = bill.drop(columns=["ServiceSubcategory"])
    if version == "1.3":
        bill = bill.rename(columns=_FOCUS_1_3_RENAMES)
    return bill


def write_focus_csv(bill: pd.DataFrame, path: Path) -> Path:
    """The bill as CSV, as pandas writes it: empty fields for nulls, Tags as JSON text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bill.to_csv(path, index=False)
    return path


def write_focus_parquet(bill: pd.DataFrame, path: Path) -> Path:
    """The bill as Parquet through pyarrow: date/time columns as UTC timestamps, amounts as
    doubles, Tags as a map<string, string> column (null when untagged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = []
    for name, dtype in bill.dtypes.items():
        if name in FOCUS_DATETIME_COLUMNS:
            fields.append(pa.field(name, pa.timestamp("us", tz="UTC")))
        elif name == "Tags":
            fields.append(pa.field(name, pa.map_(pa.string(), pa.string())))
        elif pd.api.types.is_float_dtype(dtype):
            fields.append(pa.field(name, pa.float64()))
        else:
            fields.append(pa.field(name, pa.string()))
    frame = bill.copy()
    for name in FOCUS_DATETIME_COLUMNS:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    frame["Tags"] = frame["Tags"].map(
        lambda tags: list(json.loads(tags).items()) if isinstance(tags, str) else None
    )
    table = pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False)
    pq.write_table(table, path)
    return path


def write_focus_json_lines(bill: pd.DataFrame, path: Path) -> Path:
    """The bill as JSON Lines, as pandas writes it (nulls as null, `/` escaped as `\\/`),
    with Tags a nested JSON object."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = bill.copy()
    frame["Tags"] = frame["Tags"].map(
        lambda tags: json.loads(tags) if isinstance(tags, str) else None
    )
    frame.to_json(path, orient="records", lines=True)
    return path


# Other entities' records ----------------------------------------------------------------------


def write_json_lines(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """One `json.dumps` line per record, as a hand-written Python exporter writes them: a
    missing number held as float('nan') is written as the bare token NaN (not valid JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def write_csv(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """The records through a pandas DataFrame and `to_csv`: a missing number is NaN there, an
    empty field in the file, and makes its column float (an integer 4 is written as 4.0)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(list(records)).to_csv(path, index=False)
    return path
