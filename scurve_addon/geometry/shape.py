"""The analytic S-curve surface (docs/design.md, "The surface"), vectorised with numpy.

P(u, theta) = c(u) + A(u) * R * sin(theta) * n(u) + (0, 0, R * (1 - cos(theta)))

u in [-1, 1] runs along the length (y = u * L when straight), theta in [0, pi] up the
half circle. c is the centre line in plan, n its horizontal normal, A the profile.
A and c are odd, so a 180 degree turn about the vertical axis maps the surface onto itself.
"""
from __future__ import annotations

import math

import numpy as np

FOLD_MARGIN = 0.05  # refuse shapes whose offset curves come within 5 % of folding


def profile(u: np.ndarray, kind: str) -> np.ndarray:
    """A(u): how far the bulge has grown at u (A(0)=0, A(+-1)=+-1)."""
    u = np.asarray(u, dtype=float)
    if kind == "LINEAR":
        return u.copy()
    if kind == "SMOOTH":  # A'(0)=A''(0)=0, A'(+-1)=0
        u2 = u * u  # products, not powers: float powers cost 5x in the quality report's solve
        return u * u2 * (5.0 - 3.0 * u2) / 2.0
    raise ValueError(f"unknown profile {kind!r} (expected LINEAR or SMOOTH)")


def profile_slope(u: np.ndarray, kind: str) -> np.ndarray:
    """A'(u), the derivative of profile()."""
    u = np.asarray(u, dtype=float)
    if kind == "LINEAR":
        return np.ones_like(u)
    if kind == "SMOOTH":
        u2 = u * u
        return 7.5 * u2 * (1.0 - u2)
    raise ValueError(f"unknown profile {kind!r} (expected LINEAR or SMOOTH)")


def centre_line(u: np.ndarray, length: float, s_bend: float) -> tuple[np.ndarray, np.ndarray]:
    """c(u) and the unit horizontal normal n(u), both shape (k, 2).

    c(u) = (s_bend * sin(pi u), L u): an S in plan that returns to x=0 at the centre and
    at both ends, so the ends stay where the straight surface has them.
    """
    u = np.asarray(u, dtype=float)
    c = np.stack([s_bend * np.sin(np.pi * u), length * u], axis=-1)
    tangent = np.stack([s_bend * np.pi * np.cos(np.pi * u), np.full_like(u, length)], axis=-1)
    tangent /= np.linalg.norm(tangent, axis=-1, keepdims=True)
    normal = np.stack([tangent[..., 1], -tangent[..., 0]], axis=-1)  # (1, 0) when straight
    return c, normal


def plan_terms(u: np.ndarray, length: float, prof: str, s_bend: float) -> tuple[np.ndarray, np.ndarray]:
    """The u-dependent factors: c(u) and w(u) = A(u) n(u), each (k, 2)."""
    c, n = centre_line(u, length, s_bend)
    return c, profile(u, prof)[..., None] * n


