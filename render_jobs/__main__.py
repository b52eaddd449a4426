"""`python -m render_jobs ...` from a checkout (with the bpy module installed)."""
import os
import sys

LOCAL_ONLY = ("--dry-run", "--scheduler", "--workers", "-h", "--help")
NO_RENDER = ("--dry-run", "-h", "--help")


def local_workers(args: list[str]) -> int:
    """N of `render ... --workers N` (or --workers=N), within 1 to the core count; 0 when absent
    or not a number (the command line's own check then reports it)."""
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "--workers" and i + 1 < len(args) else arg.removeprefix("--workers=")
        if arg == "--workers" or arg.startswith("--workers="):
            return min(int(value), os.cpu_count() or 1) if value.isdigit() and int(value) > 0 else 0
    return 0


if __name__ == "__main__":  # not when another process imports this module by name
    args = sys.argv[1:]
    render = args[:1] == ["render"] and not any(a.split("=")[0] in NO_RENDER for a in args)
    prestarted = render and not any(a.split("=")[0] in LOCAL_ONLY for a in args)
    if prestarted:
        # A local render: Blender starts loading in its session process now, while this
        # process reads and plans the batch (session_process.prestart).
        from scurve_addon.render_jobs.session_process import prestart

        prestart()
    elif render and local_workers(args) and not any(a.split("=")[0] == "--scheduler" for a in args):
        # A local Dask cluster, whose workers are threads of this process: their sessions
        # start loading Blender now, while this process imports Dask and starts the cluster.
        from scurve_addon.render_jobs.cluster_task import POOL

        POOL.prestart(local_workers(args))
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
        # Dask's included) would add 50-250 ms to the batch's time.
        from scurve_addon.render_jobs.session_process import discard_prestarted

        discard_prestarted()
        pool = sys.modules.get("scurve_addon.render_jobs.cluster_task")
        if pool is not None:
            pool.POOL.kill_all()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
