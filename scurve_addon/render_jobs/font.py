"""Fonts for contact-sheet labels: Blender's own text drawing, and a 5x7 bitmap fallback.

BlenderFont draws with blf into an ImBuf (blf.bind_imbuf, Blender 4.5+; works in background
mode, on the CPU): proportional, lower case, anti-aliased, Blender's UI font. On 4.2, which
cannot draw text into an image from Python (and has no Pillow), BITMAP draws the 5x7 bitmap
font below: upper-case letters, digits and the punctuation that parameter labels use; lower
case is drawn in upper case and anything else as '?'. label_font() picks one.

Both have the same interface (LabelFont), so contact_sheet.compose takes either; this
module imports no bpy (BlenderFont imports blf when it draws).
"""
from __future__ import annotations

import os
import tempfile
from typing import Any, Protocol

import numpy as np

WIDTH, HEIGHT, SPACING = 5, 7, 1

_GLYPHS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    " ": "..... ..... ..... ..... ..... ..... .....",
    "=": "..... ..... ##### ..... ##### ..... .....",
    "_": "..... ..... ..... ..... ..... ..... #####",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    ":": "..... .##.. .##.. ..... .##.. .##.. .....",
    "-": "..... ..... ..... ##### ..... ..... .....",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    "/": "....# ....# ...#. ..#.. .#... #.... #....",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
    ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    "[": ".###. .#... .#... .#... .#... .#... .###.",
    "]": ".###. ...#. ...#. ...#. ...#. ...#. .###.",
    "%": "##..# ##..# ...#. ..#.. .#... #..## #..##",
    "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
    "'": "..#.. ..#.. .#... ..... ..... ..... .....",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
}

GLYPHS: dict[str, np.ndarray] = {
    ch: np.array([[c == "#" for c in row] for row in rows.split()], dtype=bool) for ch, rows in _GLYPHS.items()
}


def glyph(ch: str) -> np.ndarray:
    """The (7, 5) bool bitmap of a character."""
    return GLYPHS.get(ch.upper(), GLYPHS["?"])


def text_size(text: str, scale: int = 1) -> tuple[int, int]:
    """(width, height) in pixels of one line of text."""
    if not text:
        return 0, HEIGHT * scale
    return (len(text) * (WIDTH + SPACING) - SPACING) * scale, HEIGHT * scale


def draw_text(canvas: np.ndarray, x: int, y: int, text: str, color: tuple[int, ...], scale: int = 1) -> None:
    """Draw one line of text with its top-left corner at (x, y) (pixels, top row 0); clipped."""
    height, width = canvas.shape[:2]
    for i, ch in enumerate(text):
        mask = np.kron(glyph(ch), np.ones((scale, scale), dtype=bool))
        gx = x + i * (WIDTH + SPACING) * scale
        y0, x0 = max(y, 0), max(gx, 0)
        y1, x1 = min(y + mask.shape[0], height), min(gx + mask.shape[1], width)
        if y0 >= y1 or x0 >= x1:
            continue
        sub = mask[y0 - y:y1 - y, x0 - gx:x1 - gx]
        canvas[y0:y1, x0:x1][sub] = color


class LabelFont(Protocol):
    def text_size(self, text: str, scale: int = 1) -> tuple[int, int]: ...

    def draw_text(self, canvas: np.ndarray, x: int, y: int, text: str, color: tuple[int, ...],
                  scale: int = 1) -> None: ...


class BitmapFont:
    """The 5x7 bitmap font above as a LabelFont."""

    name = "bitmap 5x7"

    def text_size(self, text: str, scale: int = 1) -> tuple[int, int]:
        return text_size(text, scale)

    def draw_text(self, canvas: np.ndarray, x: int, y: int, text: str, color: tuple[int, ...],
                  scale: int = 1) -> None:
        draw_text(canvas, x, y, text, color, scale)


