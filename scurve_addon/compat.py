"""Differences between the Blender versions we support (4.2 LTS to 5.0), in one place.

Every call into an API that changed between those versions goes through here, so a
new Blender release means one file to read.
"""
from __future__ import annotations

from typing import Any

import bpy

VERSION: tuple[int, int, int] = tuple(bpy.app.version)  # type: ignore[assignment]


def ensure_node_tree(idblock: Any) -> Any:
    """The node tree of a material or world, created where needed.

    Blender 5.0 deprecates `use_nodes` (always on); 4.x needs it switched on first.
    """
    if VERSION < (5, 0, 0) and not idblock.use_nodes:
        idblock.use_nodes = True
    if idblock.node_tree is None:  # a 5.x world or material made without one
        idblock.use_nodes = True
    return idblock.node_tree
