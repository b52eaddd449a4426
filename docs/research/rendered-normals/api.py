import bpy, sys
print(bpy.app.version_string)
m = bpy.types.SubsurfModifier.bl_rna.properties
print([p.identifier for p in m if 'adapt' in p.identifier or 'dicing' in p.identifier])
for p in m:
    if 'adapt' in p.identifier or 'dicing' in p.identifier:
        print(p.identifier, p.type, getattr(p,'default',None), p.description)
import addon_utils
cs = bpy.types.Scene.bl_rna
sc = bpy.context.scene
print('cycles' , hasattr(sc,'cycles'))
cy = sc.cycles
for k in ['dicing_rate','preview_dicing_rate','max_subdivisions','offscreen_dicing_scale','dicing_camera','feature_set']:
    print(k, getattr(cy,k,'NA'))
ob = bpy.types.Object.bl_rna
try:
    print('obj.cycles props', [p.identifier for p in bpy.types.CyclesObjectSettings.bl_rna.properties if 'dic' in p.identifier or 'adapt' in p.identifier])
except Exception as e: print(e)
