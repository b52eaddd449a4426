"""Reading Blender's 8-bit BMP output and comparing images (PSNR)."""
from __future__ import annotations

import math
import struct

import numpy as np


def read_bmp(path: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB, top row first, of an uncompressed 24- or 32-bit BMP."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] != b"BM":
        raise ValueError(f"{path}: not a BMP file")
    offset = struct.unpack_from("<I", data, 10)[0]
    width, height = struct.unpack_from("<ii", data, 18)
    bpp = struct.unpack_from("<H", data, 28)[0]
    compression = struct.unpack_from("<I", data, 30)[0]
    if bpp not in (24, 32) or compression not in (0, 3):
        raise ValueError(f"{path}: {bpp}-bit BMP with compression {compression} is not supported")
    channels = bpp // 8
    stride = (width * channels + 3) // 4 * 4
    rows = abs(height)
    raw = np.frombuffer(data, np.uint8, count=stride * rows, offset=offset).reshape(rows, stride)
    pixels = raw[:, :width * channels].reshape(rows, width, channels)[:, :, 2::-1]  # BGR(A) -> RGB
    return np.ascontiguousarray(pixels[::-1] if height > 0 else pixels)


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of 8-bit images (inf when identical)."""
    if image.shape != reference.shape:
        raise ValueError(f"image {image.shape} and reference {reference.shape} differ in size")
    mse = float(np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)
