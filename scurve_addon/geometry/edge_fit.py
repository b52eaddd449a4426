"""The fitted control values of the two 1-D factors of the surface (docs/design.md, "The
limit-surface fit"; the research behind it: docs/research/rendered-normals/README.md).

Interpolating the nodes makes the limit surface pass through the shape at every node, but at
an open boundary the limit curve has zero curvature (the phantom-point end rule) while the
circle and the smooth profile do not. Interpolation pushes that mismatch into the end spans as
a slope error, which the rendered normals show (0.4 degrees at the defaults, 2 with the smooth
profile). Here the control values next to each open end are chosen instead to minimise the
surface-normal error itself over the band quality.NORMAL_BAND, as a soft maximum (the sum of
err^4), by Levenberg-Marquardt with an exact Jacobian; the rest stay interpolated.

- Section factor (S, H) of the unit half circle, θ direction: free points P_1..P_k next to
  the bottom edge with H_1 = EDGE_RISE, just above H_0 = 0 (the boundary tangent is nearly
  horizontal and the limit never dips below z = 0), mirrored P_{n-i} = (S_i, 2 - H_i) at the
  top. The residuals are the normal error of the straight linear surface x = u R S, y = L u,
  z = R H against the analytic normal at the same height.
- Plan factor (c, w), u direction: free columns next to each arc end, odd under the half turn.
  The residuals are the normal error with the exact section against the analytic normal at the
  closest point of the same horizontal section.
Both errors are symmetric (mirror in z, half turn), so only the spans next to one end that
the free values reach are sampled. Results are cached: a rebuild with the same shape is free,
and this user's other processes find them in the fit cache (fit_cache.py).
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from . import bspline, fit_cache, shape
from .least_squares import levenberg_marquardt, sine_squared, sine_squared_derivative
from .quality import NORMAL_BAND

# Grading of the interpolated nodes: spacing shrinks to (1 - g) at the open ends (the plain
# interpolation fit, which the optimised fit starts from and must beat).
THETA_GRADING = 0.5
U_GRADING = 0.5

BAND = NORMAL_BAND * math.pi
ERROR_UNIT = 1e-3  # radians: residuals are (err / ERROR_UNIT)^2, so LM minimises sum err^4
OUTSIDE_BAND_WEIGHT = 0.02  # the slivers at the edges outside the band still count a little
# The error climbs steeply just outside the band; optimising from 0.8 x the band's edge keeps
# the edge itself under control (else the optimum sits on the sample nearest to it).
FIT_BAND = 0.8 * BAND
POSITION_LIMIT = 2e-4  # 0.02 % of R: a fit may not move the surface further than this
POSITION_WEIGHT = 1e6  # per unit of R beyond the position limit (a residual of 100 per 1e-4 R)
MAX_FREE = 8  # section control values next to each end that are free...
PLAN_FREE, PLAN_PER_SPAN, PLAN_HEIGHTS = 8, 6, 6  # ...plan columns; plan samples per span, heights
# The control point next to the bottom edge sits this far (x R) above it, its mirror below
# the top: the optimum is at the edge's height (a horizontal boundary tangent), but there it
# would coincide with the edge vertex on the centre line, and the smoothed rows under the
# edges would crowd within 1e-6 R of it (float32 rounding, 'seam duplicates'). 1e-4 keeps
# them apart up to 6 levels and costs ~0.005 degrees at the defaults.
EDGE_RISE = 1e-4


def theta_nodes(n: int, grade: float = THETA_GRADING, end_betas: tuple[float, ...] = ()) -> np.ndarray:
    """θ nodes in [0, π]; `end_betas` scale the first (and mirrored last) span lengths."""
    t = np.arange(n + 1) / n
    th = math.pi * (t - grade * np.sin(2 * math.pi * t) / (2 * math.pi))
    if end_betas:
        d = np.diff(th)
        k = len(end_betas)
        d[:k] *= end_betas
        d[-k:] *= end_betas[::-1]
        th = np.concatenate([[0.0], np.cumsum(d)]) * math.pi / d.sum()
    return th


def u_nodes(rows: int, grade: float = U_GRADING, end_betas: tuple[float, ...] = ()) -> np.ndarray:
    """u nodes in [-1, 1], odd in the uniform parameter (keeps the half-turn symmetry)."""
    s = np.linspace(-1.0, 1.0, 2 * rows + 1)
    u = s + grade * np.sin(math.pi * s) / math.pi
    if end_betas:
        d = np.diff(u)
        k = min(len(end_betas), rows)
        betas = np.asarray(end_betas[:k])
        d[:k] *= betas
        d[-k:] *= betas[::-1]
        u = np.concatenate([[0.0], np.cumsum(d)])
        u = 2.0 * u / u[-1] - 1.0
    return u


def _knots(first_span: int, last_span: int, per_span: int, upto: float) -> np.ndarray:
    """Sample parameters: the ends of per_span sub-intervals of the spans, <= upto. They
    include the open end itself (last_span + 1), where the plan error peaks."""
    t = first_span + (np.arange((last_span - first_span + 1) * per_span) + 1.0) / per_span
    return t[t <= upto]


# ---------------------------------------------------------------------------------------
# Section factor


class _Section:
    """Normal error of x = u R S(b), y = L u, z = R H(b) (R = 1) at knot parameters b."""

    def __init__(self, n: int, length_over_radius: float, b: np.ndarray):
        self.lr = length_over_radius
        eye = np.eye(n + 1)
        self.basis = bspline.evaluate(eye, b)
        self.slope = bspline.evaluate(eye, b, 1)
        self.u = np.linspace(0.02, 1.0, 14)

    def terms(self, controls: np.ndarray, d_controls: np.ndarray | None = None):
        """sin^2 of the normal error (len(b), len(u)), the limit's θ at equal height, its radial
        error; with d_controls ((n+1, 2, m), the controls' derivative) also d sin^2 (..., m)."""
        s, h = self.basis @ controls[:, 0], self.basis @ controls[:, 1]
        ds, dh = self.slope @ controls[:, 0], self.slope @ controls[:, 1]
        hc = np.clip(h, 0.0, 2.0)
        sin_t = np.sqrt(np.maximum(hc * (2.0 - hc), 1e-300))
        cos_t = 1.0 - hc
        lr, u = self.lr, self.u[None, :]
        one = np.ones((1, len(self.u)))
        limit = (lr * dh[:, None] * one, -(s * dh)[:, None] * one, -lr * u * ds[:, None])
        exact = (lr * sin_t[:, None] * one, -(sin_t ** 2)[:, None] * one, -lr * u * cos_t[:, None])
        theta = np.arctan2(sin_t, cos_t)
        radial = np.hypot(s, h - 1.0) - 1.0
        if d_controls is None:
            return sine_squared(limit, exact), theta, radial
        js, jh = self.basis @ d_controls[:, 0], self.basis @ d_controls[:, 1]
        jds, jdh = self.slope @ d_controls[:, 0], self.slope @ d_controls[:, 1]
        jhc = np.where((h > 0.0) & (h < 2.0), 1.0, 0.0)[:, None] * jh
        jsin = (cos_t / sin_t)[:, None] * jhc
        e = one[..., None]
        d_limit = (lr * jdh[:, None] * e, -(js * dh[:, None] + s[:, None] * jdh)[:, None] * e,
                   -lr * u[..., None] * jds[:, None])
        d_exact = (lr * jsin[:, None] * e, -2.0 * (sin_t[:, None] * jsin)[:, None] * e,
                   lr * u[..., None] * jhc[:, None])
        q, dq = sine_squared_derivative(limit, exact, d_limit, d_exact)
        d_radial = (s[:, None] * js + (h - 1.0)[:, None] * jh) / (radial + 1.0)[:, None]
        return q, dq, theta, radial, d_radial


def _section_layout(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Controls = base + layout @ x for the free values x = (S_1, S_2, H_2, ..., S_k, H_k):
    H_1 = EDGE_RISE, and the mirror P_{n-i} = (S_i, 2 - H_i)."""
    layout = np.zeros((n + 1, 2, 2 * k - 1))
    base = np.zeros((n + 1, 2))
    col = 0
    base[1, 1] = EDGE_RISE
    for i in range(1, k + 1):
        base[n - i, 1] = 2.0 - base[i, 1]
        for comp in (0, 1):
            if i == 1 and comp == 1:
                continue
            layout[i, comp, col] = 1.0
            layout[n - i, comp, col] = 1.0 if comp == 0 else -1.0
            col += 1
    return base, layout


def _optimise_section(sec: _Section, start: np.ndarray, k: int, pos_limit: float) -> np.ndarray:
    n = len(start) - 1
    base, layout = _section_layout(n, k)
    free = np.zeros((n + 1, 2), bool)
    free[1:k + 1] = free[n - k:n] = True
    base = np.where(free, base, start)
    x0 = np.delete(start[1:k + 1].ravel(), 1)

    def weights(theta: np.ndarray) -> np.ndarray:
        inside = (theta > FIT_BAND) & (theta < math.pi - FIT_BAND)
        return np.where(inside, 1.0, OUTSIDE_BAND_WEIGHT ** 2)[:, None] / ERROR_UNIT ** 2

    # The position error may not exceed pos_limit: a one-sided penalty beyond 0.9 of it.
    allowed = 0.9 * pos_limit

    def residuals(x: np.ndarray) -> np.ndarray:
        q, theta, radial = sec.terms(base + layout @ x)
        excess = np.maximum(np.abs(radial) - allowed, 0.0)
        return np.concatenate([(weights(theta) * q).ravel(), POSITION_WEIGHT * excess])

    def jacobian(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q, dq, theta, radial, d_radial = sec.terms(base + layout @ x, layout)
        w = weights(theta)
        excess = np.abs(radial) - allowed
        d_excess = np.where(excess > 0.0, np.sign(radial), 0.0)[:, None] * d_radial
        r = np.concatenate([(w * q).ravel(), POSITION_WEIGHT * np.maximum(excess, 0.0)])
        return r, np.concatenate([(w[..., None] * dq).reshape(q.size, -1), POSITION_WEIGHT * d_excess])

    return base + layout @ levenberg_marquardt(residuals, jacobian, x0, tolerance=1e-6)


def _mirrored(controls: np.ndarray) -> np.ndarray:
    """The section controls made exactly symmetric about θ = π/2 from their lower half:
    P_{n-i} = (S_i, 2 - H_i), P_0 = (0, 0), P_n = (0, 2)."""
    out = np.array(controls, dtype=float)
    n = len(out) - 1
    out[0] = 0.0
    out[n - n // 2:] = out[:n // 2 + 1][::-1] * [1.0, -1.0] + [0.0, 2.0]
    if n % 2 == 0:
        out[n // 2, 1] = 1.0
    return out


class _Fits:
    """A fit's results by key, read-only, at most 64 (the oldest go first), also kept in this
    user's fit cache (fit_cache.py) for other processes. Results fitted by another process of
    the same code can be put in (take_factor_fits); `shape_ok(key, result)` tells whether a
    result from elsewhere has the shape and exact symmetries of this fit's results."""

    def __init__(self, fit: Callable[..., np.ndarray], shape_ok: Callable[[tuple, np.ndarray], bool]):
        self.fit, self.shape_ok = fit, shape_ok
        self.name = fit.__name__.strip("_")
        self.results: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()  # a Dask worker fits in one thread and measures in another

    def __call__(self, *key: Any) -> np.ndarray:
        result = self.results.get(key)
        if result is None:
            result = fit_cache.load(self.name, key)
            if result is None or not self.acceptable(key, result):
                result = self.fit(*key)
                fit_cache.store(self.name, key, result)
            self.put(key, result)
        return result

    def acceptable(self, key: tuple, result: np.ndarray) -> bool:
        """A result from elsewhere (another process, the fit cache) that this fit could give."""
        return bool(np.isfinite(result).all()) and self.shape_ok(key, result)

    def put(self, key: tuple, result: np.ndarray) -> None:
        result.setflags(write=False)
        with self._lock:
            if key not in self.results and len(self.results) >= 64:
                self.results.pop(next(iter(self.results)))
            self.results[key] = result


def _fits(shape_ok: Callable[[tuple, np.ndarray], bool]) -> Callable[[Callable[..., np.ndarray]], _Fits]:
    return lambda fit: _Fits(fit, shape_ok)


@_fits(lambda key, c: c.shape == (key[0] + 1, 2) and np.array_equal(_mirrored(c), c))
def _section_controls(n: int, length_over_radius: float) -> np.ndarray:
    th = theta_nodes(n)
    plain = _mirrored(bspline.interpolate(np.stack(shape.section_terms(th), -1)))
    if n < 6 or n >= 48:  # too coarse to gain, or fine enough already (< 0.004 degrees)
        return plain
    k = min((n - 1) // 2, MAX_FREE)
    # By the mirror symmetry the half b <= n/2 holds every error value.
    fit = _Section(n, length_over_radius, _knots(0, min(k + 1, n - 1), max(8, 192 // n), n / 2))
    check = _Section(n, length_over_radius, _knots(0, n - 1, max(16, 384 // n), n / 2))

    def score(controls: np.ndarray) -> tuple[float, float]:
        q, theta, radial = check.terms(controls)
        inside = (theta > BAND) & (theta < math.pi - BAND)
        return float(np.sqrt(q[inside].max())), float(np.abs(radial).max())

    best_err, plain_pos = score(plain)
    best = plain
    pos_limit = max(POSITION_LIMIT, plain_pos)
    # Two starts (node spacings; the research's third, uniform with short end spans, never won
    # by more than 5 %): the fit has local minima, and each start wins somewhere.
    for grade, betas in ((0.15, (0.35, 0.55, 0.75, 0.9)), (0.5, ())):
        start = bspline.interpolate(np.stack(shape.section_terms(theta_nodes(n, grade, betas)), -1))
        controls = _mirrored(_optimise_section(fit, start, k, pos_limit))
        err, pos = score(controls)
        if err < best_err and pos <= pos_limit:
            best, best_err = controls, err
    best.setflags(write=False)
    return best


def _section_key(arc_segments: int, length_over_radius: float) -> tuple[int, float]:
    return int(arc_segments), round(float(length_over_radius), 6)


def section_controls(arc_segments: int, length_over_radius: float) -> np.ndarray:
    """(arc_segments + 1, 2) control values (S_i, H_i) of the unit half circle: P_0 = (0, 0),
    P_n = (0, 2) exactly. Cached on (arc_segments, L/R to 6 digits)."""
    return _section_controls(*_section_key(arc_segments, length_over_radius)).copy()


def section_parameters(controls: np.ndarray) -> np.ndarray:
    """θ of each control value's limit point (exact at the interpolated ones)."""
    lim = bspline.limit_positions(controls)
    return np.arctan2(lim[:, 0], 1.0 - lim[:, 1])


# ---------------------------------------------------------------------------------------
# Plan factor (lengths in units of L: the fit is scale-free, so it is cached per shape)

_STEP = 1e-3  # difference step in u for the plan terms' derivatives (4th-order stencils)
_STENCIL = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])


class _PlanShape:
    """The analytic horizontal sections q(u) = c(u) + r sin θ w(u) (L = 1, r = R / L)."""

    def __init__(self, profile: str, s_bend: float, r: float, sin_t: np.ndarray):
        self.profile, self.s_bend, self.r = profile, s_bend, r
        self.sin_t = sin_t  # broadcasts against the sample arrays

    def derivatives(self, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """q, q', q'', w, w' at u (each u.shape + (2,))."""
        c, w = shape.plan_terms(u[None] + _STEP * _STENCIL.reshape((5,) + (1,) * u.ndim), 1.0,
                                self.profile, self.s_bend)
        q = c + self.r * self.sin_t[..., None] * w

        def d1(f: np.ndarray) -> np.ndarray:
            return (f[0] - 8.0 * f[1] + 8.0 * f[3] - f[4]) / (12.0 * _STEP)

        d2 = (-q[0] + 16.0 * q[1] - 30.0 * q[2] + 16.0 * q[3] - q[4]) / (12.0 * _STEP**2)
        return q[2], d1(q), d2, w[2], d1(w)

    def closest(self, h: np.ndarray, guess: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """u of the closest point of the section to each h (..., 2), by Newton from `guess`
        (steps of at most 0.05: a bent plan has other stationary points further away), and
        derivatives() there."""
        u = np.clip(np.broadcast_to(guess, h.shape[:-1]), -1.0, 1.0)
        for _ in range(30):
            q, q1, q2 = self.derivatives(u)[:3]
            f = q - h
            step = np.clip((f * q1).sum(-1) / ((q1 * q1).sum(-1) + (f * q2).sum(-1)), -0.05, 0.05)
            u_new = np.clip(u - step, -1.0, 1.0)
            moved = np.abs(u_new - u).max()
            u = u_new
            if moved < 1e-13:
                break
        return u, self.derivatives(u)


def _normal(xa: np.ndarray, xt: np.ndarray, rs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Xa, 0) x (Xt, r sin θ): the normal from the plan tangents along u and θ."""
    return (xa[..., 1] * rs, -xa[..., 0] * rs, xa[..., 0] * xt[..., 1] - xa[..., 1] * xt[..., 0])


def _d_normal(xa, xt, jxa, jxt, rs):
    """Derivative of _normal (jxa, jxt: (..., 2, m))."""
    rs, xa, xt = rs[..., None], xa[..., None], xt[..., None]
    return (jxa[..., 1, :] * rs, -jxa[..., 0, :] * rs,
            jxa[..., 0, :] * xt[..., 1, :] + xa[..., 0, :] * jxt[..., 1, :]
            - jxa[..., 1, :] * xt[..., 0, :] - xa[..., 1, :] * jxt[..., 0, :])


class _Plan:
    """Normal error with the exact section at knot parameters a (columns) and heights θ."""

    def __init__(self, rows: int, profile: str, s_bend: float, r: float, a: np.ndarray, theta: np.ndarray,
                 nodes: np.ndarray):
        self.guess = np.interp(a, np.arange(len(nodes)), nodes)  # u near each sample's limit point
        eye = np.eye(2 * rows + 1)
        self.basis, self.slope = bspline.evaluate(eye, a), bspline.evaluate(eye, a, 1)
        self.r = r
        self.rs = r * np.sin(theta)[:, None] * np.ones(len(a))  # (θ, a)
        self.rc = r * np.cos(theta)[:, None, None]
        self.shape = _PlanShape(profile, s_bend, r, np.sin(theta)[:, None])

    def terms(self, cw: np.ndarray, d_cw: np.ndarray | None = None):
        """sin^2 of the normal error (θ, a), the distance to the section; with d_cw ((n+1, 4, m))
        also d sin^2 (θ, a, m)."""
        rs = self.rs[..., None]
        pos, slope = self.basis @ cw, self.slope @ cw
        h = pos[None, :, :2] + rs * pos[None, :, 2:]
        xa = slope[None, :, :2] + rs * slope[None, :, 2:]
        xt = self.rc * pos[None, :, 2:]
        limit = _normal(xa, xt, self.rs)
        u, (q, q1, q2, w, w1) = self.shape.closest(h, self.guess)
        exact = _normal(q1, self.rc * w, self.rs)
        dist = np.linalg.norm(q - h, axis=-1)
        if d_cw is None:
            return sine_squared(limit, exact), dist
        jpos = np.einsum("an,ncm->acm", self.basis, d_cw)
        jslope = np.einsum("an,ncm->acm", self.slope, d_cw)
        rs4 = rs[..., None]
        jh = jpos[None, :, :2] + rs4 * jpos[None, :, 2:]
        jxa = jslope[None, :, :2] + rs4 * jslope[None, :, 2:]
        jxt = self.rc[..., None] * jpos[None, :, 2:]
        f = q - h
        g1 = (q1 * q1).sum(-1) + (f * q2).sum(-1)
        inside = (np.abs(u) < 1.0)[..., None]
        du = np.where(inside, (q1[..., None] * jh).sum(-2) / g1[..., None], 0.0)  # (θ, a, m)
        jq1 = q2[..., None] * du[..., None, :]
        jwt = self.rc[..., None] * w1[..., None] * du[..., None, :]
        d_limit = _d_normal(xa, xt, jxa, jxt, self.rs)
        d_exact = _d_normal(q1, self.rc * w, jq1, jwt, self.rs)
        q_err, dq = sine_squared_derivative(limit, exact, d_limit, d_exact)
        return q_err, dq


def _plan_layout(rows: int, k: int, comps: tuple[int, ...]) -> np.ndarray:
    """d controls / d x for the free values x: the last k columns before the +u end (the
    components in comps), and their negatives at the -u end (odd under the half turn)."""
    n = 2 * rows
    layout = np.zeros((n + 1, 4, k * len(comps)))
    col = 0
    for j in range(n - k, n):
        for comp in comps:
            layout[j, comp, col] = 1.0
            layout[n - j, comp, col] = -1.0
            col += 1
    return layout


def _odd(controls: np.ndarray) -> np.ndarray:
    """The plan controls made exactly odd (column n - j = -column j) from their u >= 0 half."""
    out = np.array(controls, dtype=float)
    rows = (len(out) - 1) // 2
    out[rows] = 0.0
    out[:rows] = -out[rows + 1:][::-1]
    return out


def _plan_interpolated(rows: int, profile: str, s_bend: float, nodes: np.ndarray) -> np.ndarray:
    c, w = shape.plan_terms(nodes, 1.0, profile, s_bend)
    return _odd(bspline.interpolate(np.concatenate([c, w], -1)))


@_fits(lambda key, c: c.shape == (2 * key[0] + 1, 4) and np.array_equal(_odd(c), c))
def _plan_controls(rows: int, profile: str, s_bend: float, r: float) -> np.ndarray:
    """(2 rows + 1, 4) controls for L = 1, s_bend and r = R in units of L."""
    linear = profile == "LINEAR" and s_bend == 0.0
    if linear:  # linear terms are reproduced exactly by interpolation on uniform nodes
        out = _plan_interpolated(rows, profile, s_bend, u_nodes(rows, 0.0))
        out.setflags(write=False)
        return out
    plain = _plan_interpolated(rows, profile, s_bend, u_nodes(rows))
    if rows < 4:
        plain.setflags(write=False)
        return plain
    n = 2 * rows
    k = min(rows - 1, PLAN_FREE)
    theta = np.linspace(BAND, math.pi - BAND, 2 * PLAN_HEIGHTS)[:PLAN_HEIGHTS]  # even about π/2
    # By the half-turn symmetry the u >= 0 half holds every error value.
    start_nodes = u_nodes(rows, 0.4, (0.2, 0.4, 0.6, 0.8, 0.9))
    fit = _Plan(rows, profile, s_bend, r, _knots(max(rows, n - k - 2), n - 1, PLAN_PER_SPAN, n), theta,
                start_nodes)
    check = _Plan(rows, profile, s_bend, r, _knots(rows, n - 1, 12, n), np.linspace(BAND, 0.5 * math.pi, 12),
                  u_nodes(rows))
    comps = (1, 2) if s_bend == 0.0 else (0, 1, 2, 3)
    layout = _plan_layout(rows, k, comps)
    start = _plan_interpolated(rows, profile, s_bend, start_nodes)
    free = np.abs(layout).sum(-1) > 0
    base = np.where(free, 0.0, start)
    x0 = start[n - k:n][:, list(comps)].ravel()

    def residuals(x: np.ndarray) -> np.ndarray:
        return (fit.terms(base + layout @ x)[0] / ERROR_UNIT**2).ravel()

    def jacobian(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q, dq = fit.terms(base + layout @ x, layout)
        return (q / ERROR_UNIT**2).ravel(), dq.reshape(q.size, -1) / ERROR_UNIT**2

    fitted = base + layout @ levenberg_marquardt(residuals, jacobian, x0, iterations=80, tolerance=1e-4)

    def score(controls: np.ndarray) -> tuple[float, float]:
        q, dist = check.terms(controls)
        return float(q.max()), float(dist.max() / r)

    (err_plain, pos_plain), (err_fit, pos_fit) = score(plain), score(fitted)
    best = fitted if err_fit < err_plain and pos_fit <= max(POSITION_LIMIT, pos_plain) else plain
    best.setflags(write=False)
    return best


def _plan_key(p) -> tuple[int, str, float, float]:
    return int(p.rows), p.profile, round(p.s_bend / p.length, 9), round(p.radius / p.length, 9)


def plan_controls(p) -> np.ndarray:
    """(2 rows + 1, 4) control values (c_x, c_y, w_x, w_y) of the plan factor of SurfaceParams p.
    Cached on (rows, profile, s_bend / L and R / L to 9 digits)."""
    return _plan_controls(*_plan_key(p)) * np.array([p.length, p.length, 1.0, 1.0])


def _factor_keys(p) -> tuple[tuple, tuple]:
    """The cache keys of SurfaceParams p's two fitted factors: (section, plan)."""
    return _section_key(p.arc_segments, p.length / p.radius), _plan_key(p)


def factor_fits(p, fit: bool = True) -> dict[str, list] | None:
    """Both fitted factors of SurfaceParams p as plain lists, for another process running this
    code (take_factor_fits): fitted here if need be, or with `fit` False only if this process
    has fitted them already (else None)."""
    section_key, plan_key = _factor_keys(p)
    if fit:
        return {"section": _section_controls(*section_key).tolist(), "plan": _plan_controls(*plan_key).tolist()}
    section, plan = _section_controls.results.get(section_key), _plan_controls.results.get(plan_key)
    if section is None or plan is None:
        return None
    return {"section": section.tolist(), "plan": plan.tolist()}


def take_factor_fits(p, fits: Any) -> bool:
    """Keep factor_fits(p) from another process as this process's fits of p, so that building p
    fits nothing. Returns False, keeping nothing, unless both have the shapes and the exact
    symmetries of fitted factors (mirrored section, odd plan) and finite values."""
    try:
        section = np.array(fits["section"], dtype=float)
        plan = np.array(fits["plan"], dtype=float)
    except (KeyError, TypeError, ValueError, IndexError):
        return False
    section_key, plan_key = _factor_keys(p)
    if not (_section_controls.acceptable(section_key, section) and _plan_controls.acceptable(plan_key, plan)):
        return False
    _section_controls.put(section_key, section)
    _plan_controls.put(plan_key, plan)
    return True


def plan_parameters(p, controls: np.ndarray) -> np.ndarray:
    """u of each control column's limit point: the closest point of the mid-height section
    (exact at the interpolated columns)."""
    lim = bspline.limit_positions(controls) / np.array([p.length, p.length, 1.0, 1.0])
    r = p.radius / p.length
    sec = _PlanShape(p.profile, p.s_bend / p.length, r, np.ones(1))
    u = sec.closest(lim[:, :2] + r * lim[:, 2:], u_nodes(p.rows))[0]
    u = 0.5 * (u - u[::-1])  # odd, like the controls
    u[0], u[-1] = -1.0, 1.0  # the end columns are the analytic ends
    return u
