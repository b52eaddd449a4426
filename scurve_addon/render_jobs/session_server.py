"""The session process: one Blender that renders the jobs it is sent, one after the other.

    python -m scurve_addon.render_jobs.session_server   (what session_process.SessionProcess starts)

It reads requests as JSON lines on stdin and answers with JSON lines (events) on its
original stdout; everything Blender or Python prints goes to stderr. Requests:

    {"op": "devices", "requests": [["auto", JOB], ...], "job_file": PATH, "from_command_line": false}
        -> {"event": "devices", "chosen": {"auto": {"describe": ..., "record": {...}}}}
         | {"event": "bad_input", "error": "..."}
    {"op": "render", "toml": TEXT, "job_file": PATH, "job": NAME, "out_dir": DIR,
     "overrides": {...}, "expect_hash": SHA256 or null, "force": false, "from_command_line": false,
     "threads": N or null (CPU threads for Cycles; null: every core),
     "measured": {"mesh": ..., "quality": ...} (the job's surface measured by the owner already:
     measure.measure), or "follows" (the owner measures it while this process renders; see
     below), or absent (this process measures it),
     "fits": the fits of the surface's control net (measure.surface_fits) or absent (this
     process fits it)}
        -> {"event": "rendering", ...}, {"event": "status", "text": ...} (while Cycles samples),
           then {"event": "done", ...} | {"event": "up_to_date"} | {"event": "failed", "error": ...}
    {"op": "contact_sheet", "out_dir": DIR, "name": FILE, "title": TEXT, "columns": N,
     "cells": [[IMAGE_FILE, [LABEL, ...]], ...]}
        -> {"event": "written", "path": ...} | {"event": "failed", "error": ...}
    {"op": "encode_video", "out_dir": DIR, "name": NAME, "frames": [IMAGE_FILE, ...], "fps": N}
        -> {"event": "written", "path": NAME.mp4, "sidecar": {...}} | {"event": "failed", "error": ...}
           (video.write_video: the MP4, the animated preview, NAME.video.json)
    {"op": "quit"} (or end of input)

A render request whose "measured" is "follows" is followed, at any time after it, by
    {"op": "measured", "job": NAME, "numbers": {"mesh": ..., "quality": ...} or null}
which this process reads once the image is written and it needs the numbers for the sidecar
(null: it measures the surface itself). So the owner's numpy runs while Blender renders.
A `measured` line nobody waits for (the render failed first, or this process had measured
that surface already) is skipped.

The job file travels as text, so the process needs no access to the client's copy, and
it resolves the job itself: a parameter hash other than the client's (other code on this
machine) fails the job. SIGINT is ignored here: the owner stops a session by killing it
(Ctrl-C reaches the owner, which kills the session and removes what it left).

On Linux the process is killed when its owner dies (PR_SET_PDEATHSIG), so a killed runner
or Dask worker leaves no render behind.

Test hook: RENDER_JOBS_TEST_CRASH_JOB=<job name> makes this process crash (a real
segmentation fault) when it is asked to render that job; with RENDER_JOBS_TEST_CRASH_ONCE=
<path> as well, only while that file does not exist (the crash creates it first).
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

CRASH_ENV = "RENDER_JOBS_TEST_CRASH_JOB"
CRASH_ONCE_ENV = "RENDER_JOBS_TEST_CRASH_ONCE"
PARENT_ENV = "RENDER_JOBS_PARENT_PID"  # the owner's pid: the session dies with it
STATUS_INTERVAL = 0.25  # seconds between Cycles' status lines sent to the owner


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
    """Ask Linux to kill this process when its owner dies (PR_SET_PDEATHSIG), then make sure
    the owner had not already died before the request; a thread also watches the parent
    process id (other systems, and owners whose starting thread ends)."""
    expected = os.environ.get(PARENT_ENV)
    if not expected or not expected.isdigit():
        return
    parent = int(expected)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class Requests:
    """The request lines on stdin (or any readline), with the follow-ups of a render request
    (`measured`) read in between."""

    def __init__(self, readline: Callable[[], str]):
        self._readline = readline
        self._held: list[str] = []  # read while waiting for a follow-up; served next

    def next(self) -> str | None:
        """The next request line; None at the end of input."""
        if self._held:
            return self._held.pop(0)
        line = self._readline()
        return line or None

    def measured(self, job: str) -> dict | None:
        """The numbers of the `measured` follow-up for `job` (None: the owner sent null, or
        the input ended). Other jobs' follow-ups are skipped; any other line (the owner
        never sends one before the reply) is kept for next()."""
        while True:
            line = self._readline()
            if not line:
                return None
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            if not isinstance(message, dict) or message.get("op") != "measured":
                self._held.append(line)
                return None
            if message.get("job") == job:
                numbers = message.get("numbers")
                return numbers if isinstance(numbers, dict) else None


class Server:
    def __init__(self, events: Events, requests: Requests | None = None):
        self.events = events
        self.requests = requests  # None: requests come from elsewhere (local.InProcessSession)
        self.session: Any = None  # session.RenderSession, made with the first render
        self.devices: dict[str, Any] = {}  # requested -> devices.Device
        self._batches: dict[str, Any] = {}  # parsed job files, by text, name, output dir and overrides

    def batch(self, request: dict) -> Any:
        """The job file of a request, parsed once per distinct request."""
        from . import jobfile

        shown = request["job_file"]
        overrides = request.get("overrides") or {}
        key = hashlib.sha256(json.dumps([request["toml"], shown, request["out_dir"], overrides],
                                        sort_keys=True).encode()).hexdigest()
        if key not in self._batches:
            if len(self._batches) > 8:
                self._batches.clear()
            batch = jobfile.loads(request["toml"], shown, out_dir=request["out_dir"])
            fixed = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
            self._batches[key] = jobfile.with_render_overrides(batch, fixed)
        return self._batches[key]

    def device(self, requested: str, where: str) -> Any:
        from . import devices

        if requested not in self.devices:
            try:
                self.devices[requested] = devices.select(requested)
            except devices.DeviceUnavailable as exc:
                raise BadInput(f"{where}: {exc}") from None
        return self.devices[requested]

    def op_devices(self, request: dict) -> None:
        chosen, problems = {}, []
        for requested, job in request["requests"]:  # each device, with the first job asking for it
            where = (f"command line: --device {requested}" if request.get("from_command_line")
                     else f"{request['job_file']}: job {job!r}: render.device")
            try:
                device = self.device(requested, where)
            except BadInput as exc:
                problems.append(str(exc))
                continue
            chosen[requested] = {"describe": device.describe(), "record": device.record()}
        if problems:
            self.events.send("bad_input", error="\n".join(problems))
        else:
            self.events.send("devices", chosen=chosen)

    def op_render(self, request: dict) -> None:
        from . import jobfile, sidecar

        try:
            batch = self.batch(request)
        except jobfile.JobFileError as exc:
            self.events.send("failed", error="\n".join(exc.problems), bad_input=True)
            return
        shown = request["job_file"]
        job = next((j for j in batch.jobs if j.name == request["job"]), None)
        if job is None:
            self.events.send("failed", error=f"{shown}: job {request['job']!r}: no such job in the file",
                             bad_input=True)
            return
        if request.get("expect_hash") and sidecar.job_hash(job) != request["expect_hash"]:
            self.events.send("failed", bad_input=True, error=(
                f"{shown}: job {job.name!r}: this machine resolves the job to other parameters than the client "
                "did: its render_jobs / scurve_addon code differs from the client's; run the same checkout "
                "everywhere"))
            return
        if not request.get("force") and sidecar.is_done(job, batch.out_dir):
            self.events.send("up_to_date", seconds=0.0)
            return
        from .memory import too_big

        why = too_big(job.render)
        if why:  # checked on the machine that would render it
            self.events.send("failed", error=f"{shown}: job {job.name!r}: render.resolution: {why}", bad_input=True)
            return
        where = (f"command line: --device {job.render.device}" if request.get("from_command_line")
                 else f"{shown}: job {job.name!r}: render.device")
        try:
            device = self.device(job.render.device, where)
        except BadInput as exc:
            self.events.send("failed", error=str(exc), bad_input=True)
            return
        if os.environ.get(CRASH_ENV) == job.name and _crash_now():  # test hook: a real crash inside Blender
            import ctypes

            sys.stderr.write(f"{CRASH_ENV}: crashing on purpose while rendering {job.name}\n")
            sys.stderr.flush()
            ctypes.string_at(0)

        last = [0.0]  # when Cycles' status was last sent; 0: the render has not started

        def on_stats(text: str) -> None:
            now = time.monotonic()
            if not last[0]:
                last[0] = now
                r = job.render
                self.events.send("rendering", device=device.describe(), pid=os.getpid(),
                                 what=f"{r.resolution[0]}x{r.resolution[1]}, up to {r.samples} samples")
            elif now - last[0] >= STATUS_INTERVAL:
                last[0] = now
                self.events.send("status", text=" ".join(text.split())[:160])

        from .session import RenderSession

        if self.session is None:
            self.session = RenderSession()
        measured = request.get("measured")
        if measured == "follows":
            requests = self.requests
            measured = (lambda: requests.measured(job.name)) if requests is not None else None
        try:
            data = self.session.render(job, shown, batch.out_dir, device, on_stats=on_stats,
                                       threads=request.get("threads"), measured=measured,
                                       fits=request.get("fits"))
        except (RuntimeError, ValueError, OSError) as exc:
            self.events.send("failed", error=f"{shown}: job {job.name!r}: {exc}")
            return
        self.events.send("done", seconds=data["timings"]["total"], render_seconds=data.get("render_time_s"),
                         device=device.describe(), session=data["session"])

    def op_contact_sheet(self, request: dict) -> None:
        from .contact_sheet import write_sheet

        try:
            path = write_sheet(request["out_dir"], request["name"], request.get("title", ""),
                               int(request["columns"]), [(name, labels) for name, labels in request["cells"]])
        except (OSError, ValueError, RuntimeError) as exc:
            self.events.send("failed", error=f"cannot write the contact sheet {request['name']}: {exc}")
            return
        self.events.send("written", path=path)

    def op_encode_video(self, request: dict) -> None:
        from .video import write_video

        try:
            data = write_video(request["out_dir"], request["name"], list(request["frames"]), int(request["fps"]))
        except (OSError, ValueError, RuntimeError) as exc:
            self.events.send("failed", error=f"cannot write the video {request['name']}.mp4: {exc}")
            return
        self.events.send("written", path=os.path.join(request["out_dir"], data["video"]["file"]), sidecar=data)


def _crash_now() -> bool:
    once = os.environ.get(CRASH_ONCE_ENV)
    if not once:
        return True
    try:
        with open(once, "x"):
            return True
    except FileExistsError:
        return False


class BadInput(Exception):  # noqa: N818  (bad input, not a program error)
    """A request the job file or the machine cannot satisfy (a missing device backend...)."""


def main(argv: list[str]) -> int:
    events = Events()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owner stops a session by killing it
    die_with_parent()
    if argv:
        sys.stderr.write(f"error: {argv[0]}: the session process takes no arguments\n")
        return 2
    import bpy  # noqa: F401  (Blender loads now, while the owner still reads and plans the batch)

    requests = Requests(sys.stdin.readline)
    server = Server(events, requests)
    handlers = {"devices": server.op_devices, "render": server.op_render, "contact_sheet": server.op_contact_sheet,
                "encode_video": server.op_encode_video}
    events.send("ready", pid=os.getpid())
    while (line := requests.next()) is not None:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request["op"]
        except (ValueError, KeyError, TypeError):
            events.send("failed", error=f"not a session request: {line.strip()[:200]!r}")
            continue
        if op == "quit":
            break
        if op == "measured":  # the follow-up of a render that did not need it
            continue
        handler = handlers.get(op)
        if handler is None:
            events.send("failed", error=f"unknown session request {op!r}")
            continue
        handler(request)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
