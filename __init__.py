# The extension package (blender_manifest.toml sits beside this file): the add-on code
# lives in scurve_addon/, imported relatively so it works as bl_ext.<repo>.scurve_mirror.
if __package__:
    from .scurve_addon import cli_main, register, unregister
else:
    # The repo root imported as a plain module: pytest sets up the root package of the
    # tests by importing this file, and where the clone's folder name is no identifier
    # (CI's "compat-check", say) it has no package name to import it under.
    from scurve_addon import cli_main, register, unregister

# cli_main: the handler of `blender -c scurve ...`, callable directly (the bpy module has no -c).
__all__ = ["cli_main", "register", "unregister"]
