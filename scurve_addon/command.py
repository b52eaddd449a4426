"""`blender -c scurve ...`: the extension's command-line command (bpy.utils.register_cli_command).

One handler for the whole render_jobs command line (render, validate, list, scene): the
same arguments, exit codes and output as `python -m render_jobs` from a checkout.
Blender passes the arguments after the command's id and exits with the returned code.
The function is module-level so that scripts and tests can call it directly where there is
no `blender -c` (the bpy module): `from bl_ext.user_default.scurve_mirror import cli_main`.
Importing this module needs no bpy.
"""
from __future__ import annotations

import sys

CLI_ID = "scurve"
PROG = f"blender -c {CLI_ID}"


def cli_main(argv: list[str]) -> int:
    """Run `blender -c scurve ARGV...`; returns the exit code (argparse's exits included)."""
    from .render_jobs.cli import main

    try:
        code = main(list(argv), prog=PROG)
    except SystemExit as exc:  # argparse: 2 on a usage error, 0 after --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return int(code)
