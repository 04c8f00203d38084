"""marts.experiment_results on a real DuckDB file, built by real dbt
(`dbt build --select +experiment_results`: the models, their data tests and unit tests).

Two warehouses:

- Hand-made experiments whose every unit's outcome is worked out by hand next to its orders
  (the window's closed end, one second past it, a pending order, refunds, an EUR order, orders
  before assignment, an experiment_settings override, a unit in two experiments, a
  reassignment, an open window); every column of the mart is compared with statsmodels, scipy
  and closed formulas over those outcomes. A unit reassigned to the other variant reaches raw
  as the loader leaves it (the earlier row 'replaced': the contract's key is experiment_id and
  unit_id), so staging sees one assignment; the first-assignment rule of int_experiment_units
  for units seen in both variants is covered by its dbt unit test.
- A simulation study: 1,000 experiments with known true lifts (half of them none), written as
  Parquet into a landing folder and loaded by the real loader; the intervals' coverage, the
  z-test's false positives and the sample-ratio test's rejections must be what 95 % intervals
  and 5 % tests promise.
"""

# The docstrings and comments write formulas with typographic signs on purpose.
# ruff: noqa: RUF002, RUF003

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from orchestration.lib import ingest
from tests.integration.test_dbt_models import (
    SALT,
    Warehouse,
    Z,
    create_raw_schema,
    insert_raw,
    rate_on,
)

# statsmodels' intervals at the coverage of ± Z, so that they use the same z as the warehouse.
ALPHA = 2 * stats.norm.sf(Z)
# The seed's settings (dbt_project/seeds/settings.csv).
EXPERIMENT_ALPHA, SRM_ALPHA = 0.05, 0.001
SELECT = ("build", "--select", "+experiment_results", "--indirect-selection", "cautious")


def build(warehouse: Warehouse, label: str) -> None:
    """One dbt build of the experiment models and everything upstream (with their tests only:
    cautious selection leaves out tests that also read unselected models)."""
    seconds = warehouse.dbt(*SELECT)
    print(f"dbt build +experiment_results ({label}): {seconds:.1f} s")


def hashed(unit_id: str) -> str:
    return hashlib.sha256(f"{SALT}{unit_id}".encode()).hexdigest()


def null_or_close(actual: object, expected: object, label: str) -> None:
    if expected is None:
        assert actual is None or pd.isna(actual), label
    elif isinstance(expected, str | datetime):
        assert actual == expected, label
    else:
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), label


# --- Hand-made experiments ---------------------------------------------------------------------

A = datetime(2026, 3, 2, 10)  # exp_a's assignments (a Monday)
B = A + timedelta(days=1)  # exp_b's
LATEST_REVENUE = A + timedelta(days=12)  # an unrelated order: the revenue data's last instant
EUR = rate_on("EUR", (A + timedelta(days=3)).date())
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Order:
    after: timedelta  # from the unit's assignment (negative: before it)
    amount: float
    status: str | None = "completed"
    currency: str = "USD"


@dataclass(frozen=True)
class Unit:
    """A unit's assignment, its orders, and its outcome worked out by hand."""

    experiment_id: str
    unit_id: str
    variant: str
    assigned_at: datetime
    orders: tuple[Order, ...] = ()
    converted: bool = False
    revenue_usd: float = 0.0
    pre_conversions: int = 0
    window_open: bool = False


def control(experiment: str, unit: str, at: datetime, *orders: Order, **outcome) -> Unit:
    return Unit(experiment, unit, "control", at, orders, **outcome)


def treatment(experiment: str, unit: str, at: datetime, *orders: Order, **outcome) -> Unit:
    return Unit(experiment, unit, "treatment", at, orders, **outcome)


