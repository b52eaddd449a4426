"""A batch on a Dask cluster (`render --scheduler ADDRESS` or `render --workers N`).

The batch runner (runner.py) validates the job file and decides what is done (sidecars),
as for local batches; this executor submits one Dask task per job to render
(cluster_task.py). A task carries the job file's text, the job's name and parameter hash,
and the output directory; on its worker it hands the job to a long-lived render session
process of that worker (session_server.py: one Blender renders many jobs, changing only
what differs), which writes the image and sidecar atomically into that directory. So:

* outputs: one output directory shared by the client and every worker, at the same path
  (NFS, SMB, a cluster file system). Images never travel through Dask: a batch of large
  EXRs would otherwise pass through the scheduler and the client's memory. The client
  leaves a token file there first, so a worker that does not share the directory fails its
  job at once with a message saying so, and after each job it checks the sidecar and the
  image (size and SHA-256) before counting the job as done.
* isolation: the worker never imports bpy; its session process does (bpy is not
  thread-safe). A crash kills only that session and fails only that try; the next task
  starts a new session. A session is recycled after `max_jobs` jobs or past
  `max_memory_mb` of resident memory. Workers should run one task at a time
  (`--nthreads 1`; --workers N starts such workers); the client warns about others.
* failures: a worker that dies mid-render has its tasks rescheduled by the Dask scheduler
  onto the others (up to distributed.scheduler.allowed-failures deaths per task), and its
  render process dies with it; a render that fails is tried again `retries` times. A job
  that fails every try is reported with its error; the others go on.
* partial files: a killed render leaves at most a hidden partial file, never a final
  name; once every task is over the client removes those of this batch's outputs.
* progress: events from the tasks (started, rendering, done) arrive as Dask events and are
  printed as for local batches: N of M, elapsed, ETA, and the worker of each job.
"""
from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from . import cluster_task, paths, sidecar
from .cluster_task import contact_sheet_task, render_task
from .jobfile import Batch, Group, Job, Video
from .measure import Measurer
from .progress import ClusterProgress
from .runner import BadInput, Outcome, shown
from .session_process import DEFAULT_MAX_JOBS, DEFAULT_MAX_MEMORY_MB

DEFAULT_RETRIES = 1
TOKEN_PREFIX = ".render-jobs-cluster-"
SIDECAR_WAIT_S = 30.0  # network file systems may show a new file to other machines a little late


class ClusterError(BadInput):
    """The cluster cannot be used (unreachable scheduler, ...): exit code 2, nothing rendered."""


def _connect(scheduler: str | None, workers: int | None, stream: TextIO):
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # cli.py checks first; this is for other callers of DaskExecutor
        from .cli import dask_missing

        raise ClusterError(dask_missing() or "Dask (distributed) cannot be imported") from None

    if workers is not None:
        import logging

        stream.write(f"starting a local Dask cluster: {workers} worker{'s' * (workers != 1)} in this process, "
                     "each rendering in a session process of its own\n")
        stream.flush()
        # Workers as threads of this process, talking in-process (nothing listens on the
        # network): a task only drives its render session, which is a process of its own.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                               dashboard_address=None,
                               # a failed try is the client's to report, with its reason
                               silence_logs=logging.CRITICAL)
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    assert scheduler is not None
    try:
        return Client(scheduler), None
    except TypeError as exc:
        if "TLS" not in str(exc):
            raise
        # Dask's message when a tls:// address meets a machine without TLS settings
        raise ClusterError(f"command line: --scheduler {scheduler}: cannot reach a Dask scheduler there: it speaks "
                           "TLS, and this machine has no TLS settings for Dask (distributed.comm.tls: a CA file and "
                           "a client certificate; README, \"TLS and authentication\")") from None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"command line: --scheduler {scheduler}: cannot reach a Dask scheduler there ({exc}); "
                           "is `dask scheduler` running and the address right?") from None


def _disconnect(client: Any, cluster: Any) -> None:
    import logging

    # a client that lost its scheduler logs the reconnection it gives up on as an error with a
    # traceback: the jobs concerned are reported already, each with what to do
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


IMPORT_HINT = ("start the scheduler and every worker from a checkout of this project at the client's commit, "
               "with PYTHONPATH=<checkout> (README, \"Distributed rendering (Dask)\")")


