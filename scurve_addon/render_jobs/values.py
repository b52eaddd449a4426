"""One job-file value checked against its Spec in scurve_addon.defaults. Pure Python.

`check` returns the value normalised (ints for float fields become floats, choices take
their canonical spelling, vectors become tuples) or a message saying what is wrong with
it, in words a job-file author can act on.
"""
from __future__ import annotations

import difflib
import math
import re
from typing import Any

from ..defaults import Spec

_RESOLUTION = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def type_name(value: Any) -> str:
    """The TOML name of a value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "date/time"


MAX_SHOWN = 60  # characters of a string, key or number shown in a message
MAX_ITEMS = 8  # items of an array shown in a message
MAX_DIGITS = 30  # digits of an integer shown in a message
MAX_INT_BITS = 1000  # a bigger integer cannot be a float (and has no use in a job file)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` cut to `limit` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _int_text(value: int) -> str:
    if value.bit_length() <= MAX_DIGITS * 3:  # at most 28 digits: str() is cheap and short
        return str(value)
    digits = int(math.log10(abs(value))) + 1  # str() of a huge int is slow, or refused
    return f"{'-' if value < 0 else ''}an integer of about {digits:,} digits"


def show(value: Any, _depth: int = 0) -> str:
    """A value as it would be written in TOML, clipped to a readable length."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, str):
        return clip(repr(value))
    if isinstance(value, (list, tuple)):
        if _depth >= 3:
            return "[...]"
        items = [show(v, _depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"... ({len(value):,} values)")
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return "{...}" if value else "{}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return clip(str(value))


def key_text(key: str) -> str:
    """A TOML key for a message: as written when plain, else quoted (control characters escaped)."""
    plain = bool(key) and all(c.isalnum() or c in "_-" for c in key) and key.isascii()
    return clip(key if plain else repr(key))


def _num(x: float) -> str:
    if isinstance(x, int):
        return _int_text(x)
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def suggest(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """"; did you mean 'x'?" or ""."""
    hits = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not hits:
        lowered = {c.lower(): c for c in candidates}
        hits = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        hits = [lowered[h] for h in hits]
    return f"; did you mean {hits[0]!r}?" if hits else ""


def is_sweep(default: Any, value: Any) -> bool:
    """A list given for a scalar, or a list of vectors (or 'WxH' strings) for a vector."""
    if not isinstance(value, list):
        return False
    if isinstance(default, tuple):
        return bool(value) and all(isinstance(v, (list, str)) for v in value)
    return True


def _range(spec: Spec, x: float) -> str | None:
    lo, hi = spec.min, spec.max
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        if lo is not None and hi is not None:
            return f"{_num(x)} is out of range: must be between {_num(lo)} and {_num(hi)}"
        if lo is not None:
            return f"{_num(x)} is out of range: must be at least {_num(lo)}"
        return f"{_num(x)} is out of range: must be at most {_num(hi)}"
    return None


def _scalar(spec: Spec, kind: type, value: Any) -> tuple[Any, str | None]:
    if kind is bool:
        if not isinstance(value, bool):
            return None, f"expected true or false, got {show(value)} ({type_name(value)})"
        return value, None
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"expected an integer, got {show(value)} ({type_name(value)})"
        return value, _range(spec, value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"expected a number, got {show(value)} ({type_name(value)})"
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            return None, f"{show(value)} is too large for a number"
        if not math.isfinite(value):
            return None, f"expected a finite number, got {value}"
        return float(value), _range(spec, value)
    if kind is str:
        if not isinstance(value, str):
            return None, f"expected a string, got {show(value)} ({type_name(value)})"
        if spec.choices:
            ids = [c[0] for c in spec.choices]
            for ident in ids:
                if value == ident or value.lower() == ident.lower():
                    return ident, None
            return None, (f"{show(value)} is not one of " + ", ".join(repr(i) for i in ids) + suggest(value, ids))
        return value, None
    raise TypeError(f"no check for {kind}")  # a new field type in defaults.py


def check(spec: Spec, default: Any, value: Any) -> tuple[Any, str | None]:
    """(normalised value, None) or (None, message) for one (non-sweep) value."""
    if not isinstance(default, tuple):
        return _scalar(spec, type(default), value)
    size = spec.size or len(default)
    kind = type(default[0])
    if isinstance(value, str) and size == 2 and kind is int:  # resolution as "960x540"
        m = _RESOLUTION.match(value)
        if not m:
            return None, f"expected [width, height] or 'WIDTHxHEIGHT', got {show(value)}"
        if max(len(m.group(1)), len(m.group(2))) > MAX_DIGITS:
            return None, f"{show(value)}: the numbers are too large"
        value = [int(m.group(1)), int(m.group(2))]
    if not isinstance(value, list) or len(value) != size:
        what = "[width, height]" if (size == 2 and kind is int) else f"an array of {size} numbers"
        return None, f"expected {what}, got {show(value)} ({type_name(value)})"
    out = []
    for item in value:
        v, err = _scalar(spec, kind, item)
        if err:
            return None, f"{show(value)}: {err}"
        out.append(v)
    return tuple(out), None
