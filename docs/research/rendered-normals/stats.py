"""Shared error statistics: normal error vs the analytic surface, per theta / |u| band."""
import math, sys
sys.path.insert(0, ".")
import numpy as np
from scurve_addon.geometry import quality, shape

TH_BANDS = [9, 15, 30, 60, 120, 150, 165, 171]  # degrees; band is 0.05pi..0.95pi = 9..171
U_BANDS = [0, 0.25, 0.5, 0.75, 0.9, 1.0001]


def wquantile(x, w, q):
    if w is None:
        return float(np.quantile(x, q)) if len(x) else float('nan')
    i = np.argsort(x); x, w = x[i], w[i]
    c = np.cumsum(w); c /= c[-1]
    return float(np.interp(q, c, x))


def summarize(err, w=None):
    if len(err) == 0:
        return dict(n=0, med=float('nan'), p99=float('nan'), max=float('nan'))
    return dict(n=int(len(err)), med=wquantile(err, w, 0.5), p99=wquantile(err, w, 0.99), max=float(err.max()))


def normal_errors(p, pts, nrm, weights=None):
    """pts (k,3), nrm (k,3) -> dict with overall/band stats; err in degrees, position error in % R."""
    u, t = quality.closest_parameters(p, pts)
    dist = np.linalg.norm(shape.surface_points(u, t, p.radius, p.length, p.profile, p.s_bend) - pts, axis=1)
    band = (t > 0.05 * math.pi) & (t < 0.95 * math.pi)
    ref = quality.surface_normals(p, u[band], t[band])
    n = nrm[band]
    cos = np.abs((ref * n).sum(1)) / np.maximum(np.linalg.norm(n, axis=1), 1e-300)
    err = np.degrees(np.arccos(np.clip(cos, -1, 1)))
    w = None if weights is None else weights[band]
    res = dict(all=summarize(err, w), pos_max_pct=float(dist.max() / p.radius * 100),
               pos_med_pct=float(np.median(dist) / p.radius * 100))
    tb, ub = np.degrees(t[band]), np.abs(u[band])
    res['theta'] = {}
    for lo, hi in zip(TH_BANDS[:-1], TH_BANDS[1:]):
        m = (tb >= lo) & (tb < hi)
        res['theta'][f'{lo}-{hi}'] = summarize(err[m], None if w is None else w[m])
    res['u'] = {}
    for lo, hi in zip(U_BANDS[:-1], U_BANDS[1:]):
        m = (ub >= lo) & (ub < hi)
        res['u'][f'{lo}-{min(hi,1)}'] = summarize(err[m], None if w is None else w[m])
    return res


def fmt(res, title=''):
    a = res['all']
    lines = [f"{title}: med {a['med']:.4f}  p99 {a['p99']:.4f}  max {a['max']:.4f} deg | pos max {res['pos_max_pct']:.4f} %R med {res['pos_med_pct']:.5f} %R  (n={a['n']})"]
    lines.append('  theta: ' + '  '.join(f"{k}:{v['med']:.4f}/{v['p99']:.3f}/{v['max']:.3f}" for k, v in res['theta'].items()))
    lines.append('  |u|  : ' + '  '.join(f"{k}:{v['med']:.4f}/{v['p99']:.3f}/{v['max']:.3f}" for k, v in res['u'].items()))
    return '\n'.join(lines)
