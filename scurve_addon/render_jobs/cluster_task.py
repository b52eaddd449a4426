"""The Dask task of a distributed batch: render one job in a render session of the worker.

Runs inside a Dask worker, so it stays pure Python and never imports bpy (bpy is not
thread-safe). Each worker process keeps its render sessions (session_process.SessionPool):
the first task starts one (`python -m render_jobs _session`, one Blender that renders job
after job, changing only what differs), later tasks reuse it. A crash in Blender kills
only that session and fails only that try of that job (Dask's retries decide what next);
the next task starts a new session. A session is recycled after spec["session_jobs"] jobs
or past spec["session_memory"] MiB of resident memory.

The worker process fits the job's surface (geometry/edge_fit.py, once per worker process)
and sends the fits with the render request, so the session does not fit it again; then it
computes the surface's numbers for the sidecar (measure.py, plain numpy) while the session
renders, and they follow the request (session_server.py). With `--workers N` the workers
are threads of the client, whose one Measurer thread does both ahead (CLIENT_MEASURER).

The job file's text travels with the task; the images and sidecars go straight to the
output directory, which must be the same shared directory on the client and on every
worker (README, "Distributed rendering (Dask)"). The session's events are forwarded to
the client as Dask events (topic `spec["topic"]`) so the client can show which worker
renders what.

A sweep's contact sheet is a task too (contact_sheet_task): a worker's session, already
running after the renders, reads the images from the shared output directory and writes
the sheet there, so the client never starts a Blender of its own for it.
"""
from __future__ import annotations

import functools
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from ..defaults import SurfaceParams
from .measure import Measurer, guess_rendered_levels, measure, surface_fits
from .session_process import DEFAULT_MAX_JOBS, DEFAULT_MAX_MEMORY_MB, POOL, SessionDiedError


def _this_worker() -> Any:
    """The Dask worker running this task (only known in the task's own thread), or None."""
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError):  # not inside a worker (called directly)
        return None


def worker_label(worker: Any = None) -> dict[str, Any]:
    """Who runs this task: the Dask worker's name and address, the host and the process."""
    name, address = (worker.name, worker.address) if worker is not None else (None, None)
    host = socket.gethostname()
    if address is None:
        label = f"process {os.getpid()}"
    elif name is not None and str(name) != str(address):
        label = f"worker {name} at {address}"
    else:
        label = f"worker {address}"
    return {"name": None if name is None else str(name), "address": address, "host": host,
            "pid": os.getpid(), "label": label}


def worker_facts() -> dict[str, Any]:
    """For checks from a client (Client.run): whether this worker process has Blender loaded,
    and the process ids of its render sessions."""
    return {"bpy_loaded": "bpy" in sys.modules, "pid": os.getpid(), "host": socket.gethostname(),
            "sessions": POOL.pids()}


def _emit(worker: Any, topic: str | None, message: dict[str, Any]) -> None:
    """A progress event for the client (Worker.log_event may be called from any thread)."""
    if worker is not None and topic:
        worker.log_event(topic, message)


def _check_output_dir(spec: dict[str, Any], who: str) -> None:
    """The client left a token file in the output directory: a worker that cannot read it does
    not share the client's file system there, and its images would never reach the client."""
    path = os.path.join(spec["out_dir"], spec["token_name"])
    try:
        with open(path, encoding="utf-8") as fh:
            same = fh.read().strip() == spec["token"]
    except OSError:
        same = False
    if not same:
        raise RuntimeError(f"job {spec['job']!r}: {who} on host {socket.gethostname()} does not see the client's "
                           f"output directory {spec['out_dir']} (no {spec['token_name']} there): distributed "
                           "rendering needs one shared directory, mounted at the same path on every machine")


# `render --workers N`: the client's Measurer (DaskExecutor.open), whose workers are threads
# of the client's own process. One thread there measures the batch ahead, as for the local
# runner; N worker threads each fitting and measuring would take turns on one interpreter.
CLIENT_MEASURER: Measurer | None = None


@functools.lru_cache(maxsize=64)
def _measured(surface: SurfaceParams) -> dict[str, Any]:
    """measure.measure of a surface as this worker's Blender renders it, once per surface per
    worker process (its sessions come and go; the numbers stay the same)."""
    return measure(surface, guess_rendered_levels(surface))


