import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, planopt
import secopt3
from scurve_addon.defaults import SurfaceParams
for name, p in [('smooth', SurfaceParams(profile='SMOOTH')), ('kist', SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8))]:
    ref = planopt.Plan(p, per_span=8, nth=16)
    for ps, nth, k in [(4, 8, 8), (6, 10, 8)]:
        secopt3.USE_SCIPY = False
        t0 = time.time()
        CW = planopt.optimise_ends(p, k=k, g=0.4, end_betas=(0.2, 0.4, 0.6, 0.8, 0.9), plan=planopt.Plan(p, per_span=ps, nth=nth))
        dt = time.time() - t0
        print(ref.report(CW, f'{name} numpy-LM per_span={ps} nth={nth} k={k}'), f'{dt:.1f}s', flush=True)
        np.save(f'scan/plan_{name}_fast_ps{ps}.npy', CW)
