import sys, math, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, secopt3, proxy
from secopt import Section
from stats import fmt
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import shape
secopt3.USE_SCIPY = True
n = 16
sec = Section(n, per_span=16, us=np.linspace(0.02, 1, 14))
p = SurfaceParams()
res = []
for g, eb, pe, k in [(0.15, (0.35, 0.55, 0.75, 0.9), 2, 7), (0.0, (0.3, 0.5, 0.7, 0.85, 0.95), 2, 7), (0.0, (0.3, 0.5, 0.7, 0.85, 0.95), 4, 7),
                     (0.0, (0.25, 0.45, 0.65, 0.85), 2, 5), (0.05, (0.3, 0.5, 0.7, 0.85, 0.95), 2, 7)]:
    P = secopt3.optimise_ends(n, k=k, grade=g, end_betas=eb, p=pe, sec=sec)
    u = np.linspace(-1, 1, 33); c, w = shape.plan_terms(u, p.length, p.profile, p.s_bend)
    G = shape.combine(c, w, P[:, 0], P[:, 1], p.radius)
    r = proxy.measure_limit(p, G, per_span=6)
    a = r['all']
    print(f'g={g} eb={eb} p={pe} k={k}: proxy med {a["med"]:.4f} p99 {a["p99"]:.4f} max {a["max"]:.4f} pos {r["pos_max_pct"]:.4f}%R', flush=True)
    np.save(f'scan/med_g{g}_p{pe}_k{k}_{len(eb)}.npy', P)
