"""Install the extension zip the way "Install from Disk" does, use it, remove it; print JSON.

Run in its own process (bpy is imported once per process, and the in-tree add-on of the
test session would clash with the installed copy). BLENDER_USER_RESOURCES must point at a
temporary folder: the caller sets it, so the user's Blender config is never touched.
Usage: python install_extension.py ZIP
"""
import importlib
import json
import os
import sys
from typing import Any

assert os.environ.get("BLENDER_USER_RESOURCES"), "refusing to touch the real user config"
import bpy  # noqa: E402

# isort: split
import addon_utils  # noqa: E402  (Blender's module, importable once bpy is loaded)

zip_path = sys.argv[1]
result: dict[str, Any] = {}
bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
module = "bl_ext.user_default.scurve_mirror"
result["enabled"] = addon_utils.check(module)[1]
result["installed_dir"] = os.path.isdir(os.path.join(bpy.utils.user_resource("EXTENSIONS"), "user_default",
                                                     "scurve_mirror"))
bpy.ops.wm.read_homefile(use_empty=True)
result["build"] = list(bpy.ops.scurve.build_mirror(arc_segments=8, rows=3))  # type: ignore[attr-defined]  # ours: not in the stubs
obj = bpy.context.active_object
result["vertices"] = len(obj.data.vertices)
result["modifiers"] = [m.type for m in obj.modifiers]
result["material"] = obj.active_material.name
fit_cache = importlib.import_module(module + ".scurve_addon.geometry.fit_cache")
result["fit_cache"] = fit_cache.folder()
result["fits"] = sorted(name.split("-")[0] for name in os.listdir(result["fit_cache"]))
result["presets"] = sorted(os.listdir(bpy.utils.user_resource(
    "SCRIPTS", path="presets/operator/scurve.build_mirror")))
bpy.ops.preferences.addon_disable(module=module)
result["operator_after_disable"] = hasattr(bpy.types, "SCURVE_OT_build_mirror")
bpy.ops.extensions.package_uninstall(repo_directory=os.path.join(
    bpy.utils.user_resource("EXTENSIONS"), "user_default"), pkg_id="scurve_mirror")
result["removed"] = not os.path.isdir(os.path.join(bpy.utils.user_resource("EXTENSIONS"), "user_default",
                                                   "scurve_mirror"))
print("RESULT " + json.dumps(result), flush=True)
# The bpy 4.2 module crashes while Python shuts down once the extension registered its
# properties with get/set functions (scurve_addon/compat.py): end here on 4.2.
if bpy.app.version < (4, 3, 0):
    os._exit(0)
