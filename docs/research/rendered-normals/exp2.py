import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, proxy, fits
from stats import fmt
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface
cases = sys.argv[1].split(',')
for case in cases:
    p = SurfaceParams() if case.startswith('default') else SurfaceParams(profile='SMOOTH')
    fit = case.split(':')[1] if ':' in case else ''
    G = getattr(fits, fit)(p)[0] if fit else surface.control_grid(p)[0]
    t0 = time.time()
    print(fmt(proxy.measure_limit(p, G, per_span=8), f'{case} LIMIT'), flush=True)
    if len(sys.argv) > 2:
        for lev in map(int, sys.argv[2].split(',')):
            print(fmt(proxy.measure_mesh(p, G, level=lev, per_face=3), f'{case} MESH level {lev} (limit vertex normals)'), f'{time.time()-t0:.0f}s', flush=True)
