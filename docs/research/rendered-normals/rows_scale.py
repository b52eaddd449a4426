import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, planopt, secopt3
from scurve_addon.defaults import SurfaceParams
secopt3.USE_SCIPY = False
for rows in [12, 20, 24, 32]:
    p = SurfaceParams(profile='SMOOTH', rows=rows)
    ref = planopt.Plan(p, per_span=8, nth=16)
    r0 = ref.report(planopt.initial(p, 0.5)[0], f'SMOOTH rows={rows} current')
    t0 = time.time()
    CW = planopt.optimise_ends(p, k=8, g=0.4, end_betas=(0.2, 0.4, 0.6, 0.8, 0.9), plan=planopt.Plan(p, per_span=4, nth=8))
    print(r0, '\n   ', ref.report(CW, f'SMOOTH rows={rows} opt k=8'), f'{time.time()-t0:.1f}s', flush=True)
    np.save(f'scan/plan_smooth_rows{rows}.npy', CW)
