"""marts.baseline_comparison built by dbt, against pandas, numpy, statsmodels and scipy here.

Three programs, one contact every 3 hours from 2026-03-01 10:00 to 2026-03-17 22:00, each
customer seen once (so first-contact resolution is "resolved and not escalated"). The contacts
cycle through 8 phases, and a 7-day window holds each phase 7 times, so every window of a
program in the same state holds the same values:

- support goes live on Monday 2026-03-09 at 10:00 with sales as its control. Before, its
  contacts are human-only; after, phase 7 stays human and the AI escalates phase 1. Its csat is
  0.5 higher after go-live, and its first-contact resolution goes from 5/8 to 6/8, while sales
  (AI throughout) does not change: csat and FCR differences-in-differences of exactly +0.5 and
  +0.125. Its containment_rate has no pre value (no AI contacts): no change, no DiD.
- billing goes live on 2026-03-15 at 12:00 without a control: its post window is cut short by
  the end of the data (3 of 7 days observed).

The window is 7 days (the user's settings override the seed's 28). Costs: daily inference
bills, a 3-day platform charge spread over the days it touches, and an implementation bill
that is no run cost; labour at the seed's rate of 38 USD an hour.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from orchestration.lib.baselines import confidence_level
from orchestration.lib.environment import DBT_PROJECT_DIR
from tests.integration.test_dbt_models import (
    Warehouse,
    Z,
    conversation,
    create_raw_schema,
    insert_raw,
)

WINDOW = timedelta(days=7)
# The reference bootstrap's resamples: its own noise well below the model's 2,000.
REFERENCE_RESAMPLES = 20_000
FIRST, LAST = datetime(2026, 3, 1, 10), datetime(2026, 3, 17, 22)
STEP = timedelta(hours=3)
DEPLOYMENTS = [
    {
        "ai_system": "support",
        "deployed_at": datetime(2026, 3, 9, 10),
        "version": "1.0.0",
        "control_ai_system": "sales",
    },
    {
        "ai_system": "billing",
        "deployed_at": datetime(2026, 3, 15, 12),
        "version": "0.9.0",
        "control_ai_system": None,
    },
]
GO_LIVE = {d["ai_system"]: d["deployed_at"] for d in DEPLOYMENTS}
CSAT = [3.0, 4.0, 2.0, 4.5, 4.0, 3.0, 1.0, None]  # by phase; phase 7 is never rated
CSAT_GAIN = 0.5  # support's, after go-live
METRICS = [
    "cost_to_serve_usd",
    "csat_average",
    "resolution_time_p50_seconds",
    "first_contact_resolution_rate",
    "containment_rate",
]
UNITS = {
    "cost_to_serve_usd": "usd",
    "csat_average": "csat_1_to_5",
    "resolution_time_p50_seconds": "seconds",
    "first_contact_resolution_rate": "share",
    "containment_rate": "share",
}


def labor_usd_per_hour() -> float:
    with (DBT_PROJECT_DIR / "seeds" / "labor_rates.csv").open() as handle:
        return next(
            float(r["hourly_usd"]) for r in csv.DictReader(handle) if r["role"] == "default"
        )


def contact(system: str, k: int, start: datetime) -> dict:
    """The k-th contact of a program: human-only before its go-live, AI after."""
    phase = k % 8
    live = system == "sales" or start >= GO_LIVE[system]
    human = not live or phase == 7
    escalated = live and phase == 1
    resolved = phase not in (0, 4, 6) if not live else phase != 0
    seconds = (1800 + 120 * phase) if human else (240 + 60 * phase + 900 * escalated)
    csat = CSAT[phase]
    if csat is not None and system == "support" and live:
        csat += CSAT_GAIN
    return conversation(
        f"{system}-{k}",
        system,
        f"{system}-customer-{k}",
        start,
        ai_involved=not human,
        escalated_to_human=escalated,
        resolved=resolved,
        resolved_at=start + timedelta(seconds=seconds) if resolved else None,
        ended_at=start + timedelta(seconds=seconds + 60),
        csat=csat,
        human_handle_seconds=(600.0 + 30 * phase) if human or escalated else None,
    )


def conversations() -> list[dict]:
    rows = []
    for system in ("support", "sales", "billing"):
        k, start = 0, FIRST
        while start <= LAST:
            rows.append(contact(system, k, start))
            k, start = k + 1, start + STEP
    # One second before support's pre window: it must not count (csat 1 would show).
    edge = GO_LIVE["support"] - WINDOW - timedelta(seconds=1)
    rows.append(conversation("support-edge", "support", "edge", edge, ai_involved=False, csat=1.0))
    return rows


def bill(cost_id: str, system: str, start: datetime, end: datetime, usd: float, kind: str) -> dict:
    return {
        "cost_id": cost_id,
        "charge_period_start": start,
        "charge_period_end": end,
        "billed_cost": usd,
        "billing_currency": "USD",
        "cost_type": kind,
        "ai_system": system,
    }


def costs() -> list[dict]:
    rows = []
    for offset in range(17):
        day = datetime(2026, 3, 1) + timedelta(days=offset)
        after = day + timedelta(days=1)
        rows.append(bill(f"sales-{offset}", "sales", day, after, 12.0, "ai_inference"))
        if day >= datetime(2026, 3, 9):
            rows.append(
                bill(f"support-{offset}", "support", day, after, 20.0 + offset, "ai_inference")
            )
        if day >= datetime(2026, 3, 15):
            rows.append(bill(f"billing-{offset}", "billing", day, after, 5.0, "ai_inference"))
    # 30 USD over [Mar 5 12:00, Mar 7 12:00): 10 USD on each of the 3 days it touches.
    rows.append(
        bill(
            "platform",
            "sales",
            datetime(2026, 3, 5, 12),
            datetime(2026, 3, 7, 12),
            30.0,
            "ai_platform",
        )
    )
    # An implementation project is an investment, not a run cost.
    rows.append(
        bill(
            "project",
            "support",
            datetime(2026, 3, 9),
            datetime(2026, 3, 10),
            1000.0,
            "ai_implementation",
        )
    )
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("baselines")
    warehouse = Warehouse(root / "warehouse" / "warehouse.duckdb", root / "work")
    warehouse.path.parent.mkdir()
    with duckdb.connect(str(warehouse.path)) as con:
        create_raw_schema(con)
        con.execute("insert into raw.reference_settings values ('prepost_window_days', '7')")
        insert_raw(con, "conversations", conversations())
        insert_raw(con, "costs", costs())
        insert_raw(con, "deployments", DEPLOYMENTS)
    # Cautious: only the tests of the models built (eager selection would also run, e.g., the
    # relationships test of the unbuilt int_evaluations_text_scored to a staging model built).
    seconds = warehouse.dbt(
        "build", "--select", "+baseline_comparison", "--indirect-selection", "cautious"
    )
    print(f"dbt build --select +baseline_comparison (seeds, models, tests): {seconds:.1f} s")
    return warehouse


@pytest.fixture(scope="module")
def actual(built: Warehouse) -> pd.DataFrame:
    return built.frame("select * from marts.baseline_comparison").set_index(
        ["ai_system", "metric_name"]
    )


# --- the reference, computed here


def frame() -> pd.DataFrame:
    rows = pd.DataFrame(conversations())
    rows["resolution"] = (rows["resolved_at"] - rows["started_at"]).dt.total_seconds()
    rows["fcr"] = (rows["resolved"] & ~rows["escalated_to_human"]).astype(float)
    rows["contained"] = (~rows["escalated_to_human"]).astype(float)
    rows["labor_usd"] = rows["human_handle_seconds"].fillna(0) * labor_usd_per_hour() / 3600
    rows["day"] = rows["started_at"].dt.floor("D")
    return rows


def daily(system: str) -> pd.DataFrame:
    """Per day with any contact or cost of the program: run cost (inference and platform
    shares), labour, resolved contacts."""
    run: dict[datetime, float] = {}
    for row in costs():
        if row["ai_system"] != system:
            continue
        first = datetime.combine(row["charge_period_start"].date(), datetime.min.time())
        days = pd.date_range(first, row["charge_period_end"] - timedelta(microseconds=1), freq="D")
        share = row["billed_cost"] / len(days) if row["cost_type"] != "ai_implementation" else 0.0
        for day in days:
            run[day] = run.get(day, 0.0) + share
    rows = frame()
    rows = rows[rows["ai_system"] == system]
    per_day = rows.groupby("day").agg(labor=("labor_usd", "sum"), resolved=("resolved", "sum"))
    per_day = per_day.reindex(per_day.index.union(pd.DatetimeIndex(list(run))), fill_value=0)
    per_day["cost"] = per_day["labor"] + pd.Series(run).reindex(per_day.index, fill_value=0)
    return per_day


def windows(ai_system: str) -> dict[str, tuple[datetime, datetime]]:
    at = GO_LIVE[ai_system]
    return {"pre": (at - WINDOW, at), "post": (at, at + WINDOW)}


def day_windows(ai_system: str) -> dict[str, tuple[datetime, datetime]]:
    day = datetime.combine(GO_LIVE[ai_system].date(), datetime.min.time())
    return {"pre": (day - WINDOW, day), "post": (day, day + WINDOW)}


def samples(deployment: dict, pick) -> dict[str, np.ndarray]:
    """'pre', 'post' (and 'control_pre', 'control_post'): pick(rows) of each window's contacts."""
    rows = frame()
    found = {}
    roles = {"": deployment["ai_system"], "control_": deployment["control_ai_system"]}
    for prefix, system in roles.items():
        if system is None:
            continue
        for name, (start, end) in windows(deployment["ai_system"]).items():
            inside = rows[
                (rows["ai_system"] == system)
                & (rows["started_at"] >= start)
                & (rows["started_at"] < end)
            ]
            values = pick(inside)
            found[prefix + name] = values[~np.isnan(values)]
    return found


