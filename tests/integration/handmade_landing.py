"""A landing folder written the way another team would, independently of the simulator.

CSV with `True`/`False` booleans, integers written as `5.0`, timestamps with offsets and without
(and some near midnight, where the offset moves the row to another UTC day), JSON Lines for the
calls, hourly uptime checks and daily bills. Small and seeded, so pandas can compute the expected
metrics from the very same files.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

SYSTEMS = ("helpdesk_bot", "billing_bot")
OFFSETS = (None, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)), UTC)


def _stamp(moment: datetime, zone: timezone | None) -> str:
    """ISO-8601 text: naive means UTC per the contract; otherwise in the given offset."""
    if zone is None:
        return moment.replace(tzinfo=None).isoformat(sep=" ")
    return moment.astimezone(zone).isoformat()


def write_day(landing: Path, day: date, rng: random.Random, per_system: int = 14) -> None:
    folder = f"date={day.isoformat()}"
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    conversations, calls = [], []
    for system in SYSTEMS:
        for i in range(per_system):
            # Two contacts a day start 20 minutes before UTC midnight; one is written in +02:00,
            # where its local date is already the next day.
            start = midnight + (
                timedelta(hours=23, minutes=40)
                if i in (0, 1)
                else timedelta(seconds=rng.randint(0, 82_000))
            )
            handle = rng.uniform(30, 900)
            ai = rng.random() < 0.8
            escalated = ai and rng.random() < 0.25
            resolved = rng.random() < 0.7
            zone = OFFSETS[i % len(OFFSETS)]
            cid = f"{system}-{day.isoformat()}-{i}"
            conversations.append(
                {
                    "conversation_id": cid,
                    "ai_system": system,
                    "started_at": _stamp(start, zone),
                    "ended_at": _stamp(start + timedelta(seconds=handle), zone),
                    "customer_id": f"cust-{rng.randint(1, 60)}",
                    "ai_involved": str(ai),
                    "escalated_to_human": str(escalated),
                    "resolved": str(resolved),
                    "resolved_at": _stamp(start + timedelta(seconds=handle), zone)
                    if resolved
                    else "",
                    "channel": rng.choice(["chat", "email"]),
                    "intent": rng.choice(["refund", "login", "invoice"]),
                    "csat": f"{rng.randint(1, 5)}.0" if rng.random() < 0.6 else "",
                    "human_handle_seconds": f"{rng.randint(0, 600)}.0"
                    if escalated or not ai
                    else "0.0",
                }
            )
            for j in range(rng.randint(1, 3) if ai else 0):
                calls.append(
                    {
                        "span_id": f"{cid}-s{j}",
                        "conversation_id": cid,
                        "ai_system": system,
                        "operation": "chat" if j == 0 else "execute_tool",
                        "provider": "openai",
                        "model": "gpt-4o-mini",
                        "started_at": _stamp(start + timedelta(seconds=j), zone),
                        "duration_ms": round(rng.lognormvariate(6, 0.5), 3),
                        "input_tokens": float(rng.randint(50, 800)),
                        "output_tokens": rng.randint(20, 300),
                        "status": "error" if rng.random() < 0.05 else "ok",
                    }
                )
    _write_csv(landing / "conversations" / folder / "contacts.csv", conversations)
    path = landing / "llm_calls" / folder / "spans.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    uptime = [
        {
            "ai_system": system,
            "checked_at": (midnight + timedelta(hours=h)).isoformat().replace("+00:00", "Z"),
            "up": str(not (system == "billing_bot" and h == 3 and day.day % 2 == 0)),
        }
        for system in SYSTEMS
        for h in range(24)
    ]
    _write_csv(landing / "uptime" / folder / "checks.csv", uptime)
    costs = [
        {
            "cost_id": f"bill-{system}-{day.isoformat()}",
            "charge_period_start": midnight.isoformat(),
            "charge_period_end": (midnight + timedelta(days=1)).isoformat(),
            "billed_cost": f"{rng.uniform(5, 20):.2f}",
            "billing_currency": "USD",
            "cost_type": "ai_inference",
            "ai_system": system,
        }
        for system in SYSTEMS
    ]
    _write_csv(landing / "costs" / folder / "bill.csv", costs)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_landing(landing: Path, first: date, days: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    for offset in range(days):
        write_day(landing, first + timedelta(days=offset), rng)
