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
    """Geometry of the S-curve surface (docs/design.md, "The surface"). Lengths in metres."""

    radius: float = param(1.0, Spec(
        "Radius", "Radius of the half-circle ends (the surface is 2 x radius high)",
        min=0.001, max=1000.0, soft_min=0.05, soft_max=20.0, unit="LENGTH"))
    length: float = param(3.0, Spec(
        "Length", "Distance from the centre line to each half-circle end",
        min=0.001, max=1000.0, soft_min=0.1, soft_max=50.0, unit="LENGTH"))
    arc_segments: int = param(32, Spec(
        "Arc Segments", "Edges along each half circle (the recipe's 32-vertex circle cut in half gives 16; "
        "32 keeps the rendered normals' median error near 0.001 degrees)",
        min=2, max=2048, soft_min=2, soft_max=256))
    rows: int = param(32, Spec(
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
        "Render Levels", "Subdivision levels when rendering (where adaptive subdivision is off or "
        "this Blender has none)", min=0, max=6))
    adaptive_subdivision: bool = param(True, Spec(
        "Adaptive Subdivision", "Blender 5.0 and later: Cycles subdivides the mirror when it renders, "
        "into edges of 1/200 of the radius on the exact limit surface, so the reflections stay true "
        "up to the open edges (older versions use Render Levels)"))


@dataclass(frozen=True)
class MaterialParams:
    """The polished-metal material: a Principled BSDF, metallic 1, low roughness."""

    roughness: float = param(0.02, Spec(
        "Roughness", "Microfacet roughness of the polished steel (0 = perfect mirror)",
        min=0.0, max=1.0, subtype="FACTOR"))
    base_color: tuple[float, float, float] = param((0.91, 0.92, 0.92), Spec(
        "Base Colour", "Reflectance colour of the steel (near white)",
        min=0.0, max=1.0, subtype="COLOR", size=3))


@dataclass(frozen=True)
class SceneParams:
    """The studio scene around the mirror (docs/design.md, "The studio"). Angles in degrees."""

    sun_elevation: float = param(12.0, Spec(
        "Sun Elevation", "Height of the sun above the horizon, in degrees", min=-10.0, max=90.0))
    sun_rotation: float = param(178.0, Spec(
        "Sun Rotation", "Direction of the sun around the vertical axis, in degrees (the recipe: almost 180)",
        min=-360.0, max=360.0))
    sun_redness: float = param(0.3, Spec(
        "Sun Redness", "Shift of the sun's colour towards red (0 = white, 1 = deep red)",
        min=0.0, max=1.0, subtype="FACTOR"))
    sun_strength: float = param(3.0, Spec(
        "Sun Strength", "Strength of the sun lamp (W/m2)", min=0.0, max=100.0))
    sky_strength: float = param(0.3, Spec(
        "Sky Strength", "Strength of the physical sky in the world", min=0.0, max=10.0))
    ground: bool = param(True, Spec(
        "Ground", "A ground plane with a faint noise texture (disturbances show in reflections)"))
    ground_noise: float = param(0.08, Spec(
        "Ground Noise", "Contrast of the ground's noise texture", min=0.0, max=1.0, subtype="FACTOR"))
    test_objects: bool = param(True, Spec(
        "Test Objects", "A red cylinder, a green cone and a blue sphere close to the concave side"))
    area_lights: bool = param(False, Spec(
        "Area Lights", "Two large area lights (straight-line disturbances in their reflections show flaws)"))
    caustics: bool = param(False, Spec(
        "Caustics", "Reflective caustics in Cycles (slower, noisier, truer)"))
    zebra: bool = param(False, Spec(
        "Zebra", "Light the mirror with evenly spaced light stripes instead of the sky "
        "(reflection lines: a kink or flat spot shows as a broken or bunched stripe)"))
    zebra_stripes: int = param(12, Spec(
        "Zebra Stripes", "Number of light stripes in zebra mode", min=2, max=200))
    camera_lens: float = param(35.0, Spec(
        "Camera Lens", "Focal length of the camera, in millimetres", min=5.0, max=300.0))


