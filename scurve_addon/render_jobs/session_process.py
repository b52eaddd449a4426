"""The owner's side of a session process (session_server.py): start it, send it requests,
read its events, recycle it, kill it. Pure Python: the owner (the local runner, a Dask
worker) never imports bpy.

A session process is recycled, i.e. closed and replaced by a fresh one on the next
request, after `max_jobs` renders or once its resident memory passes `max_memory_mb`, so a
long batch cannot grow without bound (Blender's memory grows over many renders in one
process). A session that dies (a crash inside Blender, an out-of-memory kill) fails only
the request it was serving; the next request starts a new one.
"""
from __future__ import annotations

import collections
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from . import session_tempdirs
from .session_server import PARENT_ENV

SESSION_MODULE = f"{__package__}.session_server"
# The folder holding this code's top-level package (the checkout): on the session's PYTHONPATH.
ROOT = os.path.abspath(__file__)
for _ in range(__package__.count(".") + 2):
    ROOT = os.path.dirname(ROOT)
# The extension package this code belongs to when Blender installed it
# ("bl_ext.user_default.scurve_mirror"), else "" (a checkout: scurve_addon is top-level).
EXTENSION_PACKAGE = __package__.removesuffix(".scurve_addon.render_jobs") if __package__.startswith("bl_ext.") \
    else ""
CLI_COMMAND = "scurve"  # `blender -c scurve ...`: registered by the extension (registration.py)
# The bpy module has no `blender -c`: a new Python imports bpy, enables the installed extension
# (Blender does not remember it across processes in background mode) and runs its command line.
BOOTSTRAP = """\
import importlib, sys
import bpy, addon_utils
package = sys.argv[1]
if addon_utils.enable(package, default_set=True) is None:
    sys.stderr.write(f"error: the extension {package} cannot be enabled in {sys.executable}\\n")
    sys.exit(1)
cli = importlib.import_module(package + ".scurve_addon.render_jobs.cli")
sys.exit(cli.main(sys.argv[2:], prog="blender -c scurve"))
"""
DEFAULT_MAX_JOBS = 250
DEFAULT_MAX_MEMORY_MB = 4096
TAIL_LINES = 25
FINAL_EVENTS = frozenset({"devices", "bad_input", "done", "up_to_date", "failed", "written"})


class SessionDiedError(RuntimeError):
    """The session process ended while it served a request (crash, kill, out of memory).

    `why`: how it ended ("crashed (SIGSEGV)"); `said`: its last "error: " line, if any;
    `tail`: its last lines of output."""

    def __init__(self, why: str, said: str | None, tail: list[str]):
        self.why, self.said, self.tail = why, said, tail
        super().__init__(self.describe())

    def describe(self, where: str = "") -> str:
        """The message, with `where` (" on worker w1 ...") after what ended."""
        message = f"the render process {self.why}{where}" + (f": {self.said}" if self.said else "")
        if self.tail:
            message += "\n  its last output:\n" + "\n".join(f"    {line}" for line in self.tail)
        return message


