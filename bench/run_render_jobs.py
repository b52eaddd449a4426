"""`python -m bench.run_render_jobs render JOBFILE --out DIR ...`: exactly `python -m render_jobs`,
with a RenderProbe installed and the process's timeline written to $SCURVE_BENCH_PROBE.

The batch-overhead benchmark starts this as its subprocess instead of `python -m render_jobs`:
the same code path (render_jobs.cli.main), plus timestamps of when the interpreter started
running Python code, when bpy was imported and when the batch ended.
"""
from __future__ import annotations

import time

STARTED = time.time()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402


def main() -> int:
    from .blender_env import import_bpy

    import_bpy()
    bpy_imported = time.time()
    from render_jobs.cli import main as render_jobs_main

    from .render_probe import RenderProbe

    probe = RenderProbe().install()
    code = render_jobs_main(sys.argv[1:])
    ended = time.time()
    path = os.environ.get("SCURVE_BENCH_PROBE")
    if path:
        with open(path, "w") as fh:
            json.dump({"python_started": STARTED, "bpy_imported": bpy_imported, "cli_returned": ended,
                       "exit_code": code, "renders": probe.renders}, fh, indent=1)
    return code


if __name__ == "__main__":
    sys.exit(main())
