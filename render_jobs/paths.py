"""Output files: kept inside the output directory, written atomically. Pure Python.

Every output is written into a private temporary directory made in its final directory
(`.<name>.partial-<host>-<pid>-<random>/`, mode 0700, an unpredictable name, made with
tempfile.mkdtemp), checked (`verify`, e.g. `verify_image`), flushed to disk, then renamed
over the final name with os.replace and the directory removed, so a final name only ever
holds a complete file and a link planted in a shared output directory is never followed.
Partials left by a killed run are removed by the next run on the same host once their
process is gone; those of other hosts (a cluster sharing the directory) are left alone.
Old-style partial files (`.<name>.partial-<pid>`) are recognised as this host's.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# `.<final>.partial-<host>-<pid>-<random>` (a directory) or the old `.<final>.partial-<pid>` (a file).
PARTIAL_RE = re.compile(r"^\.(?P<final>.+)\.partial-(?:(?P<host>.+)-(?P<pid>\d+)-(?P<tag>[a-z0-9_]+)"
                        r"|(?P<old_pid>\d+))$")
MAX_PID = 2**31 - 1  # a pid_t; a bigger number in a name is not one of our partials
MAX_HOST = 64


@dataclass(frozen=True)
class Partial:
    """What a partial's name says: the final file name, the host and process that made it."""

    final: str
    host: str
    pid: int


def host_name() -> str:
    """This machine's name as written in partial names (letters, digits, '.', '-', '_')."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", socket.gethostname())[:MAX_HOST] or "_"


def parse_partial(name: str) -> Partial | None:
    """The partial a directory entry's name describes, or None when it is not one of ours."""
    m = PARTIAL_RE.match(name)
    if not m:
        return None
    digits = m.group("pid") or m.group("old_pid")
    if len(digits) > 10:
        return None
    pid = int(digits)
    if not 0 < pid <= MAX_PID:
        return None
    return Partial(final=m.group("final"), host=m.group("host") or host_name(), pid=pid)


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
def atomic_target(final: str, verify: Callable[[str], None] | None = None) -> Iterator[str]:
    """Yield a path to write, inside a private temporary directory next to `final`.

    On success the written file is checked with `verify` (which raises to refuse it), flushed
    and renamed over `final`; on any failure it is removed and `final` is left as it was.
    The directory is removed either way.
    """
    head, tail = os.path.split(final)
    private = tempfile.mkdtemp(prefix=f".{tail}.partial-{host_name()}-{os.getpid()}-", dir=head or ".")
    partial = os.path.join(private, tail)
    try:
        yield partial
        try:
            mode = os.lstat(partial).st_mode
        except FileNotFoundError:
            raise OSError(f"nothing was written to {partial}") from None
        if not stat.S_ISREG(mode):
            raise OSError(f"{partial} is not a regular file")
        if verify is not None:
            verify(partial)
        commit(partial, final)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def write_bytes(final: str, data: bytes) -> None:
    with atomic_target(final) as partial, open(partial, "wb") as fh:
        fh.write(data)


def write_json(final: str, obj: Any) -> None:
    write_bytes(final, (json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n").encode("utf-8"))


def _alive(pid: int) -> bool:
    """Whether process `pid` of this host may still run (True when in doubt)."""
    if pid == os.getpid():
        return True
    if os.name != "posix" or not 0 < pid <= MAX_PID:  # no harmless probe: leave it alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _remove(path: str) -> bool:
    """Remove a partial file, or a partial directory with what is in it (links are not followed)."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError:
        return False
    return True


def remove_stale_partials(out_dir: str) -> list[str]:
    """Delete the partials of this host's processes that no longer run; returns their paths.

    Partials made on other hosts are left alone: whether their process runs cannot be told here.
    """
    removed: list[str] = []
    try:
        names = os.listdir(out_dir)
    except OSError:
        return removed
    here = host_name()
    for name in names:
        partial = parse_partial(name)
        if partial is None or partial.host != here or _alive(partial.pid):
            continue
        path = os.path.join(out_dir, name)
        if _remove(path):
            removed.append(path)
    return removed


def remove_partials(out_dir: str, final_names: set[str] | frozenset[str]) -> list[str]:
    """Delete every partial (any host, any process) of these final names; returns their paths.

    For when no process can be writing them any more, e.g. once every task of a batch is over.
    """
    removed: list[str] = []
    try:
        names = os.listdir(out_dir)
    except OSError:
        return removed
    for name in names:
        partial = parse_partial(name)
        if partial is not None and partial.final in final_names:
            path = os.path.join(out_dir, name)
            if _remove(path):
                removed.append(path)
    return removed
