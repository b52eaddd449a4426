"""Section fit by linear least squares with parameter correction (numpy only).

Unknowns: control values S_1..S_{n-1}, H_1..H_{n-1} (S_0=S_n=0, H_0=0, H_n=2 fixed).
Dense knot samples b_k (per_span per span). Footpoints theta_k and speeds lam_k on the circle.
Minimise  sum_k w_k [ (S(b_k)-sin th_k)^2 + (H(b_k)-(1-cos th_k))^2 ]
        + mu * sum_k w_k [ (S'(b_k)-lam_k cos th_k)^2 + (H'(b_k)-lam_k sin th_k)^2 ]
(separable: one banded LSQ for S, one for H, same matrix). Then footpoints <- angle of the new
curve point about the centre (0,1), lam_k <- |gamma'(b_k)| (or d theta/db of the curve), repeat.
Weights: w_k = 1 in the band, w_out outside; the derivative term is what the normals see."""
import math, sys
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from proxy import basis_matrix
from secopt import Section, BAND
from secfam import nodes


def fit_section_pc(n, mu=1.0, iters=30, per_span=16, w_out=1.0, betas=(), grade=None, band=BAND,
                   lam_mode='curve', end_w=None, verbose=False):
    b = np.linspace(0, n, n * per_span + 1)
    B = basis_matrix(n + 1, b); D = basis_matrix(n + 1, b, 1)
    if grade is not None:
        t = b / n
        th = math.pi * (t - grade * np.sin(2 * math.pi * t) / (2 * math.pi))
    else:
        thn = nodes(n, np.array(betas, float)) if len(betas) else np.linspace(0, math.pi, n + 1)
        th = np.interp(b, np.arange(n + 1), thn)
    lam = np.gradient(th, b)
    A1, A2 = B[:, 1:-1], D[:, 1:-1]
    for it in range(iters):
        w = np.where((th > band) & (th < math.pi - band), 1.0, w_out)
        if end_w is not None:
            w = w * end_w(th)
        sw = np.sqrt(w)[:, None]
        M = np.vstack([sw * A1, math.sqrt(mu) * sw * A2])
        tS = np.concatenate([np.sqrt(w) * (np.sin(th)), math.sqrt(mu) * np.sqrt(w) * (lam * np.cos(th))])
        # H: subtract the fixed end H_n = 2 contribution
        tH = np.concatenate([np.sqrt(w) * (1 - np.cos(th) - 2 * B[:, -1]),
                             math.sqrt(mu) * np.sqrt(w) * (lam * np.sin(th) - 2 * D[:, -1])])
        sol = np.linalg.lstsq(M, np.stack([tS, tH], -1), rcond=None)[0]
        P = np.zeros((n + 1, 2)); P[1:-1] = sol; P[-1] = (0, 2)
        S, H = B @ P[:, 0], B @ P[:, 1]
        dS, dH = D @ P[:, 0], D @ P[:, 1]
        th_new = np.arctan2(S, 1 - H)
        th_new = np.clip(th_new, 0, math.pi); th_new[0] = 0; th_new[-1] = math.pi
        th_new = np.maximum.accumulate(th_new)
        if lam_mode == 'curve':  # angular speed of the curve about the centre
            lam = (S * dH - (H - 1) * dS) / np.maximum(S ** 2 + (H - 1) ** 2, 1e-12)
        else:
            lam = np.hypot(dS, dH)
        th = th_new
    return P


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    sec = Section(n, per_span=24)
    for kw in [dict(mu=0, iters=1, grade=0.5), dict(mu=1, iters=1, grade=0.5), dict(mu=0, grade=0.5), dict(mu=1, grade=0.5),
               dict(mu=10, grade=0.5), dict(mu=1, grade=0.0), dict(mu=10, grade=0.0), dict(mu=100, grade=0.0),
               dict(mu=10, grade=0.5, w_out=0.1), dict(mu=10, grade=0.0, w_out=0.1), dict(mu=10, grade=0.3, w_out=0.1)]:
        P = fit_section_pc(n, **kw)
        print(sec.report(P, str(kw)))
