"""orchestration/lib/baselines.py against independent references.

- Changes and differences-in-differences of means and of proportions against the coefficients
  and intervals of statsmodels OLS fits (`y ~ post`, `y ~ treated * post`) with robust errors:
  in a saturated design HC2 is Σ s_g²/n_g (unbiased s_g), the variance of a mean; HC0 is
  Σ p_g(1 − p_g)/n_g, the variance of a proportion.
- The ratio estimator's variance against a hand computation.
- The resampled medians, drawn from order statistics, against the exact distribution of a
  resampled median (binomial counts) and against resampling n values in full.
- The bootstrap interval of a median change covering a known shift, and not depending on the
  order of the values.
"""

# ruff: noqa: RUF002, RUF003

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from orchestration.lib.baselines import (
    BOOTSTRAP_RESAMPLES,
    UNDEFINED,
    Change,
    Estimate,
    bootstrap_medians,
    compare_medians,
    compare_normal,
    confidence_level,
    mean_estimate,
    normal_change,
    proportion_estimate,
    ratio_estimate,
)

# statsmodels' normal intervals use the exact 97.5 % quantile; so do the comparisons with it.
EXACT_Z = float(stats.norm.ppf(0.975))
Z = 1.959964
# (treated, post) -> group size; unequal sizes, so that no formula is right by symmetry.
SIZES = {(1, 0): 40, (1, 1): 55, (0, 0): 33, (0, 1): 61}


def groups(kind: str) -> dict[tuple[int, int], np.ndarray]:
    rng = np.random.default_rng(11)
    shift = {(1, 0): 0.0, (1, 1): 0.6, (0, 0): 0.1, (0, 1): 0.2}
    if kind == "mean":
        return {g: rng.normal(3 + shift[g], 1 + g[0], n) for g, n in SIZES.items()}
    return {g: (rng.random(n) < 0.4 + shift[g] / 2).astype(float) for g, n in SIZES.items()}


def fit(data: dict[tuple[int, int], np.ndarray], formula: str, cov_type: str):
    frame = pd.concat(
        pd.DataFrame({"y": y, "treated": treated, "post": post})
        for (treated, post), y in data.items()
    )
    return smf.ols(formula, frame).fit(cov_type=cov_type)


def coefficient(result, term: str) -> tuple[float, float, float]:
    low, high = result.conf_int(alpha=0.05).loc[term]
    return float(result.params[term]), float(low), float(high)


def comparison(data: dict[tuple[int, int], np.ndarray], estimate, z: float = EXACT_Z):
    return compare_normal(
        estimate(data[(1, 0)]),
        estimate(data[(1, 1)]),
        estimate(data[(0, 0)]),
        estimate(data[(0, 1)]),
        z=z,
    )


def as_tuple(change: Change) -> tuple:
    return change.value, change.low, change.high


@pytest.mark.parametrize(
    ("kind", "estimate", "cov_type"),
    [("mean", mean_estimate, "HC2"), ("proportion", proportion_estimate, "HC0")],
)
def test_did_is_the_interaction_of_a_robust_ols(kind: str, estimate, cov_type: str) -> None:
    data = groups(kind)
    result = comparison(data, estimate)
    reference = coefficient(fit(data, "y ~ treated * post", cov_type), "treated:post")
    assert as_tuple(result.did) == pytest.approx(reference, rel=1e-10)


@pytest.mark.parametrize(
    ("kind", "estimate", "cov_type"),
    [("mean", mean_estimate, "HC2"), ("proportion", proportion_estimate, "HC0")],
)
def test_changes_are_the_post_coefficient_of_a_robust_ols(kind: str, estimate, cov_type) -> None:
    data = groups(kind)
    result = comparison(data, estimate)
    treated = {(0, 0): data[(1, 0)], (0, 1): data[(1, 1)]}
    control = {(0, 0): data[(0, 0)], (0, 1): data[(0, 1)]}
    for change, windows in ((result.change, treated), (result.control_change, control)):
        reference = coefficient(fit(windows, "y ~ post", cov_type), "post")
        assert as_tuple(change) == pytest.approx(reference, rel=1e-10)


