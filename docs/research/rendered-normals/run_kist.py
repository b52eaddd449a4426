import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, planopt, secopt3
from secopt import Section
from scurve_addon.defaults import SurfaceParams
which = sys.argv[1]
if which == 'kplan':
    p = SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8)
    plan = planopt.Plan(p, per_span=8, nth=16)
    print(plan.report(planopt.initial(p, 0.5)[0], 'kistefos interp'), flush=True)
    for k, g, eb in [(8, 0.4, (0.2, 0.4, 0.6, 0.8, 0.9)), (12, 0.4, (0.2, 0.4, 0.6, 0.8, 0.9))]:
        t0 = time.time()
        CW = planopt.optimise_ends(p, k=k, g=g, end_betas=eb, plan=plan)
        print(plan.report(CW, f'kistefos opt k={k} g={g} eb={eb}'), f'{time.time()-t0:.0f}s', flush=True)
        np.save(f'scan/plan_kist_k{k}_g{g}.npy', CW)
elif which == 'ksec':
    n = 24; sec = Section(n, 4.6 / 1.05, per_span=24)
    for k, g, eb in [(11, 0.1, (0.35, 0.55, 0.75, 0.9)), (11, 0.2, (0.4, 0.7, 0.9)), (11, 0.0, (0.35, 0.55, 0.75, 0.9)), (6, 0.1, (0.35, 0.55, 0.75, 0.9))]:
        P = secopt3.optimise_ends(n, k=k, grade=g, end_betas=eb, p=4, L_over_R=4.6 / 1.05)
        print(sec.report(P, f'n=24 k={k} g={g} eb={eb}'), flush=True)
        np.save(f'scan/sec_kist_k{k}_g{g}.npy', P)
elif which == 'splan':
    p = SurfaceParams(profile='SMOOTH')
    plan = planopt.Plan(p)
    for k, g, eb in [(15, 0.4, (0.2, 0.4, 0.6, 0.8, 0.9)), (12, 0.3, (0.15, 0.3, 0.5, 0.7, 0.85))]:
        t0 = time.time()
        CW = planopt.optimise_ends(p, k=k, g=g, end_betas=eb, plan=plan)
        print(plan.report(CW, f'smooth opt k={k} g={g} eb={eb}'), f'{time.time()-t0:.0f}s', flush=True)
        np.save(f'scan/plan_smooth_k{k}_g{g}.npy', CW)
