"""`python -m render_jobs` from a checkout: the render pipeline's command line.

The pipeline itself lives in the extension, `scurve_addon/render_jobs/` (so the extension
zip carries it); this package only starts it from a checkout, and keeps the entry script
for a Blender install, render_jobs/blender_entry.py. README.md, "Render jobs".
"""
