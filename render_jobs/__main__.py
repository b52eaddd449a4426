"""`python -m render_jobs ...` (with the bpy module installed)."""
import os
import sys

from .cli import main

if __name__ == "__main__":  # not when the worker processes of `render --workers N` import it
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