def exit_text(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"exited with code {code}"


def blender_binary() -> str:
    """The Blender executable this process runs in; "" outside Blender and in the bpy module."""
    bpy = sys.modules.get("bpy")  # never imported here: the owner of sessions stays pure Python
    return str(getattr(getattr(bpy, "app", None), "binary_path", "") or "")


def cli_command(args: list[str]) -> list[str]:
    """A command line that runs this code's render_jobs command line with `args` in a new process:

    - inside a Blender binary: `BLENDER -b -c scurve ARGS` (the extension, enabled in the
      preferences, registers the command);
    - from the installed extension in the bpy module (no Blender binary): this Python runs
      BOOTSTRAP, which enables the installed extension and calls its cli.main(ARGS);
    - from a checkout: this Python, `-m render_jobs` (the checkout's shim; PYTHONPATH = ROOT).
    """
    binary = blender_binary()
    if binary:
        return [binary, "-b", "-c", CLI_COMMAND, *args]
    if EXTENSION_PACKAGE:
        return [sys.executable, "-c", BOOTSTRAP, EXTENSION_PACKAGE, *args]
    return [sys.executable, "-m", "render_jobs", *args]


def command() -> list[str]:
    """How to start a session process: from a checkout, this Python (with the bpy module) running
    session_server.py; from the installed extension, the hidden `_session` command of its command
    line (cli_command: `blender -b -c scurve _session`, or the bpy module's bootstrap)."""
    if not EXTENSION_PACKAGE:
        return [sys.executable, "-m", SESSION_MODULE]
    return cli_command(["_session"])


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a process started with command() or cli_command(): a checkout's root
    on PYTHONPATH (an installed extension is found by Blender itself, so nothing is added)."""
    variables = dict(os.environ if env is None else env)
    if not EXTENSION_PACKAGE:
        variables["PYTHONPATH"] = ROOT + (os.pathsep + variables["PYTHONPATH"]
                                          if variables.get("PYTHONPATH") else "")
    variables.setdefault("PYTHONUNBUFFERED", "1")
    return variables


class SessionProcess:
    def __init__(self, env: dict[str, str] | None = None):
        variables = environment(env)
        variables[PARENT_ENV] = str(os.getpid())
        # Blender's temporary files (Cycles writes tile buffers of hundreds of MB for large
        # renders) go to a folder of this session's own, removed when the session ends, so a
        # killed render leaves nothing behind there either; if this owner is killed too, the
        # next owner on the machine removes it (session_tempdirs.py).
        self.tempdir = session_tempdirs.make()
        for name in ("TMPDIR", "TMP", "TEMP"):
            variables[name] = self.tempdir
        # In the owner's working directory: relative paths (the job file's, in messages and
        # sidecars) mean the same to both.
        try:
            self.proc = subprocess.Popen(command(), env=variables, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except BaseException:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            raise
        session_tempdirs.mark(self.tempdir, self.proc.pid)
        self.jobs = 0  # renders this process has done
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._reader = threading.Thread(target=self._read_log, daemon=True, name="session-log")
        self._reader.start()
        self._write_lock = threading.Lock()  # requests, and follow-ups written from their own threads

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_log(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self.tail.append(line)

    def died(self) -> SessionDiedError:
        """The error for a session process that ended, with its last output."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._reader.join(timeout=2)
        said = next((line for line in reversed(self.tail) if line.startswith("error: ")), None)
        return SessionDiedError(exit_text(code), said.removeprefix("error: ") if said else None, list(self.tail))

    def _write(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        with self._write_lock:
            self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.proc.stdin.flush()

    def _follow_up(self, job: str, measure: Callable[[], dict | None]) -> None:
        """Measure (in this thread) and send the numbers a render request said would follow;
        null when measuring failed (the session then measures itself)."""
        try:
            numbers = measure()
        except Exception:  # noqa: BLE001 - the session measures it and reports any error
            numbers = None
        try:
            self._write({"op": "measured", "job": job, "numbers": numbers})
        except (OSError, ValueError):  # the session ended (or was closed) meanwhile: nobody waits
            pass

    def request(self, message: dict[str, Any], on_event: Callable[[dict], None] | None = None,
                measure: Callable[[], dict | None] | None = None) -> dict:
        """Send one request; pass each event before the final one to `on_event`; return the
        final event. Raises SessionDiedError when the process ends before answering.
        `measure` (render requests): computes the job's surface numbers (measure.measure) in a
        thread of this process while the session renders; they follow the request."""
        if measure is not None:
            message = {**message, "measured": "follows"}
        try:
            self._write(message)
        except (BrokenPipeError, OSError):
            raise self.died() from None
        if measure is not None:
            threading.Thread(target=self._follow_up, args=(message["job"], measure), daemon=True,
                             name="measure-follow-up").start()
        for event in self._events():
            if event.get("event") in FINAL_EVENTS:
                if event["event"] == "done":
                    self.jobs += 1
                return event
            if on_event is not None:
                on_event(event)
        raise self.died()

    def wait_ready(self) -> None:
        """Wait until Blender has loaded in the session (its "ready" event, the first it sends;
        a request then finds it done). Raises SessionDiedError if the session ends first."""
        for event in self._events():
            if event.get("event") == "ready":
                return
        raise self.died()

    def _events(self) -> Iterator[dict[str, Any]]:
        """The session's events as they come (lines of its output that are not one are skipped),
        until its output ends."""
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if isinstance(event, dict):
                yield event

    def memory_mb(self) -> float | None:
        """Resident memory of the process in MiB (Linux /proc), or None where unknown."""
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except (OSError, ValueError, IndexError):
            pass
        try:
            import psutil  # with distributed; not needed by the local runner

            return psutil.Process(self.proc.pid).memory_info().rss / 2**20
        except Exception:  # noqa: BLE001 - unknown is fine: only the job limit then applies
            return None

    def worn_out(self, max_jobs: int, max_memory_mb: float) -> str | None:
        """Why this session should be recycled now, or None."""
        if self.jobs >= max_jobs:
            return f"after {self.jobs} jobs (limit {max_jobs})"
        memory = self.memory_mb()
        if memory is not None and memory > max_memory_mb:
            return f"at {memory:.0f} MiB resident (limit {max_memory_mb:g} MiB)"
        return None

    def close(self) -> None:
        """End the session. Every request it answered has its files written and flushed, so
        there is nothing to wait for: it is killed (Blender's own shutdown takes 0.15 s)."""
        self.kill()

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        try:
            _wait(self.proc, 30.0)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process SIGKILL cannot stop
            pass
        shutil.rmtree(self.tempdir, ignore_errors=True)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def _wait(proc: subprocess.Popen, timeout: float) -> None:
    """proc.wait(timeout), returning as soon as the process has ended: Popen.wait with a timeout
    polls with sleeps of up to 50 ms, which a batch would wait for at its end. On Linux a pidfd
    becomes readable the moment the process exits."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or the process is reaped already
        proc.wait(timeout=timeout)
        return
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    proc.wait(timeout=0.5)


class SessionPool:
    """A process's idle render sessions: a task of a Dask worker takes one, or starts one, and
    gives it back when done; worn-out and dead sessions are closed instead of kept. Sessions
    can be started ahead (prestart) for whoever takes them first: a Dask task, or the local
    runner, which keeps the one it takes (handover)."""

    def __init__(self) -> None:
        self._idle: list[SessionProcess] = []
        self._all: set[SessionProcess] = set()  # idle and busy
        self._lock = threading.Lock()

    def handover(self) -> SessionProcess | None:
        """An idle session that is alive, no longer the pool's (the caller closes it), or None."""
        with self._lock:
            while self._idle:
                session = self._idle.pop()
                self._all.discard(session)
                if session.alive():
                    return session
                session.kill()
        return None

    def take(self) -> SessionProcess:
        """An idle session, or a new one; give it back (give_back) or discard it when done."""
        session = self.handover() or SessionProcess()
        with self._lock:
            self._all.add(session)
        return session

    def prestart(self, count: int) -> list[SessionProcess]:
        """Have at least `count` sessions, starting the missing ones now (idle), so that Blender
        loads in them while this process does other work (render_jobs/__main__.py: before it
        reads the job file, or imports Dask for the workers of `--workers N`, which are
        threads of this process; worker_preload.py: while a Dask worker starts). Returns the
        sessions started. Any left at exit are killed (and die with this process anyway)."""
        import atexit

        with self._lock:
            missing = count - len(self._all)
        if missing > 0 and not self._all:
            atexit.register(self.kill_all)
        started = []
        for _ in range(missing):
            session = SessionProcess()
            started.append(session)
            with self._lock:
                self._all.add(session)
                self._idle.append(session)
        return started

    def pids(self) -> list[int]:
        """The process ids of this process's sessions, idle and busy."""
        with self._lock:
            return sorted(session.pid for session in self._all)

    def give_back(self, session: SessionProcess, max_jobs: int, max_memory_mb: float) -> str | None:
        """Keep `session` for the next task, or close it; returns why it was recycled."""
        why = session.worn_out(max_jobs, max_memory_mb) if session.alive() else "it ended"
        if why:
            with self._lock:
                self._all.discard(session)
            session.close()
            return why
        with self._lock:
            self._idle.append(session)
        return None

    def discard(self, session: SessionProcess) -> None:
        """Kill a session taken from the pool (it died, or its task was interrupted)."""
        with self._lock:
            self._all.discard(session)
        session.kill()

    def kill_all(self) -> None:
        """Stop every session of this process, busy ones too (the batch was interrupted)."""
        with self._lock:
            sessions, self._all, self._idle = list(self._all), set(), []
        for session in sessions:
            session.kill()


POOL = SessionPool()  # this process's sessions (a Dask worker's; those started ahead)
