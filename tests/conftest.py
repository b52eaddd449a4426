"""Shared test set-up: real Blender (the bpy wheel), imported once per process.

BLENDER_USER_RESOURCES points at a temporary folder before bpy loads, so nothing a test
does (presets, installed extensions) reaches the user's real Blender configuration.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_USER_RESOURCES = tempfile.mkdtemp(prefix="scurve-test-user-")
os.environ["BLENDER_USER_RESOURCES"] = _USER_RESOURCES
atexit.register(shutil.rmtree, _USER_RESOURCES, ignore_errors=True)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import bpy  # noqa: E402  (after the environment is set)
import pytest  # noqa: E402

import scurve_addon  # noqa: E402


@pytest.fixture(scope="session")
def user_resources() -> str:
    return _USER_RESOURCES


@pytest.fixture(scope="session")
def addon():
    """The in-tree add-on, registered once for the session."""
    scurve_addon.register()
    yield scurve_addon
    scurve_addon.unregister()


@pytest.fixture
def clean_scene(addon):
    """An empty scene (no objects, no data), the add-on registered."""
    bpy.ops.wm.read_homefile(use_empty=True)
    yield bpy.context.scene
    bpy.ops.wm.read_homefile(use_empty=True)
