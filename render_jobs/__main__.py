"""`python -m render_jobs ...` (with the bpy module installed)."""
import sys

from .cli import main

sys.exit(main())
