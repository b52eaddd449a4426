"""Import bpy the way the tests do: Blender's user resources in a temporary folder first,
so registering the add-on (which installs presets) never touches a real configuration."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from .paths import ROOT


def import_bpy():
    if "bpy" not in sys.modules and "BLENDER_USER_RESOURCES" not in os.environ:
        folder = tempfile.mkdtemp(prefix="scurve-bench-user-")
        os.environ["BLENDER_USER_RESOURCES"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    import bpy

    return bpy
