"""Uniform cubic B-splines with the end rule of a Catmull-Clark open boundary.

On a regular quad grid Catmull-Clark is the bicubic uniform B-spline. Blender's
Subdivision Surface modifier (boundary smooth 'Keep Corners') treats an open boundary
as a sharp crease and keeps corners: across the boundary the limit surface behaves as
if a phantom control point x[-1] = 2 x[0] - x[1] existed, so it interpolates x[0] and
has zero curvature there. The limit position of control point k is then
(x[k-1] + 4 x[k] + x[k+1]) / 6 inside, and x[k] at both ends: a tridiagonal operator.
"""
from __future__ import annotations

import numpy as np


def limit_positions(x: np.ndarray) -> np.ndarray:
    """Apply the 1-D limit stencil along axis 0 (ends stay put)."""
    x = np.asarray(x, dtype=float)
    out = x.copy()
    out[1:-1] = (x[:-2] + 4.0 * x[1:-1] + x[2:]) / 6.0
    return out


def interpolate(values: np.ndarray) -> np.ndarray:
    """Control points whose limit positions equal `values` (along axis 0).

    Solves the tridiagonal system with the Thomas algorithm, vectorised over the
    trailing axes; the matrix is strictly diagonally dominant, so no pivoting is needed.
    """
    d = np.array(values, dtype=float)
    n = d.shape[0]
    if n <= 2:
        return d
    a, b, c = 1.0 / 6.0, 4.0 / 6.0, 1.0 / 6.0
    # Row 0 and row n-1 are identity rows: move their known values to the right-hand side.
    rhs = d[1:-1].copy()
    rhs[0] -= a * d[0]
    rhs[-1] -= c * d[-1]
    m = n - 2
    # The sweeps are sequential, so they run on Python floats (the same IEEE double
    # operations in the same order as numpy's, without its per-element call overhead):
    # the factors once, then each trailing column.
    cp = [c / b] + [0.0] * (m - 1)
    denoms = [b] * m
    for i in range(1, m):
        denoms[i] = b - a * cp[i - 1]
        cp[i] = c / denoms[i]
    columns = rhs.reshape(m, int(np.prod(rhs.shape[1:]))).T.tolist()
    for col in columns:
        col[0] = col[0] / b
        for i in range(1, m):
            col[i] = (col[i] - a * col[i - 1]) / denoms[i]
        for i in range(m - 2, -1, -1):
            col[i] -= cp[i] * col[i + 1]
    d[1:-1] = np.array(columns, dtype=float).T.reshape(rhs.shape)
    return d


def _basis(tau: np.ndarray, derivative: int = 0) -> np.ndarray:
    """The four uniform cubic B-spline weights of a span at local parameter tau in [0, 1],
    or their first or second derivatives with respect to tau."""
    if derivative == 0:
        w = [(1 - tau) ** 3, 3 * tau**3 - 6 * tau**2 + 4, -3 * tau**3 + 3 * tau**2 + 3 * tau + 1, tau**3]
    elif derivative == 1:
        w = [-3 * (1 - tau) ** 2, 9 * tau**2 - 12 * tau, -9 * tau**2 + 6 * tau + 3, 3 * tau**2]
    elif derivative == 2:
        w = [6 * (1 - tau), 18 * tau - 12, -18 * tau + 6, 6 * tau]
    else:
        raise ValueError("derivative must be 0, 1 or 2")
    return np.stack(w, axis=-1) / 6.0


def evaluate(x: np.ndarray, t: np.ndarray, derivative: int = 0) -> np.ndarray:
    """The limit curve of control points x (axis 0) at knot parameters t in [0, len(x)-1],
    or its first or second derivative with respect to t (one knot span = one unit of t).

    The curve is linear in x, so evaluate(np.eye(len(x)), t) is the (len(t), len(x)) basis
    matrix with the end rule folded in."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0] - 1
    padded = np.concatenate([2 * x[:1] - x[1:2], x, 2 * x[-1:] - x[-2:-1]])
    t = np.clip(np.asarray(t, dtype=float), 0.0, n)
    k = np.minimum(np.floor(t).astype(int), n - 1)
    w = _basis(t - k, derivative)
    out = np.zeros(t.shape + x.shape[1:])
    for m in range(4):
        wm = w[..., m].reshape(t.shape + (1,) * (x.ndim - 1))
        out += wm * padded[k + m]
    return out
