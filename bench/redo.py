"""Part 1b: one redo of scurve.build_mirror, at the default resolution and at 10x.

A redo-panel change undoes the operator and runs it again with the new values; what the
user waits for is the operator plus the depsgraph evaluation that shows the result (the
Subdivision Surface modifier at its viewport level). Both are timed, from an empty scene
each time (the undone state), against an interactive budget. Undo itself (a memfile
reload in the UI) does not exist in background mode and is not included.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace

from .blender_env import import_bpy
from .paths import result_path
from .timing import Samples, timed

BUDGET_MS = 100.0
ROUNDS = 7


def run(rounds: int = ROUNDS) -> dict:
    bpy = import_bpy()
    import scurve_addon
    from scurve_addon.defaults import SurfaceParams

    scurve_addon.register()
    base = SurfaceParams()
    cases = {"default": base, "10x": replace(base, arc_segments=base.arc_segments * 10, rows=base.rows * 10)}
    samples = {(case, what): Samples() for case in cases for what in ("operator", "operator+evaluation")}

    def call(params, evaluate):
        def go():
            result = bpy.ops.scurve.build_mirror(arc_segments=params.arc_segments, rows=params.rows)
            if evaluate:
                depsgraph = bpy.context.evaluated_depsgraph_get()
                obj = bpy.context.active_object.evaluated_get(depsgraph)
                len(obj.data.vertices)
            return result
        return go

    for r in range(rounds + 1):  # round 0 warms up
        for case, params in cases.items():
            for what in ("operator", "operator+evaluation"):
                bpy.ops.wm.read_homefile(use_empty=True)
                seconds, result = timed(call(params, what == "operator+evaluation"))
                if result != {"FINISHED"}:
                    raise RuntimeError(f"scurve.build_mirror returned {result}")
                if r:
                    samples[(case, what)].seconds.append(seconds)
    out = {"budget_ms": BUDGET_MS, "blender": bpy.app.version_string, "cases": {}}
    for case, params in cases.items():
        out["cases"][case] = {"arc_segments": params.arc_segments, "rows": params.rows,
                              "vertices": (params.arc_segments + 1) * (2 * params.rows + 1),
                              "viewport_levels": params.subdiv_levels}
        for what in ("operator", "operator+evaluation"):
            s = samples[(case, what)]
            out["cases"][case][what] = s.against_budget(BUDGET_MS)
    bpy.ops.wm.read_homefile(use_empty=True)
    scurve_addon.unregister()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--out", default=result_path("redo.json"))
    args = parser.parse_args()
    result = run(args.rounds)
    for case, v in result["cases"].items():
        print(f"  redo {case}: operator {v['operator']['median_ms']:.1f} ms, "
              f"with evaluation {v['operator+evaluation']['median_ms']:.1f} ms", flush=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