def ols(groups: dict[tuple[int, int], np.ndarray], formula: str, term: str, cov_type: str):
    """The coefficient and 95 % normal interval of term in an OLS over (treated, post) groups."""
    data = pd.concat(
        pd.DataFrame({"y": y, "treated": treated, "post": post})
        for (treated, post), y in groups.items()
    )
    fit = smf.ols(formula, data).fit(cov_type=cov_type)
    low, high = fit.conf_int(alpha=0.05).loc[term]
    return float(fit.params[term]), float(low), float(high)


def regression_reference(found: dict[str, np.ndarray], mean, cov_type: str) -> dict:
    """Values, changes and DiD of a mean or a proportion, from OLS fits (HC2 for means, HC0 for
    proportions: their robust variances are s²/n and p(1 - p)/n)."""
    expected = _values(found, mean)
    for prefix in ("", "control_"):
        pre, post = found.get(prefix + "pre"), found.get(prefix + "post")
        if pre is None:
            expected |= _undefined(prefix + "change")
        elif len(pre) and len(post):
            fitted = ols({(0, 0): pre, (0, 1): post}, "y ~ post", "post", cov_type)
            expected |= dict(zip(_change_columns(prefix + "change"), fitted, strict=True))
        else:
            expected |= _undefined(prefix + "change")
    if "control_pre" in found and all(len(v) for v in found.values()):
        groups = {
            (1, 0): found["pre"],
            (1, 1): found["post"],
            (0, 0): found["control_pre"],
            (0, 1): found["control_post"],
        }
        fitted = ols(groups, "y ~ treated * post", "treated:post", cov_type)
        expected |= dict(zip(_change_columns("did"), fitted, strict=True))
    else:
        expected |= _undefined("did")
    return expected


