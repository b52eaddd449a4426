"""`python -m render_jobs ...` from a checkout (with the bpy module installed)."""
import os
import sys

from scurve_addon.render_jobs.cli import main

if __name__ == "__main__":  # not when another process imports this module by name
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
