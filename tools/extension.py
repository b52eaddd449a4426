"""Build and validate the extension zip with Blender's own extension tool.

The bpy wheel ships the same code as `blender --command extension build` at
bpy/<version>/scripts/addons_core/bl_pkg/cli/blender_ext.py; this runs that file with the
current Python. Usage: python tools/extension.py build|validate [--out DIR]
"""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blender_ext_path() -> str:
    import importlib.util

    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("bpy is not installed in this Python: run `make venv` first")
    base = list(spec.submodule_search_locations)[0]
    hits = sorted(glob.glob(os.path.join(base, "*", "scripts", "addons_core", "bl_pkg", "cli", "blender_ext.py")))
    if not hits:
        raise SystemExit(f"blender_ext.py not found under {base}")
    return hits[-1]


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, blender_ext_path(), *args], cwd=ROOT, text=True, capture_output=True)


def build(out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    before = set(glob.glob(os.path.join(out_dir, "*.zip")))
    proc = run_tool("build", "--source-dir", ROOT, "--output-dir", out_dir)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    after = set(glob.glob(os.path.join(out_dir, "*.zip")))
    made = sorted(after - before) or sorted(after)
    return made[-1]


def validate(path: str = ROOT) -> subprocess.CompletedProcess:
    return run_tool("validate", path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["build", "validate"])
    ap.add_argument("--out", default=os.path.join(ROOT, "dist"))
    args = ap.parse_args(argv)
    if args.command == "build":
        print(build(args.out))
        return 0
    proc = validate()
    sys.stdout.write(proc.stdout + proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