def test_hc2_of_a_saturated_design_is_the_sum_of_the_means_variances() -> None:
    """The identity the mean's interval rests on: HC2's leverage 1/n_g turns the residuals'
    Σ e²/n_g² into Σ e²/((n_g − 1) n_g) = s_g²/n_g. For 0/1 outcomes that is
    p(1 − p)/(n_g − 1), hence HC0 (p(1 − p)/n_g) for proportions."""
    means = groups("mean")
    hc2 = fit(means, "y ~ treated * post", "HC2").bse["treated:post"] ** 2
    assert hc2 == pytest.approx(sum(y.var(ddof=1) / len(y) for y in means.values()), rel=1e-10)
    shares = groups("proportion")
    hc2 = fit(shares, "y ~ treated * post", "HC2").bse["treated:post"] ** 2
    hc0 = fit(shares, "y ~ treated * post", "HC0").bse["treated:post"] ** 2
    assert hc2 == pytest.approx(
        sum(y.mean() * (1 - y.mean()) / (len(y) - 1) for y in shares.values())
    )
    assert hc0 == pytest.approx(sum(y.mean() * (1 - y.mean()) / len(y) for y in shares.values()))


def test_ratio_estimator_variance_by_hand() -> None:
    # R = 60 / 7; residuals c − R r = 10/7, 20/7, −30/7, Σ = 1400/49; n = 3, r̄ = 7/3:
    # var = (1400/49) / (2 · 3 · 49/9) = 300/343.
    estimate = ratio_estimate([10.0, 20.0, 30.0], [1, 2, 4])
    assert estimate == Estimate(pytest.approx(60 / 7), pytest.approx(300 / 343), 3)


def test_ratio_is_undefined_without_resolutions_and_has_no_variance_from_one_day() -> None:
    assert ratio_estimate([5.0, 7.0], [0, 0]) == Estimate(None, None, 2)
    assert ratio_estimate([], []) == Estimate(None, None, 0)
    assert ratio_estimate([12.0], [4]) == Estimate(3.0, None, 1)


def test_ratio_change_adds_the_windows_variances() -> None:
    pre, post = ratio_estimate([10.0, 20.0, 30.0], [1, 2, 4]), ratio_estimate([8.0, 9.0], [2, 3])
    change = normal_change(pre, post, Z)
    half = Z * np.sqrt(pre.variance + post.variance)
    assert as_tuple(change) == pytest.approx(
        (17 / 5 - 60 / 7, 17 / 5 - 60 / 7 - half, 17 / 5 - 60 / 7 + half)
    )


def test_undefined_windows_give_nulls_not_zeros() -> None:
    # containment_rate before go-live: no AI conversations in the pre window.
    result = compare_normal(
        proportion_estimate([]),
        proportion_estimate([1, 1, 0]),
        proportion_estimate([1, 0]),
        proportion_estimate([1, 0, 1]),
        z=Z,
    )
    assert result.pre == Estimate(None, None, 0)
    assert result.change == UNDEFINED
    assert result.control_change.value == pytest.approx(2 / 3 - 1 / 2)
    assert result.did == UNDEFINED


def test_one_unit_gives_a_value_without_an_interval() -> None:
    change = normal_change(mean_estimate([4.0]), mean_estimate([3.0, 5.0, np.nan]), Z)
    assert change == Change(0.0)


def test_without_a_control_the_control_columns_are_undefined() -> None:
    result = compare_normal(mean_estimate([1.0, 2.0]), mean_estimate([2.0, 4.0]), None, None, Z)
    assert result.control_pre is None and result.control_post is None
    assert result.control_change == UNDEFINED and result.did == UNDEFINED
    medians = compare_medians([1.0, 2.0], [3.0, 4.0], None, None, Z)
    assert medians.control_change == UNDEFINED and medians.did == UNDEFINED


