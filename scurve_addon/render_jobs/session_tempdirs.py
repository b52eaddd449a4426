"""The temporary folders of render session processes (session_process.py).

Each session gets a folder of its own for Blender's temporary files (Cycles writes tile
buffers of hundreds of MB there for large renders). Its owner removes it when the session
ends. When the owner itself is killed (a Dask worker lost, Ctrl-C twice, an out-of-memory
kill), its sessions die with it (session_server.die_with_parent) and nobody is left to remove
their folders. So each folder holds the process id of its session (PID_FILE), and the next
owner on the machine removes the folders of sessions that are no longer running
(remove_stale, once per owner process, once its first session runs), only its own user's.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time

PREFIX = "scurve-session-"
PID_FILE = ".session-pid"
# A folder without PID_FILE (its owner died between making it and starting the session, a
# matter of milliseconds) is stale once this old.
UNMARKED_STALE_S = 600.0

_swept = threading.Event()


def make() -> str:
    """A new session folder, private to this user; mark() it once the session runs."""
    return tempfile.mkdtemp(prefix=PREFIX)


def mark(folder: str, pid: int) -> None:
    """Record that the session process `pid` uses `folder`; the first time in this process, then
    remove the stale folders (after the session started: Blender loads meanwhile)."""
    with contextlib.suppress(OSError), open(os.path.join(folder, PID_FILE), "w", encoding="ascii") as fh:
        fh.write(str(pid))
    if not _swept.is_set():
        _swept.set()
        remove_stale()


def running(pid: int) -> bool:
    """Whether process `pid` runs (a zombie does not: its folder can go)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc (not Linux): ask the kernel
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    return True


def _stale(path: str) -> bool:
    try:
        with open(os.path.join(path, PID_FILE), encoding="ascii") as fh:
            text = fh.read().strip()
    except FileNotFoundError:
        with contextlib.suppress(OSError):
            return time.time() - os.stat(path).st_mtime > UNMARKED_STALE_S
        return False
    except OSError:
        return False
    return text.isdigit() and not running(int(text))


def remove_stale(where: str | None = None) -> list[str]:
    """Remove this user's session folders in `where` (the temporary folder) whose session is not
    running; returns their paths."""
    where = where or tempfile.gettempdir()
    removed: list[str] = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(where))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or (uid is not None and entry.stat().st_uid != uid):
                continue
        except OSError:
            continue
        if _stale(entry.path):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed
