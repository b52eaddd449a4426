"""End-point optimisation of the plan (u-direction) control net: the 4-vector (c_x, c_y, w_x, w_y)
per column. Interior columns: interpolation at nodes u(b) (sin grading g, optional end_betas);
the k columns next to each end are free (odd symmetry: column -j = -column j). Residuals: surface
normal error (exact section S=sin, H=1-cos) against the analytic normal at the closest point on
the same horizontal section, theta in the band, raised to p/2."""
import math, sys, time
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from scurve_addon.geometry import bspline, shape
from proxy import basis_matrix
from secopt3 import lm, BAND


def u_nodes(rows, g=0.5, end_betas=()):
    s = np.linspace(-1.0, 1.0, 2 * rows + 1)
    u = s + g * np.sin(math.pi * s) / math.pi
    if len(end_betas):
        d = np.diff(u); k = len(end_betas)
        d[:k] *= end_betas; d[-k:] *= np.array(end_betas)[::-1]
        u = np.concatenate([[0], np.cumsum(d)]); u = 2 * u / u[-1] - 1
    return u


class Plan:
    def __init__(self, p, per_span=12, nth=24):
        self.p = p
        n = 2 * p.rows
        self.n = n
        a = np.linspace(0, n, n * per_span + 1)
        self.a = a
        self.B = basis_matrix(n + 1, a); self.D = basis_matrix(n + 1, a, 1)
        self.th = np.linspace(BAND, math.pi - BAND, nth)

    def plan(self, u):
        c, w = shape.plan_terms(u, self.p.length, self.p.profile, self.p.s_bend)
        return c, w

    def errors(self, CW):
        p = self.p; R = p.radius
        C = self.B @ CW[:, :2]; W = self.B @ CW[:, 2:]
        dC = self.D @ CW[:, :2]; dW = self.D @ CW[:, 2:]
        s, c = np.sin(self.th)[:, None, None], np.cos(self.th)[:, None, None]
        h = C[None] + R * s * W[None]                    # (nth, na, 2)
        Xa = dC[None] + R * s * dW[None]
        Xt = R * c * W[None]
        # limit normal: (Xa, 0) x (Xt, R s)
        n1 = np.stack([Xa[..., 1] * R * s[..., 0], -Xa[..., 0] * R * s[..., 0],
                       Xa[..., 0] * Xt[..., 1] - Xa[..., 1] * Xt[..., 0]], -1)
        # analytic: closest u on the same horizontal section (Newton, 8 steps)
        u = np.clip(C[None, :, 1] / p.length + 0 * s[..., 0], -1, 1)
        for _ in range(8):
            hh = 1e-6
            cu, wu = self.plan(u); cp, wp = self.plan(u + hh); cm, wm = self.plan(u - hh)
            f = cu + R * s * wu - h
            d1 = (cp + R * s * wp - cm - R * s * wm) / (2 * hh)
            d2 = (cp + R * s * wp - 2 * (cu + R * s * wu) + cm + R * s * wm) / hh ** 2
            g1 = (f * d1).sum(-1); g2 = (d1 * d1).sum(-1) + (f * d2).sum(-1)
            u = np.clip(u - g1 / g2, -1, 1)
        hh = 1e-6
        cp, wp = self.plan(u + hh); cm, wm = self.plan(u - hh); cu, wu = self.plan(u)
        Pu = (cp + R * s * wp - cm - R * s * wm) / (2 * hh)
        Pt = R * c * wu
        n2 = np.stack([Pu[..., 1] * R * s[..., 0], -Pu[..., 0] * R * s[..., 0],
                       Pu[..., 0] * Pt[..., 1] - Pu[..., 1] * Pt[..., 0]], -1)
        n1 /= np.linalg.norm(n1, axis=-1, keepdims=True); n2 /= np.linalg.norm(n2, axis=-1, keepdims=True)
        err = np.linalg.norm(np.cross(n1, n2), axis=-1)
        pos = np.linalg.norm(cu + R * s * wu - h, axis=-1)
        return err, u, pos

    def report(self, CW, title=''):
        err, u, pos = self.errors(CW)
        e = np.degrees(err)
        ua = np.abs(u)
        parts = []
        for lo, hi in [(0, .75), (.75, .9), (.9, .97), (.97, 1.01)]:
            m = (ua >= lo) & (ua < hi)
            parts.append(f'|u|{lo}-{hi}: {np.quantile(e[m], .99):.3f}/{e[m].max():.3f}')
        return (f'{title}: max {e.max():.4f} p99 {np.quantile(e, .99):.4f} med {np.median(e):.5f} deg; pos max {pos.max()/self.p.radius*100:.4f} %R | '
                + ' '.join(parts))


def initial(p, g=0.5, end_betas=()):
    u = u_nodes(p.rows, g, end_betas)
    c, w = shape.plan_terms(u, p.length, p.profile, p.s_bend)
    return bspline.interpolate(np.concatenate([c, w], -1)), u


def assemble(CW0, x, k, comps):
    CW = CW0.copy(); n = len(CW) - 1
    free = x.reshape(k, len(comps))
    for ci, cc in enumerate(comps):
        CW[n - k:n, cc] = free[:, ci]          # columns n-k..n-1 (the +u end)
        CW[1:k + 1, cc] = -free[::-1, ci]       # odd symmetry: the -u end
    return CW


def optimise_ends(p, k=4, g=0.5, end_betas=(), p_exp=4, plan=None):
    plan = plan or Plan(p)
    CW0, _ = initial(p, g, end_betas)
    comps = [1, 2] if p.s_bend == 0 else [0, 1, 2, 3]
    n = len(CW0) - 1
    x0 = CW0[n - k:n][:, comps].ravel().copy()

    def res(x):
        err, u, pos = plan.errors(assemble(CW0, x, k, comps))
        r = (err / 1e-3) ** (p_exp / 2)
        return r.ravel() / math.sqrt(r.size)
    x = lm(res, x0, iters=80)
    return assemble(CW0, x, k, comps)


if __name__ == '__main__':
    from scurve_addon.defaults import SurfaceParams
    which = sys.argv[1] if len(sys.argv) > 1 else 'smooth'
    p = SurfaceParams(profile='SMOOTH') if which == 'smooth' else SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8)
    plan = Plan(p)
    for g in [0.5]:
        print(plan.report(initial(p, g)[0], f'{which} interp g={g}'), flush=True)
    for k, g, eb in [(4, 0.5, ()), (6, 0.5, ()), (6, 0.3, (0.3, 0.6, 0.85)), (6, 0.5, (0.3, 0.6, 0.85)), (8, 0.4, (0.2, 0.4, 0.6, 0.8, 0.9))]:
        t0 = time.time()
        CW = optimise_ends(p, k=k, g=g, end_betas=eb, plan=plan)
        print(plan.report(CW, f'{which} opt k={k} g={g} eb={eb}'), f'{time.time()-t0:.0f}s', flush=True)
        np.save(f'scan/plan_{which}_k{k}_g{g}_eb{"-".join(map(str, eb))}.npy', CW)
