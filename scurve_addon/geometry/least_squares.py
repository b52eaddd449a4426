"""A small Levenberg-Marquardt solver (numpy only: Blender's Python has no scipy), and the
squared sine of the angle between two normals with its derivative, which the edge fit's
residuals are made of (docs/design.md, "The limit-surface fit")."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Vec3 = tuple[np.ndarray, np.ndarray, np.ndarray]  # x, y, z components of a vector field


def levenberg_marquardt(residuals: Callable[[np.ndarray], np.ndarray],
                        jacobian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
                        x: np.ndarray, iterations: int = 60, tolerance: float = 1e-9) -> np.ndarray:
    """Minimise |residuals(x)|^2 from x. `jacobian(x)` returns (r, dr/dx) at x, `residuals(x)`
    only r (for trial steps). Marquardt's scaling (damping by the diagonal of J^T J); stops when
    no step helps or three steps in a row each lower the sum by less than `tolerance` of it."""
    lam = 1e-3
    small = 0
    r, jac = jacobian(x)
    f = float(r @ r)
    for _ in range(iterations):
        g = jac.T @ r
        hess = jac.T @ jac
        diag = np.diag(np.diag(hess) + 1e-12 * max(float(np.diag(hess).max()), 1e-300))
        for _ in range(12):
            step = np.linalg.solve(hess + lam * diag, -g)
            r2 = residuals(x + step)
            f2 = float(r2 @ r2)
            if f2 < f:
                break
            lam *= 4.0
        else:
            return x  # no step lowers the sum: a minimum (to the solver's resolution)
        x = x + step
        lam = max(lam / 3.0, 1e-9)
        small = small + 1 if f - f2 <= tolerance * f else 0
        f = f2
        if small == 3:
            return x
        r, jac = jacobian(x)
    return x


def cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _dot(a: Vec3, b: Vec3) -> np.ndarray:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _expand(a: Vec3) -> Vec3:
    """A trailing axis on each component, to broadcast against derivatives."""
    return a[0][..., None], a[1][..., None], a[2][..., None]


def sine_squared(a: Vec3, b: Vec3) -> np.ndarray:
    """sin^2 of the angle between the vector fields a and b, |a x b|^2 / (|a|^2 |b|^2) (the
    cross product keeps small angles accurate, unlike 1 - cos^2)."""
    c = cross(a, b)
    return _dot(c, c) / (_dot(a, a) * _dot(b, b))


def sine_squared_derivative(a: Vec3, b: Vec3, da: Vec3, db: Vec3) -> tuple[np.ndarray, np.ndarray]:
    """sine_squared(a, b) and its derivatives from da, db (the derivatives of each component,
    with the unknowns on a trailing axis)."""
    c = cross(a, b)
    aa, bb, cc = _dot(a, a), _dot(b, b), _dot(c, c)
    q = cc / (aa * bb)
    ea, eb, ec = _expand(a), _expand(b), _expand(c)
    dc = (da[1] * eb[2] + ea[1] * db[2] - da[2] * eb[1] - ea[2] * db[1],
          da[2] * eb[0] + ea[2] * db[0] - da[0] * eb[2] - ea[0] * db[2],
          da[0] * eb[1] + ea[0] * db[1] - da[1] * eb[0] - ea[1] * db[0])
    dcc = 2.0 * _dot(ec, dc)
    daa = 2.0 * _dot(ea, da)
    dbb = 2.0 * _dot(eb, db)
    dq = dcc / (aa * bb)[..., None] - q[..., None] * (daa / aa[..., None] + dbb / bb[..., None])
    return q, dq
