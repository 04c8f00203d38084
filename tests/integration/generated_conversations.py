"""Seeded rows of the conversation side of the contract, with known answers planted in them.

Ten ISO weeks of two programs: conversations with their calls, evaluations and feedback; calls,
evaluations and feedback of no conversation; uptime checks; employee usage and the roster.
Planted: a week without any conversation, call or evaluation (one feedback spills into it); a
program whose evaluations never carry a tone score; a weekly goal-completion trend; intents first
seen exactly at the 28-day edges of the initial repertoire and of novelty; actions and feedback
after midnight of their conversation's day; a day whose usage has no session. The metric tests
of test_metric_references_conversations.py read DATA; `fill` inserts it into raw.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import numpy as np

from tests.integration.metric_reference_checks import natives
from tests.integration.test_dbt_models import insert_raw

START = date(2026, 1, 5)  # a Monday; ten ISO weeks to 2026-03-15
WEEKS = 10
SYSTEMS = ("bot_a", "bot_b")
EMPTY_WEEK = date(2026, 2, 16)  # no conversation, call or evaluation; one feedback spills in
WINDOW = timedelta(days=28)  # novel_intent_window_days x 24 h (the seed's default)
FIRST_CONTACT = datetime(2026, 1, 5, 8)  # both programs' very first conversation
REPERTOIRE_EDGE = FIRST_CONTACT + WINDOW  # bot_b first sees 'warranty' here: initial repertoire
NOVEL_AFTER_EDGE = REPERTOIRE_EDGE + timedelta(seconds=1)  # bot_b first sees 'upgrade': novel
CRYPTO_FIRST = datetime(2026, 2, 9, 10)  # bot_a first sees 'crypto' mid-range
NOVELTY_EDGE = CRYPTO_FIRST + WINDOW  # 2026-03-09 10:00, the last moment 'crypto' is novel
# Intents first seen after the programs started, and when.
LATE_INTENTS = {
    "bot_a": {"crypto": CRYPTO_FIRST},
    "bot_b": {"warranty": REPERTOIRE_EDGE, "upgrade": NOVEL_AFTER_EDGE},
}
REPERTOIRE = {"bot_a": ["refund", "login", "invoice"], "bot_b": ["refund", "delivery"]}
TREND = {"bot_a": (0.40, 0.04), "bot_b": (0.75, -0.025)}  # goal completion: week 0, per week
ELIGIBLE = [f"e{i:02d}" for i in range(1, 33)]  # e33..e40 on the roster, not eligible
ROSTER = [f"e{i:02d}" for i in range(1, 41)]  # e41..e45 use the tools but are not on it
SLEEPY_SATURDAY = date(2026, 1, 17)  # bot_b's only usage row: no session, no satisfaction


def _pick(rng: np.random.Generator, values: list, p: list[float] | None = None) -> object:
    return values[int(rng.choice(len(values), p=p))]


def in_empty_week(moment: datetime | date) -> bool:
    day = moment.date() if isinstance(moment, datetime) else moment
    return EMPTY_WEEK <= day < EMPTY_WEEK + timedelta(days=7)


def all_days() -> list[date]:
    return [START + timedelta(days=i) for i in range(7 * WEEKS)]


def _intent(rng: np.random.Generator, system: str, day: date) -> str | None:
    """A repertoire intent, or (a quarter of the time) one first seen mid-range, after its day."""
    if rng.random() < 0.05:
        return None
    late = [intent for intent, first in LATE_INTENTS[system].items() if day > first.date()]
    if late and rng.random() < 0.25:
        return _pick(rng, late)
    return _pick(rng, REPERTOIRE[system])


def _conversation(rng: np.random.Generator, cid: str, system: str, start: datetime) -> dict:
    ai = bool(rng.random() < 0.8)
    escalated = ai and bool(rng.random() < 0.2)
    resolved = bool(rng.random() < 0.7)
    intent = _intent(rng, system, start.date())
    row = {
        "conversation_id": cid,
        "ai_system": system,
        "started_at": start,
        "ended_at": start + timedelta(seconds=float(rng.uniform(60, 1500)), milliseconds=123),
        "customer_id": f"cust{int(rng.integers(0, 250))}",
        "ai_involved": ai,
        "escalated_to_human": escalated,
        "resolved": resolved,
        "resolved_at": start + timedelta(seconds=float(rng.uniform(30, 1800)))
        if resolved and rng.random() < 0.9
        else None,
        "use_case": _pick(rng, [None, "customer_service", "sales"], [0.3, 0.4, 0.3]),
        "channel": _pick(rng, ["chat", "email", "voice", None], [0.5, 0.25, 0.2, 0.05]),
        "language": _pick(rng, ["en", "de", None], [0.6, 0.3, 0.1]),
        "region": _pick(rng, ["emea", "amer", "apac"], [0.5, 0.3, 0.2]),
        "customer_segment": _pick(rng, ["smb", "enterprise", None], [0.6, 0.3, 0.1]),
        "customer_group": _pick(rng, ["g1", "g2", "g3", None], [0.4, 0.3, 0.2, 0.1]),
        "intent": intent,
        # A contact without an intent has an issue of its own (no two share a null issue key).
        "issue_key": f"issue-{cid}" if intent is None else None,
        # Planted for AI contacts below; a human-only contact may carry one, to be ignored.
        "task_completed": None if ai else _pick(rng, [None, True], [0.7, 0.3]),
        "human_handle_seconds": float(rng.uniform(60, 900)) if escalated or not ai else None,
        "csat": float(rng.integers(1, 6)) if rng.random() < 0.6 else None,
    }
    if rng.random() < 0.5:
        row["sentiment_start"] = round(float(rng.uniform(-1, 0.5)), 3)
        row["sentiment_end"] = round(float(rng.uniform(-0.5, 1)), 3)
    return row


def _planted(cid: str, system: str, start: datetime, intent: str, done: bool) -> dict:
    """An AI contact, contained and resolved, at a moment that matters."""
    return {
        "conversation_id": cid,
        "ai_system": system,
        "started_at": start,
        "ended_at": start + timedelta(minutes=3),
        "customer_id": f"planted-{cid}",
        "ai_involved": True,
        "escalated_to_human": False,
        "resolved": True,
        "intent": intent,
        "customer_group": "g1",
        "task_completed": done,
    }


PLANTED = [
    _planted("first-a", "bot_a", FIRST_CONTACT, "refund", True),
    _planted("first-b", "bot_b", FIRST_CONTACT, "refund", True),
    _planted("warranty-first", "bot_b", REPERTOIRE_EDGE, "warranty", True),
    _planted("upgrade-first", "bot_b", NOVEL_AFTER_EDGE, "upgrade", False),
    _planted("crypto-first", "bot_a", CRYPTO_FIRST, "crypto", True),
    # 2026-03-09: the last novel crypto contact, then two that are no longer novel.
    _planted("crypto-edge", "bot_a", NOVELTY_EDGE, "crypto", True),
    _planted("crypto-after", "bot_a", NOVELTY_EDGE + timedelta(seconds=1), "crypto", True),
    _planted("crypto-later", "bot_a", NOVELTY_EDGE + timedelta(hours=2), "crypto", False),
    # Two minutes before midnight: its three actions run on the next day, one of them wrong.
    _planted("late-actions", "bot_a", datetime(2026, 1, 20, 23, 58), "refund", True),
    # Ten minutes before the empty week: its feedback arrives in that week.
    _planted("late-feedback", "bot_a", datetime(2026, 2, 15, 23, 50), "login", True),
]
PLANTED_IDS = {c["conversation_id"] for c in PLANTED}
# The planted days keep their intents as planted: no generated contact with these intents there.
PLANTED_DAYS = {
    (c["ai_system"], c["started_at"].date())
    for c in PLANTED
    if c["intent"] in LATE_INTENTS[c["ai_system"]]
}


def _plant_goal_completion(rng: np.random.Generator, conversations: list[dict]) -> None:
    """Each generated program-week gets round(p x n) completions among its AI contacts with a
    known outcome, p following TREND; a novel-intent contact is half as likely to be one."""
    by_week: dict[tuple[str, int], list[dict]] = {}
    for c in conversations:
        if c["ai_involved"] and c["conversation_id"] not in PLANTED_IDS:
            week = (c["started_at"].date() - START).days // 7
            by_week.setdefault((c["ai_system"], week), []).append(c)
    for (system, week), contacts in sorted(by_week.items()):
        known = [c for c in contacts if rng.random() < 0.9]
        base, slope = TREND[system]
        quota = round((base + slope * week) * len(known))
        weights = np.array([0.5 if c["intent"] in LATE_INTENTS[system] else 1.0 for c in known])
        done = set(rng.choice(len(known), size=quota, replace=False, p=weights / weights.sum()))
        for i, c in enumerate(known):
            c["task_completed"] = i in done


def _calls(
    rng: np.random.Generator, system: str, conversation_id: str | None, start: datetime, n: int
) -> list[dict]:
    """Chats, completions, embeddings and actions, 20 s apart after `start`."""
    calls = []
    for step in range(n):
        operation = _pick(
            rng,
            ["chat", "execute_tool", "invoke_agent", "text_completion", "embeddings"],
            [0.4, 0.25, 0.1, 0.15, 0.1],
        )
        action = operation in ("execute_tool", "invoke_agent")
        generated = operation in ("chat", "text_completion")
        tokens = int(rng.integers(20, 400))
        logprobs = _pick(rng, ["both", "zero", "sum_only", "none"], [0.7, 0.05, 0.1, 0.15])
        calls.append(
            {
                "ai_system": system,
                "conversation_id": conversation_id,
                "operation": operation,
                "provider": "openai",
                "model": "gpt-4o-mini",
                "started_at": start + timedelta(seconds=20 * (step + 1)),
                "duration_ms": round(float(rng.gamma(2, 300)), 3),
                "input_tokens": int(rng.integers(50, 2000)),
                "output_tokens": None if rng.random() < 0.06 else tokens,
                "status": "error" if rng.random() < 0.05 else "ok",
                "action_correct": _pick(rng, [True, False, None], [0.75, 0.15, 0.1])
                if action
                else None,
                "human_intervened": _pick(rng, [True, False, None], [0.2, 0.7, 0.1])
                if action
                else None,
                # Set on other operations too, where guardrail_compliance_rate must ignore it.
                "guardrail_triggered": _pick(rng, [True, False, None], [0.1, 0.8, 0.1])
                if generated
                else _pick(rng, [True, None], [0.3, 0.7]),
                "logprob_sum": None
                if not generated or logprobs == "none"
                else 0.0
                if logprobs == "zero"
                else round(-tokens * float(rng.uniform(0.1, 1.5)), 4),
                "logprob_tokens": None
                if not generated or logprobs in ("none", "sum_only")
                else 0
                if logprobs == "zero"
                else tokens,
            }
        )
    return calls


def _evaluation(rng: np.random.Generator, system: str, cid: str | None, after: datetime) -> dict:
    """A judged response, 10 minutes to 30 hours after `after` (often on a later day)."""
    return {
        "ai_system": system,
        "evaluated_at": after + timedelta(seconds=int(rng.integers(600, 30 * 3600))),
        "evaluator": _pick(rng, ["human", "llm_judge", "heuristic"], [0.3, 0.5, 0.2]),
        "conversation_id": cid,
        "hallucination": _pick(rng, [True, False, None], [0.1, 0.8, 0.1]),
        "factual": _pick(rng, [True, False, None], [0.75, 0.15, 0.1]),
        # bot_b's judges never give a tone score.
        "tone_score": round(float(rng.uniform()), 3)
        if system == "bot_a" and rng.random() < 0.85
        else None,
        "empathy_score": round(float(rng.uniform()), 3) if rng.random() < 0.7 else None,
        "quality_score": round(float(rng.uniform(0.2, 1)), 3),
        "explanation_present": _pick(rng, [True, False, None], [0.6, 0.3, 0.1]),
        "compliant": _pick(rng, [True, False, None], [0.85, 0.1, 0.05]),
    }


def _feedback(rng: np.random.Generator, system: str, cid: str | None, after: datetime) -> dict:
    kind = _pick(rng, ["thumbs", "rating", "preference"], [0.5, 0.25, 0.25])
    values = {
        "thumbs": _pick(rng, [1.0, -1.0], [0.7, 0.3]),
        "rating": float(rng.integers(1, 6)),
        "preference": _pick(rng, [0.0, 0.5, 1.0], [0.3, 0.2, 0.5]),
    }
    return {
        "ai_system": system,
        "created_at": after + timedelta(seconds=int(rng.integers(300, 10 * 3600))),
        "conversation_id": cid,
        "kind": kind,
        "value": values[kind],
    }


def _employee_usage(rng: np.random.Generator) -> list[dict]:
    usage = []
    for day in all_days():
        if day.weekday() >= 5:
            continue
        for system in SYSTEMS:
            for number in rng.choice(45, size=6, replace=False) + 1:
                usage.append(
                    {
                        "employee_id": f"e{number:02d}",
                        "ai_system": system,
                        "usage_date": day,
                        "team": _pick(rng, ["ops", "sales", None]),
                        "sessions": int(rng.integers(0, 6)),
                        "minutes_saved": round(float(rng.uniform(0, 60)), 1)
                        if rng.random() < 0.8
                        else None,
                        "satisfaction": float(rng.integers(1, 6)) if rng.random() < 0.6 else None,
                    }
                )
    sleepy = {"employee_id": "e05", "ai_system": "bot_b", "usage_date": SLEEPY_SATURDAY}
    return [*usage, {**sleepy, "sessions": 0, "minutes_saved": 0.0}]


def generate(seed: int = 20260105) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    conversations = [dict(c) for c in PLANTED]
    for day in all_days():
        if in_empty_week(day):
            continue
        for system in SYSTEMS:
            for n in range(8):
                start = datetime(day.year, day.month, day.day, 8) + timedelta(
                    seconds=int(rng.integers(1, 14 * 3600))
                )
                row = _conversation(rng, f"{system}-{day}-{n}", system, start)
                if (system, day) in PLANTED_DAYS and row["intent"] in LATE_INTENTS[system]:
                    row["intent"] = REPERTOIRE[system][0]
                conversations.append(row)
    _plant_goal_completion(rng, conversations)
    calls, evaluations, feedback = [], [], []
    for c in conversations:
        system, cid, start = c["ai_system"], c["conversation_id"], c["started_at"]
        if c["ai_involved"] and cid not in ("late-actions", "late-feedback"):
            calls += _calls(rng, system, cid, start, int(rng.integers(0, 5)))
        if rng.random() < 0.4:
            evaluations += [_evaluation(rng, system, cid, start) for _ in range(rng.integers(1, 3))]
        if c["ai_involved"] and cid != "late-feedback" and rng.random() < 0.5:
            feedback.append(_feedback(rng, system, cid, start))
    planted = {c["conversation_id"]: c for c in PLANTED}
    after_midnight = planted["late-actions"]["started_at"] + timedelta(minutes=2)
    late_calls = _calls(rng, "bot_a", "late-actions", after_midnight, 3)
    for call, correct in zip(late_calls, (True, False, True), strict=True):
        calls.append({**call, "operation": "execute_tool", "action_correct": correct})
    spill = _feedback(rng, "bot_a", "late-feedback", planted["late-feedback"]["started_at"])
    for day in all_days():
        for system in SYSTEMS:  # rows of no conversation, by their own time
            moment = datetime(day.year, day.month, day.day, 3)
            calls += _calls(rng, system, None, moment, 2)
            evaluations.append(_evaluation(rng, system, None, moment))
            feedback.append(_feedback(rng, system, None, moment))
    calls = [c for c in calls if not in_empty_week(c["started_at"])]
    evaluations = [e for e in evaluations if not in_empty_week(e["evaluated_at"])]
    feedback = [f for f in feedback if not in_empty_week(f["created_at"])]
    feedback.append(
        {**spill, "created_at": datetime(2026, 2, 16, 0, 10), "kind": "thumbs", "value": 1.0}
    )
    uptime = [
        {
            "ai_system": s,
            "checked_at": datetime(d.year, d.month, d.day, h),
            "up": rng.random() < 0.97,
        }
        for d in all_days()
        for s in SYSTEMS
        for h in (0, 6, 12, 18)
    ]
    return {
        "conversations": natives(conversations),
        "llm_calls": natives([{**c, "span_id": f"s{i}"} for i, c in enumerate(calls)]),
        "evaluations": natives(
            [{**e, "evaluation_id": f"e{i}"} for i, e in enumerate(evaluations)]
        ),
        "feedback": natives([{**f, "feedback_id": f"f{i}"} for i, f in enumerate(feedback)]),
        "uptime": natives(uptime),
        "employee_usage": natives(_employee_usage(rng)),
    }


DATA = generate()


def fill(con: duckdb.DuckDBPyConnection) -> None:
    for entity, rows in DATA.items():
        insert_raw(con, entity, rows)
    con.executemany(
        "insert into raw.employees values (?, ?, ?, ?, ?)",
        [(e, "ops", e in ELIGIBLE, "employees/roster.csv", datetime(2026, 4, 1)) for e in ROSTER],
    )
