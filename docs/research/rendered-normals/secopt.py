"""Geometric optimisation of the section curve (S(b), H(b)) control points near the ends.

Objective: the surface normal error of x = u R S(b), y = L u, z = R H(b) against the analytic
normal at the same (y, z), over u in (0, 1] and theta in the band, as a soft max (L^p norm),
plus a small position term. Interior control points sit on the regular polygon (uniform angle,
radius 6/(4+2cos a)) whose uniform B-spline is the best circle; the k points next to each end
(and their mirror images) are free; P0 = (0,0), Pn = (0,2) fixed.
"""
import math, sys
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
try:
    from scipy.optimize import minimize, least_squares
except ImportError:  # Blender python: numpy only
    minimize = least_squares = None
from proxy import basis_matrix

BAND = 0.05 * math.pi


def polygon(n, grade=0.0):
    """Initial control points: interpolation of the circle at (optionally graded) nodes."""
    from scurve_addon.geometry import bspline
    t = np.arange(n + 1) / n
    th = math.pi * (t - grade * np.sin(2 * math.pi * t) / (2 * math.pi))
    return bspline.interpolate(np.stack([np.sin(th), 1 - np.cos(th)], -1))


def assemble(P0, x, k):
    P = P0.copy(); n = len(P) - 1
    free = x.reshape(k, 2)
    P[1:k + 1] = free
    P[n - k:n] = np.stack([free[::-1, 0], 2 - free[::-1, 1]], -1)
    return P


class Section:
    def __init__(self, n, L_over_R=3.0, per_span=40, us=None):
        self.n = n
        b = np.linspace(0, n, n * per_span + 1)
        self.B = basis_matrix(n + 1, b); self.D = basis_matrix(n + 1, b, 1)
        self.us = np.linspace(0.01, 1, 60) if us is None else us
        self.lr = L_over_R

    def errors(self, P):
        """(len(b), len(us)) normal error in radians (same (y,z) comparison), theta per b, radial err."""
        S, H = self.B @ P[:, 0], self.B @ P[:, 1]
        dS, dH = self.D @ P[:, 0], self.D @ P[:, 1]
        Hc = np.clip(H, 0, 2)
        sth = np.sqrt(np.maximum(1 - (1 - Hc) ** 2, 0)); cth = 1 - Hc
        th = np.arctan2(sth, cth)
        u = self.us[None, :]
        L = self.lr  # R = 1
        # limit-surface normal (L H', -S H', -L u S'), analytic (L s, -s^2, -L u c)
        n1 = np.stack(np.broadcast_arrays(L * dH[:, None], -S[:, None] * dH[:, None], -L * u * dS[:, None]), -1)
        n2 = np.stack(np.broadcast_arrays(L * sth[:, None], -(sth ** 2)[:, None], -L * u * cth[:, None]), -1)
        n1 = n1 / np.linalg.norm(n1, axis=-1, keepdims=True); n2 = n2 / np.linalg.norm(n2, axis=-1, keepdims=True)
        err = np.linalg.norm(np.cross(n1, n2), axis=-1)
        rad = np.hypot(S, H - 1) - 1
        return err, th, rad

    def report(self, P, title=''):
        err, th, rad = self.errors(P)
        band = (th > BAND) & (th < math.pi - BAND)
        e = np.degrees(err[band])
        return (f'{title}: band max {e.max():.4f} p99 {np.quantile(e, .99):.4f} med {np.median(e):.5f} deg; '
                f'radial max {np.abs(rad).max()*100:.4f} %R; node1 theta {np.degrees(th[0 if False else np.searchsorted(np.arange(len(th)), 0)]):.1f}')


def optimise(n, k=4, grade=0.5, p=8, wpos=0.0, L_over_R=3.0, init=None, band=BAND, verbose=False):
    sec = Section(n, L_over_R)
    P0 = polygon(n, grade) if init is None else init
    x0 = P0[1:k + 1].ravel().copy()
    err0, th, _ = sec.errors(P0)
    bandm = (th > band) & (th < math.pi - band)

    def obj(x):
        P = assemble(P0, x, k)
        err, th, rad = sec.errors(P)
        m = (th > band) & (th < math.pi - band)
        e = err[m] / 1e-3
        val = (np.mean(e ** p)) ** (1 / p)
        # keep the excluded sliver sane too (weight 0.1) and the position error small
        e2 = err[~m] / 1e-3
        val += 0.05 * (np.mean(e2 ** 2) ** 0.5 if e2.size else 0)
        val += wpos * np.max(np.abs(rad)) / 1e-4
        return val
    r = minimize(obj, x0, method='Nelder-Mead', options=dict(maxiter=20000, maxfev=20000, xatol=1e-10, fatol=1e-10, adaptive=True))
    r = minimize(obj, r.x, method='Powell', options=dict(maxiter=20000, xtol=1e-10, ftol=1e-12))
    P = assemble(P0, r.x, k)
    return P, sec


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    sec = Section(n)
    for g in [0.0, 0.5]:
        print(sec.report(polygon(n, g), f'interp grade {g}'))
    for g, k in [(0.5, 3), (0.0, 3), (0.5, 5)]:
        P, _ = optimise(n, k=k, grade=g)
        print(sec.report(P, f'opt k={k} grade {g}'))
        np.save(f'sec_n{n}_k{k}_g{g}.npy', P)
