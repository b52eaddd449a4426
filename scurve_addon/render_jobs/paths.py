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
import struct
import tempfile
import zlib
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


# ---------------------------------------------------------------------------------------------
# Written images, checked: Blender's save_render does not report a full disk (ENOSPC), so an
# image is read back structurally before it may take its final name.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXR_MAGIC = b"\x76\x2f\x31\x01"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
# Scan lines per chunk of each OpenEXR compression (0 NONE ... 9 DWAB, 10 HTJ2K256, 11 HTJ2K32).
_EXR_LINES = {0: 1, 1: 1, 2: 1, 3: 16, 4: 32, 5: 16, 6: 32, 7: 32, 8: 32, 9: 256, 10: 256, 11: 32}
_READ = 1 << 20


class _DamagedError(Exception):
    pass


def _png_data_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    channels = _PNG_CHANNELS.get(colour)
    if channels is None or depth not in (1, 2, 4, 8, 16):
        raise _DamagedError(f"unknown PNG colour type {colour} or bit depth {depth}")

    def rows(w: int, h: int) -> int:
        return 0 if w == 0 or h == 0 else h * (1 + (w * channels * depth + 7) // 8)

    if interlace == 0:
        return rows(width, height)
    if interlace != 1:
        raise _DamagedError(f"unknown PNG interlace method {interlace}")
    return sum(rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in _ADAM7)


def _read_exact(fh: Any, n: int, what: str) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise _DamagedError(f"it ends inside {what}")
    return data


def _verify_png(fh: Any, width: int, height: int) -> None:
    if fh.read(8) != PNG_SIGNATURE:
        raise _DamagedError("no PNG signature")
    expected = None
    inflate = zlib.decompressobj()
    inflated = 0
    first = True
    while True:
        length, kind = struct.unpack(">I4s", _read_exact(fh, 8, "a chunk header"))
        name = kind.decode("latin-1")
        if length > 2**31 - 1:
            raise _DamagedError(f"chunk {name!r} has an impossible length")
        if first and kind != b"IHDR":
            raise _DamagedError("the first chunk is not IHDR")
        crc = zlib.crc32(kind)
        left = length
        body = b""
        while left:
            piece = _read_exact(fh, min(left, _READ), f"chunk {name!r}")
            left -= len(piece)
            crc = zlib.crc32(piece, crc)
            if kind == b"IHDR":
                body += piece
            elif kind == b"IDAT":
                if expected is None:
                    raise _DamagedError("IDAT before IHDR")
                inflated += len(inflate.decompress(piece, expected + 1 - inflated))
                if inflate.unconsumed_tail or inflated > expected:
                    raise _DamagedError(f"the image data is larger than {width}x{height} pixels")
        (stored,) = struct.unpack(">I", _read_exact(fh, 4, f"chunk {name!r}"))
        if stored != crc & 0xFFFFFFFF:
            raise _DamagedError(f"chunk {name!r} fails its CRC")
        if kind == b"IHDR":
            if not first or length != 13:
                raise _DamagedError("a bad IHDR chunk")
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if (w, h) != (width, height):
                raise _DamagedError(f"it is {w}x{h} pixels, not {width}x{height}")
            expected = _png_data_size(w, h, depth, colour, interlace)
        first = False
        if kind == b"IEND":
            break
    inflated += len(inflate.flush())
    if not inflate.eof or inflated != expected:
        raise _DamagedError(f"the image data holds {inflated:,} of {expected:,} bytes")


def _verify_exr(fh: Any, size: int, width: int, height: int) -> None:
    if fh.read(4) != EXR_MAGIC:
        raise _DamagedError("no OpenEXR magic number")
    (version,) = struct.unpack("<I", _read_exact(fh, 4, "the version"))
    tiled, deep, multipart = version & 0x200, version & 0x800, version & 0x1000
    attributes: dict[str, tuple[str, bytes]] = {}
    while True:  # the header: name\0 type\0 size value ... \0
        name = _exr_string(fh)
        if not name:
            break
        kind = _exr_string(fh)
        (length,) = struct.unpack("<i", _read_exact(fh, 4, "the header"))
        if length < 0 or fh.tell() + length > size:
            raise _DamagedError("it ends inside the header")
        attributes[name] = (kind, _read_exact(fh, length, "the header"))  # a multipart file: its first part
    if "dataWindow" not in attributes or len(attributes["dataWindow"][1]) != 16:
        raise _DamagedError("no dataWindow in the header")
    x0, y0, x1, y1 = struct.unpack("<iiii", attributes["dataWindow"][1])
    w, h = x1 - x0 + 1, y1 - y0 + 1
    if (w, h) != (width, height):
        raise _DamagedError(f"it is {w}x{h} pixels, not {width}x{height}")
    if multipart or deep:
        return  # Blender writes single-part scan-line or tiled files for these jobs
    compression = attributes.get("compression", ("", b"\0"))[1][:1]
    if tiled:
        tiles = attributes.get("tiles", ("", b""))[1]
        if len(tiles) != 9:
            raise _DamagedError("a tiled file without its tile description")
        tx, ty, mode = struct.unpack("<IIB", tiles)
        if mode & 0x0F != 0 or tx == 0 or ty == 0:
            return  # mipmaps or ripmaps: not written for a render; only the size is checked
        count = -(-w // tx) * -(-h // ty)
        chunk_header = 20  # tile x, y, level x, y, data size
    else:
        lines = _EXR_LINES.get(compression[0] if compression else 0)
        if lines is None:
            return  # a compression this check does not know: only the size is checked
        count = -(-h // lines)
        chunk_header = 8  # y, data size
    table_end = fh.tell() + 8 * count
    if table_end > size:
        raise _DamagedError("it ends inside the offset table")
    offsets = struct.unpack(f"<{count}Q", fh.read(8 * count))
    for i, offset in enumerate(offsets):
        if offset < table_end or offset + chunk_header > size:
            raise _DamagedError(f"chunk {i + 1} of {count} is missing")
        fh.seek(offset + chunk_header - 4)
        (data_size,) = struct.unpack("<i", fh.read(4))
        if data_size < 0 or offset + chunk_header + data_size > size:
            raise _DamagedError(f"chunk {i + 1} of {count} is cut short")


def _exr_string(fh: Any) -> str:
    out = b""
    while True:
        c = fh.read(1)
        if not c:
            raise _DamagedError("it ends inside the header")
        if c == b"\0":
            return out.decode("latin-1")
        out += c
        if len(out) > 255:
            raise _DamagedError("a bad header")


def verify_image(path: str, file_format: str, width: int, height: int) -> None:
    """Check that `path` holds a whole PNG or OpenEXR image of width x height pixels.

    PNG: signature, IHDR size, every chunk's length and CRC through IEND, and the image data
    inflated in full to exactly the size its rows need. OpenEXR: magic number, the header's
    dataWindow, and every chunk of the offset table inside the file. Raises ValueError saying
    the file is truncated or damaged.
    """
    if file_format not in ("PNG", "OPEN_EXR"):
        raise ValueError(f"verify_image: unknown file format {file_format!r}")
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if file_format == "PNG":
                _verify_png(fh, width, height)
            else:
                _verify_exr(fh, size, width, height)
    except (_DamagedError, zlib.error, struct.error) as exc:
        raise ValueError(f"{path} is truncated or damaged (the disk may be full): {exc}") from None