def section_terms(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The theta-dependent factors: sin(theta) and 1 - cos(theta)."""
    theta = np.asarray(theta, dtype=float)
    return np.sin(theta), 1.0 - np.cos(theta)


def combine(c: np.ndarray, w: np.ndarray, s: np.ndarray, h: np.ndarray, radius: float) -> np.ndarray:
    """Tensor-product assembly: rows follow s/h (theta), columns follow c/w (u).

    Returns (len(s), len(c), 3). The surface is a sum of separable terms, which is what
    makes the limit-surface fit a handful of 1-D solves.
    """
    out = np.empty((len(s), len(c), 3))
    out[..., 0] = c[None, :, 0] + radius * s[:, None] * w[None, :, 0]
    out[..., 1] = c[None, :, 1] + radius * s[:, None] * w[None, :, 1]
    out[..., 2] = radius * h[:, None]
    return out


def surface_points(u: np.ndarray, theta: np.ndarray, radius: float, length: float,
                   prof: str = "LINEAR", s_bend: float = 0.0) -> np.ndarray:
    """P(u, theta) for matching arrays u, theta (any shape) -> (..., 3)."""
    u = np.asarray(u, dtype=float)
    theta = np.asarray(theta, dtype=float)
    c, w = plan_terms(u, length, prof, s_bend)
    s, h = section_terms(theta)
    return np.concatenate([c + radius * s[..., None] * w, radius * h[..., None]], axis=-1)


def surface_derivatives(u: np.ndarray, theta: np.ndarray, radius: float, length: float,
                        prof: str = "LINEAR", s_bend: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P, dP/du and dP/dtheta in closed form, for matching 1-D arrays u, theta -> three (k, 3).

    With w = A n: dP/du = (c' + R sin(theta) w', 0), w' = A' n + A n', and
    dP/dtheta = (R cos(theta) w, R sin(theta)). n is c' turned a quarter, so
    n' = (T'_y, -T'_x) with T = c'/|c'| and T' = (c'' - T (T . c'')) / |c'|.
    """
    u = np.asarray(u, dtype=float)
    theta = np.asarray(theta, dtype=float)
    a, da = profile(u, prof), profile_slope(u, prof)
    s, co = np.sin(theta), np.cos(theta)
    k = len(u)
    point, du, dt = np.empty((k, 3)), np.zeros((k, 3)), np.empty((k, 3))
    if s_bend == 0.0:  # c = (0, L u), n = (1, 0), n' = 0
        point[:, 0] = radius * s * a
        point[:, 1] = length * u
        du[:, 0] = radius * s * da
        du[:, 1] = length
        dt[:, 0] = radius * co * a
        dt[:, 1] = 0.0
    else:
        pu = np.pi * u
        c = np.stack([s_bend * np.sin(pu), length * u], axis=-1)
        dc = np.stack([s_bend * np.pi * np.cos(pu), np.full(k, length)], axis=-1)
        ddc = np.stack([-s_bend * np.pi**2 * np.sin(pu), np.zeros(k)], axis=-1)
        speed = np.linalg.norm(dc, axis=-1, keepdims=True)
        tangent = dc / speed
        dtangent = (ddc - tangent * (tangent * ddc).sum(-1, keepdims=True)) / speed
        n = np.stack([tangent[:, 1], -tangent[:, 0]], axis=-1)
        dn = np.stack([dtangent[:, 1], -dtangent[:, 0]], axis=-1)
        w = a[:, None] * n
        dw = da[:, None] * n + a[:, None] * dn
        point[:, :2] = c + radius * s[:, None] * w
        du[:, :2] = dc + radius * s[:, None] * dw
        dt[:, :2] = radius * co[:, None] * w
    point[:, 2] = radius * (1.0 - co)
    dt[:, 2] = radius * s
    return point, du, dt


def fold_margin(radius: float, length: float, prof: str, s_bend: float, samples: int = 4001) -> float:
    """Smallest stretch factor of the horizontal sections, min over u of 1 - d(u) kappa(u).

    A horizontal section at height theta is the offset curve c(u) + d n(u), d = A(u) R sin(theta);
    it folds where 1 - d kappa <= 0 (kappa: curvature of c towards n). The factor is linear in d,
    so the worst case is d = A(u) R (sin theta = 1) or d = 0.
    """
    if s_bend == 0.0:
        return 1.0
    u = np.linspace(-1.0, 1.0, samples)
    # c = (b sin(pi u), L u); kappa (signed, towards n) = x''(y) / (1 + x'(y)^2)^1.5, y = L u
    b, k = s_bend, np.pi / length
    dx = b * k * np.cos(np.pi * u)
    ddx = -b * k * k * np.sin(np.pi * u)
    kappa = ddx / (1.0 + dx * dx) ** 1.5
    stretch = 1.0 - profile(u, prof) * radius * kappa
    return float(min(stretch.min(), 1.0))


def max_s_bend(radius: float, length: float, prof: str, sign: float = 1.0) -> float:
    """Largest |s_bend| of the given sign accepted for these dimensions, or inf.

    The bulge sits on the outside of the S's bends for s_bend > 0 and on the inside for
    s_bend < 0; only the inside can fold.
    """
    hi = 100.0 * length
    if fold_margin(radius, length, prof, math.copysign(hi, sign), 1001) > FOLD_MARGIN:
        return math.inf
    lo = 0.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if fold_margin(radius, length, prof, math.copysign(mid, sign), 1001) > FOLD_MARGIN:
            lo = mid
        else:
            hi = mid
    return lo


def check_no_fold(radius: float, length: float, prof: str, s_bend: float) -> None:
    """Raise ValueError with a user-facing message if the surface would fold over itself."""
    if fold_margin(radius, length, prof, s_bend) <= FOLD_MARGIN:
        limit = max_s_bend(radius, length, prof, s_bend)
        raise ValueError(
            f"s_bend {s_bend:g} m folds the surface over itself (radius {radius:g} m, "
            f"length {length:g} m): keep s_bend above {-limit:.3g} m, or lengthen the surface")
