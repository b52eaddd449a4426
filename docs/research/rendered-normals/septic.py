"""What if the SMOOTH profile had A''(+-1)=0 too: A = (35u^3 - 42u^5 + 15u^7)/8 (septic smoothstep)."""
import sys, time; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np
from scurve_addon.geometry import shape
_orig = shape.profile
def profile(u, kind):
    u = np.asarray(u, dtype=float)
    if kind == 'SEPTIC':
        return (35 * u**3 - 42 * u**5 + 15 * u**7) / 8
    return _orig(u, kind)
shape.profile = profile
import planopt, secopt3
from scurve_addon.defaults import SurfaceParams
secopt3.USE_SCIPY = False
for g in [0.0, 0.5]:
    p = SurfaceParams(profile='SEPTIC')
    ref = planopt.Plan(p, per_span=8, nth=16)
    print(ref.report(planopt.initial(p, g)[0], f'SEPTIC rows=16 interp g={g}'), flush=True)
p = SurfaceParams(profile='SEPTIC')
CW = planopt.optimise_ends(p, k=8, g=0.4, end_betas=(0.2, 0.4, 0.6, 0.8, 0.9), plan=planopt.Plan(p, per_span=4, nth=8))
print(planopt.Plan(p, per_span=8, nth=16).report(CW, 'SEPTIC opt k=8'))