SECOND = timedelta(seconds=1)
UNITS = [
    # exp_a: the defaults (7-day window, 50 % treatment).
    control("exp_a", "ca1", A, Order(DAY, 30.0), converted=True, revenue_usd=30.0),
    control(
        "exp_a",
        "ca2",
        A + timedelta(hours=1),
        Order(2 * DAY, 25.0),
        Order(-5 * DAY, 10.0),
        converted=True,
        revenue_usd=25.0,
        pre_conversions=1,
    ),
    # An order before assignment: the CUPED covariate, no conversion.
    control("exp_a", "ca3", A, Order(-5 * DAY, 12.0), pre_conversions=1),
    # A refund filed with a positive amount inside the window: revenue negative, no conversion.
    control("exp_a", "ca4", A, Order(3 * DAY, 15.0, "refunded"), revenue_usd=-15.0),
    control("exp_a", "ca5", A + timedelta(hours=2)),
    control("exp_a", "ca6", A),
    # Two orders in the 28-day look-back, one just before it.
    control(
        "exp_a",
        "ca7",
        A,
        Order(-10 * DAY, 5.0),
        Order(-28 * DAY + SECOND, 5.0),
        Order(-28 * DAY - SECOND, 5.0),
        pre_conversions=2,
    ),
    # In exp_a and exp_b: its one order counts in both windows.
    control("exp_a", "sh1", A, Order(2 * DAY, 60.0), converted=True, revenue_usd=60.0),
    # Exactly at the window's end: a conversion; one second later: none.
    treatment("exp_a", "ta1", A, Order(7 * DAY, 40.0), converted=True, revenue_usd=40.0),
    treatment("exp_a", "ta2", A, Order(7 * DAY + SECOND, 40.0)),
    treatment("exp_a", "ta3", A, Order(DAY, 99.0, "pending")),
    # A missing status means completed; a refund filed negative counts negative too.
    treatment(
        "exp_a",
        "ta4",
        A,
        Order(DAY, 50.0, None),
        Order(2 * DAY, -10.0, "refunded"),
        converted=True,
        revenue_usd=40.0,
    ),
    treatment(
        "exp_a",
        "ta5",
        A,
        Order(3 * DAY, 20.0, currency="EUR"),
        converted=True,
        revenue_usd=20 * EUR,
    ),
    # Assigned late: its window ends after the last revenue row, still counted as assigned.
    treatment("exp_a", "ta6", A + 6 * DAY, window_open=True),
    treatment(
        "exp_a",
        "ta7",
        A + timedelta(hours=3),
        Order(DAY, 35.0),
        Order(-DAY, 35.0),
        converted=True,
        revenue_usd=35.0,
        pre_conversions=1,
    ),
    # Reassigned from control (see REASSIGNED): the current assignment counts.
    treatment("exp_a", "ta8", A, Order(DAY, 45.0), converted=True, revenue_usd=45.0),
    treatment("exp_a", "ta9", A + timedelta(hours=4)),
    # exp_b: the override's 3-day window and 60 % treatment share.
    control("exp_b", "cb1", B, Order(2 * DAY, 10.0), converted=True, revenue_usd=10.0),
    control("exp_b", "cb2", B, Order(4 * DAY, 10.0)),  # inside 7 days, not inside 3
    control("exp_b", "cb3", B),
    treatment("exp_b", "tb1", B, Order(3 * DAY, 20.0), converted=True, revenue_usd=20.0),
    treatment("exp_b", "tb2", B, Order(3 * DAY + SECOND, 20.0)),
    # sh1's order of exp_a, one day after this assignment.
    treatment("exp_b", "sh1", B, converted=True, revenue_usd=60.0),
    treatment("exp_b", "tb3", B, Order(-2 * DAY, 8.0), pre_conversions=1),
    treatment("exp_b", "tb4", B),
    # exp_c: no control conversion (no relative lift), no covariate (CUPED is the plain lift).
    control("exp_c", "cc1", A),
    control("exp_c", "cc2", A),
    treatment("exp_c", "tc1", A, Order(DAY, 70.0), converted=True, revenue_usd=70.0),
    treatment("exp_c", "tc2", A),
]
REASSIGNED = {"experiment_id": "exp_a", "unit_id": "ta8", "variant": "control"}
SETTINGS = {"exp_b": (0.6, 3)}  # expected_treatment_share, conversion_window_days
SYSTEMS = {"exp_a": "bot_a", "exp_b": "bot_b", "exp_c": "bot_a"}