def _check_imports(client: Any, where: str) -> None:
    """The scheduler unpickles each task (its function is render_jobs.cluster_task.render_task) and
    the workers run it: both must import this project, else every job would fail the same way."""

    package = __package__  # the tasks' code: scurve_addon.render_jobs from a checkout

    def importable() -> bool:  # pickled by value (a local function): runs where this project may be missing
        import importlib.util

        try:
            return importlib.util.find_spec(package) is not None
        except ImportError:  # its parent package is missing too
            return False

    problems = []
    if not client.run_on_scheduler(importable):
        problems.append(f"command line: {where}: the Dask scheduler cannot import render_jobs")
    names = {address: w.get("name") for address, w in client.scheduler_info(n_workers=-1).get("workers", {}).items()}
    missing = sorted(f"{names.get(address, '?')} at {address}" for address, ok in client.run(importable).items()
                     if not ok)
    if missing:
        problems.append(f"command line: {where}: these Dask workers cannot import render_jobs: {', '.join(missing)}")
    if problems:
        raise ClusterError("\n".join([*problems, IMPORT_HINT]))


def _describe_workers(client, stream: TextIO, local: bool = False) -> None:
    """The cluster's workers, with a warning for set-ups that make renders fight over cores."""
    info = client.scheduler_info(n_workers=-1).get("workers", {})
    if not info:
        stream.write("the scheduler has no workers yet: jobs wait until one connects\n")
    busy = [f"{w.get('name', addr)} ({w.get('nthreads')} threads)" for addr, w in info.items()
            if (w.get("nthreads") or 1) > 1]
    stream.write(f"Dask scheduler {client.scheduler.address}: {len(info)} worker{'s' * (len(info) != 1)}\n")
    if busy:
        stream.write("warning: workers with more than one thread run several renders at once, each with every "
                     "core or GPU of its machine: " + ", ".join(busy) + "; start workers with --nthreads 1\n")
    hosts: dict[str, int] = {}
    for w in info.values():
        hosts[str(w.get("host"))] = hosts.get(str(w.get("host")), 0) + 1
    crowded = [f"{host} ({n} workers)" for host, n in sorted(hosts.items()) if n > 1]
    if crowded and not local:  # --workers N shares the cores out itself
        stream.write("warning: several workers on one machine render at once, each with every core or GPU of "
                     "it, and are slower together than one: " + ", ".join(crowded) + "; run one worker per machine\n")
    stream.flush()


def _hint(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, ModuleNotFoundError) or "No module named 'scurve_addon'" in text \
            or "Error during deserialization of the task graph" in text:
        return f"{text.splitlines()[0]} (the scheduler or a worker cannot import render_jobs?): {IMPORT_HINT}"
    return text


def _remove_partials(batch: Batch) -> list[str]:
    """Partial files of this batch's outputs: once every task is over, no process writes them
    (whichever machine made them)."""
    finals = {name for job in batch.jobs for name in (job.image_name, job.sidecar_name)}
    finals |= {group.contact_sheet_name for group in batch.groups}
    finals |= {name for video in batch.videos for name in (video.video_name, video.preview_name, video.sidecar_name)}
    return paths.remove_partials(batch.out_dir, finals)


def _eventually(check: Callable[[], bool]) -> bool:
    """Whether `check` holds, asking again for a while: network file systems may show a file
    another machine wrote a little late."""
    deadline = time.monotonic() + SIDECAR_WAIT_S
    delay = 0.05
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def _confirm(job: Job, out_dir: str) -> bool:
    """Whether the client sees the job's image and matching sidecar."""
    return _eventually(lambda: sidecar.is_done(job, out_dir))


def _written_by_own_session(request: dict[str, Any]) -> dict:
    """A request that writes a file (local.written_by), sent to a session process the client
    starts for it and ends after it."""
    from .local import written_by
    from .session_process import SessionProcess

    session = SessionProcess()
    try:
        return written_by(session, request, lambda: None)
    finally:
        session.close()


def _placement(job: Job) -> str:
    """The order of submission: jobs that share a surface one after the other."""
    return repr(job.surface)


