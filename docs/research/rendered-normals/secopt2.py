"""All-free symmetric optimisation of the section control points (S_i, H_i), i=1..n-1,
P0=(0,0), Pn=(0,2) fixed, P_{n-i} = (S_i, 2-H_i). least_squares on the band normal errors
(+ small weight outside the band and on the radial error), then IRLS towards minimax."""
import math, sys, time
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from scipy.optimize import least_squares
from secopt import Section, polygon, BAND


def sym_assemble(x, n):
    P = np.zeros((n + 1, 2)); P[n] = (0, 2)
    h = n // 2
    free = x[:2 * (h - (n % 2 == 0))].reshape(-1, 2) if False else None
    k = (n - 1) // 2  # pairs
    pts = x[:2 * k].reshape(k, 2)
    P[1:k + 1] = pts
    P[n - k:n] = np.stack([pts[::-1, 0], 2 - pts[::-1, 1]], -1)
    if n % 2 == 0:
        P[h] = (x[2 * k], 1.0)
    return P


def sym_x(P):
    n = len(P) - 1; k = (n - 1) // 2
    x = list(P[1:k + 1].ravel())
    if n % 2 == 0:
        x.append(P[n // 2, 0])
    return np.array(x)


def optimise_all(n, L_over_R=3.0, grade=0.5, w_out=0.05, w_rad=0.0, irls=6, p=10, band=BAND, us=None, per_span=24):
    sec = Section(n, L_over_R, per_span=per_span, us=us)
    P0 = polygon(n, grade)
    wts = None

    def res(x):
        P = sym_assemble(x, n)
        err, th, rad = sec.errors(P)
        m = ((th > band) & (th < math.pi - band))[:, None] & np.ones_like(err, bool)
        r = np.where(m, err, w_out * err) / 1e-3
        if wts is not None:
            r = r * wts
        out = [r.ravel() / math.sqrt(r.size)]
        if w_rad:
            out.append(w_rad * rad / 1e-4 / math.sqrt(rad.size))
        return np.concatenate(out)
    x = sym_x(P0)
    r = least_squares(res, x, method='trf', x_scale='jac', xtol=1e-12, ftol=1e-12, max_nfev=200)
    x = r.x
    for it in range(irls):
        err, th, rad = sec.errors(sym_assemble(x, n))
        e = err / 1e-3
        wts = np.maximum(e / np.quantile(e, 0.5), 1e-3) ** ((p - 2) / 2)
        wts = wts / np.sqrt(np.mean(wts ** 2))
        r = least_squares(res, x, method='trf', x_scale='jac', xtol=1e-12, ftol=1e-12, max_nfev=100)
        x = r.x
    return sym_assemble(x, n), sec


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    lr = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    for grade in [0.5]:
        for irls in [0, 4]:
            t0 = time.time()
            P, sec = optimise_all(n, lr, grade=grade, irls=irls)
            print(sec.report(P, f'all-free n={n} grade0 {grade} irls {irls}'), f'{time.time()-t0:.0f}s', flush=True)
            np.save(f'secall_n{n}_irls{irls}.npy', P)
            th = np.degrees(np.arctan2(P[:, 0], 1 - P[:, 1]))
            print('  control-point angles (deg):', np.round(th[:6], 2), ' radii:', np.round(np.hypot(P[:6, 0], P[:6, 1] - 1), 5))
