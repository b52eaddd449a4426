"""A deprecated Blender API called from our code fails the test run (pyproject.toml's
filterwarnings), so what 5.x deprecates is caught before it is removed; deprecations that
Blender's own bundled code runs into are not ours to fix and pass."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import bpy
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLENDER_5 = bpy.app.version >= (5, 0, 0)


@pytest.mark.skipif(not BLENDER_5, reason="Blender 4.x's API raises no DeprecationWarning")
def test_a_deprecated_blender_property_used_here_raises():
    """Blender 5.0 deprecates Material.use_nodes (always on; removed in 6.0) and warns at
    the calling line: in this module, so the warning is an error."""
    mat = bpy.data.materials.new("deprecated-call")

    # Blender returns from the access with the error still set, so Python raises it at its
    # next check (here the str() call): the warning itself or a SystemError caused by it.
    # Either way the test running the code fails; never silently.
    def read() -> str:
        value = mat.use_nodes
        return str(value)

    def write() -> str:
        mat.use_nodes = True
        return str(mat.name)

    try:
        for access in (read, write):
            with pytest.raises((DeprecationWarning, SystemError)) as raised:
                access()
            assert "'Material.use_nodes' is expected to be removed" in f"{raised.value} {raised.value.__cause__}"
    finally:
        bpy.data.materials.remove(mat)


@pytest.mark.parametrize("module", ["scurve_addon.material", "scurve_addon.render_jobs.render", "tools.extension",
                                    "bench.mesh_build", "test_scene", "conftest"])
def test_warnings_attributed_to_our_modules_are_errors(module):
    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit("old API", DeprecationWarning, f"{module}.py", 1, module=module)


@pytest.mark.parametrize("module", ["bpy_types", "bl_ui.space_view3d", "cycles.properties", "addon_utils"])
def test_warnings_from_blenders_bundled_code_are_ignored(module):
    with warnings.catch_warnings(record=True) as seen:
        warnings.warn_explicit("old API", DeprecationWarning, f"{module}.py", 1, module=module)
    assert seen == []  # swallowed by the filter, not raised and not shown


def test_a_run_whose_code_calls_a_deprecated_api_fails(tmp_path):
    """The whole mechanism, end to end: pytest with this project's configuration, on a tiny
    test file whose code calls deprecated APIs, exits non-zero."""
    (tmp_path / "bundled_api.py").write_text(textwrap.dedent('''
        import warnings

        def old_function():
            """Deprecated: warns at its caller, as Blender's API does."""
            warnings.warn("old_function is deprecated", DeprecationWarning, stacklevel=2)

        def uses_something_old_inside():
            """Bundled code that itself runs into a deprecation: the warning is its own."""
            warnings.warn("internal use of something old", DeprecationWarning, stacklevel=1)
    '''))
    (tmp_path / "test_tiny.py").write_text(textwrap.dedent('''
        import bpy
        import pytest

        import bundled_api

        def test_our_call_to_a_deprecated_function():
            bundled_api.old_function()

        def test_bundled_code_warning_inside_itself():
            bundled_api.uses_something_old_inside()

        @pytest.mark.skipif(bpy.app.version < (5, 0, 0), reason="no deprecations in 4.x's API")
        def test_our_use_of_a_deprecated_blender_property():
            bpy.data.materials.new("m").use_nodes = True
    '''))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", os.path.join(ROOT, "pyproject.toml"), "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-q", str(tmp_path / "test_tiny.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=dict(os.environ, COLUMNS="400"))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "FAILED test_tiny.py::test_our_call_to_a_deprecated_function - DeprecationWarning" in out
    assert "test_bundled_code_warning_inside_itself" not in out.split("short test summary")[-1]
    if BLENDER_5:
        assert "FAILED test_tiny.py::test_our_use_of_a_deprecated_blender_property - DeprecationWarning" in out
        assert "2 failed, 1 passed" in out
    else:
        assert "1 failed, 1 passed, 1 skipped" in out
