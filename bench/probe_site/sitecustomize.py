"""Observation hook for bench/batch_overhead.py (inert elsewhere).

The runners render in render session processes (`python -m scurve_addon.render_jobs.session_server`), out
of the benchmark's reach. bench puts this folder on PYTHONPATH (which the runner, Dask's
workers and the session processes inherit) together with SCURVE_BENCH_PROBE_DIR; Python
then runs this file at start-up in each of them. In a process that imports
scurve_addon.render_jobs.render (bpy is loaded by then) it installs a bench.render_probe.RenderProbe
and, after every render, writes the process's timeline to
SCURVE_BENCH_PROBE_DIR/probe-<pid>.json. Nothing in the render changes.
"""
from __future__ import annotations

import time

STARTED = time.time()


def _install_hook(folder: str) -> None:
    import importlib.abc
    import importlib.util
    import json
    import os
    import sys

    def install() -> None:
        from bench.render_probe import RenderProbe

        probe = RenderProbe().install()
        imported = time.time()
        argv = list(sys.argv)

        def dump(*_args) -> None:
            data = {"pid": os.getpid(), "argv": argv, "python_started": STARTED, "render_imported": imported,
                    "renders": probe.renders}
            with open(os.path.join(folder, f"probe-{os.getpid()}.json"), "w") as fh:
                json.dump(data, fh)

        import bpy
        from bpy.app.handlers import persistent

        bpy.app.handlers.render_post.append(persistent(dump))  # after the probe's own render_post

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "scurve_addon.render_jobs.render":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module) -> None:
                original(module)
                install()

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Finder())


def _main() -> None:
    import os

    folder = os.environ.get("SCURVE_BENCH_PROBE_DIR")
    if folder:
        _install_hook(folder)


_main()
