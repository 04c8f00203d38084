"""Pre/post statistics of a deployment (marts.baseline_comparison): the value of a metric in a
window with its sampling variance, the change from the pre to the post window and, against a
control program, the difference-in-differences (DiD), each with a 95 % interval.

Intervals are normal (value ± z·√variance) where the estimate has a variance: for a change, the
two windows are independent samples, so their variances add; for a DiD, so do the two changes'.
That is the interaction coefficient of an OLS `y ~ treated * post` with heteroscedasticity-robust
errors (HC2 for means; HC0 for proportions, whose variance p(1 − p)/n is the plug-in one). A
median has no such variance: its changes get a percentile bootstrap, each window resampled on its
own, with a fixed seed so that a rebuild gives the same numbers.

Undefined is None, never 0: a window without units has no value, and then neither a change nor
a DiD; fewer than 2 units give a value without an interval.
"""

# The docstrings write formulas with typographic signs (minus, times) on purpose.
# ruff: noqa: RUF002

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

# 2,000 resamples put the bootstrap's own noise on a 95 % bound well below the sampling error of
# any window worth comparing; the seed makes a rebuild reproduce the interval exactly.
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260907


@dataclass(frozen=True)
class Estimate:
    """A window's value, its sampling variance (None where undefined or not normal) and the
    number of units behind it."""

    value: float | None
    variance: float | None
    sample_size: int


@dataclass(frozen=True)
class Change:
    """A change (post − pre) or a DiD with its 95 % interval; variance where it is normal, so
    that a DiD can add two changes' variances."""

    value: float | None
    low: float | None = None
    high: float | None = None
    variance: float | None = None


UNDEFINED = Change(None)


@dataclass(frozen=True)
class Comparison:
    """Everything marts.baseline_comparison reports for one deployment and metric; the control
    fields are None (and the control change and DiD undefined) without a control program."""

    pre: Estimate
    post: Estimate
    change: Change
    control_pre: Estimate | None = None
    control_post: Estimate | None = None
    control_change: Change = UNDEFINED
    did: Change = UNDEFINED


def _values(values: ArrayLike) -> np.ndarray:
    """The non-null values as floats (nulls arrive as NaN or None from a frame)."""
    array = np.asarray(values, dtype=float)
    return array[~np.isnan(array)]


# --- window estimates


def mean_estimate(values: ArrayLike) -> Estimate:
    """Mean with variance s²/n (s the sample standard deviation, ddof 1)."""
    x = _values(values)
    if len(x) == 0:
        return Estimate(None, None, 0)
    variance = float(x.var(ddof=1)) / len(x) if len(x) >= 2 else None
    return Estimate(float(x.mean()), variance, len(x))


def proportion_estimate(flags: ArrayLike) -> Estimate:
    """Share of true flags with variance p(1 − p)/n."""
    x = _values(flags)
    if len(x) == 0:
        return Estimate(None, None, 0)
    p = float(x.mean())
    return Estimate(p, p * (1 - p) / len(x), len(x))


def median_estimate(values: ArrayLike) -> Estimate:
    """Median, linearly interpolated (numpy's default percentile); no variance: its changes
    take the bootstrap."""
    x = _values(values)
    if len(x) == 0:
        return Estimate(None, None, 0)
    return Estimate(_median(x), None, len(x))


def ratio_estimate(numerators: ArrayLike, denominators: ArrayLike) -> Estimate:
    """Ratio of sums R = Σc / Σr over sampling units (days), with the ratio estimator's
    delta-method variance Σ(c − R·r)² / ((n − 1) · n · r̄²).

    A ratio of sums, not a mean of daily ratios: a day with few resolutions weighs little. None
    when Σr is 0; no variance with fewer than 2 units.
    """
    c = np.asarray(numerators, dtype=float)
    r = np.asarray(denominators, dtype=float)
    n = len(c)
    if n == 0 or r.sum() == 0:
        return Estimate(None, None, n)
    ratio = float(c.sum() / r.sum())
    if n < 2:
        return Estimate(ratio, None, n)
    variance = float(((c - ratio * r) ** 2).sum() / ((n - 1) * n * r.mean() ** 2))
    return Estimate(ratio, variance, n)


# --- changes and DiD with normal intervals


def _normal(value: float | None, variance: float | None, z: float) -> Change:
    """value ± z·√variance; no bounds without a variance."""
    if value is None:
        return UNDEFINED
    if variance is None:
        return Change(value)
    half = z * float(np.sqrt(variance))
    return Change(value, value - half, value + half, variance)


def _sum(*variances: float | None) -> float | None:
    """Variance of a sum or difference of independent terms; None if any is unknown."""
    return None if any(v is None for v in variances) else float(sum(variances))


