"""One job in its own process: the hidden command a Dask worker runs for each render.

    python -m render_jobs _render-job JOBFILE|- JOB --out DIR [--record-path PATH]
        [--expect-hash SHA256] [--overrides JSON] [--force]

JOBFILE `-` reads the job file's text from stdin (how cluster_task.py sends it, so workers
need not see the client's job file). JOB is a job name of that file. The image and its
sidecar are written into DIR exactly as the local runner writes them (atomically, via
render.render_job). Stages are reported as JSON lines on stdout ({"event": "rendering"},
{"event": "done", ...}); everything else Blender or Python prints goes to stderr.

Exit codes: 0 rendered (or already up to date), 1 the render failed, 2 bad input (the job is
not in the file, the parameters differ from the client's, a missing device backend).
On Linux the process is killed when the worker that started it dies, so a killed worker
leaves no render running behind it.

Test hook: RENDER_JOBS_TEST_CRASH_JOB=<job name> makes that job's process crash (a real
segmentation fault) once Blender is loaded; only this entry point reads it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from typing import Any, TextIO

from .cluster_task import JOB_COMMAND, PARENT_ENV

CRASH_ENV = "RENDER_JOBS_TEST_CRASH_JOB"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
STATUS_INTERVAL = 15.0  # seconds between Cycles' status lines sent to the client


class Events:
    """JSON lines on the original stdout; print() and Blender's own output go to stderr."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._out: TextIO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        self._lock = threading.Lock()

    def send(self, event: str, **fields: Any) -> None:
        with self._lock:
            self._out.write(json.dumps({"event": event, **fields}) + "\n")
            self._out.flush()


def die_with_parent() -> None:
    """Ask Linux to kill this process when the worker that started it dies (PR_SET_PDEATHSIG),
    then make sure the worker had not already died before the request; elsewhere a thread
    watches the parent process id instead."""
    expected = os.environ.get(PARENT_ENV)
    if not expected or not expected.isdigit():
        return
    parent = int(expected)
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(EXIT_FAILED)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(EXIT_FAILED)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m render_jobs {JOB_COMMAND}",
                                description="Render one job of a job file in this process (used by Dask workers).")
    p.add_argument("jobfile", metavar="JOBFILE", help="TOML job file, or - to read it from stdin")
    p.add_argument("job", metavar="JOB", help="the job's name")
    p.add_argument("--out", metavar="DIR", required=True, help="output directory")
    p.add_argument("--record-path", metavar="PATH", help="job file path to record in the sidecar and messages")
    p.add_argument("--expect-hash", metavar="SHA256", help="the job's parameter hash as the client computed it")
    p.add_argument("--overrides", metavar="JSON", default="{}", help="render settings from the client's command line")
    p.add_argument("--force", action="store_true", help="render even when the job is up to date")
    return p


def _error(message: str, code: int = EXIT_BAD_INPUT) -> int:
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    return code


def _load(args: argparse.Namespace):  # -> tuple[Batch | None, str]
    from . import jobfile

    shown = args.record_path or args.jobfile
    if args.jobfile != "-":
        return jobfile.load(args.jobfile, out_dir=args.out), shown
    text = sys.stdin.read()
    with tempfile.TemporaryDirectory(prefix="render-job-") as tmp:
        path = os.path.join(tmp, os.path.basename(shown))  # same name: a file without [[job]] is named after it
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            batch = jobfile.load(path, out_dir=args.out)
        except jobfile.JobFileError as exc:
            raise jobfile.JobFileError([p.replace(path, shown) for p in exc.problems]) from None
    return batch, shown


def main(argv: list[str]) -> int:
    events = Events()
    die_with_parent()
    args = build_parser().parse_args(argv)
    from . import jobfile, sidecar

    try:
        overrides = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(args.overrides).items()}
    except (ValueError, AttributeError):
        return _error(f"--overrides: expected a JSON object, got {args.overrides!r}")
    try:
        batch, shown = _load(args)
        batch = replace(jobfile.with_render_overrides(batch, overrides), path=shown)
    except jobfile.JobFileError as exc:
        for problem in exc.problems:
            _error(problem)
        return EXIT_BAD_INPUT
    except TypeError as exc:
        return _error(f"--overrides: {exc}")
    job = next((j for j in batch.jobs if j.name == args.job), None)
    if job is None:
        return _error(f"{shown}: job {args.job!r}: no such job in the file")
    if args.expect_hash and sidecar.job_hash(job) != args.expect_hash:
        return _error(f"{shown}: job {job.name!r}: this machine resolves the job to other parameters than the "
                      "client did: its render_jobs / scurve_addon code (or Blender version of the defaults) "
                      "differs from the client's; run the same checkout everywhere")
    if not args.force and sidecar.is_done(job, batch.out_dir):
        events.send("up_to_date", seconds=0.0)
        return EXIT_OK

    events.send("loading")
    from . import batch as batch_mod
    from . import render  # bpy from here on

    try:
        chosen = batch_mod.select_devices(batch, [job], from_command_line="device" in overrides)
    except batch_mod.DeviceProblem as exc:
        return _error(str(exc))
    device = chosen[job.render.device]
    if os.environ.get(CRASH_ENV) == job.name:  # test hook: a deterministic crash inside Blender's process
        import ctypes

        sys.stderr.write(f"{CRASH_ENV}: crashing on purpose while rendering {job.name}\n")
        sys.stderr.flush()
        ctypes.string_at(0)

    last_status = [0.0]  # when Cycles' status was last sent; 0: the render has not started

    def on_stats(text: str) -> None:
        now = time.monotonic()
        if not last_status[0]:
            last_status[0] = now
            r = job.render
            events.send("rendering", device=device.describe(), pid=os.getpid(),
                        what=f"{r.resolution[0]}x{r.resolution[1]}, up to {r.samples} samples")
        elif "Sample" in text and now - last_status[0] >= STATUS_INTERVAL:  # long renders: a line now and then
            last_status[0] = now
            events.send("status", text=" ".join(text.split())[:160])

    try:
        data = render.render_job(job, shown, batch.out_dir, device, on_stats=on_stats)
    except (RuntimeError, ValueError, OSError) as exc:
        return _error(f"{shown}: job {job.name!r}: {exc}", EXIT_FAILED)
    events.send("done", seconds=data["timings"]["total"], render_seconds=data.get("render_time_s"),
                device=device.describe())
    return EXIT_OK