def _render_on_cluster(batch: Batch, todo: list[int], client: Any, options: dict[str, Any], stream: TextIO,
                       progress: ClusterProgress, failures: dict[str, str], by_worker: dict[str, int]) -> None:
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError

    jobs = batch.jobs
    index_of = {jobs[i].name: i for i in todo}
    with open(batch.path, encoding="utf-8") as fh:
        text = fh.read()
    run_id = secrets.token_hex(8)
    topic = f"render-jobs-{run_id}"
    token_name = f"{TOKEN_PREFIX}{run_id}"
    token_path = os.path.join(batch.out_dir, token_name)
    attempts: dict[str, int] = {}
    last_failed: dict[str, str] = {}  # job -> why its last try ended without a result
    running: dict[str, tuple[str, str]] = {}  # job -> (worker address, label) of its current try
    finished: set[str] = set()

    def on_event(event: tuple) -> None:
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
        if not isinstance(msg, dict) or msg.get("job") not in index_of:
            return
        name = msg["job"]
        index, kind, worker = index_of[name], msg.get("event"), msg.get("by")
        with progress.lock:
            if name in finished:
                return
            if progress.first_start is None:
                progress.first_start = time.monotonic()
            if kind == "started":
                attempts[name] = attempts.get(name, 0) + 1
                if attempts[name] > 1:
                    why = last_failed.get(name) or "the worker of the previous try was lost"
                    progress.note(index, name, f"running again on {worker} (try {attempts[name]}: {why})")
                last_failed.pop(name, None)
                running[name] = (str(msg.get("address")), str(worker))
            elif kind == "rendering":
                progress.note(index, name, f"rendering {msg.get('what')} on {msg.get('device')} | {worker}, "
                                           f"host {msg.get('host')}, process {msg.get('pid')}")
            elif kind == "status":
                progress.note(index, name, f"{msg.get('text')} | {worker}")
            elif kind == "attempt_failed":
                last_failed[name] = "the previous try failed"
                running.pop(name, None)
                if attempts.get(name, 1) <= options["retries"]:
                    progress.note(index, name, f"try {attempts.get(name, 1)} failed: {msg.get('error')}")

    def on_cluster_event(event: tuple) -> None:
        """The scheduler's own events: a worker that leaves while it renders our jobs."""
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
        if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
            return
        with progress.lock:
            for name, (address, label) in list(running.items()):
                if address == msg.get("worker") and name not in finished:
                    del running[name]
                    gone = "left the cluster" if msg.get("expected") else "was lost"
                    last_failed[name] = f"{label} {gone} during the previous try"
                    progress.note(index_of[name], name, f"{label} {gone} while running it: the scheduler gives "
                                                        "the job to another worker")

    subscribed = False
    try:
        paths.write_bytes(token_path, (secrets.token_hex(16) + "\n").encode())
        with open(token_path, encoding="utf-8") as fh:
            token = fh.read().strip()
        _describe_workers(client, stream, local=options["threads"] is not None)
        client.subscribe_topic(topic, on_event)
        client.subscribe_topic("all", on_cluster_event)
        subscribed = True
        futures = {}
        overrides = {k: list(v) if isinstance(v, tuple) else v for k, v in options["overrides"].items()}
        # Jobs that share a surface are submitted one after the other, so that a worker's session
        # often finds the surface it needs already built (placement stays Dask's: no cost).
        for i in sorted(todo, key=lambda i: _placement(jobs[i])):
            job = jobs[i]
            spec = {"toml": text, "job_file": os.path.abspath(batch.path), "job": job.name,
                    "job_hash": sidecar.job_hash(job), "out_dir": batch.out_dir, "overrides": overrides,
                    "force": options["force"], "topic": topic, "token_name": token_name, "token": token,
                    "session_jobs": options["max_jobs"], "session_memory": options["max_memory_mb"],
                    "threads": options["threads"], "surface": job.surface}
            future = client.submit(render_task, spec, key=f"render-{job.name}-{run_id}", pure=False,
                                   retries=options["retries"])
            futures[future] = i
        for future in as_completed(list(futures)):
            index = futures[future]
            job = jobs[index]
            try:
                result = future.result()
            except FutureCancelledError as exc:
                error = ("not finished: the connection to the Dask scheduler was lost; run the same command "
                         "again to resume" if exc.reason == "scheduler-connection-lost"
                         else f"cancelled by the Dask scheduler ({exc.reason})")
            except KilledWorker as exc:
                error = (f"every worker that ran it died ({exc.allowed_failures + 1} workers, the last "
                         f"{exc.last_worker.address}; distributed.scheduler.allowed-failures = "
                         f"{exc.allowed_failures}): does the render exhaust the machines' memory?")
            except Exception as exc:  # noqa: BLE001 - any error of a task is that job's failure
                error = _hint(exc)
            else:
                error = None
            with progress.lock:
                finished.add(job.name)
                running.pop(job.name, None)
                if error is None and not _confirm(job, batch.out_dir):
                    error = (f"{result['by']} reported it rendered, but {shown(batch.out_dir)} has no matching "
                             f"{job.image_name} and {job.sidecar_name} here: is the output directory shared "
                             "at the same path on every machine?")
                if error is not None:
                    failures[job.name] = error
                    progress.failed(index, job.name, error.splitlines()[0])
                    continue
                worker = str(result.get("worker_name") or result.get("address") or result["by"])
                by_worker[worker] = by_worker.get(worker, 0) + 1
                path = shown(os.path.join(batch.out_dir, job.image_name))
                if result.get("status") == "up_to_date":
                    progress.already_done(index, job.name, f"already rendered by an earlier try -> {path}")
                    continue
                progress.rendered(index, job.name, float(result.get("seconds") or 0.0),
                                  f"{path} | {result['by']}, {result.get('device')}")
    finally:
        if subscribed:  # else the scheduler logs a CRITICAL "Closed comm" traceback at every batch end
            for name in (topic, "all"):
                try:
                    client.unsubscribe_topic(name)
                except Exception:  # noqa: BLE001 - a lost scheduler: nothing to unsubscribe from
                    pass
        try:
            os.remove(token_path)
        except OSError:
            pass


