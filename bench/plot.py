"""Line charts rasterised with numpy (linear or log axes, legend, point labels) -> PNG."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .font import HEIGHT, text_mask
from .png import write_png

COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (23, 190, 207)]
GRID = (225, 225, 225)
INK = (20, 20, 20)


@dataclass
class Series:
    name: str
    xs: list[float]
    ys: list[float]
    colour: tuple[int, int, int]
    labels: list[str] | None = None
    line: bool = True


@dataclass
class Chart:
    title: str
    xlabel: str
    ylabel: str
    xlog: bool = False
    ylog: bool = False
    width: int = 760
    height: int = 460
    series: list[Series] = field(default_factory=list)
    hlines: list[tuple[float, str]] = field(default_factory=list)

    def add(self, name: str, xs, ys, labels=None, line: bool = True) -> None:
        colour = COLOURS[len(self.series) % len(COLOURS)]
        self.series.append(Series(name, [float(x) for x in xs], [float(y) for y in ys], colour, labels, line))

    def hline(self, y: float, label: str) -> None:
        self.hlines.append((float(y), label))

    def save(self, path: str) -> None:
        write_png(path, self.render())

    # ---- drawing -------------------------------------------------------------------
    def render(self) -> np.ndarray:
        img = np.full((self.height, self.width, 3), 255, np.uint8)
        left, right, top, bottom = 78, self.width - 20, 34, self.height - 52
        xs = [x for s in self.series for x in s.xs]
        ys = [y for s in self.series for y in s.ys] + [y for y, _ in self.hlines]
        xr = _range(xs, self.xlog)
        yr = _range(ys, self.ylog)

        def px(x):
            return left + (_t(x, self.xlog) - xr[0]) / (xr[1] - xr[0]) * (right - left)

        def py(y):
            return bottom - (_t(y, self.ylog) - yr[0]) / (yr[1] - yr[0]) * (bottom - top)

        for value in _ticks(xr, self.xlog):
            x = int(round(px(value)))
            img[top:bottom, x] = GRID
            _text(img, _fmt(value), x, bottom + 6, INK, centre=True)
        for value in _ticks(yr, self.ylog):
            y = int(round(py(value)))
            img[y, left:right] = GRID
            label = _fmt(value)
            _text(img, label, left - 6 - 6 * len(label), y - HEIGHT // 2, INK)
        img[top:bottom + 1, left] = INK
        img[bottom, left:right + 1] = INK
        for level, label in self.hlines:
            yy = int(round(py(level)))
            img[yy, left:right:6] = (120, 120, 120)
            img[yy, left + 1:right:6] = (120, 120, 120)
            _text(img, label, right - 6 * len(label) - 4, yy - HEIGHT - 4, (90, 90, 90))
        for s in self.series:
            points = [(px(x), py(y)) for x, y in zip(s.xs, s.ys, strict=True)]
            if s.line:
                for a, b in zip(points, points[1:], strict=False):
                    _segment(img, a, b, s.colour)
            for k, (x, y) in enumerate(points):
                _square(img, x, y, s.colour)
                if s.labels:
                    _text(img, s.labels[k], int(x) + 6, int(y) - HEIGHT - 4, s.colour)
        _text(img, self.title, self.width // 2, 10, INK, centre=True, scale=2 if len(self.title) < 50 else 1)
        _text(img, self.xlabel, (left + right) // 2, bottom + 26, INK, centre=True)
        _vertical_text(img, self.ylabel, 8, (top + bottom) // 2)
        # legend in the corner of the plot with the fewest data points under it
        box_w = 36 + 6 * max((len(s.name) for s in self.series), default=0)
        box_h = 14 * len(self.series) + 4
        corners = [(left + 6, top + 6), (right - box_w - 6, top + 6),
                   (left + 6, bottom - box_h - 6), (right - box_w - 6, bottom - box_h - 6)]
        pts = [(px(x), py(y)) for s in self.series for x, y in zip(s.xs, s.ys, strict=True)]

        def crowd(corner):
            x0, y0 = corner
            return sum(1 for x, y in pts if x0 - 10 <= x <= x0 + box_w + 10 and y0 - 10 <= y <= y0 + box_h + 10)

        lx, ly = min(corners, key=crowd)
        y = ly + 2
        for s in self.series:
            img[y + 1:y + 6, lx + 4:lx + 20] = s.colour
            _text(img, s.name, lx + 26, y, INK)
            y += 14
        return img


def _t(v: float, log: bool) -> float:
    return math.log10(v) if log else v


def _range(values: list[float], log: bool) -> tuple[float, float]:
    vals = [_t(v, log) for v in values if (v > 0 or not log) and math.isfinite(v)]
    if not vals:
        return (0.0, 1.0)
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.06 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if not log and min(values) >= 0 and lo < 0:
        lo = 0.0 if min(values) < 0.3 * (hi - lo) else lo
    return lo, hi


def _ticks(rng: tuple[float, float], log: bool) -> list[float]:
    lo, hi = rng
    if log:
        out = []
        for e in range(math.floor(lo), math.ceil(hi) + 1):
            for m in ((1, 2, 5) if hi - lo < 4 else (1,)):
                v = m * 10.0**e
                if lo <= math.log10(v) <= hi:
                    out.append(v)
        return out
    raw = (hi - lo) / 6
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [start + k * step for k in range(int((hi - start) / step) + 1)]


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e3:
        return f"{v / 1e3:g}K"
    if a >= 1:
        return f"{v:.4g}"
    return f"{v:.2g}"


def _blit(img: np.ndarray, mask: np.ndarray, x: int, y: int, colour) -> None:
    h, w = mask.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, img.shape[1]), min(y + h, img.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    sub = mask[y0 - y:y1 - y, x0 - x:x1 - x]
    img[y0:y1, x0:x1][sub] = colour


def _text(img, text, x, y, colour, centre=False, scale=1) -> None:
    mask = text_mask(text)
    if scale > 1:
        mask = np.kron(mask, np.ones((scale, scale), bool))
    if centre:
        x -= mask.shape[1] // 2
    _blit(img, mask, int(x), int(y), colour)


def _vertical_text(img, text, x, ycentre) -> None:
    mask = np.rot90(text_mask(text))
    _blit(img, mask, x, ycentre - mask.shape[0] // 2, INK)


def _segment(img, a, b, colour) -> None:
    n = int(max(abs(b[0] - a[0]), abs(b[1] - a[1]))) + 1
    xs = np.round(np.linspace(a[0], b[0], n)).astype(int)
    ys = np.round(np.linspace(a[1], b[1], n)).astype(int)
    for dx, dy in ((0, 0), (1, 0), (0, 1)):
        ok = (xs + dx >= 0) & (xs + dx < img.shape[1]) & (ys + dy >= 0) & (ys + dy < img.shape[0])
        img[ys[ok] + dy, xs[ok] + dx] = colour


def _square(img, x, y, colour, r: int = 3) -> None:
    x, y = int(round(x)), int(round(y))
    img[max(y - r, 0):y + r + 1, max(x - r, 0):x + r + 1] = colour
