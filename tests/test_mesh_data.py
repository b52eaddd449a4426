"""numpy arrays into Blender meshes: the fast attribute path and its public-API fallback
(mesh_data's comment says why both exist) give the same mesh."""
from __future__ import annotations

import bpy
import numpy as np
import pytest

from scurve_addon import mesh_data
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import full_surface


def written(name: str) -> tuple[bpy.types.Mesh, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    m = full_surface(SurfaceParams(arc_segments=6, rows=3))
    mesh = mesh_data.new_mesh(name, m.verts, m.loops, m.starts)
    return mesh, (m.verts, m.loops, m.starts)


def test_fast_path_takes_the_attributes_on_this_blender(clean_scene):
    mesh, (verts, loops, starts) = written("fast")
    assert mesh_data._attribute(mesh, mesh_data.CORNER_VERT_ATTRIBUTE, bpy.types.IntAttribute, "CORNER") is not None
    assert mesh_data._attribute(mesh, mesh_data.POSITION_ATTRIBUTE, bpy.types.FloatVectorAttribute,
                                "POINT") is not None
    got_verts, got_loops, got_starts = mesh_data.read_mesh(mesh)
    assert np.allclose(got_verts, verts, atol=1e-6)
    assert got_loops.tolist() == loops.tolist() and got_starts.tolist() == starts.tolist()


def test_fallback_when_the_internal_attributes_are_not_found(clean_scene, monkeypatch):
    """As on a Blender that renamed its internal storage: the lookups fail, the RNA path writes."""
    fast, _ = written("fast")
    monkeypatch.setattr(mesh_data, "CORNER_VERT_ATTRIBUTE", ".no_such_corner_attribute")
    monkeypatch.setattr(mesh_data, "POSITION_ATTRIBUTE", "no_such_position_attribute")
    slow, (verts, loops, starts) = written("fallback")
    assert mesh_data._attribute(slow, mesh_data.CORNER_VERT_ATTRIBUTE, bpy.types.IntAttribute, "CORNER") is None
    got_verts, got_loops, got_starts = mesh_data.read_mesh(slow)
    assert np.allclose(got_verts, verts, atol=1e-6)
    assert got_loops.tolist() == loops.tolist() and got_starts.tolist() == starts.tolist()
    assert len(slow.edges) == len(fast.edges) > 0
    assert not slow.validate()  # nothing to correct: a sound mesh


@pytest.mark.parametrize("kind, domain", [(bpy.types.FloatAttribute, "CORNER"), (bpy.types.IntAttribute, "POINT")])
def test_an_attribute_of_another_kind_is_not_taken(clean_scene, kind, domain):
    mesh, _ = written("kinds")
    assert mesh_data._attribute(mesh, mesh_data.CORNER_VERT_ATTRIBUTE, kind, domain) is None
