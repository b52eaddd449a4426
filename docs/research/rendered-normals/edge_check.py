"""Team quality report (build.evaluated_quality) of the evaluated level-3 mesh with the new fit."""
import sys; sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import bpy, scurve_addon
bpy.ops.wm.read_factory_settings(use_empty=True)
scurve_addon.register()
from scurve_addon import build
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import surface as gsurf
import endfit
orig = gsurf.control_grid
for name, p in [('default', SurfaceParams()), ('smooth', SurfaceParams(profile='SMOOTH')),
                ('kistefos', SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8))]:
    for tag, fn in [('current', orig), ('new', endfit.control_grid)]:
        gsurf.control_grid = fn
        obj = build.build_mirror(bpy.context, p)
        mod = obj.modifiers[0]; mod.levels = 3
        q = build.evaluated_quality(obj)
        print(f'{name:9s} {tag:8s}', q.summary())
        pass
import os; sys.stdout.flush(); os._exit(0)
