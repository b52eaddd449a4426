"""The walk-around camera paths: pure numpy, no bpy (docs/design.md, "Walk-around").

The one definition of each path, used by job files ([animation], expanded per frame by
jobfile.py) and by scurve.setup_scene's "Walk-around camera" (baked as keyframes by
scene/walkaround.py). A path maps the animation's parameters, the surface's size and a
time t in [0, 1] to a camera matrix (4x4, world from camera: columns right, up, backward,
eye; Blender's camera looks down its local -Z with +Y up) in the mirror's frame: the
mirror stands on z = 0, its centre line along Y, seen from +X; y < 0 is the concave half.

- orbit: round the vertical axis through the mirror's centre at `radius`, at `height`,
  the azimuth going from arc[0] to arc[1] degrees (0 = +X, straight in front; negative
  towards the concave half), looking at the mirror's centre (0, 0, R).
- walk: past the front at `distance` and `height`, from y = +walk_length/2 to
  -walk_length/2 (ending by the concave half), bending by `walk_curve` towards the mirror
  at the middle (a parabola), looking at the mirror's centre.
- dolly: straight towards the concave half's centre (0, -L/2, R) from `distance` to
  `dolly_to` (horizontal distances), at `height`, looking at that point.

(Here in render_jobs, not in scene/: importing scurve_addon.scene loads bpy, and these
paths are tested without Blender, tests/unit/test_camera_paths.py.)
"""
from __future__ import annotations

import math

import numpy as np

from ..defaults import AnimationParams

UP = np.array([0.0, 0.0, 1.0])


def frame_range(anim: AnimationParams) -> list[int]:
    """The frames of an animation, first to last."""
    return list(range(anim.frames[0], anim.frames[1] + 1))


def frame_time(anim: AnimationParams, frame: int) -> float:
    """t in [0, 1] of a frame: 0 at the first, 1 at the last (0 for a single frame)."""
    start, end = anim.frames
    return 0.0 if end == start else (frame - start) / (end - start)


def ease(easing: str, t: float) -> float:
    """The eased fraction of the way at time t: linear, or smoothstep (ease_in_out)."""
    t = min(max(float(t), 0.0), 1.0)
    if easing == "ease_in_out":
        return t * t * (3.0 - 2.0 * t)
    return t


def interpolate(start: float, end: float, easing: str, t: float) -> float:
    """A keyed value at time t (exactly `start` at t = 0 and `end` at t = 1)."""
    s = ease(easing, t)
    return float(start) if s == 0.0 else float(end) if s == 1.0 else float(start + (end - start) * s)


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """4x4 camera matrix at `eye` looking at `target`, level (its right axis horizontal)."""
    eye = np.asarray(eye, dtype=float)
    forward = np.asarray(target, dtype=float) - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, UP)
    if np.linalg.norm(right) < 1e-9:  # straight up or down
        right = np.cross(forward, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = right, up, -forward, eye
    return m


def mirror_centre(radius: float) -> np.ndarray:
    """What orbit and walk look at: the middle of the mirror (its surface is 2 x radius high)."""
    return np.array([0.0, 0.0, float(radius)])


def concave_centre(radius: float, length: float) -> np.ndarray:
    """What the dolly moves towards: the middle of the concave half."""
    return np.array([0.0, -0.5 * float(length), float(radius)])


def eye_and_target(anim: AnimationParams, t: float, radius: float, length: float) -> tuple[np.ndarray, np.ndarray]:
    s = ease(anim.easing, t)
    if anim.path == "orbit":
        a = math.radians(anim.arc[0] + (anim.arc[1] - anim.arc[0]) * s)
        eye = np.array([anim.radius * math.cos(a), anim.radius * math.sin(a), anim.height])
        return eye, mirror_centre(radius)
    if anim.path == "walk":
        y = anim.walk_length * (0.5 - s)
        x = anim.distance - anim.walk_curve * (1.0 - (2.0 * s - 1.0) ** 2)
        return np.array([x, y, anim.height]), mirror_centre(radius)
    if anim.path == "dolly":
        target = concave_centre(radius, length)
        d = anim.distance + (anim.dolly_to - anim.distance) * s
        return np.array([target[0] + d, target[1], anim.height]), target
    raise ValueError(f"unknown camera path {anim.path!r}")


def camera_matrix(anim: AnimationParams, t: float, radius: float, length: float) -> np.ndarray:
    """The camera at time t of the animation's path around a surface of this radius and length."""
    eye, target = eye_and_target(anim, t, radius, length)
    return look_at(eye, target)


def euler_xyz(matrix: np.ndarray) -> tuple[float, float, float]:
    """Blender's XYZ Euler angles (radians) of a 4x4 (or 3x3) rotation."""
    r = np.asarray(matrix, dtype=float)[:3, :3]
    y = math.asin(max(-1.0, min(1.0, -r[2, 0])))
    if abs(r[2, 0]) < 1.0 - 1e-12:
        x = math.atan2(r[2, 1], r[2, 2])
        z = math.atan2(r[1, 0], r[0, 0])
    else:  # gimbal lock: put it all in x
        x, z = math.atan2(-r[1, 2], r[1, 1]), 0.0
    return x, y, z


def as_tuple(matrix: np.ndarray) -> tuple[float, ...]:
    """A 4x4 as 16 floats, row by row (what a Job carries), rounded so that equal paths hash equal."""
    return tuple(float(f"{float(v):.12g}") + 0.0 for v in np.asarray(matrix, dtype=float).ravel())


def from_tuple(values: tuple[float, ...]) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(4, 4)
