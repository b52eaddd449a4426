"""Section fit minimising the (linearised) SURFACE normal error, numpy only.

Residuals at dense knot samples b_k with footpoint angle th_k (angle of the current curve point
about the centre (0,1)) and angular speed lam_k:
  tilt  r1_k = sqrt(w_k) (S'(b_k) sin th_k - H'(b_k) cos th_k) / (lam_k sin th_k)   [= d e/d theta]
  pos   r2_k = sqrt(w_k) c_pos (S(b_k) sin th_k - (H(b_k)-1) cos th_k - 1) / sin th_k  [= e, horizontal error]
(e = horizontal deviation at equal height; the surface normal error is ~ |de/dtheta| * g(theta),
g <= 0.71, plus (R/L) |e|). Linear in the 2(n-1) free control values for fixed th_k, lam_k:
solve, update th_k, lam_k, repeat (footpoint correction); optional Lawson/IRLS reweighting
towards minimax. Ends: P0=(0,0), Pn=(0,2)."""
import math, sys
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from proxy import basis_matrix
from secopt import Section, BAND
from scurve_addon.geometry import bspline


def fit_section_normals(n, grade=0.5, per_span=16, iters=15, c_pos=0.3, w_out=0.05, band=BAND,
                        irls=0, p_irls=8, eps_sin=0.02, init=None):
    b = np.linspace(0, n, n * per_span + 1)
    B = basis_matrix(n + 1, b)[:, 1:-1]; D = basis_matrix(n + 1, b, 1)[:, 1:-1]
    Bn = basis_matrix(n + 1, b)[:, -1]; Dn = basis_matrix(n + 1, b, 1)[:, -1]
    if init is None:
        t = np.arange(n + 1) / n
        thn = math.pi * (t - grade * np.sin(2 * math.pi * t) / (2 * math.pi))
        P = bspline.interpolate(np.stack([np.sin(thn), 1 - np.cos(thn)], -1))
    else:
        P = init.copy()
    extra = np.ones_like(b)
    for it in range(iters + irls):
        S = B @ P[1:-1, 0]; H = B @ P[1:-1, 1] + 2 * Bn
        dS = D @ P[1:-1, 0]; dH = D @ P[1:-1, 1] + 2 * Dn
        th = np.arctan2(S, 1 - H)
        lam = (S * dH - (H - 1) * dS) / np.maximum(S ** 2 + (H - 1) ** 2, 1e-12)
        st, ct = np.sin(th), np.cos(th)
        sden = np.maximum(st, eps_sin)
        w = np.where((th > band) & (th < math.pi - band), 1.0, w_out) * extra
        sw = np.sqrt(w)
        # tilt: (dS st - dH ct) / (lam sden)
        k1 = sw / (lam * sden)
        A1 = np.hstack([(k1 * st)[:, None] * D, -(k1 * ct)[:, None] * D])
        r1 = -(k1 * (-ct)) * (2 * Dn)  # move the known H_n contribution to the rhs
        r1 = k1 * ct * 2 * Dn
        # pos: (S st - (H-1) ct - 1)/sden
        k2 = c_pos * sw / sden
        A2 = np.hstack([(k2 * st)[:, None] * B, -(k2 * ct)[:, None] * B])
        r2 = k2 * (1 - ct + 2 * Bn * ct) - 0  # S st - H ct + ct - 1 = 0 -> S st - H ct = 1 - ct
        r2 = k2 * ((1 - ct) + ct * 2 * Bn)
        A = np.vstack([A1, A2]); r = np.concatenate([r1, r2])
        x = np.linalg.lstsq(A, r, rcond=None)[0]
        m = n - 1
        P = P.copy(); P[1:-1, 0] = x[:m]; P[1:-1, 1] = x[m:]
        if it >= iters:  # Lawson-style reweighting on the tilt residual
            res = np.abs(A1 @ x - r1) / np.maximum(sw, 1e-12)
            extra = extra * np.maximum(res / np.median(res), 1e-3) ** 0.5
            extra /= extra.mean()
    return P


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    sec = Section(n, per_span=24)
    for kw in [dict(grade=0.5), dict(grade=0.3), dict(grade=0.0), dict(grade=0.5, c_pos=1.0), dict(grade=0.5, c_pos=0.1),
               dict(grade=0.5, w_out=0.2), dict(grade=0.5, irls=10), dict(grade=0.3, irls=10)]:
        P = fit_section_normals(n, **kw)
        print(sec.report(P, str(kw)), flush=True)
