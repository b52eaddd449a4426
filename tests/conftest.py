"""Shared test set-up, for two selections of the same tests/ folder:

- the whole suite (`make test`, plain `pytest`): every test, against real Blender (the bpy
  wheel), imported once per process by the test modules and fixtures that need it;
- the unit selection (`make test-unit`, `pytest --unit`): the tests that need only numpy
  and pytest (tests/unit/, and UNIT_FILES below), in seconds, without the bpy wheel.
  test_unit_selection.py proves that selection imports no bpy.

This module imports bpy only for the whole suite (pytest_configure). It points
BLENDER_USER_RESOURCES at a temporary folder when pytest loads it, before any test module
is imported, so nothing a test does (presets, installed extensions) reaches the user's
real Blender configuration; the same for the edge fits' cache (SCURVE_FIT_CACHE).
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = Path(__file__).resolve().parent
_USER_RESOURCES = tempfile.mkdtemp(prefix="scurve-test-user-")
os.environ["BLENDER_USER_RESOURCES"] = _USER_RESOURCES
atexit.register(shutil.rmtree, _USER_RESOURCES, ignore_errors=True)
# The edge fits' cache (geometry/fit_cache.py), for this run's processes only: the tests
# neither read nor fill the user's own.
_FIT_CACHE = tempfile.mkdtemp(prefix="scurve-test-fits-")
os.environ["SCURVE_FIT_CACHE"] = _FIT_CACHE
atexit.register(shutil.rmtree, _FIT_CACHE, ignore_errors=True)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The unit selection: every test file under tests/unit/, and these test files elsewhere in
# tests/ (paths relative to tests/). A pure test file that has to stay where it is joins
# the selection with one line here, e.g. "test_render_jobs_jobfile.py".
UNIT_DIR = "unit"
UNIT_FILES: tuple[str, ...] = ()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--unit", action="store_true",
                     help="only the tests that need no Blender: tests/unit/ and conftest.UNIT_FILES")


def pytest_configure(config: pytest.Config) -> None:
    """The whole suite loads Blender first, once: `bmesh`, `mathutils` and friends exist only
    once bpy is imported, and a test module run on its own may import them first."""
    if not config.getoption("--unit"):
        import bpy  # noqa: F401


def in_unit_selection(path: Path) -> bool:
    try:
        relative = path.resolve().relative_to(TESTS)
    except ValueError:
        return False
    return relative.parts[:1] == (UNIT_DIR,) or relative.as_posix() in UNIT_FILES


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With --unit, test modules outside the selection are not even imported (they import bpy)."""
    if config.getoption("--unit") and collection_path.suffix == ".py" and not in_unit_selection(collection_path):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The selection's tests carry the `unit` marker in every run (`pytest -m "not unit"`)."""
    for item in items:
        if in_unit_selection(item.path):
            item.add_marker(pytest.mark.unit)


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A unit run that loaded bpy (even where the wheel is installed) fails."""
    if session.config.getoption("--unit") and "bpy" in sys.modules:
        print("\nerror: the unit selection imported bpy; move the test that needs Blender out of it",
              file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    _exit_status.append(int(session.exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """On the bpy 4.2 module, end with os._exit once pytest has reported: it would crash while
    Python shuts down (compat.CRASHES_AT_EXIT_AFTER_PROPERTY_CALLBACKS) and turn a passing run
    into exit code 139."""
    if "bpy" in sys.modules and _exit_status:
        from scurve_addon import compat

        if compat.CRASHES_AT_EXIT_AFTER_PROPERTY_CALLBACKS:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(_exit_status[-1])


@pytest.fixture(scope="session")
def user_resources() -> str:
    return _USER_RESOURCES


@pytest.fixture(scope="session")
def addon():
    """The in-tree add-on, registered once for the session."""
    import scurve_addon

    scurve_addon.register()
    yield scurve_addon
    scurve_addon.unregister()


@pytest.fixture
def clean_scene(addon):
    """An empty scene (no objects, no data), the add-on registered."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    yield bpy.context.scene
    bpy.ops.wm.read_homefile(use_empty=True)


@pytest.fixture
def processes(tmp_path):
    """Processes each in a process group of its own, every one stopped (and checked gone) at
    the end of the test (test_render_jobs_dask.Processes)."""
    from test_render_jobs_dask import Processes  # type: ignore[import-not-found]

    procs = Processes(str(tmp_path))
    try:
        yield procs
    finally:
        procs.stop()
