"""Alternative 1-D fits of the separable factors, and control grids built from them.

Every factor f (sin, 1-cos along theta; c_x, c_y, w_x, w_y along u) is a function of a
parameter x(b) given on knot space b in [0, n] by a node map. The limit curve of control
values F is B F (bspline phantom end rule). Methods:
  interp : B F = f at the knots (current surface.py)
  lsq    : min sum_k wk [(B F - f)^2 + mu (h/dx... ) (D F - df/db)^2]  s.t. F0, Fn interpolate
"""
import math, sys
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from scurve_addon.geometry import bspline, shape, surface
from proxy import basis_matrix

# ---------- node maps (knot parameter b in [0, n] -> parameter) ----------

def theta_map(n, g=0.5, kind='sin', p=None):
    """theta(b) and dtheta/db as functions; kind 'sin': current grading; 'ends': extra
    refinement of the end spans only via t -> t - g * sin(2 pi t)/(2 pi) composed with power p."""
    def th(b):
        t = np.asarray(b, float) / n
        return math.pi * (t - g * np.sin(2 * math.pi * t) / (2 * math.pi))
    def dth(b):
        t = np.asarray(b, float) / n
        return math.pi * (1 - g * np.cos(2 * math.pi * t)) / n
    return th, dth


def u_map(n, g=0.5):
    """u(b) on b in [0, n] (n = 2*rows): s = -1 + 2b/n; u = s + g sin(pi s)/pi."""
    def um(b):
        s = -1 + 2 * np.asarray(b, float) / n
        return s + g * np.sin(math.pi * s) / math.pi
    def dum(b):
        s = -1 + 2 * np.asarray(b, float) / n
        return (1 + g * np.cos(math.pi * s)) * 2 / n
    return um, dum


def u_map_poly(n, g=0.5, q=3):
    """Grading concentrated at the ends: u = s (1 - g) + g * s^q ... not monotone-safe for all g;
    here u = sign(s) (1 - (1-|s|) * (1 - g (1-|s|)^(q-1)) ) -> spacing (1-g) at the ends only."""
    def um(b):
        s = -1 + 2 * np.asarray(b, float) / n
        r = 1 - np.abs(s)
        return np.sign(s) * (1 - r * (1 - g * (1 - r) ** (q - 1)))
    def dum(b, h=1e-6):
        return (um(np.asarray(b, float) + h) - um(np.asarray(b, float) - h)) / (2 * h)
    return um, dum


# ---------- 1-D fits ----------

def fit_interp(fvals):
    return bspline.interpolate(fvals)


def fit_lsq(n, f, df, xmap, dxmap, mu=1.0, per_span=16, weight=None, end_deriv=False):
    """Weighted LSQ of position + mu * derivative (w.r.t. knot parameter b) over a dense sample
    of b in [0, n]; control points 0 and n are fixed to interpolate f at the ends (limit = control
    point there). f, df: callables of the parameter (vectorised, may return (k, d) arrays).
    weight(b) -> per-sample weights (optional)."""
    b = np.linspace(0, n, n * per_span + 1)
    x = xmap(b)
    B = basis_matrix(n + 1, b); D = basis_matrix(n + 1, b, 1)
    F = np.atleast_2d(np.asarray(f(x)).T).T if np.ndim(f(x)) > 1 else np.asarray(f(x))[:, None]
    dF = (np.asarray(df(x)).reshape(len(b), -1)) * dxmap(b)[:, None]
    w = np.ones_like(b) if weight is None else weight(b)
    w = w / per_span
    end0 = F[0]; endn = F[-1]
    # unknowns: controls 1..n-1
    A1 = B[:, 1:-1]; r1 = F - np.outer(B[:, 0], end0) - np.outer(B[:, -1], endn)
    A2 = D[:, 1:-1]; r2 = dF - np.outer(D[:, 0], end0) - np.outer(D[:, -1], endn)
    sw = np.sqrt(w)[:, None]
    A = np.vstack([sw * A1, math.sqrt(mu) * sw * A2])
    r = np.vstack([sw * r1, math.sqrt(mu) * sw * r2])
    sol = np.linalg.lstsq(A, r, rcond=None)[0]
    out = np.vstack([end0, sol, endn])
    return out


# ---------- control grids ----------

def grid_from_factors(p, c, w, s, h):
    return shape.combine(c, w, s, h, p.radius)


def make_grid(p, th_method='interp', u_method='interp', tg=0.5, ug=None, mu_t=1.0, mu_u=1.0,
              wt=None, wu=None, umap_kind='sin', uq=3, per_span=16):
    nt = p.arc_segments; nu = 2 * p.rows
    th, dth = theta_map(nt, tg)
    if ug is None:
        ug = 0.0 if (p.profile == 'LINEAR' and p.s_bend == 0.0) else 0.5
    um, dum = u_map(nu, ug) if umap_kind == 'sin' else u_map_poly(nu, ug, uq)
    bt = np.arange(nt + 1.0); bu = np.arange(nu + 1.0)
    sec = lambda x: np.stack(shape.section_terms(x), -1)
    dsec = lambda x: np.stack([np.cos(x), np.sin(x)], -1)
    def plan(x):
        c, w = shape.plan_terms(x, p.length, p.profile, p.s_bend)
        return np.concatenate([c, w], -1)
    def dplan(x, hh=1e-6):
        return (plan(x + hh) - plan(x - hh)) / (2 * hh)
    if th_method == 'interp':
        SH = bspline.interpolate(sec(th(bt)))
    else:
        SH = fit_lsq(nt, sec, dsec, th, dth, mu=mu_t, weight=wt, per_span=per_span)
    if u_method == 'interp':
        CW = bspline.interpolate(plan(um(bu)))
    else:
        CW = fit_lsq(nu, plan, dplan, um, dum, mu=mu_u, weight=wu, per_span=per_span)
    G = shape.combine(CW[:, :2], CW[:, 2:], SH[:, 0], SH[:, 1], p.radius)
    return G, um(bu), th(bt)
