"""Does Blender's evaluated subsurf mesh (use_limit_surface) lie on the phantom-point B-spline
limit surface of the control net? Compare evaluated vertices with proxy.limit_eval."""
import sys; sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np, bpy
import scurve_addon
bpy.ops.wm.read_factory_settings(use_empty=True)
scurve_addon.register()
from scurve_addon import build
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface
import proxy
args = dict(a.split('=') for a in sys.argv[1:] if '=' in a)
lev = int(args.get('level', 3))
p = SurfaceParams(arc_segments=int(args.get('arc', 16)), rows=int(args.get('rows', 16)), render_levels=lev, subdiv_levels=lev)
obj = build.build_mirror(bpy.context, p)
mod = obj.modifiers[0]
if 'boundary' in args: mod.boundary_smooth = args['boundary']
dg = bpy.context.evaluated_depsgraph_get()
me = obj.evaluated_get(dg).to_mesh()
V = np.array([v.co[:] for v in me.vertices]); VN = np.array([v.normal[:] for v in me.vertices])
G = surface.control_grid(p)[0]
nt, nu = G.shape[:2]; s = 2 ** lev
a = np.arange((nu - 1) * s + 1) / s; b = np.arange((nt - 1) * s + 1) / s
Q, Qa, Qb = proxy.limit_eval(G, a, b)
N = np.cross(Qa, Qb); N /= np.linalg.norm(N, axis=-1, keepdims=True)
Qf = Q.reshape(-1, 3); Nf = N.reshape(-1, 3)
# match by nearest neighbour (brute force on chunks)
idx = np.empty(len(V), int); dmin = np.empty(len(V))
for i in range(0, len(V), 2000):
    d = ((V[i:i+2000, None, :] - Qf[None]) ** 2).sum(-1)
    idx[i:i+2000] = d.argmin(1); dmin[i:i+2000] = np.sqrt(d.min(1))
print('verts', len(V), 'grid', Qf.shape, 'max |V - Q| =', dmin.max(), 'median', np.median(dmin))
bb = np.repeat(b, len(a)); aa = np.tile(a, len(b))
bad = dmin > 1e-5
print('mismatching verts:', bad.sum(), 'at b in', np.unique(bb[idx[bad]])[:20])
ang = np.degrees(np.arccos(np.clip(np.abs((VN * Nf[idx]).sum(1)), 0, 1)))
print('vertex normal vs limit normal: median %.5f  p99 %.4f  max %.4f deg' % (np.median(ang), np.quantile(ang, .99), ang.max()))
for bb0 in [0, 1/s, 2/s, 0.5, 1, 2, 8]:
    m = np.isclose(bb[idx], bb0)
    if m.any(): print(' b=%.3f: vert-normal err max %.4f, pos err max %.2e' % (bb0, ang[m].max(), dmin[m].max()))
