"""Where the studio's parts go and which way they face: plain numpy, no bpy.

Conventions (checked against Blender's sky texture by a render in tests/test_scene.py):
the sky node's sun rotation is measured clockwise from +Y seen from above, so the sun
sits in the direction (cos e sin r, cos e cos r, sin e) for elevation e and rotation r.
Rotation 180 degrees puts the sun towards -Y, the concave end of the mirror seen from +X.

The mirror's own frame: x = (y / L) R sin(theta), z = R (1 - cos theta), y in [-L, L]
(docs/design.md, "The surface"); the camera looks from +X, so the y < 0 half is the concave one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..geometry import shape

# Deep red that sun_redness = 1 shifts the sun's colour to (linear RGB); 0 is white.
RED_SUN = np.array([1.0, 0.22, 0.08])

CAMERA_SENSOR_WIDTH = 36.0  # mm, fitted horizontally
CAMERA_ELEVATION_DEG = 6.0  # looks slightly down: the ground shows in the mirror
CAMERA_MARGIN = 0.06  # fraction of the half-frame kept free around the surface


def sun_direction(elevation_deg: float, rotation_deg: float) -> np.ndarray:
    """Unit vector from the scene towards the sun (the sky texture's convention)."""
    e, r = math.radians(elevation_deg), math.radians(rotation_deg)
    return np.array([math.cos(e) * math.sin(r), math.cos(e) * math.cos(r), math.sin(e)])


def sun_euler(elevation_deg: float, rotation_deg: float) -> tuple[float, float, float]:
    """XYZ Euler angles (radians) that turn a lamp's -Z axis away from the sun."""
    return (math.pi / 2 - math.radians(elevation_deg), 0.0, math.pi - math.radians(rotation_deg))


def sun_color(redness: float) -> tuple[float, float, float]:
    """White shifted linearly towards RED_SUN; redness is clamped to [0, 1]."""
    t = min(max(float(redness), 0.0), 1.0)
    rgb = (1.0 - t) * np.ones(3) + t * RED_SUN
    return tuple(float(c) for c in rgb)  # type: ignore[return-value]


def look_rotation(forward: np.ndarray) -> np.ndarray:
    """3x3 rotation whose columns are a camera's right, up and backward (-forward) axes,
    level (the right axis horizontal)."""
    f = np.asarray(forward, dtype=float)
    f = f / np.linalg.norm(f)
    right = np.cross(f, np.array([0.0, 0.0, 1.0]))
    if np.linalg.norm(right) < 1e-9:  # looking straight up or down
        right = np.cross(f, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    cam_up = np.cross(right, f)
    return np.stack([right, cam_up, -f], axis=1)


def fit_camera(points: np.ndarray, forward: np.ndarray, lens_mm: float, aspect: float,
               margin: float = CAMERA_MARGIN, sensor_width: float = CAMERA_SENSOR_WIDTH
               ) -> tuple[np.ndarray, np.ndarray]:
    """Camera location and rotation (3x3) looking along `forward` with every point in frame.

    The sensor is fitted horizontally: tan(half width) = sensor / 2 / lens, the height
    follows from the aspect (width / height). The camera is pushed back exactly as far as
    the tightest point needs, and shifted sideways/up to centre the points: for each
    image axis the best offset is where the two families of limits (left and right edge)
    meet, a one-dimensional linear programme with a closed form.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 3)
    rot = look_rotation(forward)
    right, up, back = rot[:, 0], rot[:, 1], rot[:, 2]
    fwd = -back
    tan_w = sensor_width / 2.0 / lens_mm * (1.0 - margin)
    tan_h = sensor_width / 2.0 / lens_mm / aspect * (1.0 - margin)
    a, b, c = pts @ right, pts @ up, pts @ fwd  # coordinates in the camera's basis

    def centre(coord: np.ndarray, tan: float) -> tuple[float, float]:
        lo = np.min(c - coord / tan)
        hi = np.min(c + coord / tan)
        return tan * (hi - lo) / 2.0, (lo + hi) / 2.0  # (offset, depth limit)

    alpha, gamma_w = centre(a, tan_w)
    beta, gamma_h = centre(b, tan_h)
    gamma = min(gamma_w, gamma_h)
    location = alpha * right + beta * up + gamma * fwd
    return location, rot


def camera_forward(elevation_deg: float = CAMERA_ELEVATION_DEG) -> np.ndarray:
    """Looking at the mirror from the front (+X towards -X), tilted down a little."""
    e = math.radians(elevation_deg)
    return np.array([-math.cos(e), 0.0, -math.sin(e)])


@dataclass(frozen=True)
class Placement:
    """A test object in the mirror's local frame: base-centre location and size (metres)."""

    role: str
    location: tuple[float, float, float]
    radius: float
    height: float


def place_test_objects(radius: float, length: float, profile: str = "LINEAR",
                           s_bend: float = 0.0) -> list[Placement]:
    """The red cylinder, green cone and blue sphere, standing on the ground in front of the
    concave half (u < 0), each a little in front of the surface's bottom edge there."""
    r = radius
    specs = (  # role, u along the length, distance in front of the bottom edge, radius, height
        ("RED_CYLINDER", -0.85, 0.55 * r, 0.15 * r, 0.90 * r),
        ("GREEN_CONE", -0.12, 0.45 * r, 0.22 * r, 0.60 * r),
        ("BLUE_SPHERE", -0.30, 1.00 * r, 0.22 * r, 0.44 * r),
    )
    out = []
    for role, u, gap, rad, height in specs:
        c, n = shape.centre_line(np.array([u]), length, s_bend)
        x, y = c[0] + gap * n[0]  # the bottom edge (theta = 0) is the centre line itself
        out.append(Placement(role, (float(x), float(y), 0.0), rad, height))
    return out


def area_light_placements(radius: float, length: float) -> list[tuple[str, np.ndarray, float]]:
    """Two large area lights in front of the mirror, left and right of the camera's axis,
    above the top edge: (role, location, size). They face the mirror's centre."""
    size = 1.5 * radius
    dist = 2.5 * radius + 0.5 * length
    return [
        ("AREA_LEFT", np.array([dist, -0.6 * length, 2.6 * radius]), size),
        ("AREA_RIGHT", np.array([dist, 0.6 * length, 2.6 * radius]), size),
    ]


def ground_half_size(radius: float, length: float) -> float:
    """Half the side of the square ground: wide enough to fill the mirror's lower half."""
    return 25.0 * max(radius, length)


def zebra_stripe(elevation_rad: np.ndarray, stripes: int) -> np.ndarray:
    """1 on a light stripe, 0 between (the same rule the zebra world's nodes compute):
    `stripes` light bands evenly spaced in elevation from the nadir to the zenith."""
    phase = (np.asarray(elevation_rad) + math.pi / 2) / math.pi * stripes
    return (phase - np.floor(phase) < 0.5).astype(float)
