"""Command line: render, validate and list job files; save the scene of a job.

The same command line runs as `python -m render_jobs` from a checkout and, from the
installed extension, as `blender -c scurve ...` (scurve_addon.command.cli_main).
Exit codes: 0 done, 1 a render failed, 2 bad input (job file, options, a missing device
backend; nothing is rendered), 130 interrupted (run again to resume).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..defaults import DEVICES, RenderParams, defaults, specs
from . import jobfile
from .session_process import DEFAULT_MAX_JOBS, DEFAULT_MAX_MEMORY_MB
from .values import check

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_LOCAL_WORKERS = os.cpu_count() or 1  # render --workers N: at most one worker per core

DESCRIPTION = """\
Render the S-curve mirror in its studio scene from TOML job files: one image, or a sweep
over any parameters (a list of values makes a sweep). Each image gets a JSON sidecar;
a batch run again skips what is done. See README.md, "Render jobs"."""


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog or "python -m render_jobs", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("render", help="render the jobs of a job file (skips those already done)",
                       description="Validate the job file, pick the device, render what is not done yet.")
    r.add_argument("jobfile", metavar="JOBFILE", help="TOML job file")
    r.add_argument("--out", metavar="DIR", help="output directory (default: the file's [output] dir, else out)")
    r.add_argument("--device", choices=DEVICES,
                   help="render device for every job: auto (best GPU backend present, else CPU), cpu, or a "
                        "GPU backend, which must be present (default: the file's render.device, else auto)")
    r.add_argument("--samples", metavar="N", help="maximum samples per pixel for every job")
    r.add_argument("--resolution", metavar="WxH", help="image size for every job, e.g. 480x270")
    r.add_argument("--dry-run", action="store_true", help="print the expanded jobs and what would render; "
                                                           "render nothing")
    r.add_argument("--force", action="store_true", help="render every job, even those already up to date")
    d = r.add_argument_group("distributed rendering (Dask; README: \"Distributed rendering (Dask)\")")
    where = d.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="render on the Dask cluster of this scheduler, e.g. tcp://HOST:8786; the output "
                            "directory must be shared, at the same path, by every worker")
    where.add_argument("--workers", metavar="N", help="start a local Dask cluster of N single-threaded worker "
                                                      "processes and render on it")
    d.add_argument("--retries", metavar="N", help="with --scheduler or --workers: tries of a failed render after "
                                                  "the first (default 1); a lost worker's jobs always run again")
    s = r.add_argument_group("render sessions (one Blender renders many jobs; README: \"Render sessions\")")
    s.add_argument("--session-jobs", metavar="N",
                   help=f"start a fresh Blender after N jobs of one session (default {DEFAULT_MAX_JOBS})")
    s.add_argument("--session-memory", metavar="MB",
                   help="start a fresh Blender once a session's resident memory passes MB mebibytes "
                        f"(default {DEFAULT_MAX_MEMORY_MB})")

    v = sub.add_parser("validate", help="check job files without rendering",
                       description="Check job files against the parameter limits; exit code 2 on a problem.")
    v.add_argument("jobfile", metavar="JOBFILE", nargs="+")

    ls = sub.add_parser("list", help="print the expanded jobs of a job file and which are up to date",
                        description="Print the jobs a file expands to, their output files and status.")
    ls.add_argument("jobfile", metavar="JOBFILE")
    ls.add_argument("--out", metavar="DIR", help="output directory to compare against")

    sc = sub.add_parser("scene", help="save the scene a job renders as a .blend file, without rendering",
                        description="Build the scene one job renders (mirror, studio, render settings, device, "
                                    "persistent data) and save it; open it in Blender to look at or change it.")
    sc.add_argument("jobfile", metavar="JOBFILE")
    sc.add_argument("--job", metavar="NAME", help="the job's name as `list` shows it (default: the first job)")
    sc.add_argument("--save", metavar="FILE.blend", required=True, help="the .blend file to write")
    sc.add_argument("--out", metavar="DIR", help="output directory the scene's render path points into")
    sc.add_argument("--device", choices=DEVICES, help="render device saved in the scene (as for render)")
    sc.add_argument("--samples", metavar="N", help="maximum samples per pixel")
    sc.add_argument("--resolution", metavar="WxH", help="image size, e.g. 480x270")
    return parser


def _error(lines: str | list[str]) -> int:
    for line in [lines] if isinstance(lines, str) else lines:
        sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()
    return EXIT_BAD_INPUT


def render_overrides(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """Command-line render settings, checked against RenderParams' limits."""
    spec_map, default_map = specs(RenderParams), defaults(RenderParams)
    out, problems = {}, []
    given = {"samples": args.samples, "resolution": args.resolution, "device": args.device}
    for key, raw in given.items():
        if raw is None:
            continue
        value: Any = raw
        if key == "samples":
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"command line: --samples: expected a whole number, got {raw!r}")
                continue
        v, err = check(spec_map[key], default_map[key], value)
        if err:
            problems.append(f"command line: --{key}: {err}")
        else:
            out[key] = v
    return out, problems


