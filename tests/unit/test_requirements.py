"""The unit venv's pins match the full suite's, so both selections test with the same
pytest and numpy."""
from __future__ import annotations

import os

REQUIREMENTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            "requirements")


def pins(name: str) -> dict[str, str]:
    out = {}
    with open(os.path.join(REQUIREMENTS, name), encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                package, version = line.split("==", 1)
                out[package.split("[", 1)[0].strip().lower()] = version.strip()
    return out


def test_unit_pins_are_the_full_suites():
    unit = pins("unit.txt")
    assert set(unit) == {"numpy", "pytest"}, unit
    assert unit["pytest"] == pins("test.txt")["pytest"]
    assert unit["numpy"] == pins("bpy-4.2.txt")["numpy"] == pins("lint.txt")["numpy"]