class BlenderFont:
    """Blender's UI font (blf font 0, or a font file), drawn by blf into an ImBuf (4.5+).

    A line is LINE_HEIGHT * scale pixels high; the text's coverage is read back through a PNG
    (an ImBuf has no pixel access from Python) and blended onto the sheet, once per distinct
    (text, height)."""

    LINE_HEIGHT = 15
    name = "blf"

    def __init__(self, font_path: str | None = None):
        self.font_path = font_path
        self._font_id: int | None = None
        self._cache: dict[tuple[str, int], np.ndarray] = {}

    def _font(self) -> int:
        import blf

        if self._font_id is None:
            self._font_id = blf.load(self.font_path) if self.font_path else 0  # 0: the UI font
            if self._font_id == -1:
                raise FileNotFoundError(f"blf cannot load the font {self.font_path}")
        return self._font_id

    @staticmethod
    def _metrics(height: int) -> tuple[int, int]:
        """(em size, baseline from the bottom row) for a line `height` pixels high."""
        return max(1, round(height * 0.7)), round(height * 0.26)

    def text_size(self, text: str, scale: int = 1) -> tuple[int, int]:
        import blf

        height = self.LINE_HEIGHT * scale
        if not text:
            return 0, height
        font_id = self._font()
        blf.size(font_id, self._metrics(height)[0])
        return int(np.ceil(blf.dimensions(font_id, text)[0])) + 2, height

    def coverage(self, text: str, height: int) -> np.ndarray:
        """The ink of `text` as uint8 (height, width), row 0 at the top, 255 = full ink."""
        key = (text, height)
        if key not in self._cache:
            self._cache[key] = self._draw(text, height)
        return self._cache[key]

    def _draw(self, text: str, height: int) -> np.ndarray:
        import blf as blf_module
        import bpy
        import imbuf

        blf: Any = blf_module  # bind_imbuf, draw_buffer: 4.5+ (compat.py), not in every stub
        font_id = self._font()
        size, baseline = self._metrics(height)
        blf.size(font_id, size)
        width = max(1, int(np.ceil(blf.dimensions(font_id, text)[0])) + 2)
        buffer: Any = imbuf.new((width, height))
        with blf.bind_imbuf(font_id, buffer):
            blf.color(font_id, 1.0, 1.0, 1.0, 1.0)
            blf.position(font_id, 1, baseline, 0)
            blf.draw_buffer(font_id, text)  # not blf.draw: that needs a GPU (crashes in background)
        with tempfile.TemporaryDirectory(prefix="scurve-label-") as tmp:
            path = os.path.join(tmp, "label.png")
            imbuf.write(buffer, filepath=path)
            buffer.free()
            image = bpy.data.images.load(path, check_existing=False)
            try:
                pixels = np.empty(width * height * 4, dtype=np.float32)
                image.pixels.foreach_get(pixels)  # type: ignore[attr-defined]  # a bpy_prop_array
            finally:
                bpy.data.images.remove(image)
        alpha = pixels.reshape(height, width, 4)[::-1, :, 3]  # images are stored bottom row first
        return np.clip(np.round(alpha * 255.0), 0, 255).astype(np.uint8)

    def draw_text(self, canvas: np.ndarray, x: int, y: int, text: str, color: tuple[int, ...],
                  scale: int = 1) -> None:
        """Blend one line of text onto `canvas` with its top-left corner at (x, y); clipped."""
        if not text:
            return
        ink = self.coverage(text, self.LINE_HEIGHT * scale)
        height, width = canvas.shape[:2]
        y0, x0 = max(y, 0), max(x, 0)
        y1, x1 = min(y + ink.shape[0], height), min(x + ink.shape[1], width)
        if y0 >= y1 or x0 >= x1:
            return
        a = ink[y0 - y:y1 - y, x0 - x:x1 - x, None].astype(np.float32) / 255.0
        under = canvas[y0:y1, x0:x1].astype(np.float32)
        paint = np.asarray(color[:canvas.shape[2]], dtype=np.float32)
        canvas[y0:y1, x0:x1] = np.clip(under * (1.0 - a) + paint * a + 0.5, 0, 255).astype(np.uint8)


BITMAP = BitmapFont()


def label_font() -> LabelFont:
    """Blender's font where it can draw into images (4.5+), else the bitmap font (4.2)."""
    from .. import compat

    return BlenderFont() if compat.blf_draws_into_images() else BITMAP
