"""The Dask task of a distributed batch: render one job in a fresh subprocess, on a worker.

Runs inside a Dask worker, so it stays pure Python and never imports bpy: bpy is not
thread-safe and a long-lived Blender grows in memory, so each job gets its own
`python -m render_jobs _render-job ...` process (job_process.py), and a crash in Blender
fails that try of that job, never the worker. The job file's text travels with the task
(on the subprocess's stdin); the images and sidecars go straight to the output directory,
which must be the same shared directory on the client and on every worker (README,
"Distributed rendering (Dask)"). The subprocess reports its stages as JSON lines on its
stdout; they are forwarded to the client as Dask events (topic `spec["topic"]`) so the
client can show which worker renders what.
"""
from __future__ import annotations

import collections
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB_COMMAND = "_render-job"  # the hidden per-job command of `python -m render_jobs`
PARENT_ENV = "RENDER_JOBS_PARENT_PID"  # the subprocess dies with the worker (job_process.py)
TAIL_LINES = 25


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
    """For checks from a client (Client.run): whether this worker process has Blender loaded."""
    return {"bpy_loaded": "bpy" in sys.modules, "pid": os.getpid(), "host": socket.gethostname()}


def _emit(worker: Any, topic: str | None, message: dict[str, Any]) -> None:
    """A progress event for the client (Worker.log_event may be called from any thread)."""
    if worker is not None and topic:
        worker.log_event(topic, message)


def exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"exited with code {code}"


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


def command(spec: dict[str, Any]) -> list[str]:
    cmd = [sys.executable, "-m", "render_jobs", JOB_COMMAND, "-", spec["job"], "--out", spec["out_dir"],
           "--record-path", spec["job_file"], "--expect-hash", spec["job_hash"],
           "--overrides", json.dumps(spec.get("overrides") or {})]
    if spec.get("force"):
        cmd.append("--force")
    return cmd


def render_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Render the job `spec["job"]` of the job file text `spec["toml"]` into `spec["out_dir"]`.

    Returns a summary (status, worker, seconds, device); raises RuntimeError naming the job,
    the worker and the subprocess's last output when the render fails (Dask's `retries`
    then decide whether it runs again)."""
    worker = _this_worker()
    who = worker_label(worker)
    topic = spec.get("topic")
    base = {"job": spec["job"], "by": who["label"], "address": who["address"], "host": who["host"]}
    _emit(worker, topic, {**base, "event": "started"})
    _check_output_dir(spec, who["label"])

    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env[PARENT_ENV] = str(os.getpid())
    env.setdefault("PYTHONUNBUFFERED", "1")
    proc = subprocess.Popen(command(spec), cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    events: list[dict[str, Any]] = []

    def read_events() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            try:
                event = json.loads(line)
            except ValueError:
                if line:
                    tail.append(line)
                continue
            if isinstance(event, dict):
                events.append(event)
                _emit(worker, topic, {**base, **event})

    def read_log() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                tail.append(line)

    readers = [threading.Thread(target=read_events, daemon=True), threading.Thread(target=read_log, daemon=True)]
    for t in readers:
        t.start()
    try:
        assert proc.stdin is not None
        try:
            proc.stdin.write(spec["toml"].encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
    finally:
        if proc.poll() is None:  # this thread was interrupted: never leave a render behind
            proc.kill()
            proc.wait()
    for t in readers:
        t.join(timeout=10)

    done = next((e for e in reversed(events) if e.get("event") in ("done", "up_to_date")), None)
    if code != 0 or done is None:
        why = exit_text(code) if code != 0 else "ended without reporting a finished render"
        said = next((line for line in reversed(tail) if line.startswith("error: ")), None)
        message = (f"job {spec['job']!r}: the render process {why} on {who['label']}, host {who['host']}"
                   + (f": {said.removeprefix('error: ')}" if said else ""))
        if tail:
            message += "\n  its last output:\n" + "\n".join(f"    {line}" for line in tail)
        _emit(worker, topic, {**base, "event": "attempt_failed", "error": message.splitlines()[0]})
        raise RuntimeError(message)
    return {**base, "worker_name": who["name"], "address": who["address"], "status": done["event"],
            "seconds": done.get("seconds"), "render_seconds": done.get("render_seconds"),
            "device": done.get("device")}
