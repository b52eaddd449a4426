"""Reference implementation (numpy only) of the recommended fit: control_grid(p) -> (grid, u, theta).

Section (theta) factor: S, H control values optimised for the SURFACE normal error (secopt.Section,
secopt3.optimise_ends with the numpy Levenberg-Marquardt). Plan (u) factor: planopt.optimise_ends
when the u-terms are not linear (SMOOTH profile or s_bend != 0). Drop-in for
scurve_addon.geometry.surface.control_grid in experiments (render hook: fit=endfit:control_grid).
"""
import math, os, sys, functools
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE); sys.path.insert(0, '.')
import numpy as np
import secopt3, planopt
from secopt import Section, BAND
from scurve_addon.geometry import shape, bspline, surface

secopt3.USE_SCIPY = False  # Blender's Python has numpy only


def _band_max(sec, P):
    err, th, rad = sec.errors(P)
    m = (th > BAND) & (th < math.pi - BAND)
    return err[m].max(), np.abs(rad).max()


@functools.lru_cache(maxsize=64)
def section_controls(n: int, l_over_r: float) -> np.ndarray:
    """(n+1, 2) control values (S_i, H_i) of the unit half circle."""
    sec = Section(n, l_over_r, per_span=max(8, 192 // n), us=np.linspace(0.02, 1, 14))
    t = np.arange(n + 1) / n
    th = math.pi * (t - 0.5 * np.sin(2 * math.pi * t) / (2 * math.pi))
    P_cur = bspline.interpolate(np.stack([np.sin(th), 1 - np.cos(th)], -1))  # current fit
    if n < 6:
        return P_cur
    k = min((n - 1) // 2, 8)
    cands = [P_cur]
    for g, betas in [(0.15, (0.35, 0.55, 0.75, 0.9)), (0.0, (0.35, 0.55, 0.75, 0.9)), (0.5, ())]:
        cands.append(secopt3.optimise_ends(n, k=k, grade=g, end_betas=betas, p=4, sec=sec, fix_h1=True))
    # safeguard: keep whichever has the smaller band max (position error must stay < 0.02 % R)
    pos_limit = max(2e-4, _band_max(sec, P_cur)[1])  # 0.02 % R, or no worse than today's fit
    scored = [(_band_max(sec, P)[0] if _band_max(sec, P)[1] <= pos_limit else 1e9, i) for i, P in enumerate(cands)]
    return cands[min(scored)[1]]


def plan_controls(p) -> np.ndarray:
    """(2 rows + 1, 4) control values (c_x, c_y, w_x, w_y)."""
    linear = p.profile == 'LINEAR' and p.s_bend == 0.0
    if linear or p.rows < 4:
        u = np.linspace(-1.0, 1.0, 2 * p.rows + 1)
        c, w = shape.plan_terms(u, p.length, p.profile, p.s_bend)
        return bspline.interpolate(np.concatenate([c, w], -1))  # exact for linear terms
    k = min(p.rows - 1, 8)
    return planopt.optimise_ends(p, k=k, g=0.4, end_betas=(0.2, 0.4, 0.6, 0.8, 0.9),
                                 plan=planopt.Plan(p, per_span=6, nth=12))


def control_grid(p):
    SH = section_controls(p.arc_segments, round(p.length / p.radius, 6))
    CW = plan_controls(p)
    grid = shape.combine(CW[:, :2], CW[:, 2:], SH[:, 0], SH[:, 1], p.radius)
    u = np.linspace(-1, 1, 2 * p.rows + 1)   # nominal (metadata only)
    th = np.linspace(0, math.pi, p.arc_segments + 1)
    return grid, u, th


if __name__ == '__main__':
    import time, proxy
    from stats import fmt
    from scurve_addon.defaults import SurfaceParams
    for name, p in [('default', SurfaceParams()), ('smooth', SurfaceParams(profile='SMOOTH')),
                    ('kistefos', SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8))]:
        t0 = time.time(); G = control_grid(p)[0]; dt = time.time() - t0
        g = G.reshape(-1, 3)
        print(f'{name}: fit {dt:.1f}s; bottom row z max {np.abs(G[0, :, 2]).max():.2e}, top row z-2R max {np.abs(G[-1, :, 2] - 2 * p.radius).max():.2e}')
        print(fmt(proxy.measure_limit(p, G, per_span=6), f'{name} endfit LIMIT'), flush=True)
