"""Entry script for a Blender install: the same command line as `python -m render_jobs`.

    blender -b --python-exit-code 1 -P render_jobs/blender_entry.py -- render JOBFILE [options]

Blender's own arguments end at `--`; everything after it goes to render_jobs. Runs with
the bpy wheel's Python the same way: python render_jobs/blender_entry.py -- render JOBFILE
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from scurve_addon.render_jobs.cli import main  # noqa: E402  (after the repo root is importable)


def arguments(argv: list[str]) -> list[str]:
    return argv[argv.index("--") + 1:] if "--" in argv else []


if __name__ == "__main__":
    sys.exit(main(arguments(sys.argv), prog="blender -b --python-exit-code 1 -P render_jobs/blender_entry.py --"))
