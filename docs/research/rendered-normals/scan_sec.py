import sys, time, math, itertools
sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
import secopt3
from secopt import Section
n = int(sys.argv[1])
sec = Section(n, per_span=24)
rows = []
for k, g, eb, p in itertools.product([4, (n-1)//2], [0.0, 0.15, 0.25], [(0.3, 0.6, 0.85), (0.4, 0.7, 0.9), (0.5, 0.8), (0.25, 0.5, 0.75, 0.9), (0.35,0.55,0.75,0.9)], [4]):
    P = secopt3.optimise_ends(n, k=k, grade=g, end_betas=eb, p=p)
    err, th, rad = sec.errors(P)
    band = (th > secopt3.BAND) & (th < math.pi - secopt3.BAND)
    e = np.degrees(err[band])
    rows.append((e.max(), np.quantile(e, .99), np.median(e), np.abs(rad).max() * 100, k, g, eb, p))
    np.save(f'scan/sec_n{n}_k{k}_g{g}_eb{"-".join(map(str,eb))}_p{p}.npy', P)
rows.sort()
for r in rows[:10]:
    print('n=%d max %.4f p99 %.4f med %.5f rad %.4f%%R  k=%d grade=%.1f end_betas=%s p=%d' % ((n,) + r))