def raw_rows() -> tuple[list[dict], list[dict]]:
    assignments, orders = [], []
    for unit in UNITS:
        assignments.append(
            {
                "experiment_id": unit.experiment_id,
                "ai_system": SYSTEMS[unit.experiment_id],
                "unit_id": unit.unit_id,
                "variant": unit.variant,
                "assigned_at": unit.assigned_at,
            }
        )
        for number, order in enumerate(unit.orders):
            orders.append(
                {
                    "order_id": f"{unit.experiment_id}-{unit.unit_id}-{number}",
                    "customer_id": unit.unit_id,
                    "occurred_at": unit.assigned_at + order.after,
                    "amount": order.amount,
                    "currency": order.currency,
                    "status": order.status,
                }
            )
    orders.append(
        {
            "order_id": "latest",
            "customer_id": "someone_else",
            "occurred_at": LATEST_REVENUE,
            "amount": 1.0,
            "currency": "USD",
            "status": "completed",
        }
    )
    return assignments, orders


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("experiments")
    warehouse = Warehouse(root / "warehouse" / "warehouse.duckdb", root / "work")
    warehouse.path.parent.mkdir()
    assignments, orders = raw_rows()
    with duckdb.connect(str(warehouse.path)) as con:
        create_raw_schema(con)
        insert_raw(con, "experiments", assignments)
        earlier = {**REASSIGNED, "ai_system": "bot_a", "assigned_at": A - timedelta(hours=1)}
        insert_raw(con, "experiments", [earlier], "replaced")
        insert_raw(con, "revenue", orders)
        # The override as the loader leaves it: text.
        con.executemany(
            "insert into raw.reference_experiment_settings"
            " (experiment_id, expected_treatment_share, conversion_window_days) values (?, ?, ?)",
            [(key, str(share), str(days)) for key, (share, days) in SETTINGS.items()],
        )
    build(warehouse, "hand-made")
    return warehouse


def test_units_have_the_outcomes_worked_out_by_hand(handmade: Warehouse) -> None:
    actual = handmade.frame("select * from intermediate.int_experiment_units")
    assert len(actual) == len(UNITS)
    rows = {(r.experiment_id, r.unit_id): r for r in actual.itertuples()}
    for unit in UNITS:
        row = rows[(unit.experiment_id, hashed(unit.unit_id))]
        label = f"{unit.experiment_id}/{unit.unit_id}"
        window_days = SETTINGS.get(unit.experiment_id, (0.5, 7))[1]
        assert (row.variant, row.assigned_at) == (unit.variant, unit.assigned_at), label
        assert row.conversion_window_days == window_days, label
        assert row.window_ends_at == unit.assigned_at + timedelta(days=window_days), label
        assert bool(row.is_converted) == unit.converted, label
        assert row.revenue_usd == pytest.approx(unit.revenue_usd, abs=1e-9), label
        assert row.pre_conversions == unit.pre_conversions, label
        assert bool(row.is_window_open) == unit.window_open, label
        assert not row.is_in_both_variants, label


