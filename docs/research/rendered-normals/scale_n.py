import sys, math, time; sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
import secopt3
from secopt import Section, polygon
for n in [8, 12, 16, 24, 32, 48, 64]:
    sec = Section(n, per_span=max(8, 256 // n), us=np.linspace(0.02, 1, 14))
    r0 = sec.report(polygon(n, 0.5), f'n={n} current')
    t0 = time.time()
    k = min((n - 1) // 2, 8)
    P = secopt3.optimise_ends(n, k=k, grade=0.15 if n <= 24 else 0.0, end_betas=(0.35, 0.55, 0.75, 0.9), p=4, sec=sec)
    print(r0, '\n   ', sec.report(P, f'n={n} opt k={k}'), f'{time.time()-t0:.0f}s', flush=True)
