"""`python -m render_jobs ...` from a checkout (with the bpy module installed)."""
import os
import sys

LOCAL_ONLY = ("--dry-run", "--scheduler", "--workers", "-h", "--help")

if __name__ == "__main__":  # not when another process imports this module by name
    args = sys.argv[1:]
    prestarted = args[:1] == ["render"] and not any(a.split("=")[0] in LOCAL_ONLY for a in args)
    if prestarted:
        # A local render: Blender starts loading in its session process now, while this
        # process reads and plans the batch (session_process.prestart).
        from scurve_addon.render_jobs.session_process import prestart

        prestart()
    from scurve_addon.render_jobs.cli import main

    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    if prestarted:
        # A local render is over: its session is killed, its files written and flushed. Python's
        # own teardown (every module, numpy's included) would add 50-100 ms to the batch's time.
        from scurve_addon.render_jobs.session_process import discard_prestarted

        discard_prestarted()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
