"""Topology of quad grids, and the duplicate-rotate-join-weld step, as index arrays.

Meshes are passed around as (verts (N, 3) float, loops (L,) int, starts (F,) int):
`loops` lists each polygon's vertex indices one polygon after the other, `starts[f]` is
where polygon f begins (its size runs to the next start). Quads are the common case.
"""
from __future__ import annotations

import numpy as np


def grid_quads(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Quads of a (rows x cols) vertex grid stored row-major (index = i * cols + j).

    Winding (i, j) -> (i, j+1) -> (i+1, j+1) -> (i+1, j): with rows along theta and
    columns along u, the normal is dP/du x dP/dtheta, facing +x at the centre line.
    """
    # Built in int32 from the start (MAX_VERTICES keeps indices far below 2**31): no int64
    # index grids, no stack, no cast.
    v0 = (np.arange(rows - 1, dtype=np.int32)[:, None] * np.int32(cols)
          + np.arange(cols - 1, dtype=np.int32)[None, :]).ravel()
    quads = np.empty((v0.size, 4), dtype=np.int32)
    quads[:, 0] = v0
    np.add(v0, 1, out=quads[:, 1])
    np.add(v0, cols + 1, out=quads[:, 2])
    np.add(v0, cols, out=quads[:, 3])
    loops = quads.ravel()
    starts = np.arange(0, loops.size, 4, dtype=np.int32)
    return loops, starts


def polygon_sizes(loops: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.diff(np.append(starts, len(loops)))


def flip_polygons(loops: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Reverse every polygon's winding (the first vertex stays first)."""
    sizes = polygon_sizes(loops, starts)
    poly = np.repeat(np.arange(len(starts)), sizes)
    offset = np.arange(len(loops)) - starts[poly]
    new_offset = np.where(offset == 0, 0, sizes[poly] - offset)
    return loops[starts[poly] + new_offset]


def rotate_join_weld(verts: np.ndarray, loops: np.ndarray, starts: np.ndarray,
                     tolerance: float = 1e-6) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Duplicate a patch, turn the copy 180 degrees about the z axis, join and weld.

    A half turn maps (x, y, z) to (-x, -y, z); its fixed points are the axis itself, so a
    copied vertex coincides with its original exactly when it lies on the axis (the centre
    line): those are welded. The copy's polygons are flipped, because the turned copy
    continues the surface with the opposite parameter direction: without the flip the
    two halves would face opposite ways. Returns (verts, loops, starts, merged_count).
    """
    verts = np.asarray(verts, dtype=float)
    n = len(verts)
    on_axis = np.hypot(verts[:, 0], verts[:, 1]) <= tolerance
    copy_index = np.empty(n, dtype=np.int64)
    kept = ~on_axis
    copy_index[on_axis] = np.nonzero(on_axis)[0]  # welded onto the original vertex
    copy_index[kept] = n + np.arange(kept.sum())
    turned = verts[kept] * np.array([-1.0, -1.0, 1.0])
    new_verts = np.concatenate([verts, turned])
    copy_loops = copy_index[flip_polygons(loops, starts)]
    new_loops = np.concatenate([loops, copy_loops]).astype(np.int32)
    new_starts = np.concatenate([starts, starts + len(loops)]).astype(np.int32)
    return new_verts, new_loops, new_starts, int(on_axis.sum())


def _corner_edges(loops: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each corner's edge as (this vertex, the polygon's next vertex), as int64 arrays."""
    loops = np.asarray(loops, dtype=np.int64)
    sizes = polygon_sizes(loops, starts)
    poly = np.repeat(np.arange(len(starts)), sizes)
    offset = np.arange(len(loops)) - starts[poly]
    return loops, loops[starts[poly] + (offset + 1) % sizes[poly]]


def _pair_keys(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    """One int64 per (a, b) pair (a * n + b): np.unique of a 1-D array instead of rows."""
    n = int(max(a.max(initial=0), b.max(initial=0))) + 1
    return a * n + b, n


def edge_face_counts(loops: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique undirected edges (E, 2) and how many polygons use each."""
    a, b = _corner_edges(loops, starts)
    keys, n = _pair_keys(np.minimum(a, b), np.maximum(a, b))
    uniq, counts = np.unique(keys, return_counts=True)
    return np.stack([uniq // n, uniq % n], axis=1), counts


def directed_edge_conflicts(loops: np.ndarray, starts: np.ndarray) -> int:
    """Edges walked the same way by two polygons: 0 for a consistently oriented sheet."""
    keys, _ = _pair_keys(*_corner_edges(loops, starts))
    _, counts = np.unique(keys, return_counts=True)
    return int((counts > 1).sum())


def duplicate_vertex_count(verts: np.ndarray, tolerance: float = 1e-6) -> int:
    """Vertices that coincide with another one (within tolerance, by rounding)."""
    if len(verts) == 0:
        return 0
    keys = np.round(np.asarray(verts) / tolerance).astype(np.int64)
    return int(len(keys) - len(np.unique(keys, axis=0)))
