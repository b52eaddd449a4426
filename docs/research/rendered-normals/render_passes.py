"""Render the S-curve mirror headless with Cycles and dump Normal/Position passes.

Run: python render_passes.py OUT.npz key=value ...
keys: profile LINEAR|SMOOTH, s_bend, arc_segments, rows, radius, length, level (render level),
adaptive 0|1, res (width in px), spp, grading (override THETA_GRADING/U_GRADING as 'gt,gu'),
fit (module:function returning control grid replacement, optional), time 0|1, codec
Writes OUT.npz with N (H,W,3), P (H,W,3), params, timings.
"""
import sys, time, os, json, math
sys.path.insert(0, ".")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import bpy
from exr import read_exr

out = sys.argv[sys.argv.index('--') + 1] if '--' in sys.argv else sys.argv[1]
args = dict(a.split('=', 1) for a in sys.argv[2:] if '=' in a)
profile = args.get('profile', 'LINEAR'); s_bend = float(args.get('s_bend', 0))
arc = int(args.get('arc_segments', 16)); rows = int(args.get('rows', 16))
radius = float(args.get('radius', 1.0)); length = float(args.get('length', 3.0))
level = int(args.get('level', 3)); adaptive = int(args.get('adaptive', 0))
resx = int(args.get('res', 240)); spp = int(args.get('spp', 1))
fitmod = args.get('fit', '')
pixel_size = float(args.get('pixel_size', 1.0))

import scurve_addon
bpy.ops.wm.read_factory_settings(use_empty=True)
scurve_addon.register()
from scurve_addon import build
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface as gsurf

if fitmod:  # replace the control grid (same topology) by an alternative fit
    mod_name, fn_name = fitmod.split(':')
    import importlib
    fn = getattr(importlib.import_module(mod_name), fn_name)
    gsurf.control_grid_original = gsurf.control_grid
    def cg(p, _fn=fn):
        return _fn(p)
    gsurf.control_grid = cg

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene
p = SurfaceParams(radius=radius, length=length, arc_segments=arc, rows=rows, profile=profile,
                  s_bend=s_bend, render_levels=level)
obj = build.build_mirror(bpy.context, p)
mod = obj.modifiers["S-Curve Smoothing"]
crease = float(args.get('crease', 0))
if crease:  # crease the edges parallel to the top/bottom boundary, `crow` rows in (experiment)
    crow = int(args.get('crow', 1))
    me = obj.data
    cols = 2 * rows + 1
    rowsel = {crow, arc - crow}
    vals = []
    for e in me.edges:
        a_, b_ = e.vertices
        ia, ib = a_ // cols, b_ // cols
        vals.append(crease if (ia == ib and ia in rowsel) else 0.0)
    attr = me.attributes.get('crease_edge') or me.attributes.new('crease_edge', 'FLOAT', 'EDGE')
    attr.data.foreach_set('value', vals)
    me.update()
if args.get('boundary'):
    mod.boundary_smooth = args['boundary']
if adaptive:
    if hasattr(mod, 'use_adaptive_subdivision'):  # 5.0
        mod.use_adaptive_subdivision = True
        if 'edge' in args:  # object-space dicing: resolution independent
            mod.adaptive_space = 'OBJECT'
            mod.adaptive_object_edge_length = float(args['edge'])
        else:
            mod.adaptive_space = 'PIXEL'
            mod.adaptive_pixel_size = pixel_size
    else:  # 4.2 / 4.5
        scene.cycles.feature_set = 'EXPERIMENTAL'
        obj.cycles.use_adaptive_subdivision = True
        scene.cycles.dicing_rate = pixel_size

# camera: orthographic, on +X looking -X, image right = +Y, up = +Z
ys = []
cam_data = bpy.data.cameras.new('cam'); cam_data.type = 'ORTHO'
from scurve_addon.geometry import shape as _shape
_uu, _tt = np.meshgrid(np.linspace(-1, 1, 401), np.linspace(0, math.pi, 61))
_pts = _shape.surface_points(_uu, _tt, radius, length, profile, s_bend)
ext_y = 2 * np.abs(_pts[..., 1]).max() * 1.01  # the S-bend sweeps the arc ends out beyond +-L
ext_z = 2 * radius * 1.01
aspect = ext_y / ext_z
resy = int(args['resy']) if 'resy' in args else max(8, int(round(resx / aspect)))
cam_data.ortho_scale = max(ext_y, ext_z * resx / resy)
cam_data.clip_start = 0.01; cam_data.clip_end = 1000
cam = bpy.data.objects.new('cam', cam_data)
scene.collection.objects.link(cam)
xmax = radius + abs(s_bend) + 1.0
cam.location = (xmax + 10.0, 0.0, radius)
cam.rotation_euler = (math.pi / 2, 0.0, math.pi / 2)
scene.camera = cam

scene.render.engine = 'CYCLES'
scene.cycles.device = 'CPU'
scene.cycles.samples = spp
if hasattr(scene.cycles, 'use_adaptive_sampling'):
    scene.cycles.use_adaptive_sampling = False
scene.cycles.use_denoising = False
scene.cycles.pixel_filter_type = 'BOX'
scene.cycles.filter_width = 0.01
scene.cycles.max_bounces = 0 if spp == 1 else 4
scene.cycles.seed = 0
scene.render.threads_mode = 'FIXED'; scene.render.threads = int(args.get('threads', 1))
scene.render.resolution_x = resx; scene.render.resolution_y = resy
scene.render.resolution_percentage = 100
scene.render.use_persistent_data = False
vl = scene.view_layers[0]
vl.use_pass_normal = True
vl.use_pass_position = True
vl.use_pass_z = False
ims = scene.render.image_settings
if hasattr(ims, 'media_type'):  # 5.0: multilayer is a media type
    ims.media_type = 'MULTI_LAYER_IMAGE'
ims.file_format = 'OPEN_EXR_MULTILAYER'
ims.color_depth = '32'
ims.exr_codec = args.get('codec', 'ZIP')
exr_path = os.path.abspath(out) + '.exr'
scene.render.filepath = exr_path
if scene.world is None:
    scene.world = bpy.data.worlds.new('w')
t0 = time.time()
bpy.ops.render.render(write_still=True)
t1 = time.time()
ch = read_exr(exr_path)
names = sorted(ch)
def grab(passname):
    keys = [k for k in names if k.split('.')[-2] == passname] if any('.' in k for k in names) else []
    xs = [k for k in keys if k.endswith('.X')][0]
    base = xs[:-2]
    return np.stack([ch[base + '.X'], ch[base + '.Y'], ch[base + '.Z']], -1)
N = grab('Normal'); P = grab('Position')
np.savez_compressed(out, N=N, P=P, render_s=t1 - t0, version=bpy.app.version_string,
                    params=json.dumps(dict(args, resy=resy)), channels=json.dumps(names))
print(json.dumps({'version': bpy.app.version_string, 'render_s': round(t1 - t0, 2), 'res': [resx, resy],
                  'channels': names[:12], 'hit_px': int((np.linalg.norm(N, axis=-1) > 0.5).sum())}))
if not int(args.get('keep_exr', 0)):
    os.remove(exr_path)
sys.stdout.flush(); sys.stderr.flush()
os._exit(0)  # 4.5 wheel was seen hanging at interpreter exit (sleeping, no CPU) after a render