# Render devices: auto (the first GPU backend present, in this order, else the CPU), the CPU,
# or one GPU backend (Cycles' device types, lower case).
GPU_BACKENDS = ("optix", "cuda", "hip", "oneapi", "metal")
DEVICES = ("auto", "cpu", *GPU_BACKENDS)


@dataclass(frozen=True)
class RenderParams:
    """Render settings of a job (docs/design.md, "The render pipeline")."""

    resolution: tuple[int, int] = param((960, 540), Spec(
        "Resolution", "Image width and height in pixels", min=4, max=16384, size=2))
    # 32 denoised samples render the default studio in about a minute on a 2-core CPU.
    samples: int = param(32, Spec(
        "Samples", "Maximum Cycles samples per pixel (adaptive sampling stops sooner where the noise is low)",
        min=1, max=65536))
    noise_threshold: float = param(0.02, Spec(
        "Noise Threshold", "Adaptive sampling stops a pixel below this noise (0 = off)", min=0.0, max=1.0))
    denoise: bool = param(True, Spec("Denoise", "Denoise the final image (OpenImageDenoise on the CPU)"))
    device: str = param("auto", Spec(
        "Device", "Render device: auto picks the best GPU backend present, else the CPU",
        choices=tuple((d, d, d) for d in DEVICES)))
    seed: int = param(0, Spec("Seed", "Cycles sampling seed", min=0, max=2**31 - 1))
    file_format: str = param("PNG", Spec(
        "File Format", "Image format of the output", choices=(("PNG", "PNG", "8-bit PNG"),
                                                                ("OPEN_EXR", "OpenEXR", "32-bit float EXR"))))
    glossy_bounces: int = param(16, Spec(
        "Glossy Bounces", "Mirror-in-mirror depth: too few and inter-reflections turn black", min=1, max=1024))


PATHS = (
    ("orbit", "Orbit", "Around the mirror at a given radius and height, through an arc of azimuths"),
    ("walk", "Walk", "Past the front of the mirror at eye height, straight or curved, at a given distance"),
    ("dolly", "Dolly", "Straight towards the concave half of the mirror, from one distance to another"),
)
EASINGS = (
    ("linear", "Linear", "Constant speed from the first frame to the last"),
    ("ease_in_out", "Ease In/Out", "Starts and stops gently (smoothstep timing)"),
)


@dataclass(frozen=True)
class AnimationParams:
    """A walk-around animation ([animation] in job files; the "Walk-around camera" of
    scurve.setup_scene). Distances in metres in the mirror's frame (docs/design.md,
    "Walk-around"): the camera looks at the mirror from +X, azimuth 0 is straight in front,
    negative azimuths go round to the concave half (y < 0)."""

    frames: tuple[int, int] = param((1, 48), Spec(
        "Frames", "First and last frame (a job file may give a count N for [1, N])", min=0, max=1_000_000,
        size=2))
    fps: int = param(24, Spec("Frame Rate", "Frames per second of the video", min=1, max=240))
    path: str = param("orbit", Spec("Camera Path", "How the camera moves", choices=PATHS))
    easing: str = param("linear", Spec(
        "Easing", "Timing of the camera and of the keyed values from the first frame to the last", choices=EASINGS))
    radius: float = param(9.0, Spec(
        "Orbit Radius", "Orbit: horizontal distance of the camera from the mirror's vertical centre axis",
        min=0.1, max=1000.0, soft_min=1.0, soft_max=50.0, unit="LENGTH"))
    height: float = param(1.6, Spec(
        "Eye Height", "Height of the camera above the ground (the mirror's bottom edge)",
        min=-100.0, max=1000.0, soft_min=0.0, soft_max=20.0, unit="LENGTH"))
    arc: tuple[float, float] = param((30.0, -60.0), Spec(
        "Orbit Arc", "Orbit: azimuth of the first and the last frame, in degrees (0 = straight in front, "
        "negative = towards the concave half)", min=-720.0, max=720.0, size=2))
    distance: float = param(7.0, Spec(
        "Distance", "Walk: distance of the walk in front of the mirror's centre; dolly: the starting distance "
        "from the concave half", min=0.1, max=1000.0, soft_min=0.5, soft_max=50.0, unit="LENGTH"))
    walk_length: float = param(10.0, Spec(
        "Walk Length", "Walk: length of the walk, centred on the mirror", min=0.0, max=1000.0, soft_max=50.0,
        unit="LENGTH"))
    walk_curve: float = param(0.0, Spec(
        "Walk Curve", "Walk: how far the middle of the walk bends towards the mirror (0 = straight, "
        "negative bends away)", min=-1000.0, max=1000.0, soft_min=-10.0, soft_max=10.0, unit="LENGTH"))
    dolly_to: float = param(3.0, Spec(
        "Dolly To", "Dolly: the final distance from the concave half", min=0.1, max=1000.0, soft_min=0.5,
        soft_max=50.0, unit="LENGTH"))


