"""orchestration/lib/experiments.py against independent implementations: statsmodels' z-test and
Wald interval, scipy's chi-square, the delta-method formula written out here, and OLS
regressions for CUPED (whose θ is the slope of Y on X, and whose lift and plug-in standard error
are the treatment coefficient and its HC0 error of Y' on the treatment dummy)."""

# The comments write formulas with minus signs on purpose.
# ruff: noqa: RUF003

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from orchestration.lib.experiments import (
    Settings,
    Units,
    absolute_lift,
    cuped,
    experiment_statistics,
    incremental_revenue,
    relative_lift,
    sample_ratio_p_value,
    two_proportion_p_value,
    verdict,
)

Z = 1.959964
# The coverage of ± Z, so that statsmodels' intervals use the same z.
ALPHA = 2 * stats.norm.sf(Z)
SETTINGS = Settings(expected_treatment_share=0.5, experiment_alpha=0.05, srm_alpha=0.001, z=Z)
COUNTS = [
    # conversions_treatment, n_treatment, conversions_control, n_control
    (60, 400, 45, 410),
    (12, 1000, 30, 990),
    (0, 50, 3, 60),
    (150, 300, 149, 301),
]


@pytest.mark.parametrize(("x_t", "n_t", "x_c", "n_c"), COUNTS)
def test_absolute_lift_is_the_wald_interval(x_t: int, n_t: int, x_c: int, n_c: int) -> None:
    lift = absolute_lift(x_t, n_t, x_c, n_c, Z)
    low, high = confint_proportions_2indep(
        x_t, n_t, x_c, n_c, method="wald", compare="diff", alpha=ALPHA
    )
    assert lift.value == pytest.approx(x_t / n_t - x_c / n_c, abs=1e-15)
    assert (lift.low, lift.high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize(("x_t", "n_t", "x_c", "n_c"), COUNTS)
def test_p_value_is_the_pooled_z_test(x_t: int, n_t: int, x_c: int, n_c: int) -> None:
    _, expected = proportions_ztest([x_t, x_c], [n_t, n_c])
    assert two_proportion_p_value(x_t, n_t, x_c, n_c) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("x_t", "n_t", "x_c", "n_c"), COUNTS)
def test_relative_lift_by_the_delta_method(x_t: int, n_t: int, x_c: int, n_c: int) -> None:
    p_t, p_c = x_t / n_t, x_c / n_c
    # Var(p_t/p_c) ≈ Var(p_t)/p_c² + p_t²·Var(p_c)/p_c⁴ (first-order Taylor expansion).
    half_width = Z * math.sqrt(
        (p_t * (1 - p_t) / n_t) / p_c**2 + p_t**2 * (p_c * (1 - p_c) / n_c) / p_c**4
    )
    lift = relative_lift(x_t, n_t, x_c, n_c, Z)
    assert lift.value == pytest.approx(p_t / p_c - 1, rel=1e-12)
    assert lift.low == pytest.approx(p_t / p_c - 1 - half_width, rel=1e-12)
    assert lift.high == pytest.approx(p_t / p_c - 1 + half_width, rel=1e-12)


def test_known_answers() -> None:
    # 10 % vs 5 % on 1,000 units each: lift 0.05 with SE √(0.09/1000 + 0.0475/1000).
    lift = absolute_lift(100, 1000, 50, 1000, Z)
    assert lift.value == pytest.approx(0.05)
    assert lift.high - lift.value == pytest.approx(Z * math.sqrt(0.1375 / 1000))
    assert relative_lift(100, 1000, 50, 1000, Z).value == pytest.approx(1.0)
    # A perfect 50/50 split has chi-square 0, p-value 1; 600 vs 400 has chi-square 40.
    assert sample_ratio_p_value(500, 500, 0.5) == pytest.approx(1.0)
    assert sample_ratio_p_value(400, 600, 0.5) == pytest.approx(stats.chi2.sf(40, 1))


@pytest.mark.parametrize(
    ("n_c", "n_t", "share"), [(500, 500, 0.5), (520, 480, 0.5), (380, 620, 0.6), (90, 10, 0.2)]
)
def test_sample_ratio_mismatch_is_scipys_chisquare(n_c: int, n_t: int, share: float) -> None:
    total = n_c + n_t
    expected = stats.chisquare([n_c, n_t], [total * (1 - share), total * share]).pvalue
    assert sample_ratio_p_value(n_c, n_t, share) == pytest.approx(expected, rel=1e-12)


def test_undefined_is_none_never_zero() -> None:
    assert absolute_lift(0, 0, 5, 10, Z).value is None
    assert relative_lift(5, 10, 0, 10, Z).value is None  # p_c = 0
    assert two_proportion_p_value(0, 10, 0, 10) is None  # no conversions: no variance
    assert two_proportion_p_value(10, 10, 10, 10) is None
    assert sample_ratio_p_value(0, 0, 0.5) is None
    assert incremental_revenue(np.array([]), np.array([1.0]), Z).value is None
    single = incremental_revenue(np.array([5.0]), np.array([1.0, 2.0]), Z)
    assert (single.value, single.low, single.high) == (3.5, None, None)
    statistics = experiment_statistics(
        Units(*(np.array([], dtype=t) for t in (bool, bool, float, int))), SETTINGS
    )
    assert statistics["n_control"] == statistics["n_treatment"] == 0
    defined = {k: v for k, v in statistics.items() if v is not None}
    assert defined == {
        "n_control": 0,
        "n_treatment": 0,
        "conversions_control": 0,
        "conversions_treatment": 0,
        "verdict": "inconclusive",
    }


