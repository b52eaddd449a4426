"""Pure numpy geometry of the S-curve mirror: no bpy import anywhere in this package."""
from .surface import GridMesh, full_surface, half_patch, match_patch_heights, validate, vertex_count

__all__ = ["GridMesh", "full_surface", "half_patch", "match_patch_heights", "validate", "vertex_count"]