@dataclass(frozen=True)
class Quantile:
    """The level-quantile of a reference bootstrap distribution: a bound matches it when the
    share of the distribution below it is within tolerance of level (the model draws its own
    2,000 resampled medians, so it matches in probability, not to the last bit)."""

    distribution: np.ndarray
    level: float
    tolerance: float = 0.01

    def matches(self, bound: float) -> bool:
        below, at_most = np.mean(self.distribution < bound), np.mean(self.distribution <= bound)
        return below <= self.level + self.tolerance and at_most >= self.level - self.tolerance


def median_reference(found: dict[str, np.ndarray]) -> dict:
    """Medians (numpy's linear interpolation) and percentile-bootstrap bounds: the quantiles of
    scipy's bootstrap distribution, which resamples every window's values in full."""
    expected = _values(found, lambda v: np.percentile(v, 50))
    tail = (1 - confidence_level(Z)) / 2

    def change(pre, post, axis=-1):
        return np.percentile(post, 50, axis=axis) - np.percentile(pre, 50, axis=axis)

    def did(pre, post, control_pre, control_post, axis=-1):
        return change(pre, post, axis) - change(control_pre, control_post, axis)

    def boot(names: list[str], statistic) -> tuple[float, Quantile, Quantile]:
        data = [found[name] for name in names]
        distribution = stats.bootstrap(
            data,
            statistic,
            n_resamples=REFERENCE_RESAMPLES,
            method="percentile",
            rng=np.random.default_rng(0),
        ).bootstrap_distribution
        return (
            float(statistic(*data)),
            Quantile(distribution, tail),
            Quantile(distribution, 1 - tail),
        )

    expected |= dict(zip(_change_columns("change"), boot(["pre", "post"], change), strict=True))
    if "control_pre" in found:
        control = boot(["control_pre", "control_post"], change)
        both = boot(["pre", "post", "control_pre", "control_post"], did)
        expected |= dict(zip(_change_columns("control_change"), control, strict=True))
        expected |= dict(zip(_change_columns("did"), both, strict=True))
    else:
        expected |= _undefined("control_change") | _undefined("did")
    return expected


