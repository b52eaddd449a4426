"""A labelled contact sheet of a sweep: thumbnails in a grid, each captioned with its swept values.

Composition is plain numpy (`compose`, given a font.LabelFont: the bitmap font by default,
so it runs without Blender); reading the rendered images goes through bpy.data.images
(`load_rgb`), which reads PNG and EXR alike. write_sheet labels with Blender's own font where
it can draw into images (4.5+), else the bitmap font (font.label_font).
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import font, paths, png

BACKGROUND = (28, 28, 30)
TEXT = (235, 235, 235)
MISSING = (90, 40, 40)
PAD = 8
MAX_THUMB_WIDTH = 320
MAX_COLUMNS = 8


def thumbnail(image: np.ndarray, max_width: int = MAX_THUMB_WIDTH) -> np.ndarray:
    """Shrink by a whole factor (box filter) until at most max_width wide."""
    factor = max(1, math.ceil(image.shape[1] / max_width))
    if factor == 1:
        return image
    h, w = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    blocks = image[:h, :w].reshape(h // factor, factor, w // factor, factor, -1).astype(np.float32)
    return np.clip(blocks.mean(axis=(1, 3)) + 0.5, 0, 255).astype(np.uint8)


def columns_for(count: int, axes_lengths: list[int]) -> int:
    """Two or more swept keys: one row per value of the others, one column per value of the last."""
    if len(axes_lengths) >= 2:
        return max(1, min(axes_lengths[-1], MAX_COLUMNS))
    return max(1, min(math.ceil(math.sqrt(count)), MAX_COLUMNS))


def compose(cells: list[tuple[np.ndarray | None, list[str]]], columns: int, title: str = "",
            label_font: font.LabelFont | None = None) -> np.ndarray:
    """The sheet as an (h, w, 3) uint8 array. Cells: (thumbnail or None if missing, label lines).
    `label_font`: what draws the text (default: the bitmap font, no Blender needed)."""
    text = label_font or font.BITMAP
    thumbs = [t for t, _ in cells if t is not None]
    tw = max((t.shape[1] for t in thumbs), default=64)
    th = max((t.shape[0] for t in thumbs), default=36)
    scale = 2 if tw >= 240 else 1
    text_h = text.text_size("", scale)[1]
    line_h = text_h + 3 * scale
    label_w = max((text.text_size(line, scale)[0] for _, lines in cells for line in lines), default=0)
    lines = max((len(lines) for _, lines in cells), default=0)
    cell_w, cell_h = max(tw, label_w) + PAD, th + lines * line_h + PAD + 2
    rows = math.ceil(len(cells) / columns)
    title_h = (text_h + 2 * PAD) if title else 0
    width = max(columns * cell_w + PAD, text.text_size(title, scale)[0] + 2 * PAD)
    sheet = np.empty((title_h + rows * cell_h + PAD, width, 3), np.uint8)
    sheet[:] = BACKGROUND
    if title:
        text.draw_text(sheet, PAD, PAD, title, TEXT, scale)
    for index, (thumb, label) in enumerate(cells):
        r, c = divmod(index, columns)
        x, y = PAD + c * cell_w, title_h + PAD + r * cell_h
        if thumb is None:
            sheet[y:y + th, x:x + tw] = MISSING
            text.draw_text(sheet, x + 4, y + 4, "MISSING", TEXT, scale)
        else:
            h, w = thumb.shape[:2]
            ox, oy = x + (tw - w) // 2, y + (th - h) // 2
            sheet[oy:oy + h, ox:ox + w] = thumb[:, :, :3]
        for i, line in enumerate(label):
            text.draw_text(sheet, x, y + th + 3 + i * line_h, line, TEXT, scale)
    return sheet


def load_rgb(path: str) -> np.ndarray:
    """An image file as an (h, w, 3) uint8 sRGB array, top row first (via bpy.data.images)."""
    import bpy

    image = bpy.data.images.load(path, check_existing=False)
    try:
        w, h = image.size
        pixels = np.empty(w * h * 4, np.float32)
        cast(Any, image.pixels).foreach_get(pixels)  # a bpy_prop_array (the stubs say float)
        rgb = pixels.reshape(h, w, 4)[::-1, :, :3]
        if image.is_float:  # scene-linear EXR: a plain sRGB transfer, no view transform
            rgb = np.where(rgb <= 0.0031308, 12.92 * rgb, 1.055 * np.power(np.maximum(rgb, 0), 1 / 2.4) - 0.055)
        return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    finally:
        bpy.data.images.remove(image)


def write(path: str, sheet: np.ndarray) -> None:
    paths.write_bytes(path, png.encode(sheet))


def write_sheet(out_dir: str, name: str, title: str, columns: int, cells: list[tuple[str, list[str]]]) -> str:
    """Read the images (file names in out_dir; a missing one shows as MISSING), compose the
    labelled sheet and write it atomically as out_dir/name; returns its path."""
    import os

    thumbs = []
    for image_name, labels in cells:
        path = os.path.join(out_dir, image_name)
        thumbs.append((thumbnail(load_rgb(path)) if os.path.isfile(path) else None, list(labels)))
    path = paths.output_path(out_dir, name)
    write(path, compose(thumbs, columns, title=title, label_font=font.label_font()))
    return path
