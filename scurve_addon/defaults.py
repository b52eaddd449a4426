"""Every default, limit and tooltip of the product, in one place.

Pure Python (no bpy): the operators build their properties from these tables, the
render pipeline validates job files against them, and the docs quote them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Spec:
    """Metadata of one parameter: UI label, tooltip and limits."""

    label: str
    description: str
    min: float | None = None
    max: float | None = None
    soft_min: float | None = None
    soft_max: float | None = None
    unit: str | None = None  # 'LENGTH', 'ROTATION' or None
    choices: tuple[tuple[str, str, str], ...] | None = None  # (id, label, tooltip)
    subtype: str | None = None  # e.g. 'COLOR_GAMMA', 'FACTOR'
    size: int | None = None  # vector length for colours


def param(default: Any, spec: Spec) -> Any:
    return field(default=default, metadata={"spec": spec})


PROFILES = (
    ("LINEAR", "Linear", "The recipe's ruled surface: the bulge grows linearly from the centre line"),
    ("SMOOTH", "Smooth", "Flat and untwisted at the centre line, locally cylindrical at the ends"),
)

# Guard against a slider slip that would ask for hundreds of millions of vertices.
MAX_VERTICES = 4_000_000


@dataclass(frozen=True)
class SurfaceParams:
    """Geometry of the S-curve surface (SPEC section 1). Lengths in metres."""

    radius: float = param(1.0, Spec(
        "Radius", "Radius of the half-circle ends (the surface is 2 x radius high)",
        min=0.001, max=1000.0, soft_min=0.05, soft_max=20.0, unit="LENGTH"))
    length: float = param(3.0, Spec(
        "Length", "Distance from the centre line to each half-circle end",
        min=0.001, max=1000.0, soft_min=0.1, soft_max=50.0, unit="LENGTH"))
    arc_segments: int = param(16, Spec(
        "Arc Segments", "Edges along each half circle (the recipe's 32-vertex circle cut in half gives 16)",
        min=2, max=2048, soft_min=2, soft_max=256))
    rows: int = param(16, Spec(
        "Rows", "Edges along the length of one half, from the centre line to the arc",
        min=1, max=2048, soft_min=1, soft_max=256))
    match_heights: bool = param(True, Spec(
        "Match Heights", "Every vertex row along the length sits at one height "
        "(the recipe's step 10): horizontal rulings, sharper caustics"))
    profile: str = param("LINEAR", Spec(
        "Profile", "How the bulge grows from the centre line to the ends", choices=PROFILES))
    s_bend: float = param(0.0, Spec(
        "S-Bend", "Amplitude of the S-shaped footprint in plan (0 = straight)",
        min=-1000.0, max=1000.0, soft_min=-5.0, soft_max=5.0, unit="LENGTH"))
    fit_limit_surface: bool = param(True, Spec(
        "Exact Mirror", "Place the control vertices so that the smoothed (limit) surface passes "
        "through the intended surface instead of shrinking inside it"))
    subdiv_levels: int = param(2, Spec(
        "Viewport Levels", "Subdivision levels in the viewport", min=0, max=6))
    render_levels: int = param(3, Spec(
        "Render Levels", "Subdivision levels when rendering", min=0, max=6))


@dataclass(frozen=True)
class MaterialParams:
    """The polished-metal material (SPEC: Principled BSDF, metallic 1)."""

    roughness: float = param(0.02, Spec(
        "Roughness", "Microfacet roughness of the polished steel (0 = perfect mirror)",
        min=0.0, max=1.0, subtype="FACTOR"))
    base_color: tuple[float, float, float] = param((0.91, 0.92, 0.92), Spec(
        "Base Colour", "Reflectance colour of the steel (near white)",
        min=0.0, max=1.0, subtype="COLOR", size=3))


MATERIAL_NAME = "S-Curve Polished Steel"
SMOOTHING_MODIFIER_NAME = "S-Curve Smoothing"
OBJECT_NAME = "S-Curve Mirror"
PATCH_NAME = "S-Curve Patch"

# Custom properties that mark objects this extension made (nothing else is touched).
ROLE_KEY = "scurve_role"
PARAMS_KEY = "scurve_params"
ROLE_PATCH = "PATCH"
ROLE_SURFACE = "SURFACE"


def specs(cls: type) -> dict[str, Spec]:
    """Parameter name -> Spec for one of the dataclasses above."""
    return {f.name: f.metadata["spec"] for f in fields(cls)}


def defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in fields(cls)}


# Named parameter sets: the operator presets of scurve.build_mirror and the `preset` key of
# render job files. Values not given are the defaults above.
PRESETS: dict[str, dict[str, Any]] = {
    "Default": {},
    # The hand-made result of the recipe (dips aside: the seam is welded here).
    "Recipe": {"radius": 1.0, "length": 3.0, "arc_segments": 16, "rows": 1, "match_heights": True,
               "profile": "LINEAR", "s_bend": 0.0, "fit_limit_surface": False},
    # Close to the sculpture at Kistefos: about 10 m long, 2.1 m high, an S in plan.
    "Kistefos-like": {"radius": 1.05, "length": 5.0, "arc_segments": 24, "rows": 32, "match_heights": True,
                      "profile": "SMOOTH", "s_bend": 0.8, "fit_limit_surface": True},
}
