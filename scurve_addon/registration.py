"""Registration of the extension's classes and menus: explicit order, reversed on unregister."""
from __future__ import annotations

import bpy

from . import presets
from .operators.add_mirror_material import SCURVE_OT_add_mirror_material
from .operators.add_patch import SCURVE_OT_add_patch
from .operators.add_smoothing import SCURVE_OT_add_smoothing
from .operators.build_mirror import SCURVE_OT_build_mirror
from .operators.duplicate_rotate_join import SCURVE_OT_duplicate_rotate_join
from .operators.match_heights import SCURVE_OT_match_heights
from .operators.quality_report import SCURVE_OT_quality_report
from .operators.setup_scene import SCURVE_OT_setup_scene
from .ui import VIEW3D_PT_scurve, menu_add_mesh

CLASSES: list[type] = [
    SCURVE_OT_add_patch,
    SCURVE_OT_match_heights,
    SCURVE_OT_duplicate_rotate_join,
    SCURVE_OT_add_smoothing,
    SCURVE_OT_add_mirror_material,
    SCURVE_OT_build_mirror,
    SCURVE_OT_quality_report,
    SCURVE_OT_setup_scene,
    VIEW3D_PT_scurve,
]


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.VIEW3D_MT_mesh_add.append(menu_add_mesh)
    presets.install()


def unregister() -> None:
    bpy.types.VIEW3D_MT_mesh_add.remove(menu_add_mesh)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
