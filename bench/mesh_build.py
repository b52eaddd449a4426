"""Part 1: building the surface mesh, product against the floor and Mesh.from_pydata.

Contenders, all making a new mesh datablock with the same vertices, corners and faces and
ending with an edge-computing mesh.update:

- product: scurve_addon.build.surface_mesh, i.e. geometry.full_surface(params) +
  mesh_data.new_mesh(...), what scurve.build_mirror does before its modifier and material;
- floor: the product's arrays, precomputed (float32 / int32), written with
  vertices.foreach_set("co") / loops.foreach_set("vertex_index") /
  polygons.foreach_set("loop_start") and nothing else, plus mesh.update(calc_edges=True);
- from_pydata: Mesh.from_pydata(vertex list, [], quad list, shade_flat=False) on the same
  data precomputed as Python lists (shade_flat=False so it makes the same mesh);
- attributes (for information): the same arrays written through the generic attribute API
  (mesh.attributes["position"], [".corner_vert"]) plus polygons.foreach_set("loop_start"):
  a lower floor than the RNA one, reachable from Python.

Peak memory is measured in a fresh process per (size, contender), so one measurement's
freed-but-kept pages never hide the next one's peak.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

from .blender_env import import_bpy
from .memory import peak_memory
from .paths import ROOT, result_path
from .timing import interleaved, paired_ratio

# (label, arc_segments = rows): (n + 1) * (2 n + 1) vertices
SIZES: list[tuple[str, int]] = [("1k", 22), ("10k", 70), ("100k", 223), ("1M", 706)]
ROUNDS = {"1k": 30, "10k": 15, "100k": 7, "1M": 5}
PYDATA_ROUNDS = {"1k": 30, "10k": 15, "100k": 5, "1M": 3}  # from_pydata is the slow one
CONTENDERS = ("product", "floor", "from_pydata", "attributes")


def params_for(n: int):
    from scurve_addon.defaults import SurfaceParams

    return SurfaceParams(arc_segments=n, rows=n)


def make_contenders(n: int) -> dict:
    bpy = import_bpy()
    from scurve_addon import build, geometry

    params = params_for(n)
    grid = geometry.full_surface(params)
    co = np.ascontiguousarray(grid.verts, dtype=np.float32).ravel()
    loops = np.ascontiguousarray(grid.loops, dtype=np.int32)
    starts = np.ascontiguousarray(grid.starts, dtype=np.int32)
    vert_list = grid.verts.tolist()
    face_list = grid.loops.reshape(-1, 4).tolist()

    def product():
        return build.surface_mesh(params)

    def floor():
        mesh = bpy.data.meshes.new("floor")
        mesh.vertices.add(len(co) // 3)
        mesh.vertices.foreach_set("co", co)
        mesh.loops.add(len(loops))
        mesh.loops.foreach_set("vertex_index", loops)
        mesh.polygons.add(len(starts))
        mesh.polygons.foreach_set("loop_start", starts)
        mesh.update(calc_edges=True)
        return mesh

    def from_pydata():
        mesh = bpy.data.meshes.new("from_pydata")
        mesh.from_pydata(vert_list, [], face_list, shade_flat=False)
        return mesh

    def attributes():
        mesh = bpy.data.meshes.new("attributes")
        mesh.vertices.add(len(co) // 3)
        mesh.attributes["position"].data.foreach_set("vector", co)
        mesh.loops.add(len(loops))
        mesh.attributes[".corner_vert"].data.foreach_set("value", loops)
        mesh.polygons.add(len(starts))
        mesh.polygons.foreach_set("loop_start", starts)
        mesh.update(calc_edges=True)
        return mesh

    return {"product": product, "floor": floor, "from_pydata": from_pydata, "attributes": attributes}


def mesh_signature(mesh) -> tuple:
    """Counts and a checksum of the data, to check that every contender made the same mesh."""
    co = np.empty(len(mesh.vertices) * 3, np.float32)
    mesh.vertices.foreach_get("co", co)
    corner = np.empty(len(mesh.loops), np.int32)
    mesh.loops.foreach_get("vertex_index", corner)
    return (len(mesh.vertices), len(mesh.edges), len(mesh.loops), len(mesh.polygons),
            float(co.astype(np.float64).sum()), int(corner.astype(np.int64).sum()))


def remove(mesh) -> None:
    import bpy

    bpy.data.meshes.remove(mesh)


def run_timings(sizes: list[tuple[str, int]], scale: float = 1.0) -> dict:
    out = {}
    for label, n in sizes:
        contenders = make_contenders(n)
        signatures = {}
        for name, fn in contenders.items():
            mesh = fn()
            signatures[name] = mesh_signature(mesh)
            remove(mesh)
        same = len(set(signatures.values())) == 1
        rounds = max(3, round(ROUNDS[label] * scale))
        samples = interleaved(contenders, rounds, cleanup=remove,
                              rounds_for={"from_pydata": max(2, round(PYDATA_ROUNDS[label] * scale))})
        floor = samples["floor"]
        out[label] = {
            "arc_segments": n, "rows": n, "vertices": signatures["product"][0],
            "edges": signatures["product"][1], "faces": signatures["product"][3],
            "same_mesh": same, "signatures": {k: list(v) for k, v in signatures.items()},
            "samples": {k: v.as_dict() for k, v in samples.items()},
            "ratio_to_floor": {k: paired_ratio(v, floor) for k, v in samples.items()},
        }
        print(f"  {label}: product/floor {out[label]['ratio_to_floor']['product']['median']:.2f}x "
              f"from_pydata/floor {out[label]['ratio_to_floor']['from_pydata']['median']:.2f}x "
              f"(floor {floor.median * 1e3:.1f} ms)", flush=True)
    return out


def measure_memory_here(label: str, contender: str) -> dict:
    n = dict(SIZES)[label]
    fn = make_contenders(n)[contender]
    mem = peak_memory(fn)
    remove(mem.pop("result"))
    return mem


def run_memory(sizes: list[tuple[str, int]]) -> dict:
    """One fresh process per (size, contender)."""
    out: dict = {}
    for label, _ in sizes:
        out[label] = {}
        for contender in CONTENDERS:
            proc = subprocess.run([sys.executable, "-m", "bench.mesh_build", "--memory", label, contender],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            out[label][contender] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", nargs=2, metavar=("SIZE", "CONTENDER"), help="(internal) one memory run")
    parser.add_argument("--sizes", default=",".join(s for s, _ in SIZES))
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of rounds")
    parser.add_argument("--out", default=result_path("mesh_build.json"))
    args = parser.parse_args()
    if args.memory:
        print(json.dumps(measure_memory_here(*args.memory)))
        return
    sizes = [(s, n) for s, n in SIZES if s in args.sizes.split(",")]
    bpy = import_bpy()
    result = {"blender": bpy.app.version_string, "timings": run_timings(sizes, args.scale),
              "memory": run_memory(sizes)}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
