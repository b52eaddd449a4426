"""`make test-unit` needs no Blender: the unit selection (`pytest --unit`), run where
`import bpy` fails, passes with every one of its tests."""
from __future__ import annotations

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_unit_selection_runs_where_bpy_cannot_be_imported(tmp_path):
    blocker = tmp_path / "no_bpy"
    blocker.mkdir()
    (blocker / "bpy.py").write_text('raise ImportError("bpy is blocked: the unit selection must not import it")\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(blocker), ROOT]))
    env.pop("PYTEST_ADDOPTS", None)
    # the blocker works: this interpreter has the bpy wheel, and with it bpy fails to import
    probe = subprocess.run([sys.executable, "-c", "import bpy"], env=env, capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "bpy is blocked" in probe.stderr

    run = subprocess.run([sys.executable, "-m", "pytest", "--unit", "-p", "no:cacheprovider", "-q"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    summary = output.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 0, summary
    assert not re.search(r"failed|error|skipped|deselected", summary), summary
