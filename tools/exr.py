"""A small OpenEXR reader (numpy and zlib only) for the render passes Blender writes.

The bpy wheels bring no OpenEXR module, and the passes we read (tools/normal_passes.py) are
plain scanline files, so this covers just that: scanline images, single-part (Blender 4.2
and 4.5 write every channel of a multilayer EXR into one part) and multi-part (Blender 5.0
writes one part per pass), NONE / ZIPS / ZIP compression, HALF / FLOAT / UINT channels.
Tiled files and the other compressions (PIZ, DWA...) raise ValueError.

    channels = read_exr(path)   # {"ViewLayer.Normal.X": (H, W) float32 array, ...}

Row 0 of every array is the top of the image (EXR's scanline order, increasing y).
Format reference: https://openexr.com/en/latest/OpenEXRFileLayout.html
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"\x76\x2f\x31\x01"
TILED = 0x200
MULTIPART = 0x1000
# Pixel types (EXR "channels" attribute) and the numpy type each is stored as.
PIXEL_TYPES: dict[int, np.dtype] = {0: np.dtype("<u4"), 1: np.dtype("<f2"), 2: np.dtype("<f4")}
# Compression -> scanlines per chunk; only the ones this reader can undo.
NO_COMPRESSION, ZIPS_COMPRESSION, ZIP_COMPRESSION = 0, 2, 3
LINES_PER_CHUNK = {NO_COMPRESSION: 1, ZIPS_COMPRESSION: 1, ZIP_COMPRESSION: 16}


@dataclass(frozen=True)
class Part:
    """One part's header, as far as reading its pixels needs it."""

    name: str
    channels: tuple[tuple[str, int], ...]  # (name, pixel type), in the file's (alphabetical) order
    compression: int
    window: tuple[int, int, int, int]  # dataWindow: x_min, y_min, x_max, y_max (inclusive)
    chunks: int

    @property
    def width(self) -> int:
        return self.window[2] - self.window[0] + 1

    @property
    def height(self) -> int:
        return self.window[3] - self.window[1] + 1


def _cstring(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\0", pos)
    return data[pos:end].decode(), end + 1


def _attributes(data: bytes, pos: int) -> tuple[dict[str, bytes], int]:
    """One header: name, type name, size, value ... up to the empty name that ends it."""
    attrs: dict[str, bytes] = {}
    while data[pos] != 0:
        name, pos = _cstring(data, pos)
        _type_name, pos = _cstring(data, pos)
        (size,) = struct.unpack_from("<i", data, pos)
        pos += 4
        attrs[name] = data[pos:pos + size]
        pos += size
    return attrs, pos + 1


def _channel_list(raw: bytes) -> tuple[tuple[str, int], ...]:
    """The chlist attribute: per channel its name, pixel type, pLinear, reserved, x/y sampling."""
    out, pos = [], 0
    while raw[pos] != 0:
        name, pos = _cstring(raw, pos)
        (pixel_type,) = struct.unpack_from("<i", raw, pos)
        (x_sampling, y_sampling) = struct.unpack_from("<ii", raw, pos + 8)
        if (x_sampling, y_sampling) != (1, 1):
            raise ValueError(f"channel {name!r} is subsampled ({x_sampling}x{y_sampling}): not supported")
        if pixel_type not in PIXEL_TYPES:
            raise ValueError(f"channel {name!r} has unknown pixel type {pixel_type}")
        out.append((name, pixel_type))
        pos += 16
    return tuple(out)


def _part(attrs: dict[str, bytes]) -> Part:
    compression = attrs["compression"][0]
    if compression not in LINES_PER_CHUNK:
        raise ValueError(f"EXR compression {compression} not supported (NONE, ZIPS and ZIP are)")
    window = struct.unpack("<4i", attrs["dataWindow"])
    height = window[3] - window[1] + 1
    lines = LINES_PER_CHUNK[compression]
    chunks = struct.unpack("<i", attrs["chunkCount"])[0] if "chunkCount" in attrs else -(-height // lines)
    name = attrs["name"].rstrip(b"\0").decode() if "name" in attrs else ""
    return Part(name, _channel_list(attrs["channels"]), compression, window, chunks)


def _unzip(block: bytes) -> bytes:
    """ZIP/ZIPS: zlib, then undo the byte predictor (each byte stored as the difference to the
    previous one, plus 128) and the interleaving (even bytes first, odd bytes second)."""
    t = np.frombuffer(zlib.decompress(block), dtype=np.uint8).astype(np.int64)
    t = ((np.cumsum(t - 128) + 128) % 256).astype(np.uint8)
    half = (len(t) + 1) // 2
    out = np.empty_like(t)
    out[0::2] = t[:half]
    out[1::2] = t[half:]
    return out.tobytes()


def read_exr(path: str) -> dict[str, np.ndarray]:
    """Every channel of a scanline EXR file, by its full name, as (H, W) float32 arrays.

    Channel names are as stored; in a multi-part file a channel whose name has no layer
    prefix gets its part's name in front ("<part>.<channel>"), so names stay unique.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not an OpenEXR file")
    (flags,) = struct.unpack_from("<I", data, 4)
    if flags & TILED:
        raise ValueError(f"{path}: tiled EXR files are not supported")
    multipart = bool(flags & MULTIPART)
    pos = 8
    parts: list[Part] = []
    if multipart:  # headers one after the other, then an empty header
        while data[pos] != 0:
            attrs, pos = _attributes(data, pos)
            parts.append(_part(attrs))
        pos += 1
    else:
        attrs, pos = _attributes(data, pos)
        parts.append(_part(attrs))
    tables = []  # the chunk offset tables follow all headers, one per part
    for part in parts:
        tables.append(struct.unpack_from(f"<{part.chunks}Q", data, pos))
        pos += 8 * part.chunks
    out: dict[str, np.ndarray] = {}
    for part, offsets in zip(parts, tables, strict=True):
        out.update(_read_part(data, part, offsets, multipart))
    return out


def _read_part(data: bytes, part: Part, offsets: tuple[int, ...], multipart: bool) -> dict[str, np.ndarray]:
    width, y_min, y_max = part.width, part.window[1], part.window[3]
    arrays = {name: np.zeros((part.height, width), np.float32) for name, _ in part.channels}
    bytes_per_line = sum(PIXEL_TYPES[t].itemsize for _, t in part.channels) * width
    for offset in offsets:
        if multipart:
            offset += 4  # each chunk starts with its part number
        y, size = struct.unpack_from("<ii", data, offset)
        block = data[offset + 8:offset + 8 + size]
        lines = min(LINES_PER_CHUNK[part.compression], y_max - y + 1)
        if part.compression != NO_COMPRESSION and size < bytes_per_line * lines:
            block = _unzip(block)  # a chunk that would not shrink is stored uncompressed
        pos = 0
        for line in range(lines):  # per line: every channel's row, channels in header order
            for name, pixel_type in part.channels:
                dtype = PIXEL_TYPES[pixel_type]
                arrays[name][y - y_min + line] = np.frombuffer(block, dtype, width, pos).astype(np.float32)
                pos += width * dtype.itemsize
    if not (multipart and part.name):
        return arrays
    return {(name if "." in name else f"{part.name}.{name}"): a for name, a in arrays.items()}