def expected_row(experiment_id: str) -> dict[str, object]:
    """The mart's row of an experiment from the hand-worked outcomes, by statsmodels, scipy and
    the closed formulas of the output contract (marts.experiment_results' columns)."""
    units = [u for u in UNITS if u.experiment_id == experiment_id]
    share, window_days = SETTINGS.get(experiment_id, (0.5, 7))
    is_t = np.array([u.variant == "treatment" for u in units])
    y = np.array([u.converted for u in units], dtype=float)
    revenue = np.array([u.revenue_usd for u in units])
    x = np.array([u.pre_conversions for u in units], dtype=float)
    n_t, n_c = int(is_t.sum()), int((~is_t).sum())
    x_t, x_c = int(y[is_t].sum()), int(y[~is_t].sum())
    p_t, p_c = x_t / n_t, x_c / n_c
    low, high = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="wald", alpha=ALPHA)
    _, p_value = proportions_ztest([x_t, x_c], [n_t, n_c])
    srm = stats.chisquare([n_c, n_t], [(n_c + n_t) * (1 - share), (n_c + n_t) * share]).pvalue
    relative_lift = half_width = None
    if p_c > 0:
        relative_lift = p_t / p_c - 1
        half_width = Z * math.sqrt(
            p_t * (1 - p_t) / (n_t * p_c**2) + p_t**2 * p_c * (1 - p_c) / (n_c * p_c**4)
        )
    increment = (revenue[is_t].mean() - revenue[~is_t].mean()) * n_t
    welch = n_t * math.sqrt(revenue[is_t].var(ddof=1) / n_t + revenue[~is_t].var(ddof=1) / n_c)
    # CUPED: θ is the slope of Y on X alone; the lift of Y' and its plug-in (HC0) error come
    # from Y' on the treatment dummy. Without variance in X, θ is 0.
    theta = sm.OLS(y, sm.add_constant(x)).fit().params[1] if x.var() > 0 else 0.0
    adjusted = y - theta * (x - x.mean())
    on_t = sm.OLS(adjusted, sm.add_constant(is_t.astype(float))).fit(cov_type="HC0")
    if srm < SRM_ALPHA:
        verdict = "invalid"
    elif p_value < EXPERIMENT_ALPHA:
        verdict = "significant_win" if p_t > p_c else "significant_loss"
    else:
        verdict = "inconclusive"
    return {
        "experiment_id": experiment_id,
        "ai_system": SYSTEMS[experiment_id],
        "n_control": n_c,
        "n_treatment": n_t,
        "conversions_control": x_c,
        "conversions_treatment": x_t,
        "rate_control": p_c,
        "rate_treatment": p_t,
        "absolute_lift": p_t - p_c,
        "absolute_lift_ci_low": low,
        "absolute_lift_ci_high": high,
        "relative_lift": relative_lift,
        "relative_lift_ci_low": None if half_width is None else relative_lift - half_width,
        "relative_lift_ci_high": None if half_width is None else relative_lift + half_width,
        "p_value": p_value,
        "srm_p_value": srm,
        "incremental_revenue_usd": increment,
        "verdict": verdict,
        "expected_treatment_share": share,
        "conversion_window_days": window_days,
        "first_assigned_at": min(u.assigned_at for u in units),
        "last_assigned_at": max(u.assigned_at for u in units),
        "units_window_open": sum(u.window_open for u in units),
        "units_in_both_variants": 0,
        "incremental_revenue_ci_low": increment - Z * welch,
        "incremental_revenue_ci_high": increment + Z * welch,
        "cuped_theta": theta,
        "cuped_absolute_lift": on_t.params[1],
        "cuped_absolute_lift_ci_low": on_t.params[1] - Z * on_t.bse[1],
        "cuped_absolute_lift_ci_high": on_t.params[1] + Z * on_t.bse[1],
        "cuped_variance_reduction": 1 - adjusted.var() / y.var(),
    }


def test_every_column_matches_independent_statistics(handmade: Warehouse) -> None:
    actual = handmade.frame("select * from marts.experiment_results order by experiment_id")
    assert list(actual["experiment_id"]) == ["exp_a", "exp_b", "exp_c"]
    for row in actual.to_dict("records"):
        expected = expected_row(row["experiment_id"])
        assert list(row) == list(expected)  # the contract's columns, in order
        for column, value in expected.items():
            null_or_close(row[column], value, f"{row['experiment_id']}.{column}")


def test_undefined_statistics_are_null(handmade: Warehouse) -> None:
    exp_c = handmade.frame("select * from marts.experiment_results where experiment_id = 'exp_c'")
    row = exp_c.iloc[0]
    assert row["rate_control"] == 0
    assert pd.isna(row["relative_lift"]) and pd.isna(row["relative_lift_ci_low"])
    assert (row["cuped_theta"], row["cuped_variance_reduction"]) == (0, 0)
    assert row["cuped_absolute_lift_ci_low"] == pytest.approx(row["absolute_lift_ci_low"])