# Job-file parameters an [animation.keys] table may key from a start to an end value: the
# float parameters of these tables (lengths, angles, colours' factors...).
KEYABLE_TABLES = ("surface", "material", "scene")
MAX_ANIMATION_FRAMES = 10_000


# A sweep of a few lists multiplies quickly: render job files that expand to more are refused.
MAX_RENDER_JOBS = 10_000


MATERIAL_NAME = "S-Curve Polished Steel"
SMOOTHING_MODIFIER_NAME = "S-Curve Smoothing"
# The SurfaceParams fields the smoothing modifier holds (the rest shape the control mesh).
SMOOTHING_FIELDS = ("subdiv_levels", "render_levels", "adaptive_subdivision")

# Adaptive subdivision's edge length in object space, as a fraction of the radius. Cycles
# then renders the limit surface with its exact normals at the diced vertices. Measured on
# Cycles' Normal pass (`make bench`, "Optics"; 5.0, fitted Default / SMOOTH / Kistefos-like),
# the maximum normal error is 0.030 / 0.052 / 0.025 deg at R/200 but 0.18 / 0.17 / 0.12 at
# R/100 (edge bands), for about the same studio render time (1.11x against 1.16x level 3's,
# within noise); object space, unlike pixel-space dicing, does not depend on the resolution.
ADAPTIVE_EDGE_PER_RADIUS = 1.0 / 200.0


def adaptive_edge_length(p: SurfaceParams, available: bool) -> float | None:
    """The edge length Cycles dices the mirror into when it renders, or None where it renders
    the modifier's render levels: adaptive subdivision off, or not `available` in that Blender
    (compat.HAS_ADAPTIVE_SUBDIVISION; smoothing.py asks this Blender, render_jobs/measure.py
    a Blender it does not load)."""
    return p.radius * ADAPTIVE_EDGE_PER_RADIUS if p.adaptive_subdivision and available else None


def rendered_levels(p: SurfaceParams, available: bool) -> int | None:
    """The subdivision level Cycles renders the mirror at, or None for adaptive subdivision
    (the exact limit surface); `available` as for adaptive_edge_length."""
    return None if adaptive_edge_length(p, available) is not None else p.render_levels


OBJECT_NAME = "S-Curve Mirror"
PATCH_NAME = "S-Curve Patch"

# Custom properties that mark objects this extension made (nothing else is touched).
ROLE_KEY = "scurve_role"
PARAMS_KEY = "scurve_params"
QUALITY_KEY = "scurve_quality"  # the last quality report (cleared when a step changes the object)
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
    "Kistefos-like": {"radius": 1.05, "length": 4.6, "arc_segments": 32, "rows": 32, "match_heights": True,
                      "profile": "SMOOTH", "s_bend": 0.8, "fit_limit_surface": True},
}


def params_from(source: Any, cls: type = SurfaceParams, **overrides: Any) -> Any:
    """Build a params dataclass from anything with the same attribute names (an operator,
    a property group, a namespace) or from a mapping."""
    values = {}
    for f in fields(cls):
        if isinstance(source, dict):
            if f.name in source:
                values[f.name] = source[f.name]
        elif hasattr(source, f.name):
            values[f.name] = getattr(source, f.name)
    values.update(overrides)
    for f in fields(cls):  # bpy hands back vectors and enum strings; normalise
        if f.name in values and isinstance(f.default, tuple):
            values[f.name] = tuple(values[f.name])
    return cls(**values)
