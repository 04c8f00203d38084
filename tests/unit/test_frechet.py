"""The Fréchet distance against an independent computation of the same formula."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from orchestration.lib.frechet import frechet_distance


def reference_fid(real: np.ndarray, generated: np.ndarray) -> float:
    """The trace of sqrtm(S_r S_g) by the eigenvalue route: S_r S_g is similar to the symmetric
    sqrt(S_r) S_g sqrt(S_r), so Tr sqrtm(S_r S_g) = sum of the square roots of its eigenvalues."""
    mu_r, mu_g = real.mean(axis=0), generated.mean(axis=0)
    s_r = np.atleast_2d(np.cov(real, rowvar=False))
    s_g = np.atleast_2d(np.cov(generated, rowvar=False))
    values, vectors = linalg.eigh(s_r)
    root_r = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = linalg.eigh(root_r @ s_g @ root_r, eigvals_only=True)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(np.sum((mu_r - mu_g) ** 2) + np.trace(s_r) + np.trace(s_g) - 2 * trace_root)


@pytest.mark.parametrize("dimension", [1, 3, 8, 16])
def test_agrees_with_the_eigenvalue_route(dimension: int) -> None:
    rng = np.random.default_rng(dimension)
    mixing = rng.normal(size=(dimension, dimension))
    real = rng.normal(size=(400, dimension)) @ mixing
    generated = 0.3 + 1.3 * rng.normal(size=(300, dimension)) @ mixing.T
    assert frechet_distance(real, generated) == pytest.approx(
        reference_fid(real, generated), abs=1e-8, rel=0
    )


def test_identical_sets_are_at_distance_zero() -> None:
    vectors = np.random.default_rng(1).normal(size=(50, 8))
    assert frechet_distance(vectors, vectors.copy()) == pytest.approx(0.0, abs=1e-8)


def test_equal_covariances_leave_the_squared_mean_difference() -> None:
    """A shifted copy has the same sample covariance: FID = ||shift||² exactly."""
    real = np.random.default_rng(2).normal(size=(40, 5))
    shift = np.array([0.5, -1.0, 0.0, 2.0, 0.25])
    assert frechet_distance(real, real + shift) == pytest.approx(shift @ shift, abs=1e-8)


def test_a_set_of_fewer_than_two_vectors_has_no_distance() -> None:
    vectors = np.ones((5, 3)) + np.arange(15).reshape(5, 3) ** 2
    assert frechet_distance(vectors[:1], vectors) is None
    assert frechet_distance(vectors, vectors[:1]) is None
    assert frechet_distance(vectors[:0], vectors) is None


def test_more_dimensions_than_vectors_still_give_a_finite_distance() -> None:
    """Singular covariances: the product's square root is the known numerical trouble spot."""
    rng = np.random.default_rng(3)
    real, generated = rng.normal(size=(5, 20)), rng.normal(size=(6, 20)) + 0.1
    distance = frechet_distance(real, generated)
    assert distance is not None and np.isfinite(distance) and distance > 0
    assert distance == pytest.approx(reference_fid(real, generated), rel=1e-6)


def test_sets_of_different_dimensions_are_an_error() -> None:
    with pytest.raises(ValueError, match="dimension 3, generated ones 2"):
        frechet_distance(np.zeros((3, 3)), np.zeros((3, 2)))