# --- Simulation study ----------------------------------------------------------------------------

SIM_SEED = 20260105
SIM_EXPERIMENTS = 1000
SIM_START = np.datetime64("2026-01-05T00:00:00", "us")
DAY_US = 86_400_000_000
ASSIGNMENT_DAYS = 14
REPEAT_SHARE = 0.35  # units with earlier orders
RATE_PER_EARLIER_ORDER = 0.1  # conversion probability added per earlier order (up to 4)
MEAN_AMOUNT = 55.0  # order amounts are uniform on [10, 100]


@dataclass(frozen=True)
class Simulation:
    truth: pd.DataFrame  # experiment_id, true_lift
    experiments: pd.DataFrame
    revenue: pd.DataFrame


def simulate(seed: int = SIM_SEED, experiments: int = SIM_EXPERIMENTS) -> Simulation:
    """Experiments of 600–1,200 units assigned by a fair coin over two weeks. A unit converts
    (one completed order inside its 7-day window) with probability base + 0.1 × min(X, 4) +
    lift if treated, X its completed orders in the 27 days before assignment (repeat buyers
    have 1 + Poisson(1.5), the others rarely any): X predicts conversion, as CUPED needs, and
    the true absolute lift is `lift` whatever X is. Half the experiments have lift 0, the other
    half a lift uniform on [0.01, 0.06]; base is uniform on [0.03, 0.12], so control rates lie
    around 0.1–0.2."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.03, 0.12, experiments)
    lift = np.where(np.arange(experiments) % 2 == 0, 0.0, rng.uniform(0.01, 0.06, experiments))
    experiment = np.repeat(np.arange(experiments), rng.integers(600, 1201, experiments))
    units = len(experiment)
    is_treatment = rng.random(units) < 0.5
    earlier = np.where(
        rng.random(units) < REPEAT_SHARE, 1 + rng.poisson(1.5, units), rng.poisson(0.03, units)
    )
    assigned_at = SIM_START + rng.integers(0, ASSIGNMENT_DAYS * DAY_US, units).astype("m8[us]")
    probability = (
        base[experiment]
        + RATE_PER_EARLIER_ORDER * np.minimum(earlier, 4)
        + lift[experiment] * is_treatment
    )
    converted = np.flatnonzero(rng.random(units) < probability)
    previous = np.repeat(np.arange(units), earlier)
    unit_ids = np.char.add("u", np.arange(units).astype(str))
    customers = np.concatenate([unit_ids[converted], unit_ids[previous]])
    occurred_at = np.concatenate(
        [
            assigned_at[converted] + rng.integers(0, 7 * DAY_US, len(converted)).astype("m8[us]"),
            assigned_at[previous]
            - rng.integers(1_000_000, 27 * DAY_US, len(previous)).astype("m8[us]"),
        ]
    )
    names = np.char.add("sim", np.char.zfill(np.arange(experiments).astype(str), 4))
    return Simulation(
        truth=pd.DataFrame({"experiment_id": names, "true_lift": lift}),
        experiments=pd.DataFrame(
            {
                "experiment_id": names[experiment],
                "ai_system": "bot_sim",
                "unit_id": unit_ids,
                "variant": np.where(is_treatment, "treatment", "control"),
                "assigned_at": assigned_at,
            }
        ),
        revenue=pd.DataFrame(
            {
                "order_id": np.char.add("o", np.arange(len(customers)).astype(str)),
                "customer_id": customers,
                "occurred_at": occurred_at,
                "amount": np.round(rng.uniform(10, 100, len(customers)), 2),
                "currency": "USD",
                "status": "completed",
            }
        ),
    )


def write_landing(simulation: Simulation, landing: Path) -> list[tuple[str, date]]:
    """One Parquet file per entity and UTC day, in date= folders; returns the partitions.
    A last order well after every window closes them all."""
    closing = pd.DataFrame(
        [["closing", "nobody", SIM_START + 40 * DAY_US, 1.0, "USD", "completed"]],
        columns=simulation.revenue.columns,
    )
    partitions = []
    entities = {
        "experiments": (simulation.experiments, "assigned_at"),
        "revenue": (pd.concat([simulation.revenue, closing], ignore_index=True), "occurred_at"),
    }
    for entity, (frame, column) in entities.items():
        for day, rows in frame.groupby(frame[column].dt.date):
            folder = landing / entity / f"date={day}"
            folder.mkdir(parents=True)
            rows.to_parquet(folder / "part.parquet", index=False)
            partitions.append((entity, day))
    return partitions


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Simulation, pd.DataFrame]:
    root = tmp_path_factory.mktemp("simulation")
    simulation = simulate()
    partitions = write_landing(simulation, root / "landing")
    warehouse = Warehouse(root / "warehouse" / "warehouse.duckdb", root / "work")
    warehouse.path.parent.mkdir()
    with duckdb.connect(str(warehouse.path)) as con:
        ingest.ensure_tables(con)
        for entity, day in partitions:
            loaded = ingest.load_partition(con, entity, root / "landing", day)
            assert loaded.rows_quarantined == 0, loaded
    print(
        f"simulation: {len(simulation.truth)} experiments, {len(simulation.experiments)} units,"
        f" {len(simulation.revenue)} orders in {len(partitions)} landing partitions"
    )
    build(warehouse, "simulation")
    results = warehouse.frame("select * from marts.experiment_results")
    return simulation, results.merge(simulation.truth, on="experiment_id", validate="1:1")


def share_covering(results: pd.DataFrame, low: str, high: str, truth: pd.Series) -> float:
    return float(((results[low] <= truth) & (truth <= results[high])).mean())


def test_simulation_intervals_cover_and_tests_keep_their_level(simulated) -> None:
    simulation, results = simulated
    assert len(results) == SIM_EXPERIMENTS
    assert results["units_window_open"].sum() == 0
    assert (results["n_control"] + results["n_treatment"]).sum() == len(simulation.experiments)
    truth = results["true_lift"]
    null = results[truth == 0]
    # E[revenue | treated] − E[revenue | control] = lift × the mean amount, per treatment unit.
    true_increment = truth * MEAN_AMOUNT * results["n_treatment"]
    measured = {
        "absolute lift coverage": share_covering(
            results, "absolute_lift_ci_low", "absolute_lift_ci_high", truth
        ),
        "CUPED lift coverage": share_covering(
            results, "cuped_absolute_lift_ci_low", "cuped_absolute_lift_ci_high", truth
        ),
        "incremental revenue coverage": share_covering(
            results, "incremental_revenue_ci_low", "incremental_revenue_ci_high", true_increment
        ),
        "false positives (p < 0.05, no effect)": float((null["p_value"] < 0.05).mean()),
        "SRM p < 0.05 (fair coin)": float((results["srm_p_value"] < 0.05).mean()),
    }
    width = results["absolute_lift_ci_high"] - results["absolute_lift_ci_low"]
    cuped_width = results["cuped_absolute_lift_ci_high"] - results["cuped_absolute_lift_ci_low"]
    print(f"simulation of {SIM_EXPERIMENTS} experiments ({len(null)} without effect):")
    for name, value in measured.items():
        print(f"  {name}: {value:.3f}")
    print(
        f"  mean CUPED variance reduction: {results['cuped_variance_reduction'].mean():.3f};"
        f" CUPED interval width / plain: {(cuped_width / width).mean():.3f}"
    )
    print(f"  verdicts: {results['verdict'].value_counts().to_dict()}")
    assert 0.93 <= measured["absolute lift coverage"] <= 0.97
    assert 0.93 <= measured["CUPED lift coverage"] <= 0.97
    assert 0.93 <= measured["incremental revenue coverage"] <= 0.97
    assert 0.03 <= measured["false positives (p < 0.05, no effect)"] <= 0.07
    assert 0.02 <= measured["SRM p < 0.05 (fair coin)"] <= 0.08
    # The covariate does its job: CUPED's intervals are narrower than the plain ones.
    assert (cuped_width < width).mean() > 0.99
