import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, proxy, endfit
from scurve_addon.geometry import shape
from scurve_addon.defaults import SurfaceParams
for rows in [16, 20]:
    p = SurfaceParams(profile='SMOOTH', rows=rows)
    SH = endfit.section_controls(16, 3.0)
    t0 = time.time(); CW = endfit.plan_controls(p); dt = time.time() - t0
    G = shape.combine(CW[:, :2], CW[:, 2:], SH[:, 0], SH[:, 1], p.radius)
    r = proxy.measure_limit(p, G, per_span=6); a = r['all']
    print(f'rows {rows} endfit plan (ps6 nth12) {dt:.1f}s: med {a["med"]:.4f} p99 {a["p99"]:.4f} max {a["max"]:.4f} pos {r["pos_max_pct"]:.4f}', flush=True)
