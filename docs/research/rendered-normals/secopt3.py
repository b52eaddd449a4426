"""End-point optimisation of the section control net, numpy only (Levenberg-Marquardt with a
finite-difference Jacobian). Interior control points: interpolation of the circle at nodes
(uniform, or graded with factor `grade`); the k control points next to each end are free
(2k unknowns, mirrored to the other end). Residuals: surface normal error of the LINEAR
straight surface x=uRS, y=Lu, z=RH vs the analytic normal at equal (y,z), over u in (0,1],
theta in the band, raised to p/2 (so LM minimises sum err^p, a soft max), plus weak terms
outside the band and on the radial error."""
import math, sys, time
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from scurve_addon.geometry import bspline
from secopt import Section, BAND, assemble
USE_SCIPY = True


def init_nodes(n, grade=0.0, end_betas=()):
    t = np.arange(n + 1) / n
    th = math.pi * (t - grade * np.sin(2 * math.pi * t) / (2 * math.pi))
    if len(end_betas):
        d = np.diff(th); k = len(end_betas)
        d[:k] *= end_betas; d[-k:] *= end_betas[::-1]
        th = np.concatenate([[0], np.cumsum(d)]) * math.pi / d.sum()
    return th


def lm(res, x, iters=60, lam=1e-3, h=1e-7):
    r = res(x); f = r @ r
    for it in range(iters):
        J = np.empty((r.size, x.size))
        for j in range(x.size):
            dx = np.zeros_like(x); dx[j] = h
            J[:, j] = (res(x + dx) - r) / h
        g = J.T @ r; Hm = J.T @ J
        improved = False
        for _ in range(12):
            step = np.linalg.solve(Hm + lam * np.diag(np.diag(Hm) + 1e-12), -g)
            r2 = res(x + step); f2 = r2 @ r2
            if f2 < f:
                x, r, f = x + step, r2, f2; lam = max(lam / 3, 1e-9); improved = True; break
            lam *= 4
        if not improved or np.abs(step).max() < 1e-12:
            break
    return x


def optimise_ends(n, k=3, grade=0.0, end_betas=(), p=6, L_over_R=3.0, w_out=0.02, w_rad=0.0, band=BAND, per_span=16, sec=None, fix_h1=False):
    th = init_nodes(n, grade, np.array(end_betas, float))
    P0 = bspline.interpolate(np.stack([np.sin(th), 1 - np.cos(th)], -1))
    sec = sec or Section(n, L_over_R, per_span=per_span, us=np.linspace(0.02, 1, 25))
    err0, th0, _ = sec.errors(P0)

    def full(x):
        return np.insert(x, 1, 0.0) if fix_h1 else x

    def res(x):
        P = assemble(P0, full(x), k)
        err, thc, rad = sec.errors(P)
        m = ((thc > band) & (thc < math.pi - band))
        e = err / 1e-3
        r = np.where(m[:, None], e, w_out * e) ** (p / 2)
        out = [r.ravel() / math.sqrt(r.size)]
        if w_rad:
            out.append(w_rad * rad / 1e-4 / math.sqrt(rad.size))
        return np.concatenate(out)
    x0 = P0[1:k + 1].ravel().copy()
    if fix_h1:  # control point next to the edge at the edge height: exact boundary tangent, H >= 0
        x0 = np.delete(x0, 1)
    if USE_SCIPY:
        from scipy.optimize import least_squares
        x = least_squares(res, x0, method="lm", xtol=1e-14, ftol=1e-14, max_nfev=20000).x
    else:
        x = lm(res, x0)
    return assemble(P0, full(x), k)


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    sec = Section(n, per_span=24)
    for kw in [dict(k=3, grade=0.0), dict(k=4, grade=0.0), dict(k=5, grade=0.0), dict(k=4, grade=0.2), dict(k=4, grade=0.5)]:
        t0 = time.time()
        P = optimise_ends(n, **kw)
        print(sec.report(P, str(kw)), f'{time.time()-t0:.0f}s', flush=True)
        np.save('sec3_n%d_k%d_g%.1f.npy' % (n, kw['k'], kw['grade']), P)