def out_problem(out: str | None) -> str | None:
    """--out given empty or blank: refused, as `[output] dir = ""` is (it would mean the current directory)."""
    if out is not None and not out.strip():
        return f"command line: --out: {out!r} is empty: give an output directory (--out . for this one)"
    return None


def _load(path: str, out: str | None) -> jobfile.Batch:
    return jobfile.load(path, out_dir=out)


def cmd_validate(args: argparse.Namespace) -> int:
    code = EXIT_OK
    for path in args.jobfile:
        try:
            batch = _load(path, None)
        except jobfile.JobFileError as exc:
            code = _error(exc.problems)
            continue
        n = len(batch.jobs)
        print(f"{path}: ok, {n} job{'s' * (n != 1)}")
    return code


def cmd_list(args: argparse.Namespace, overrides: dict[str, Any] | None = None, force: bool = False) -> int:
    from . import runner

    if out_problem(args.out):
        return _error(out_problem(args.out))
    try:
        batch = jobfile.with_render_overrides(_load(args.jobfile, args.out), overrides or {})
    except jobfile.JobFileError as exc:
        return _error(exc.problems)
    runner.describe(batch, runner.plan(batch, force), sys.stdout)
    return EXIT_OK


def cluster_options(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """--scheduler / --workers / --retries, checked; an empty dict: the local runner."""
    out: dict[str, Any] = {}
    problems = []
    for key, low in (("workers", 1), ("retries", 0), ("session_jobs", 1), ("session_memory", 64)):
        raw = getattr(args, key)
        if raw is None:
            continue
        try:
            value = int(raw)
        except ValueError:
            value = -1
        option = key.replace("_", "-")
        high = MAX_LOCAL_WORKERS if key == "workers" else None
        if value < low:
            problems.append(f"command line: --{option}: expected a whole number of at least {low}, got {raw!r}")
        elif high is not None and value > high:
            problems.append(f"command line: --{option}: {value} is more than this machine's {high} cores: each "
                            "worker renders with its share of the cores, so more workers only wait on each other")
        else:
            out[key] = value
    if args.scheduler is not None:
        if not args.scheduler.strip():
            problems.append("command line: --scheduler: expected a scheduler address such as tcp://HOST:8786")
        out["scheduler"] = args.scheduler.strip()
    if "retries" in out and not ("scheduler" in out or "workers" in out):
        problems.append("command line: --retries: only with --scheduler or --workers")
    return out, problems


# Dask is optional: only --scheduler / --workers need it, and it is imported only then.
DASK_REQUIREMENT = "dask[distributed]==2026.8.0"  # as requirements/test.txt


def dask_missing() -> str | None:
    """Why --scheduler / --workers cannot run here (no `distributed` in this Python), or None."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        return (f"command line: --scheduler / --workers render with Dask, which this Python cannot import "
                f"({exc}); install it into the Python that runs render_jobs (inside Blender: Blender's own "
                f"Python): {sys.executable} -m pip install \"{DASK_REQUIREMENT}\"; without it, leave out "
                "--scheduler and --workers to render on this machine")
    return None


def cmd_render(args: argparse.Namespace) -> int:
    overrides, problems = render_overrides(args)
    options, option_problems = cluster_options(args)
    problems += option_problems
    if ("scheduler" in options or "workers" in options) and not option_problems:
        missing = dask_missing()
        if missing:
            problems.append(missing)
    batch = None
    if out_problem(args.out):
        problems.insert(0, out_problem(args.out))
    else:
        try:
            batch = _load(args.jobfile, args.out)
        except jobfile.JobFileError as exc:
            problems = exc.problems + problems
    if problems:
        return _error(problems)
    assert batch is not None
    if args.dry_run:
        code = cmd_list(args, overrides, args.force)
        print("dry run: nothing rendered")
        return code
    batch = jobfile.with_render_overrides(batch, overrides)
    from . import runner

    limits = {"max_jobs": options.pop("session_jobs", DEFAULT_MAX_JOBS),
              "max_memory_mb": options.pop("session_memory", DEFAULT_MAX_MEMORY_MB)}
    executor: runner.Executor
    if options:
        from .cluster import DaskExecutor

        executor = DaskExecutor(overrides=overrides, force=args.force, **limits, **options)
    else:
        from .local import LocalExecutor

        executor = LocalExecutor(overrides=overrides, **limits)
    try:
        return runner.run(batch, executor, force=args.force)
    except runner.BadInput as exc:
        return _error(str(exc).splitlines() + ["nothing was rendered"])
    except KeyboardInterrupt:
        sys.stdout.write("\ninterrupted: run the same command again to resume\n")
        sys.stdout.flush()
        return EXIT_INTERRUPTED


def cmd_scene(args: argparse.Namespace) -> int:
    """`scene JOBFILE --job NAME --save FILE.blend`: the job's scene, as session.RenderSession
    prepares it for rendering, saved without rendering."""
    overrides, problems = render_overrides(args)
    save = os.path.abspath(args.save) if args.save.strip() else ""
    if not save.lower().endswith(".blend") or os.path.isdir(save):
        problems.append(f"command line: --save: {args.save!r}: give a .blend file to write")
    if out_problem(args.out):
        problems.append(str(out_problem(args.out)))
    batch = None
    if not problems:
        try:
            batch = jobfile.with_render_overrides(_load(args.jobfile, args.out), overrides)
        except jobfile.JobFileError as exc:
            problems = exc.problems
    job = None
    if batch is not None:
        names = [j.name for j in batch.jobs]
        job = batch.jobs[0] if args.job is None else next((j for j in batch.jobs if j.name == args.job), None)
        if job is None:
            problems.append(f"{args.jobfile}: no job named {args.job!r}; the jobs: {', '.join(names[:20])}"
                            + (" ..." if len(names) > 20 else ""))
    if problems:
        return _error(problems)
    assert batch is not None and job is not None
    try:
        from . import devices, session
    except ImportError as exc:
        return _error(f"saving a scene needs Blender (the bpy module): {exc}")
    where = f"command line: --device {job.render.device}" if args.device else \
        f"{args.jobfile}: job {job.name!r}: render.device"
    try:
        device = devices.select(job.render.device)
    except devices.DeviceUnavailable as exc:
        return _error(f"{where}: {exc}")
    try:
        session.save_scene(job, batch.out_dir, device, save)
    except (RuntimeError, OSError, ValueError) as exc:
        sys.stderr.write(f"error: {args.jobfile}: job {job.name!r}: cannot save its scene: {exc}\n")
        return EXIT_FAILED
    print(f"{args.jobfile}: job {job.name!r}: scene saved to {save} (device: {device.describe()})")
    return EXIT_OK


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_session"]:  # hidden: a render session process (local runner, Dask workers)
        from . import session_server

        return session_server.main(argv[1:])
    args = build_parser(prog).parse_args(argv)  # usage errors: argparse exits with code 2
    if args.command == "validate":
        return cmd_validate(args)
    if args.command == "list":
        return cmd_list(args)
    if args.command == "scene":
        return cmd_scene(args)
    return cmd_render(args)
