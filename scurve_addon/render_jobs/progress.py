"""Progress on the terminal: a line per job, the batch's N of M, elapsed time and ETA.

On a terminal the running job's line is also updated in place with Cycles' own status
("Sample 12/64"); piped to a log, that status is written as a whole line when sampling
starts and then every LOG_INTERVAL seconds.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

LOG_INTERVAL = 15.0  # seconds between status lines in a log


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, total: int, to_render: int, stream: TextIO | None = None):
        self.total, self.to_render = total, to_render
        self.stream = stream or sys.stdout
        self.start = time.monotonic()
        self.finished = 0  # jobs handled (rendered, skipped or failed)
        self.render_seconds: list[float] = []
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._current = ""
        self._last_stats = 0.0
        self._last_logged = float("-inf")

    def _write(self, line: str) -> None:
        if self.live and self._current:
            self.stream.write("\r\033[K")
        self.stream.write(line + "\n")
        self.stream.flush()
        self._current = ""

    def eta(self) -> float | None:
        left = self.to_render - len(self.render_seconds)
        if left <= 0:
            return 0.0
        if not self.render_seconds:
            return None
        return left * sum(self.render_seconds) / len(self.render_seconds)

    def overall(self) -> str:
        return (f"{self.finished} of {self.total} done, elapsed {clock(time.monotonic() - self.start)}, "
                f"ETA {clock(self.eta())}")

    def tag(self, index: int) -> str:
        width = len(str(self.total))
        return f"[{index + 1:>{width}}/{self.total}]"

    def started(self, index: int, name: str, what: str) -> None:
        self._write(f"{self.tag(index)} {name}: {what}")
        self._current = f"{self.tag(index)} {name}"
        self._last_logged = float("-inf")

    def stats(self, text: str) -> None:
        """Cycles' status (bpy.app.handlers.render_stats): in place on a terminal; in a log,
        a line once sampling starts and then every LOG_INTERVAL seconds."""
        now = time.monotonic()
        if not self._current:
            return
        if self.live:
            if now - self._last_stats >= 0.25:
                self._last_stats = now
                self.stream.write(f"\r\033[K{self._current}: {text.strip()}"[:200])
                self.stream.flush()
        elif "Sample" in text and now - self._last_logged >= LOG_INTERVAL:
            self._last_logged = now
            self.stream.write(f"{self._current}: {text.strip()}\n")
            self.stream.flush()

    def rendered(self, index: int, name: str, seconds: float, path: str) -> None:
        self.finished += 1
        self.render_seconds.append(seconds)
        self._write(f"{self.tag(index)} {name}: done in {seconds:.1f} s -> {path} | {self.overall()}")

    def skipped(self, index: int, name: str) -> None:
        self.finished += 1
        self._write(f"{self.tag(index)} {name}: up to date, skipped | {self.overall()}")

    def note(self, index: int, name: str, text: str) -> None:
        self._write(f"{self.tag(index)} {name}: {text}")

    def already_done(self, index: int, name: str, text: str) -> None:
        """Done by an earlier try of the same job (a worker finished it just before it was lost)."""
        self.finished += 1
        self.to_render -= 1
        self._write(f"{self.tag(index)} {name}: {text} | {self.overall()}")

    def failed(self, index: int, name: str, error: str) -> None:
        self.finished += 1
        self.to_render -= 1
        self._write(f"{self.tag(index)} {name}: FAILED: {error} | {self.overall()}")


class ClusterProgress(Progress):
    """Progress with several jobs at once: lines from two threads, whole lines only (no
    in-place status), the ETA from the batch's throughput so far."""

    def __init__(self, total: int, to_render: int, stream: TextIO | None = None):
        super().__init__(total, to_render, stream)
        self.live = False
        self.lock = threading.RLock()
        self.first_start: float | None = None

    def _write(self, line: str) -> None:
        with self.lock:
            super()._write(line)

    def eta(self) -> float | None:
        left = self.to_render - len(self.render_seconds)
        if left <= 0:
            return 0.0
        if not self.render_seconds or self.first_start is None:
            return None
        return (time.monotonic() - self.first_start) / len(self.render_seconds) * left
