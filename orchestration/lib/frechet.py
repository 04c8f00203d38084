"""The Fréchet distance between two sets of feature vectors: the `fid` metric (docs/metrics.md).

FID = ||mu_r - mu_g||² + Tr(S_r + S_g - 2 sqrtm(S_r S_g)), with the sample means and the sample
covariances (ddof=1) of the real and the generated vectors, computed as the reference
implementation does (pytorch-fid's `calculate_frechet_distance`), so that a user can compare the
warehouse's numbers with the ones their own tooling prints.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

# Added to both covariances' diagonals when sqrtm of their product is not finite (a singular
# product: fewer vectors than dimensions, or a constant feature), as pytorch-fid does.
EPS = 1e-6


def frechet_distance(real: np.ndarray, generated: np.ndarray) -> float | None:
    """FID of two sets of vectors, one vector per row; None when a set has fewer than 2 vectors
    (its sample covariance is undefined).

    Both sets must have the same dimension (the number of columns). Rounding can push the
    distance of (nearly) identical sets a hair below 0: it is reported as 0, the true minimum.
    """
    real, generated = np.atleast_2d(real).astype(float), np.atleast_2d(generated).astype(float)
    if real.shape[1] != generated.shape[1]:
        raise ValueError(
            f"real vectors have dimension {real.shape[1]}, generated ones {generated.shape[1]}"
        )
    if len(real) < 2 or len(generated) < 2:
        return None
    mu_r, mu_g = real.mean(axis=0), generated.mean(axis=0)
    s_r = np.atleast_2d(np.cov(real, rowvar=False, ddof=1))
    s_g = np.atleast_2d(np.cov(generated, rowvar=False, ddof=1))
    with warnings.catch_warnings():
        # sqrtm warns on every singular product; pytorch-fid silences it too (disp=False) and
        # relies on the finiteness check below.
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(s_r @ s_g)
        if not np.isfinite(covmean).all():
            offset = np.eye(len(s_r)) * EPS
            covmean = linalg.sqrtm((s_r + offset) @ (s_g + offset))
    diff = mu_r - mu_g
    distance = diff @ diff + np.trace(s_r) + np.trace(s_g) - 2 * np.trace(np.real(covmean))
    return max(float(distance), 0.0)