def cost_reference(deployment: dict) -> dict:
    """Cost per resolution over the window's days, with the ratio estimator's variance."""
    estimates = {}
    roles = {"": deployment["ai_system"], "control_": deployment["control_ai_system"]}
    for prefix, system in roles.items():
        if system is None:
            continue
        days = daily(system)
        for name, (start, end) in day_windows(deployment["ai_system"]).items():
            inside = days[(days.index >= start) & (days.index < end)]
            c, r, n = inside["cost"].to_numpy(), inside["resolved"].to_numpy(float), len(inside)
            ratio = c.sum() / r.sum()
            variance = ((c - ratio * r) ** 2).sum() / ((n - 1) * n * r.mean() ** 2)
            estimates[prefix + name] = (ratio, variance, n)
    expected = {}
    for column, (value, _, n) in estimates.items():
        expected[f"{column}_value"], expected[f"{column}_sample_size"] = value, n
    changes = {}
    for prefix in ("", "control_"):
        if prefix + "pre" not in estimates:
            expected |= _undefined(prefix + "change")
            continue
        (pre, pre_var, _), (post, post_var, _) = (
            estimates[prefix + "pre"],
            estimates[prefix + "post"],
        )
        changes[prefix] = (post - pre, pre_var + post_var)
        expected |= _normal(prefix + "change", *changes[prefix])
    if "control_" in changes:
        (treated, treated_var), (control, control_var) = changes[""], changes["control_"]
        expected |= _normal("did", treated - control, treated_var + control_var)
    else:
        expected |= _undefined("did")
    return expected


