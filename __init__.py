# The extension package (blender_manifest.toml sits beside this file): the add-on code
# lives in scurve_addon/, imported relatively so it works as bl_ext.<repo>.scurve_mirror.
from .scurve_addon import register, unregister

__all__ = ["register", "unregister"]
