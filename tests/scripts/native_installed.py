"""The installed extension's render pipeline, from Blender's side; prints one JSON line.

Installs the zip the way "Install from Disk" does, then uses the INSTALLED copy only
(bl_ext.user_default.scurve_mirror): its `blender -c scurve` handler (cli_main) renders a
job file, refuses a bad one, saves a job's scene; a session process started from it (the bpy
module's bootstrap: session_process.command()) renders; Render Variants runs from it; and,
last (it hides distributed for the rest of the process), `--workers 1` without Dask.
Run in its own process with BLENDER_USER_RESOURCES pointing at a temporary folder.
Usage: python native_installed.py ZIP WORKDIR
"""
import contextlib
import importlib
import io
import json
import os
import sys
import time
from typing import Any

assert os.environ.get("BLENDER_USER_RESOURCES"), "refusing to touch the real user config"
import bpy  # noqa: E402

# isort: split
import addon_utils  # noqa: E402  (Blender's module, importable once bpy is loaded)

zip_path, work = sys.argv[1], sys.argv[2]
NAME = "bl_ext.user_default.scurve_mirror"
JOBS = """\
[render]
resolution = [32, 18]
samples = 1
denoise = false

[[job]]
name = "tiny"
[job.surface]
arc_segments = 8
rows = 3
"""
result: dict[str, Any] = {}


def call(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = pkg.cli_main(argv)
    return code, out.getvalue(), err.getvalue()


bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
result["enabled"] = addon_utils.check(NAME)[1]
pkg = importlib.import_module(NAME)
registration = importlib.import_module(NAME + ".scurve_addon.registration")
cli = importlib.import_module(NAME + ".scurve_addon.render_jobs.cli")
session_process = importlib.import_module(NAME + ".scurve_addon.render_jobs.session_process")
result["installed_file"] = pkg.__file__
result["cli_module"] = cli.__name__

job_file = os.path.join(work, "jobs.toml")
with open(job_file, "w", encoding="utf-8") as fh:
    fh.write(JOBS)
bad_file = os.path.join(work, "bad.toml")
with open(bad_file, "w", encoding="utf-8") as fh:
    fh.write("[surface]\narc_segments = -3\n")

# 1. the handler renders a job file (in this process: bpy is loaded)
out_dir = os.path.join(work, "out")
code, out, err = call(["render", job_file, "--out", out_dir])
result["render"] = {"code": code, "files": sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else [],
                    "out": out[-2000:], "err": err[-2000:]}
code, out, err = call(["render", bad_file, "--out", out_dir])
result["bad"] = {"code": code, "err": err[-1000:]}
code, out, err = call(["validate", job_file])
result["validate"] = {"code": code, "out": out}
code, out, err = call(["--help"])
result["help"] = {"code": code, "prog": "blender -c scurve" in out}

# 2. a job's scene, saved through the handler
blend = os.path.join(work, "tiny.blend")
code, out, err = call(["scene", job_file, "--job", "tiny", "--save", blend])
result["scene"] = {"code": code, "saved": os.path.isfile(blend), "err": err[-1000:]}

# 3. a session process started by the installed package (bpy module: the bootstrap)
result["session_command"] = session_process.command()[:2] + session_process.command()[3:]
session_out = os.path.join(work, "session_out")
os.makedirs(session_out, exist_ok=True)  # the runner makes it; here the session is used directly
session = session_process.SessionProcess()
try:
    devices = session.request({"op": "devices", "requests": [["auto", "tiny"]], "job_file": job_file})
    with open(job_file, encoding="utf-8") as fh:
        text = fh.read()
    done = session.request({"op": "render", "toml": text, "job_file": job_file, "job": "tiny",
                            "out_dir": session_out, "overrides": {}, "force": True})
    files = sorted(os.listdir(session_out)) if os.path.isdir(session_out) else []
    result["session"] = {"devices": devices["event"], "render": done["event"], "error": done.get("error"),
                         "pid": session.pid, "files": files}
except session_process.SessionDiedError as exc:
    result["session"] = {"died": str(exc)}
finally:
    session.close()

# 4. Render Variants from the installed extension (its background process: the bootstrap too)
bpy.ops.wm.read_homefile(use_empty=True)
bpy.ops.scurve.build_mirror(arc_segments=8, rows=3)  # type: ignore[attr-defined]  # ours: not in the stubs
scene: Any = bpy.context.scene
settings = scene.scurve_render
settings.sweep_a, settings.values_a = "surface.arc_segments", "4, 8"
settings.samples, settings.resolution = 1, (32, 18)
settings.output_dir = os.path.join(work, "variants")
render_ops = importlib.import_module(NAME + ".scurve_addon.operators.render_jobs")
started = time.monotonic()
status = list(bpy.ops.scurve.render_variants())  # type: ignore[attr-defined]
last = render_ops.LAST
result["variants"] = {"status": status, "seconds": round(time.monotonic() - started, 1),
                      "command": last.command[:2] if last else None,
                      "history": last.history if last else None, "code": last.returncode if last else None,
                      "files": sorted(os.listdir(settings.output_dir))}

# 5. without distributed: --workers gives the message and exit code 2
sys.modules["distributed"] = None  # `import distributed` now raises ImportError
code, out, err = call(["render", job_file, "--out", out_dir, "--workers", "1"])
result["no_dask"] = {"code": code, "err": err}

# 6. unregister() removes the command line command with everything else
bpy.ops.preferences.addon_disable(module=NAME)
result["undo_after_disable"] = len(registration._undo)
print("RESULT " + json.dumps(result))
