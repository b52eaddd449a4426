"""Helpers for comparing quality reports in tests (no bpy: the unit tests use them too)."""
from __future__ import annotations


def flat(data: dict, prefix: str = "") -> dict:
    """Nested report data as one level of keys (pytest.approx compares no nested dicts)."""
    out: dict = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
