"""Headless, batch rendering of the S-curve mirror from TOML job files (docs/design.md,
"The render pipeline"). It ships in the extension; from a checkout it runs as

    python -m render_jobs render JOBFILE [--out DIR] [--device ...] [--samples N] [--resolution WxH] [--dry-run]
    blender -b --python-exit-code 1 -P render_jobs/blender_entry.py -- render JOBFILE ...

Reading and validating job files needs no bpy (jobfile.py, values.py); rendering does
(devices.py, render.py). README.md, section "Render jobs", documents the job files.
"""