def _values(found: dict[str, np.ndarray], statistic) -> dict:
    expected = {}
    for name in ("pre", "post", "control_pre", "control_post"):
        values = found.get(name)
        if values is None:
            expected[f"{name}_value"] = expected[f"{name}_sample_size"] = None
        else:
            expected[f"{name}_value"] = float(statistic(values)) if len(values) else None
            expected[f"{name}_sample_size"] = len(values)
    return expected


def _change_columns(name: str) -> list[str]:
    return [name, f"{name}_ci_low", f"{name}_ci_high"]


def _undefined(name: str) -> dict:
    return dict.fromkeys(_change_columns(name))


def _normal(name: str, value: float, variance: float) -> dict:
    half = Z * np.sqrt(variance)
    return dict(zip(_change_columns(name), (value, value - half, value + half), strict=True))


def reference(deployment: dict, metric_name: str) -> dict:
    if metric_name == "cost_to_serve_usd":
        return cost_reference(deployment)
    if metric_name == "resolution_time_p50_seconds":
        return median_reference(samples(deployment, lambda rows: rows["resolution"].to_numpy()))
    if metric_name == "csat_average":
        found = samples(deployment, lambda rows: rows["csat"].to_numpy(float))
        return regression_reference(found, np.mean, "HC2")
    if metric_name == "first_contact_resolution_rate":
        found = samples(deployment, lambda rows: rows["fcr"].to_numpy())
    else:  # containment_rate: over AI contacts only
        found = samples(deployment, lambda rows: rows[rows["ai_involved"]]["contained"].to_numpy())
    return regression_reference(found, np.mean, "HC0")


def assert_same(actual: pd.Series, expected: dict, where: tuple) -> None:
    for column, want in expected.items():
        have = actual[column]
        if want is None:
            assert pd.isna(have), (where, column, have)
        elif isinstance(want, Quantile):
            assert want.matches(have), (
                where,
                column,
                have,
                np.quantile(want.distribution, want.level),
            )
        else:
            assert have == pytest.approx(want, rel=1e-6, abs=1e-9), (where, column, have, want)


# --- tests


def test_one_row_per_deployment_and_headline_metric(actual: pd.DataFrame) -> None:
    assert sorted(actual.index) == sorted((d["ai_system"], m) for d in DEPLOYMENTS for m in METRICS)
    for (ai_system, metric_name), row in actual.iterrows():
        deployment = next(d for d in DEPLOYMENTS if d["ai_system"] == ai_system)
        assert row["deployed_at"] == deployment["deployed_at"]
        assert row["version"] == deployment["version"]
        assert row["unit"] == UNITS[metric_name]
        if deployment["control_ai_system"] is None:
            assert pd.isna(row["control_ai_system"])
        else:
            assert row["control_ai_system"] == deployment["control_ai_system"]


def test_windows_and_the_days_the_data_covers(actual: pd.DataFrame) -> None:
    for deployment in DEPLOYMENTS:
        for metric_name in METRICS:
            row = actual.loc[(deployment["ai_system"], metric_name)]
            bounds = (day_windows if metric_name == "cost_to_serve_usd" else windows)(
                deployment["ai_system"]
            )
            assert (row["pre_start"], row["pre_end"]) == bounds["pre"]
            assert (row["post_start"], row["post_end"]) == bounds["post"]
            assert row["pre_days_observed"] == 7
    # billing went live on Mar 15; the data ends on Mar 17: 3 of the post window's 7 days.
    assert (actual.loc["support", "post_days_observed"] == 7).all()
    assert (actual.loc["billing", "post_days_observed"] == 3).all()


@pytest.mark.parametrize("metric_name", METRICS)
@pytest.mark.parametrize("ai_system", ["support", "billing"])
def test_every_value_matches_the_reference(
    actual: pd.DataFrame, ai_system: str, metric_name: str
) -> None:
    deployment = next(d for d in DEPLOYMENTS if d["ai_system"] == ai_system)
    expected = reference(deployment, metric_name)
    assert_same(actual.loc[(ai_system, metric_name)], expected, (ai_system, metric_name))


