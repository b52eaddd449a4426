"""A render_jobs command line in a background process, started from Blender and watched
without blocking (the sidebar's Render section). docs/design.md, "Rendering from Blender".

The process is the pipeline of this very extension: session_process.cli_command gives
`blender -b -c scurve ...`, the installed extension's bootstrap in the bpy module, or
`python -m render_jobs` from a checkout. It dies with Blender (PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from typing import Any

from .render_jobs import jobfile, paths
from .render_jobs.session_process import cli_command, environment

STOP_WAIT = 5.0  # seconds between terminate and kill when cancelling
TIMER_STEP = 0.2  # seconds between two looks at the process's output


def _die_with_blender() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the render process is killed when Blender (its parent) dies (PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


PROGRESS_RE = re.compile(r"\|\s*(\d+) of (\d+) done")
PLAN_RE = re.compile(r": (\d+) jobs?, (\d+) to render")


class JobRun:
    """One render_jobs command line in a background process, watched without blocking:
    step() reads what it printed so far, cancel() stops it."""

    def __init__(self, args: list[str], out_dir: str, job_file: str, title: str = "Render Variants"):
        self.args, self.out_dir, self.job_file, self.title = args, out_dir, job_file, title
        self.command = cli_command(args)
        self.lines: list[str] = []
        self.done, self.total = 0, 0
        self.text = "starting Blender..."
        self.history: list[float] = [0.0]  # every progress value its output showed, in order
        self.returncode: int | None = None
        self.cancelled = self.cancel_requested = False
        self.removed_partials: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            self.command, env=environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_blender if os.name == "posix" else None)
        self._reader = threading.Thread(target=self._read, daemon=True, name="scurve-render-output")
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(raw.decode("utf-8", "replace"))
        self._queue.put(None)

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 0.0

    def _take(self, line: str) -> None:
        line = line.replace("\033[K", "").split("\r")[-1].strip()
        if not line:
            return
        self.lines.append(line)
        plan = PLAN_RE.search(line)
        if plan and not self.total:
            self.total = int(plan.group(2)) or int(plan.group(1))
        found = PROGRESS_RE.search(line)
        if found:
            self.done, self.total = int(found.group(1)), int(found.group(2))
        if not self.history or self.history[-1] != self.progress:
            self.history.append(self.progress)
        self.text = line[:160]

    def step(self) -> int | None:
        """Read the output printed since the last step; the exit code once the process ended."""
        ended = False
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                ended = True
                break
            self._take(item)
        if ended or (self.returncode is None and self.proc.poll() is not None and not self._reader.is_alive()):
            self._reader.join(timeout=2)
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not None:
                    self._take(item)
            self.returncode = self.proc.wait()
        return self.returncode

    def wait(self, on_step: Any = None, poll: float = TIMER_STEP) -> int:
        """step() until the process ends (scripts and background mode)."""
        while self.step() is None:
            if on_step is not None:
                on_step(self)
            time.sleep(poll)
        if on_step is not None:
            on_step(self)
        assert self.returncode is not None
        return self.returncode

    def cancel(self) -> int:
        """Stop the process (terminate, then kill after STOP_WAIT s) and remove what a render cut
        short left in the output folder; returns the exit code."""
        self.cancelled = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.returncode = self.proc.wait()
        self._reader.join(timeout=5)
        self.removed_partials = paths.remove_stale_partials(self.out_dir) if os.path.isdir(self.out_dir) else []
        self.text = "cancelled"
        return self.returncode

    def tail(self, count: int = 8) -> str:
        return "\n".join(self.lines[-count:])


def contact_sheet_path(job_file: str, out_dir: str) -> str | None:
    """The contact sheet the job file's first sweep gets, or None (a single job has none)."""
    try:
        batch = jobfile.load(job_file, out_dir=out_dir)
    except jobfile.JobFileError:
        return None
    group = next((g for g in batch.groups if len(g.jobs) > 1), None)
    return os.path.join(batch.out_dir, group.contact_sheet_name) if group and batch.contact_sheet else None


def save_job_scene(job_file: str, job: str, blend: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`scene JOBFILE [--job NAME] --save BLEND` in a background process (this file stays open)."""
    args = ["scene", job_file, "--save", blend] + (["--job", job] if job else [])
    return subprocess.run(cli_command(args), env=environment(), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_die_with_blender if os.name == "posix" else None)
