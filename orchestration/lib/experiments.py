"""A/B experiment statistics (the output table marts.experiment_results): conversion rates,
the absolute and relative lift with their 95 % intervals, the pooled two-proportion z-test, the
sample-ratio-mismatch test, the incremental revenue, the verdict, and the CUPED estimate of the
absolute lift.

The intervals are normal (value ± z·standard error), with the plug-in variance p(1 − p)/n of a
proportion, as the output contract writes them. CUPED (Deng et al., 2013) subtracts from each unit's
outcome Y (converted, 0/1) the part a pre-assignment covariate X (completed orders before
assignment) predicts, Y' = Y − θ(X − mean X) with θ = cov(Y, X) / var(X) over both arms: X cannot
depend on the variant, so the lift of Y' estimates the same effect with less variance. Variances
here are plug-in ones (divided by n), so that without a covariate CUPED gives exactly the plain
interval; the revenue interval is Welch's (sample variances, divided by n − 1).

Undefined is None, never 0 (or NaN): an arm without units has no rate, a zero control rate no
relative lift, a sample of one no standard error.
"""

# The docstrings write formulas with typographic signs (minus, times) on purpose.
# ruff: noqa: RUF002

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A value with its 95 % interval (None where undefined)."""

    value: float | None
    low: float | None = None
    high: float | None = None


UNDEFINED = Estimate(None)


@dataclass(frozen=True)
class Units:
    """The analysed units of one experiment, one array element per unit."""

    is_treatment: np.ndarray
    is_converted: np.ndarray
    revenue_usd: np.ndarray
    pre_conversions: np.ndarray


@dataclass(frozen=True)
class Settings:
    """What the verdict and the intervals need: the planned split, the two test levels and the
    z of the intervals (the dbt var ci_z)."""

    expected_treatment_share: float
    experiment_alpha: float
    srm_alpha: float
    z: float


@dataclass(frozen=True)
class Cuped:
    theta: float | None
    absolute_lift: Estimate
    variance_reduction: float | None


def normal_interval(value: float | None, standard_error: float | None, z: float) -> Estimate:
    """value ± z·standard_error; the value alone when the standard error is undefined."""
    if value is None:
        return UNDEFINED
    if standard_error is None:
        return Estimate(value)
    return Estimate(value, value - z * standard_error, value + z * standard_error)


def rate(successes: int, units: int) -> float | None:
    return successes / units if units > 0 else None


def absolute_lift(
    conversions_treatment: int, n_treatment: int, conversions_control: int, n_control: int, z: float
) -> Estimate:
    """p_t − p_c ± z·√(p_t(1 − p_t)/n_t + p_c(1 − p_c)/n_c): the Wald interval."""
    p_t, p_c = rate(conversions_treatment, n_treatment), rate(conversions_control, n_control)
    if p_t is None or p_c is None:
        return UNDEFINED
    variance = p_t * (1 - p_t) / n_treatment + p_c * (1 - p_c) / n_control
    return normal_interval(p_t - p_c, math.sqrt(variance), z)


def relative_lift(
    conversions_treatment: int, n_treatment: int, conversions_control: int, n_control: int, z: float
) -> Estimate:
    """p_t/p_c − 1 with the delta-method interval
    ± z·√(p_t(1 − p_t)/(n_t·p_c²) + p_t²·p_c(1 − p_c)/(n_c·p_c⁴)); undefined when p_c is 0."""
    p_t, p_c = rate(conversions_treatment, n_treatment), rate(conversions_control, n_control)
    if p_t is None or not p_c:
        return UNDEFINED
    variance = p_t * (1 - p_t) / (n_treatment * p_c**2) + p_t**2 * p_c * (1 - p_c) / (
        n_control * p_c**4
    )
    return normal_interval(p_t / p_c - 1, math.sqrt(variance), z)


def two_proportion_p_value(
    conversions_treatment: int, n_treatment: int, conversions_control: int, n_control: int
) -> float | None:
    """Two-sided p-value of the z-test with the pooled rate under the null of equal rates;
    undefined when an arm is empty or every unit (or none) converted."""
    if n_treatment == 0 or n_control == 0:
        return None
    pooled = (conversions_treatment + conversions_control) / (n_treatment + n_control)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n_treatment + 1 / n_control))
    if standard_error == 0:
        return None
    difference = conversions_treatment / n_treatment - conversions_control / n_control
    return float(2 * stats.norm.sf(abs(difference / standard_error)))


def sample_ratio_p_value(
    n_control: int, n_treatment: int, expected_treatment_share: float
) -> float | None:
    """Chi-square goodness of fit of the observed split against the planned one: a tiny p-value
    says the assignment itself is broken, whatever the lift looks like."""
    total = n_control + n_treatment
    if total == 0 or not 0 < expected_treatment_share < 1:
        return None
    expected = [total * (1 - expected_treatment_share), total * expected_treatment_share]
    return float(stats.chisquare([n_control, n_treatment], f_exp=expected).pvalue)


def incremental_revenue(
    revenue_treatment: np.ndarray, revenue_control: np.ndarray, z: float
) -> Estimate:
    """(mean revenue per treatment unit − mean per control unit) × n_treatment: what the
    treatment earned beyond what its units would have brought as control units, with Welch's
    standard error of the difference scaled alike (undefined below 2 units in an arm)."""
    n_t, n_c = len(revenue_treatment), len(revenue_control)
    if n_t == 0 or n_c == 0:
        return UNDEFINED
    difference = float(np.mean(revenue_treatment) - np.mean(revenue_control))
    standard_error = None
    if n_t >= 2 and n_c >= 2:
        variance = np.var(revenue_treatment, ddof=1) / n_t + np.var(revenue_control, ddof=1) / n_c
        standard_error = float(math.sqrt(variance)) * n_t
    return normal_interval(difference * n_t, standard_error, z)


def cuped(units: Units, z: float) -> Cuped:
    """The CUPED absolute lift (see the module docstring) with its interval, θ, and the variance
    reduction 1 − var(Y')/var(Y) over both arms. Without variance in X, θ is 0 and the estimate
    is the plain one."""
    treatment = units.is_treatment.astype(bool)
    n_t, n_c = int(treatment.sum()), int((~treatment).sum())
    if n_t == 0 or n_c == 0:
        return Cuped(None, UNDEFINED, None)
    y = units.is_converted.astype(float)
    x = units.pre_conversions.astype(float)
    centred_x = x - x.mean()
    variance_x = float(np.mean(centred_x**2))
    theta = float(np.mean(centred_x * (y - y.mean())) / variance_x) if variance_x > 0 else 0.0
    adjusted = y - theta * centred_x
    lift = float(adjusted[treatment].mean() - adjusted[~treatment].mean())
    variance = adjusted[treatment].var() / n_t + adjusted[~treatment].var() / n_c
    variance_y = float(y.var())
    reduction = 1 - float(adjusted.var()) / variance_y if variance_y > 0 else None
    return Cuped(theta, normal_interval(lift, float(math.sqrt(variance)), z), reduction)


def verdict(
    p_value: float | None, srm_p_value: float | None, lift: float | None, settings: Settings
) -> str:
    """invalid when the split is implausible (then no lift can be trusted), else a significant
    win or loss by the sign of the lift, else inconclusive."""
    if srm_p_value is not None and srm_p_value < settings.srm_alpha:
        return "invalid"
    if p_value is not None and lift is not None and p_value < settings.experiment_alpha:
        if lift > 0:
            return "significant_win"
        if lift < 0:
            return "significant_loss"
    return "inconclusive"


def experiment_statistics(units: Units, settings: Settings) -> dict[str, object]:
    """Every statistic of an experiment's row in marts.experiment_results, by column name."""
    treatment = units.is_treatment.astype(bool)
    converted = units.is_converted.astype(bool)
    n_t, n_c = int(treatment.sum()), int((~treatment).sum())
    x_t, x_c = int(converted[treatment].sum()), int(converted[~treatment].sum())
    absolute = absolute_lift(x_t, n_t, x_c, n_c, settings.z)
    relative = relative_lift(x_t, n_t, x_c, n_c, settings.z)
    p_value = two_proportion_p_value(x_t, n_t, x_c, n_c)
    srm_p_value = sample_ratio_p_value(n_c, n_t, settings.expected_treatment_share)
    revenue = units.revenue_usd.astype(float)
    increment = incremental_revenue(revenue[treatment], revenue[~treatment], settings.z)
    adjusted = cuped(units, settings.z)
    return {
        "n_control": n_c,
        "n_treatment": n_t,
        "conversions_control": x_c,
        "conversions_treatment": x_t,
        "rate_control": rate(x_c, n_c),
        "rate_treatment": rate(x_t, n_t),
        "absolute_lift": absolute.value,
        "absolute_lift_ci_low": absolute.low,
        "absolute_lift_ci_high": absolute.high,
        "relative_lift": relative.value,
        "relative_lift_ci_low": relative.low,
        "relative_lift_ci_high": relative.high,
        "p_value": p_value,
        "srm_p_value": srm_p_value,
        "incremental_revenue_usd": increment.value,
        "incremental_revenue_ci_low": increment.low,
        "incremental_revenue_ci_high": increment.high,
        "verdict": verdict(p_value, srm_p_value, absolute.value, settings),
        "cuped_theta": adjusted.theta,
        "cuped_absolute_lift": adjusted.absolute_lift.value,
        "cuped_absolute_lift_ci_low": adjusted.absolute_lift.low,
        "cuped_absolute_lift_ci_high": adjusted.absolute_lift.high,
        "cuped_variance_reduction": adjusted.variance_reduction,
    }