def test_incremental_revenue_uses_welch_standard_error() -> None:
    rng = np.random.default_rng(7)
    treatment, control = rng.exponential(12.0, 300), rng.exponential(10.0, 350)
    estimate = incremental_revenue(treatment, control, Z)
    welch = stats.ttest_ind(treatment, control, equal_var=False)
    difference = treatment.mean() - control.mean()
    standard_error = difference / welch.statistic
    assert estimate.value == pytest.approx(difference * 300, rel=1e-12)
    assert estimate.high - estimate.value == pytest.approx(Z * standard_error * 300, rel=1e-9)


@pytest.mark.parametrize(
    ("p_value", "srm_p_value", "lift", "expected"),
    [
        (0.01, 0.0005, 0.1, "invalid"),
        (0.01, 0.5, 0.1, "significant_win"),
        (0.01, 0.5, -0.1, "significant_loss"),
        (0.05, 0.5, 0.1, "inconclusive"),
        (None, None, None, "inconclusive"),
        (0.2, 0.001, 0.1, "inconclusive"),  # srm_p_value equal to srm_alpha: not below it
    ],
)
def test_verdict(p_value, srm_p_value, lift, expected) -> None:
    assert verdict(p_value, srm_p_value, lift, SETTINGS) == expected


def simulated_units(seed: int, n: int = 4000, effect: float = 0.03) -> Units:
    """Repeat buyers (pre-assignment orders) convert more often: X predicts Y."""
    rng = np.random.default_rng(seed)
    treatment = rng.random(n) < 0.5
    pre = rng.poisson(np.where(rng.random(n) < 0.3, 2.0, 0.1))
    converted = rng.random(n) < 0.08 + 0.06 * np.minimum(pre, 3) + effect * treatment
    return Units(treatment, converted, rng.exponential(30.0, n) * converted, pre)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cuped_matches_ols(seed: int) -> None:
    units = simulated_units(seed)
    y = units.is_converted.astype(float)
    x = units.pre_conversions.astype(float)
    result = cuped(units, Z)
    # θ pooled over both arms is the OLS slope of Y on X alone; 1 − var(Y')/var(Y) its R².
    on_x = sm.OLS(y, sm.add_constant(x)).fit()
    assert result.theta == pytest.approx(on_x.params[1], rel=1e-9)
    assert result.variance_reduction == pytest.approx(on_x.rsquared, rel=1e-9)
    # The lift of Y' and its plug-in standard error: OLS of Y' on the treatment dummy, HC0.
    adjusted = y - on_x.params[1] * (x - x.mean())
    on_t = sm.OLS(adjusted, sm.add_constant(units.is_treatment.astype(float))).fit(cov_type="HC0")
    lift, standard_error = on_t.params[1], on_t.bse[1]
    estimate = result.absolute_lift
    assert estimate.value == pytest.approx(lift, rel=1e-9)
    assert (estimate.low, estimate.high) == pytest.approx(
        (lift - Z * standard_error, lift + Z * standard_error), rel=1e-9
    )
    # Not an identity, but close: the regression adjustment Y ~ T + (X − mean X) estimates θ
    # within the arms instead of over both.
    joint = sm.OLS(y, sm.add_constant(np.column_stack([units.is_treatment, x - x.mean()]))).fit()
    assert estimate.value == pytest.approx(joint.params[1], abs=2e-3)
    plain = absolute_lift(
        int(y[units.is_treatment].sum()),
        int(units.is_treatment.sum()),
        int(y[~units.is_treatment].sum()),
        int((~units.is_treatment).sum()),
        Z,
    )
    assert estimate.high - estimate.low < plain.high - plain.low


def test_cuped_without_covariate_variance_is_the_plain_estimate() -> None:
    units = simulated_units(4)
    flat = Units(units.is_treatment, units.is_converted, units.revenue_usd, np.zeros(4000))
    statistics = experiment_statistics(flat, SETTINGS)
    assert statistics["cuped_theta"] == 0.0
    assert statistics["cuped_variance_reduction"] == 0.0
    for end in ("", "_ci_low", "_ci_high"):
        assert statistics[f"cuped_absolute_lift{end}"] == pytest.approx(
            statistics[f"absolute_lift{end}"], rel=1e-12, abs=1e-15
        )


def test_experiment_statistics_counts_and_verdict() -> None:
    units = simulated_units(5, effect=0.08)
    statistics = experiment_statistics(units, SETTINGS)
    treatment = units.is_treatment
    assert statistics["n_treatment"] == treatment.sum()
    assert statistics["conversions_control"] == units.is_converted[~treatment].sum()
    assert statistics["rate_treatment"] == pytest.approx(units.is_converted[treatment].mean())
    assert statistics["p_value"] < 0.05
    assert statistics["verdict"] == "significant_win"
    for value in statistics.values():
        assert value is None or isinstance(value, int | float | str)
        assert not isinstance(value, float) or math.isfinite(value)
