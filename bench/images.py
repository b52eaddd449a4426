"""Reading rendered images (Pillow) and comparing them (PSNR)."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image


def read_rgb(path: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB of an image file, top row first."""
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of 8-bit images (inf when identical)."""
    if image.shape != reference.shape:
        raise ValueError(f"image {image.shape} and reference {reference.shape} differ in size")
    mse = float(np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)
