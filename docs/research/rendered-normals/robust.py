import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import proxy, endfit
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface
for name, p in [('LINEAR s_bend 0.8', SurfaceParams(s_bend=0.8)),
                ('SMOOTH L=1.5 (L/R 1.5)', SurfaceParams(profile='SMOOTH', length=1.5)),
                ('LINEAR arc 24 rows 8', SurfaceParams(arc_segments=24, rows=8)),
                ('SMOOTH s_bend -0.5 rows 24', SurfaceParams(profile='SMOOTH', s_bend=-0.5, rows=24))]:
    t0 = time.time(); G = endfit.control_grid(p)[0]; dt = time.time() - t0
    out = []
    for tag, g in [('current', surface.control_grid(p)[0]), ('endfit', G)]:
        r = proxy.measure_limit(p, g, per_span=6); a = r['all']
        out.append(f'{tag} {a["med"]:.4f}/{a["p99"]:.4f}/{a["max"]:.4f} pos {r["pos_max_pct"]:.4f}%R')
    print(f'{name}: ' + ' | '.join(out) + f' (fit {dt:.1f}s)', flush=True)