class DaskExecutor:
    """The runner's executor for `render --scheduler ADDRESS` and `render --workers N`."""

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 retries: int = DEFAULT_RETRIES, force: bool = False, overrides: dict[str, Any] | None = None,
                 max_jobs: int = DEFAULT_MAX_JOBS, max_memory_mb: float = DEFAULT_MAX_MEMORY_MB):
        self.scheduler, self.workers = scheduler, workers
        self.where = f"--scheduler {scheduler}" if scheduler else f"--workers {workers}"
        self.label = f" (Dask, {self.where})"
        # --workers N on this machine: each render gets its share of the cores (all of them
        # each would only make N renders fight over them).
        threads = max(1, (os.cpu_count() or 1) // workers) if workers else None
        self.options = {"retries": retries, "force": force, "overrides": dict(overrides or {}),
                        "max_jobs": max_jobs, "max_memory_mb": max_memory_mb, "threads": threads}
        self.connection: tuple[Any, Any] | None = None
        self.stream: TextIO = sys.stdout

    def open(self, batch: Batch, jobs: list[Job], stream: TextIO) -> None:
        self.stream = stream
        self.connection = _connect(self.scheduler, self.workers, stream)
        _check_imports(self.connection[0], self.where)
        if self.workers:  # the workers are threads of this process: one thread here measures ahead
            # (started now, not while Dask starts in this same interpreter, which it would slow)
            cluster_task.CLIENT_MEASURER = Measurer([job.surface for job in sorted(jobs, key=_placement)])

    def progress(self, total: int, to_render: int, stream: TextIO) -> ClusterProgress:
        return ClusterProgress(total, to_render, stream)

    def render(self, batch: Batch, todo: list[int], progress: Any, outcome: Outcome) -> None:
        assert self.connection is not None
        _render_on_cluster(batch, todo, self.connection[0], self.options, self.stream, progress,
                           outcome.failures, outcome.by_worker)

    def write_contact_sheet(self, batch: Batch, group: Group, title: str, columns: int) -> str:
        """By a worker's session, already running after the renders (cluster_task.contact_sheet_task:
        the images and the sheet are in the shared output directory). With no worker left, or
        when that fails, by a session process of the client's own. The client never loads Blender."""
        from .local import contact_sheet_request

        request = contact_sheet_request(batch, group, title, columns)
        client = self.connection[0] if self.connection is not None else None
        if client is not None and client.scheduler_info(n_workers=-1).get("workers"):
            future = client.submit(contact_sheet_task, request, self.options["max_jobs"],
                                   self.options["max_memory_mb"], key=f"contact-sheet-{secrets.token_hex(8)}",
                                   pure=False, retries=self.options["retries"])
            try:
                path = str(future.result())
            except Exception:  # noqa: BLE001 - lost workers, a failed try: the client's own session below
                pass
            else:
                if _eventually(lambda: os.path.isfile(path)):
                    return path
        return str(_written_by_own_session(request)["path"])

    def encode_video(self, batch: Batch, video: Video) -> dict:
        """By the client, in a session process of its own (Blender's FFmpeg; the frames are here)."""
        from .local import video_request

        return dict(_written_by_own_session(video_request(batch, video))["sidecar"])

    def close(self, batch: Batch) -> list[str]:
        if self.workers:  # its workers ran in this process, so did their sessions: stop them first
            from .session_process import POOL

            POOL.kill_all()
            if cluster_task.CLIENT_MEASURER is not None:
                cluster_task.CLIENT_MEASURER.stop()
                cluster_task.CLIENT_MEASURER = None
        if self.connection is not None:
            connection, self.connection = self.connection, None
            _disconnect(*connection)
        return _remove_partials(batch) if os.path.isdir(batch.out_dir) else []
