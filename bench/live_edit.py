"""One live edit of an existing mirror (obj.scurve.arc_segments), at the default
resolution and at 10x.

What the user waits for when dragging the sidebar's Arc Segments slider: the property's
setter (validation, the hand-edit check, build.rebuild_surface writing the new grid, the
new fingerprint) and the depsgraph evaluation that shows the result (the Subdivision
Surface modifier at its viewport level). Both are timed on one object that alternates
between two resolutions, so every edit is a real topology change; median of N rounds.
Undo pushes (the UI's, one per edit) are not included: there is no memfile undo cost to
measure meaningfully in background mode.

    python -m bench.live_edit [--rounds 7] [--out bench/results/live_edit.json]
"""
from __future__ import annotations

import argparse
import json
import sys

from .blender_env import import_bpy
from .paths import result_path
from .timing import Samples, timed

BUDGET_MS = 100.0  # the same interactive budget as bench/redo.py
ROUNDS = 7
WHATS = ("edit", "edit+evaluation")


def run(rounds: int = ROUNDS) -> dict:
    bpy = import_bpy()
    import scurve_addon
    from scurve_addon import geometry
    from scurve_addon.defaults import SurfaceParams

    scurve_addon.register()
    base = SurfaceParams()
    cases = {"default": (base.arc_segments, base.rows), "10x": (base.arc_segments * 10, base.rows * 10)}
    samples = {(case, what): Samples() for case in cases for what in WHATS}
    out: dict = {"budget_ms": BUDGET_MS, "blender": bpy.app.version_string, "rounds": rounds, "cases": {}}

    for case, (arc_segments, rows) in cases.items():
        bpy.ops.wm.read_homefile(use_empty=True)
        if bpy.ops.scurve.build_mirror(arc_segments=arc_segments, rows=rows) != {"FINISHED"}:
            raise RuntimeError("scurve.build_mirror failed")
        obj = bpy.context.active_object
        values = (arc_segments + 2, arc_segments)  # alternate: every edit changes the topology

        def edit(value, evaluate, obj=obj):
            def go():
                obj.scurve.arc_segments = value
                if evaluate:
                    depsgraph = bpy.context.evaluated_depsgraph_get()
                    len(obj.evaluated_get(depsgraph).data.vertices)
                return obj.scurve.arc_segments
            return go

        for r in range(rounds + 1):  # round 0 warms up
            for what in WHATS:
                for value in values:
                    seconds, result = timed(edit(value, what == "edit+evaluation"))
                    if result != value:
                        raise RuntimeError(f"the edit was refused: {obj.scurve.message}")
                    if r and value == values[0]:
                        samples[(case, what)].seconds.append(seconds)
        p = SurfaceParams(arc_segments=values[0], rows=rows)
        out["cases"][case] = {"arc_segments": f"{values[1]} -> {values[0]}", "rows": rows,
                              "vertices": geometry.vertex_count(p), "viewport_levels": p.subdiv_levels}
        for what in WHATS:
            s = samples[(case, what)]
            out["cases"][case][what] = s.against_budget(BUDGET_MS)
    bpy.ops.wm.read_homefile(use_empty=True)
    scurve_addon.unregister()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--out", default=None, help="JSON output (default bench/results/live_edit.json)")
    args = parser.parse_args()
    result = run(args.rounds)
    for case, v in result["cases"].items():
        print(f"  live edit {case} ({v['vertices']:,} vertices): edit {v['edit']['median_ms']:.1f} ms, "
              f"with evaluation {v['edit+evaluation']['median_ms']:.1f} ms", flush=True)
    with open(args.out or result_path("live_edit.json"), "w") as fh:
        json.dump(result, fh, indent=1)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
