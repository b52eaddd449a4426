import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface
import proxy, fit1d
from stats import fmt
p = SurfaceParams()
G0 = surface.control_grid(p)[0]
G1 = fit1d.make_grid(p)[0]
print('reproduces surface.py:', np.abs(G0 - G1).max())
for name, kw in [('interp g=0.5', {}), ('interp g=0.7', dict(tg=0.7)), ('interp g=0.3', dict(tg=0.3)),
                 ('lsq mu=1 g=.5', dict(th_method='lsq', mu_t=1)), ('lsq mu=10 g=.5', dict(th_method='lsq', mu_t=10)),
                 ('lsq mu=100 g=.5', dict(th_method='lsq', mu_t=100)),('lsq mu=10 g=.7', dict(th_method='lsq', mu_t=10, tg=0.7))]:
    G = fit1d.make_grid(p, **kw)[0]
    t0 = time.time()
    print(fmt(proxy.measure_limit(p, G, per_span=8), name), f'{time.time()-t0:.1f}s', flush=True)
