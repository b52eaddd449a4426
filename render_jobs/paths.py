"""Output files: kept inside the output directory, written atomically. Pure Python.

Every output is written under a temporary name in its final directory
(`.<name>.partial-<pid>`), flushed to disk, then renamed over the final name with
os.replace, so a final name only ever holds a complete file. Partials left by a killed
run are removed by the next run once their process is gone.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from typing import Any

PARTIAL_RE = re.compile(r"^\..+\.partial-(\d+)$")


def inside(directory: str, path: str) -> bool:
    """Whether `path` lies strictly inside `directory` (after resolving links)."""
    root = os.path.realpath(directory)
    target = os.path.realpath(path)
    return os.path.commonpath([root, target]) == root and target != root


def output_path(out_dir: str, file_name: str) -> str:
    """The path of an output file; refuses anything that would land outside `out_dir`."""
    if os.path.basename(file_name) != file_name or file_name in ("", ".", ".."):
        raise ValueError(f"{file_name!r} is not a plain file name")
    path = os.path.join(out_dir, file_name)
    if not inside(out_dir, path):
        raise ValueError(f"{file_name!r} would be written outside {out_dir}")
    return path


def partial_path(final: str) -> str:
    head, tail = os.path.split(final)
    return os.path.join(head, f".{tail}.partial-{os.getpid()}")


def _fsync_dir(directory: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(partial: str, final: str) -> None:
    """Flush `partial` to disk and rename it over `final` (atomic on one file system)."""
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, final)
    _fsync_dir(os.path.dirname(final) or ".")


@contextlib.contextmanager
def atomic_target(final: str) -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `final`, on failure it is removed."""
    partial = partial_path(final)
    try:
        yield partial
        if not os.path.isfile(partial):
            raise OSError(f"nothing was written to {partial}")
        commit(partial, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


def write_bytes(final: str, data: bytes) -> None:
    with atomic_target(final) as partial, open(partial, "wb") as fh:
        fh.write(data)


def write_json(final: str, obj: Any) -> None:
    write_bytes(final, (json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n").encode("utf-8"))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no harmless liveness probe: leave other processes' partials alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(out_dir: str) -> list[str]:
    """Delete partial files of processes that no longer run; returns their paths."""
    removed: list[str] = []
    try:
        names = os.listdir(out_dir)
    except OSError:
        return removed
    for name in names:
        m = PARTIAL_RE.match(name)
        if m and not _alive(int(m.group(1))):
            path = os.path.join(out_dir, name)
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
    return removed
