"""`python -m render_jobs ...` from a checkout (with the bpy module installed)."""
import os
import sys

NO_RENDER = {"--dry-run", "-h", "--help"}


def is_render(args: list[str]) -> bool:
    """`render ...` that renders (not --dry-run, not asking for help)."""
    return args[:1] == ["render"] and not {a.split("=")[0] for a in args} & NO_RENDER


def sessions_to_start(args: list[str]) -> int:
    """How many render sessions `python -m render_jobs <args>` will render in, in this process's
    care: 1 for a local render, N for `--workers N` (or --workers=N, within 1 to the core
    count), else 0 (not a render, `--scheduler`, or a bad N, which the command line's own
    check then reports)."""
    flags = {a.split("=")[0] for a in args}
    if not is_render(args) or "--scheduler" in flags:
        return 0
    if "--workers" not in flags:
        return 1
    for i, arg in enumerate(args):
        if arg == "--workers" or arg.startswith("--workers="):
            value = args[i + 1] if arg == "--workers" and i + 1 < len(args) else arg.removeprefix("--workers=")
            return min(int(value), os.cpu_count() or 1) if value.isdigit() and int(value) > 0 else 0
    return 0


if __name__ == "__main__":  # not when another process imports this module by name
    args = sys.argv[1:]
    render = is_render(args)
    # Blender starts loading in the render sessions now, while this process reads and plans the
    # batch: the local runner's one session, or one for each worker of a local Dask cluster
    # (`--workers N`, threads of this process), while this process also imports Dask.
    sessions = sessions_to_start(args)
    if sessions:
        from scurve_addon.render_jobs.session_process import POOL

        POOL.prestart(sessions)
    from scurve_addon.render_jobs.cli import main

    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    if render:
        # The batch is over: its sessions are closed, its files written and flushed, its Dask
        # client and local cluster closed. Python's own teardown (every module, numpy's and
        # Dask's included) would add 50-250 ms to the batch's time. Sessions started ahead
        # that no job took are killed here (atexit would not run).
        from scurve_addon.render_jobs.session_process import POOL

        POOL.kill_all()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