def _own_request_parts(surface: SurfaceParams) -> tuple[dict[str, Any], Callable[[], dict | None]]:
    """Measurer.request_parts for a worker process of its own: the surface's fits, fitted here
    now (once per process), and its numbers, computed here while the session renders."""
    fits = surface_fits(surface)
    return ({"fits": fits} if fits is not None else {}), functools.partial(_measured, surface)


def _in_a_session(request: dict[str, Any], session_jobs: int, session_memory: float,
                  on_event: Callable[[dict], None] | None = None,
                  surface: SurfaceParams | None = None) -> dict[str, Any]:
    """Send a request to one of this worker's sessions (POOL) and give the session back (or
    recycle it: session_jobs, session_memory); its final reply. A session that dies
    (SessionDiedError, re-raised) or whose thread is interrupted is killed, never left behind.
    `surface`: a render's surface, fitted here (while a new session loads Blender; once per
    worker process) and sent with the request, then measured here while the session renders."""
    session = POOL.take()
    try:
        follow = None
        if surface is not None:
            parts = CLIENT_MEASURER.request_parts if CLIENT_MEASURER is not None else _own_request_parts
            fields, follow = parts(surface)
            request = {**request, **fields}
        reply = session.request(request, on_event, follow)
    except BaseException:
        POOL.discard(session)
        raise
    POOL.give_back(session, session_jobs, session_memory)
    return reply


def render_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Render the job `spec["job"]` of the job file text `spec["toml"]` into `spec["out_dir"]`.

    Returns a summary (status, worker, seconds, device, session); raises RuntimeError naming
    the job, the worker and the session's last output when the render fails (Dask's
    `retries` then decide whether it runs again)."""
    worker = _this_worker()
    who = worker_label(worker)
    topic = spec.get("topic")
    base = {"job": spec["job"], "by": who["label"], "address": who["address"], "host": who["host"]}
    _emit(worker, topic, {**base, "event": "started"})
    _check_output_dir(spec, who["label"])
    request = {"op": "render", "toml": spec["toml"], "job_file": spec["job_file"], "job": spec["job"],
               "out_dir": spec["out_dir"], "overrides": spec.get("overrides") or {},
               "expect_hash": spec.get("job_hash"), "force": bool(spec.get("force")),
               "from_command_line": "device" in (spec.get("overrides") or {}), "threads": spec.get("threads")}

    def forward(event: dict[str, Any]) -> None:
        _emit(worker, topic, {**base, **event})

    surface = spec.get("surface")  # fitted and measured in this process, which never renders
    try:
        reply = _in_a_session(request, int(spec.get("session_jobs") or DEFAULT_MAX_JOBS),
                              float(spec.get("session_memory") or DEFAULT_MAX_MEMORY_MB), forward, surface)
    except SessionDiedError as exc:
        message = f"job {spec['job']!r}: " + exc.describe(f" on {who['label']}, host {who['host']}")
        _emit(worker, topic, {**base, "event": "attempt_failed", "error": message.splitlines()[0]})
        raise RuntimeError(message) from None
    if reply["event"] not in ("done", "up_to_date"):
        message = f"{reply.get('error')} (on {who['label']}, host {who['host']})"
        _emit(worker, topic, {**base, "event": "attempt_failed", "error": message.splitlines()[0]})
        raise RuntimeError(message)
    return {**base, "worker_name": who["name"], "address": who["address"], "status": reply["event"],
            "seconds": reply.get("seconds"), "render_seconds": reply.get("render_seconds"),
            "device": reply.get("device"), "session": reply.get("session")}


def contact_sheet_task(request: dict[str, Any], session_jobs: int = DEFAULT_MAX_JOBS,
                       session_memory: float = DEFAULT_MAX_MEMORY_MB) -> str:
    """Write a contact sheet (a session_server `contact_sheet` request: the images are read
    from, and the sheet written to, the shared output directory) in a session of this worker;
    returns the sheet's path. Raises RuntimeError when the session fails it or dies."""
    who = worker_label(_this_worker())["label"]
    try:
        reply = _in_a_session(request, session_jobs, session_memory)
    except SessionDiedError as exc:
        raise RuntimeError(exc.describe(f" on {who}, host {socket.gethostname()}")) from None
    if reply["event"] != "written":
        raise RuntimeError(f"{reply.get('error')} (on {who}, host {socket.gethostname()})")
    return str(reply["path"])