def test_z_sets_the_bootstrap_level() -> None:
    assert confidence_level(Z) == pytest.approx(0.95, abs=1e-8)


def shifted_samples(shift: float) -> tuple[np.ndarray, ...]:
    """Resolution times: skewed, the post window's drawn from the pre's law moved by shift."""
    rng = np.random.default_rng(3)
    return (
        rng.exponential(600, 400) + 60,
        rng.exponential(600, 500) + 60 + shift,
        rng.exponential(300, 300) + 30,
        rng.exponential(300, 350) + 30,
    )


def test_bootstrap_interval_covers_a_known_shift_of_the_median() -> None:
    pre, post, control_pre, control_post = shifted_samples(-200.0)
    result = compare_medians(pre, post, control_pre, control_post, Z)
    assert result.pre.value == np.percentile(pre, 50)
    assert result.change.value == pytest.approx(np.median(post) - np.median(pre))
    assert result.change.low < -200 < result.change.high
    assert result.did.low < -200 < result.did.high
    assert result.control_change.low < 0 < result.control_change.high
    # Not a point: the interval has the width of the samples' noise.
    assert 20 < result.change.high - result.change.low < 400


def test_bootstrap_is_reproducible_whatever_the_row_order() -> None:
    samples = shifted_samples(-200.0)
    first = compare_medians(*samples, z=Z)
    rng = np.random.default_rng(99)
    shuffled = [rng.permutation(sample) for sample in samples]
    assert compare_medians(*shuffled, z=Z) == first


def test_bootstrap_needs_two_values_for_an_interval_and_one_for_a_value() -> None:
    assert compare_medians([5.0], [7.0, 9.0], None, None, Z).change == Change(3.0)
    assert compare_medians([], [7.0, 9.0], None, None, Z).change == UNDEFINED


def resampled_medians(ordered: np.ndarray, batches: int = 100) -> np.ndarray:
    rng = np.random.default_rng(11)
    return np.concatenate([bootstrap_medians(ordered, rng) for _ in range(batches)])


def test_resampled_medians_of_an_odd_sample_follow_the_exact_distribution() -> None:
    """With n odd the resampled median is the k-th smallest draw, k = (n + 1)/2, and it is at
    most the j-th value when at least k of the n draws are: P = P(Binomial(n, j/n) ≥ k)."""
    ordered = np.arange(15.0) * 10
    n, k = len(ordered), 8
    draws = resampled_medians(ordered)
    assert len(draws) == 100 * BOOTSTRAP_RESAMPLES
    at_most = stats.binom.sf(k - 1, n, np.arange(n + 1) / n)
    expected = np.diff(at_most) * len(draws)
    counts = np.array([(draws == value).sum() for value in ordered])
    assert counts.sum() == len(draws)
    big = expected >= 5  # chi-square needs populated cells; the tails hold almost nothing
    observed = np.append(counts[big], counts[~big].sum())
    wanted = np.append(expected[big], expected[~big].sum())
    assert stats.chisquare(observed, wanted).pvalue > 1e-3


def test_resampled_medians_of_an_even_sample_with_ties_match_full_resampling() -> None:
    """With n even the median is the mean of the two middle draws: compared with the medians of
    resamples of all n values (numpy), value by value."""
    ordered = np.sort(np.array([3.0, 3.0, 5.0, 8.0, 8.0, 8.0, 13.0, 21.0, 21.0, 34.0, 55.0, 89.0]))
    direct = resampled_medians(ordered)
    rng = np.random.default_rng(12)
    full = np.median(rng.choice(ordered, size=(len(direct), len(ordered))), axis=1)
    values, inverse = np.unique(np.concatenate([direct, full]), return_inverse=True)
    table = np.stack([np.bincount(part, minlength=len(values)) for part in np.split(inverse, 2)])
    populated = table.min(axis=0) >= 5
    assert populated.sum() >= 10
    assert stats.chi2_contingency(table[:, populated]).pvalue > 1e-3
