import sys; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import proxy, fits
from stats import fmt
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface
p = SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8)
print(fmt(proxy.measure_limit(p, surface.control_grid(p)[0], per_span=6), 'kistefos current LIMIT'), flush=True)
print(fmt(proxy.measure_limit(p, fits.both(p)[0], per_span=6), 'kistefos NEW LIMIT'), flush=True)