def test_planted_effects_are_recovered(actual: pd.DataFrame) -> None:
    csat = actual.loc[("support", "csat_average")]
    assert csat["change"] == pytest.approx(CSAT_GAIN)
    assert csat["control_change"] == pytest.approx(0, abs=1e-12)
    assert csat["did"] == pytest.approx(CSAT_GAIN)
    assert csat["did_ci_low"] < CSAT_GAIN < csat["did_ci_high"]
    # The edge contact one second before the pre window (csat 1) is left out: 7 phases rated.
    assert csat["pre_sample_size"] == 7 * 7
    fcr = actual.loc[("support", "first_contact_resolution_rate")]
    assert (fcr["pre_value"], fcr["post_value"]) == (pytest.approx(5 / 8), pytest.approx(6 / 8))
    assert fcr["did"] == pytest.approx(1 / 8)


def test_containment_is_undefined_before_an_ai_go_live(actual: pd.DataFrame) -> None:
    for ai_system in ("support", "billing"):
        row = actual.loc[(ai_system, "containment_rate")]
        assert row["pre_sample_size"] == 0
        assert row["post_value"] > 0
        for column in ("pre_value", "change", "change_ci_low", "change_ci_high", "did"):
            assert pd.isna(row[column]), (ai_system, column)
    # The control has AI contacts in both windows: its change is defined (and 0).
    control = actual.loc[("support", "containment_rate")]
    assert control["post_value"] == pytest.approx(6 / 7)  # the AI escalates 1 of its 7 phases
    assert control["control_change"] == pytest.approx(0, abs=1e-12)
    assert control["control_change_ci_low"] < 0 < control["control_change_ci_high"]


def test_cost_per_resolution_counts_run_cost_and_all_labour(actual: pd.DataFrame) -> None:
    """Worked out by hand: a day holds one contact of each phase (01:00, 04:00, ... 22:00)."""
    row = actual.loc[("support", "cost_to_serve_usd")]
    usd_per_second = labor_usd_per_hour() / 3600
    # Pre days Mar 2 .. 8: human-only, 600 + 30 x phase seconds each (5,640 s a day), 5 of 8
    # resolved, no bills; plus the edge contact of Mar 2 09:59:59 (resolved, no handling time):
    # outside the pre window's hours, inside its days.
    assert row["pre_value"] == pytest.approx(7 * 5640 * usd_per_second / (7 * 5 + 1))
    assert row["pre_sample_size"] == 7
    # Post days Mar 9 .. 15: inference bills of 28 .. 34 USD (the project bill is no run cost).
    # Mar 10 .. 15: phase 7 (human, 810 s) and phase 1 (escalated, 630 s), 7 of 8 resolved.
    # Mar 9: phases 5, 6, 7 before the 10:00 go-live (human: 750 + 780 + 810 s; 5 and 7
    # resolved), then phases 0 .. 4 live (phase 1 escalated, 630 s; 1 .. 4 resolved).
    run = sum(20.0 + offset for offset in range(8, 15))
    seconds = 6 * (810 + 630) + (750 + 780 + 810) + 630
    resolved = 6 * 7 + 2 + 4
    assert row["post_value"] == pytest.approx((run + seconds * usd_per_second) / resolved)
    assert row["post_sample_size"] == 7


def test_a_rebuild_gives_the_same_numbers(built: Warehouse, actual: pd.DataFrame) -> None:
    built.dbt("run", "--select", "int_baseline_statistics", "baseline_comparison")
    again = built.frame("select * from marts.baseline_comparison").set_index(
        ["ai_system", "metric_name"]
    )
    # Equal up to the last bits: sums may add the same rows in another order.
    pd.testing.assert_frame_equal(again.loc[actual.index], actual, check_exact=False, rtol=1e-12)
