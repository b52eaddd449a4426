"""A folder of fitted control values that this user's processes share (edge_fit.py's fits).

A fit costs 0.02-0.25 s for each new arc-segment or row count, in every process that builds
or measures the mirror: Blender after a restart, each render session, each Dask worker. Kept
here, each is fitted once per machine and code version instead. It is only a cache: anything
that cannot be read, or that edge_fit does not accept (shapes, the exact symmetries, finite
values), is fitted again, and a folder that cannot be written to is left alone.

The folder: set_folder() (the installed extension sets its own user folder, registration.py),
else $SCURVE_FIT_CACHE (empty: no cache), else $XDG_CACHE_HOME/scurve-mirror/fits (by
default ~/.cache/...). A folder that other users may write to is not read. Entries are
named by a digest of the fit, its key and the geometry code, so another version of the code
never reads this one's fits.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import tempfile

import numpy as np

CACHE_ENV = "SCURVE_FIT_CACHE"
_folder: str | None = None


def set_folder(path: str | None) -> None:
    """Use `path` ("" for no cache; None: back to the environment's choice)."""
    global _folder
    _folder = path


def folder() -> str | None:
    """The cache folder in use, or None for none."""
    if _folder is not None:
        return _folder or None
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "scurve-mirror", "fits")


@functools.cache
def _code_digest() -> str | None:
    """A digest of the geometry package's source (its fits change only with it), or None
    when the source cannot be read (then there is no cache)."""
    digest = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                with open(os.path.join(here, name), "rb") as fh:
                    digest.update(name.encode() + b"\0" + fh.read())
    except OSError:
        return None
    return digest.hexdigest()


def _path(where: str, name: str, key: tuple) -> str | None:
    code = _code_digest()
    if code is None:
        return None
    digest = hashlib.sha256(repr((name, key, code)).encode()).hexdigest()[:40]
    return os.path.join(where, f"{name}-{digest}.npy")


def _trusted(where: str) -> bool:
    """The folder is ours and nobody else may write to it."""
    try:
        info = os.stat(where)
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(name: str, key: tuple) -> np.ndarray | None:
    """The stored result of fit `name` for `key`: a float array, unchecked, or None."""
    where = folder()
    path = None if where is None or not _trusted(where) else _path(where, name, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            array = np.load(fh, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    return array if isinstance(array, np.ndarray) and array.dtype == np.float64 else None


def store(name: str, key: tuple, array: np.ndarray) -> None:
    """Keep `array` as the result of fit `name` for `key` (written whole, then renamed, so a
    reader never sees half a file); nothing happens when the folder cannot be written."""
    where = folder()
    path = None if where is None else _path(where, name, key)
    if where is None or path is None:
        return
    temp = None
    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
        if not _trusted(where):
            return
        fd, temp = tempfile.mkstemp(dir=where, prefix=f".{name}-", suffix=".partial")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, np.asarray(array, dtype=np.float64), allow_pickle=False)
        os.replace(temp, path)
        temp = None
    except OSError:
        pass
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.remove(temp)
