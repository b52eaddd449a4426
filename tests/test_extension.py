"""Packaging: Blender's own extension tool builds and validates the zip, and the zip installs,
runs and uninstalls in real Blender without touching the user's configuration."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile

import pytest

from tools import extension

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory) -> str:
    return extension.build(str(tmp_path_factory.mktemp("dist")))


def test_validator_accepts_the_package():
    proc = extension.validate()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout + proc.stderr


def test_manifest_facts():
    with open(os.path.join(ROOT, "blender_manifest.toml"), "rb") as fh:
        manifest = tomllib.load(fh)
    assert manifest["id"].isidentifier() and "__" not in manifest["id"]
    assert len(manifest["tagline"]) <= 64 and not manifest["tagline"].endswith(".")
    assert manifest["blender_version_min"] == "4.2.0"


def test_zip_ships_only_the_addon(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "scurve_addon/geometry/surface.py" in names
    assert "scurve_addon/render_jobs/cli.py" in names  # the extension carries the render pipeline
    stray = [n for n in names if not (n in ("blender_manifest.toml", "__init__.py") or n.startswith("scurve_addon/"))]
    assert stray == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_zip_installs_runs_and_uninstalls(built_zip, tmp_path):
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "scripts", "install_extension.py"), built_zip],
                          env=env, capture_output=True, text=True, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert proc.returncode == 0 and line, proc.stdout + proc.stderr
    result = json.loads(line[len("RESULT "):])
    assert result["enabled"] and result["installed_dir"]
    assert result["build"] == ["FINISHED"] and result["vertices"] == 9 * 7
    assert result["modifiers"] == ["SUBSURF"] and result["material"] == "S-Curve Polished Steel"
    assert result["presets"] == ["Default.py", "Kistefos-like.py", "Recipe.py"]
    # the edge fits' cache is the extension's own user folder (not the add-on's, not the test run's)
    assert result["fit_cache"].startswith(str(tmp_path / "user")) and "scurve_mirror" in result["fit_cache"]
    assert result["fits"] == ["plan_controls", "section_controls"], result
    assert result["operator_after_disable"] is False and result["removed"] is True
    # everything it wrote stayed inside the temporary user folder
    assert (tmp_path / "user" / "extensions").is_dir()
