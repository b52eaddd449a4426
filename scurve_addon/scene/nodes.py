"""Small helpers for the studio's shader node trees (worlds and materials).

The studio rebuilds its own node trees from scratch on every run: the result is the same
whatever was there before, and a second run leaves exactly as many nodes as the first.
"""
from __future__ import annotations

from typing import Any

from .. import compat


def fresh_tree(idblock: Any) -> Any:
    """The (material or world) node tree of `idblock`, emptied."""
    tree = compat.ensure_node_tree(idblock)
    tree.nodes.clear()
    return tree


def add(tree: Any, bl_idname: str, x: float, y: float = 0.0, **props: Any) -> Any:
    node = tree.nodes.new(bl_idname)
    node.location = (x, y)
    for name, value in props.items():
        setattr(node, name, value)
    return node


def math_node(tree: Any, operation: str, x: float, y: float = 0.0, value: float | None = None) -> Any:
    """A Math node; `value` fills its second input."""
    node = add(tree, "ShaderNodeMath", x, y, operation=operation)
    if value is not None:
        node.inputs[1].default_value = value
    return node


def link(tree: Any, out_socket: Any, in_socket: Any) -> None:
    tree.links.new(out_socket, in_socket)