def normal_change(pre: Estimate, post: Estimate, z: float) -> Change:
    """post − pre ± z·√(var_pre + var_post): the windows are independent samples."""
    if pre.value is None or post.value is None:
        return UNDEFINED
    return _normal(post.value - pre.value, _sum(pre.variance, post.variance), z)


def normal_did(treated: Change, control: Change, z: float) -> Change:
    """treated change − control change ± z·√(var_treated + var_control)."""
    if treated.value is None or control.value is None:
        return UNDEFINED
    return _normal(treated.value - control.value, _sum(treated.variance, control.variance), z)


def compare_normal(
    pre: Estimate,
    post: Estimate,
    control_pre: Estimate | None,
    control_post: Estimate | None,
    z: float,
) -> Comparison:
    """The comparison of estimates with a variance (means, proportions, ratios); control_pre
    and control_post are None without a control program."""
    change = normal_change(pre, post, z)
    if control_pre is None or control_post is None:
        return Comparison(pre, post, change)
    control_change = normal_change(control_pre, control_post, z)
    did = normal_did(change, control_change, z)
    return Comparison(pre, post, change, control_pre, control_post, control_change, did)


# --- medians: percentile bootstrap


def confidence_level(z: float) -> float:
    """The two-sided coverage of ± z (0.95 for z = 1.959964), so that z is set in one place."""
    return float(2 * stats.norm.cdf(z) - 1)


def _median(x: np.ndarray) -> float:
    return float(np.percentile(x, 50))


def bootstrap_medians(ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The medians of BOOTSTRAP_RESAMPLES resamples (n values with replacement) of the sorted
    values, each drawn in constant time instead of by resampling n values.

    A resample is ordered[⌈n·Uᵢ⌉ − 1] for n uniforms Uᵢ, and ⌈n·u⌉ keeps their order: its k-th
    smallest value is ordered[⌈n·U⌉ − 1] with U the k-th smallest uniform, Beta(k, n − k + 1),
    and its next one that of U + (1 − U)·V, V the least of the other n − k uniforms rescaled to
    (U, 1): Beta(1, n − k). numpy's median is the middle value (n odd, k = (n + 1)/2) or the mean
    of the two middle ones (n even, k = n/2), so these are distributed as resampled medians.
    """
    n = len(ordered)
    k = (n + 1) // 2
    lower = rng.beta(k, n - k + 1, BOOTSTRAP_RESAMPLES)

    def value(u: np.ndarray) -> np.ndarray:
        return ordered[np.clip(np.ceil(n * u).astype(np.int64), 1, n) - 1]

    if n % 2:
        return value(lower)
    upper = lower + (1 - lower) * rng.beta(1, n - k, BOOTSTRAP_RESAMPLES)
    return (value(lower) + value(upper)) / 2


def _median_change(pre: ArrayLike, post: ArrayLike) -> ArrayLike:
    return np.subtract(post, pre)


def _median_did(
    pre: ArrayLike, post: ArrayLike, control_pre: ArrayLike, control_post: ArrayLike
) -> ArrayLike:
    return np.subtract(_median_change(pre, post), _median_change(control_pre, control_post))


def bootstrap(
    samples: Sequence[ArrayLike], statistic: Callable[..., ArrayLike], z: float
) -> Change:
    """statistic of the samples' medians with its percentile-bootstrap interval at the coverage
    of ± z: the statistic of BOOTSTRAP_RESAMPLES resampled medians per sample (each window
    resampled on its own: independent windows), its quantiles the bounds.

    Samples are sorted first, so the seeded draws, and hence the bounds, do not depend on the
    order rows were read in. None when a sample is empty; no bounds when one has fewer than 2
    values.
    """
    arrays = [np.sort(_values(sample)) for sample in samples]
    if any(len(a) == 0 for a in arrays):
        return UNDEFINED
    value = float(statistic(*(_median(a) for a in arrays)))
    if any(len(a) < 2 for a in arrays):
        return Change(value)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = statistic(*(bootstrap_medians(a, rng) for a in arrays))
    tail = 100 * (1 - confidence_level(z)) / 2
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Change(value, float(low), float(high))


def compare_medians(
    pre: ArrayLike,
    post: ArrayLike,
    control_pre: ArrayLike | None,
    control_post: ArrayLike | None,
    z: float,
) -> Comparison:
    """The comparison of medians from the windows' values: the change and the control's change
    by a bootstrap of the difference of medians, the DiD by a bootstrap of the difference of
    those differences (all four windows resampled)."""
    estimates = median_estimate(pre), median_estimate(post)
    change = bootstrap([pre, post], _median_change, z)
    if control_pre is None or control_post is None:
        return Comparison(*estimates, change)
    control_change = bootstrap([control_pre, control_post], _median_change, z)
    did = bootstrap([pre, post, control_pre, control_post], _median_did, z)
    return Comparison(
        *estimates,
        change,
        median_estimate(control_pre),
        median_estimate(control_post),
        control_change,
        did,
    )
