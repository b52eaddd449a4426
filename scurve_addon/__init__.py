"""S-Curve mirror: operators that build a polished-metal S-curve surface, step by step or at once.

Importing this package needs no bpy: `scurve_addon.geometry` and `scurve_addon.defaults`
are plain numpy/Python. The Blender side is loaded by register().
"""
from __future__ import annotations

from .command import cli_main  # `blender -c scurve ...` (registered by register())

__all__ = ["cli_main", "register", "unregister"]


def register() -> None:
    from . import registration

    registration.register()


def unregister() -> None:
    from . import registration

    registration.unregister()
