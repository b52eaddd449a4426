"""The walk-around camera paths (render_jobs/camera_paths.py) and the [animation] table of
job files, without Blender: the camera looks at the mirror, at the radius and height
asked, first and last frames where specified; keyed values interpolated as specified."""
from __future__ import annotations

import math

import numpy as np
import pytest

from scurve_addon.defaults import AnimationParams
from scurve_addon.render_jobs import camera_paths, jobfile, sidecar

R, L = 1.0, 3.0  # the default surface


def _check_camera(m: np.ndarray, target: np.ndarray) -> None:
    rot = m[:3, :3]
    assert np.allclose(rot.T @ rot, np.eye(3), atol=1e-12) and np.linalg.det(rot) == pytest.approx(1.0)
    to_target = target - m[:3, 3]
    forward = -m[:3, 2]  # a Blender camera looks down its local -Z
    assert forward @ to_target / np.linalg.norm(to_target) == pytest.approx(1.0, abs=1e-12)
    assert m[2, 0] == pytest.approx(0.0, abs=1e-12)  # level: the right axis is horizontal
    assert m[2, 1] > 0  # upright
    assert np.array_equal(m[3], [0, 0, 0, 1])


@pytest.mark.parametrize("easing", ["linear", "ease_in_out"])
def test_orbit_looks_at_the_mirror_at_the_radius_and_height_asked(easing):
    anim = AnimationParams(frames=(1, 24), path="orbit", radius=6.5, height=2.2, arc=(40.0, -120.0), easing=easing)
    azimuths = []
    for f in camera_paths.frame_range(anim):
        m = camera_paths.camera_matrix(anim, camera_paths.frame_time(anim, f), R, L)
        _check_camera(m, np.array([0.0, 0.0, R]))
        eye = m[:3, 3]
        assert math.hypot(eye[0], eye[1]) == pytest.approx(6.5)
        assert eye[2] == pytest.approx(2.2)
        azimuths.append(math.degrees(math.atan2(eye[1], eye[0])))
    assert azimuths[0] == pytest.approx(40.0) and azimuths[-1] == pytest.approx(-120.0)
    assert np.all(np.diff(azimuths) < 0)  # always the same way round
    steps = np.diff(azimuths)
    if easing == "linear":
        assert np.allclose(steps, steps[0])
    else:  # slow, fast, slow
        assert abs(steps[0]) < abs(steps[len(steps) // 2]) > abs(steps[-1])


def test_walk_passes_the_front_at_the_distance_and_bends_as_asked():
    anim = AnimationParams(frames=(0, 10), path="walk", distance=5.0, walk_length=8.0, walk_curve=1.5, height=1.7)
    first = camera_paths.camera_matrix(anim, 0.0, R, L)
    middle = camera_paths.camera_matrix(anim, 0.5, R, L)
    last = camera_paths.camera_matrix(anim, 1.0, R, L)
    assert np.allclose(first[:3, 3], [5.0, 4.0, 1.7]) and np.allclose(last[:3, 3], [5.0, -4.0, 1.7])
    assert np.allclose(middle[:3, 3], [3.5, 0.0, 1.7])
    for f in camera_paths.frame_range(anim):
        _check_camera(camera_paths.camera_matrix(anim, camera_paths.frame_time(anim, f), R, L), np.array([0, 0, R]))
    straight = AnimationParams(path="walk", distance=5.0, walk_curve=0.0)
    assert camera_paths.camera_matrix(straight, 0.3, R, L)[0, 3] == pytest.approx(5.0)


def test_dolly_moves_towards_the_concave_half():
    anim = AnimationParams(frames=(1, 5), path="dolly", distance=8.0, dolly_to=2.0, height=1.0)
    target = camera_paths.concave_centre(R, L)
    assert target[1] < 0  # y < 0 is the concave half
    distances = []
    for f in camera_paths.frame_range(anim):
        m = camera_paths.camera_matrix(anim, camera_paths.frame_time(anim, f), R, L)
        _check_camera(m, target)
        distances.append(math.hypot(*(m[:2, 3] - target[:2])))
        assert m[2, 3] == pytest.approx(1.0)
    assert distances[0] == pytest.approx(8.0) and distances[-1] == pytest.approx(2.0)
    assert np.allclose(np.diff(distances), -1.5)


def test_euler_angles_rebuild_the_rotation():
    anim = AnimationParams(path="orbit", arc=(10.0, 300.0))
    for t in np.linspace(0, 1, 9):
        m = camera_paths.camera_matrix(anim, float(t), R, L)
        x, y, z = camera_paths.euler_xyz(m)
        cx, sx, cy, sy, cz, sz = math.cos(x), math.sin(x), math.cos(y), math.sin(y), math.cos(z), math.sin(z)
        rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
        ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
        rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
        assert np.allclose(rz @ ry @ rx, m[:3, :3], atol=1e-12)


ANIMATED = """
[render]
resolution = [64, 36]
[animation]
frames = [3, 7]
fps = 12
path = "orbit"
radius = 7.0
arc = [0, -90]
easing = "EASE_IN_OUT"
[animation.keys]
s_bend = [0.0, 0.8]
sun_rotation = [150, 210.0]

[[job]]
name = "plain"
[job.animation]
easing = "linear"

[[job]]
name = "swept"
[job.material]
roughness = [0.02, 0.2]
"""


def test_animation_expands_to_one_job_per_frame_with_keyed_values():
    batch = jobfile.loads(ANIMATED, "anim.toml", out_dir="/tmp/x")
    plain = batch.groups[0]
    assert [j.name for j in plain.jobs] == [f"plain.{f:04d}" for f in range(3, 8)]
    assert [j.image_name for j in plain.jobs][0] == "plain.0003.png"
    (video,) = plain.videos
    assert video.video_name == "plain.mp4" and video.animation.fps == 12 and video.animation.easing == "linear"
    for job, t in zip(plain.jobs, np.linspace(0, 1, 5), strict=True):
        assert job.time == pytest.approx(t)
        assert job.surface.s_bend == pytest.approx(0.8 * t)
        assert job.scene.sun_rotation == pytest.approx(150 + 60 * t)
        assert dict(job.keyed) == {"surface.s_bend": job.surface.s_bend,
                                   "scene.sun_rotation": job.scene.sun_rotation}
        anim = video.animation
        assert np.allclose(camera_paths.from_tuple(job.camera), camera_paths.camera_matrix(anim, t, 1.0, 3.0))
    assert plain.jobs[0].surface.s_bend == 0.0 and plain.jobs[-1].surface.s_bend == 0.8  # exact ends
    swept = batch.groups[1]
    assert [v.name for v in swept.videos] == ["swept__roughness-0.02", "swept__roughness-0.2"]
    assert len(swept.jobs) == 10 and swept.jobs[5].name == "swept__roughness-0.2.0003"
    eased = [j.scene.sun_rotation for j in swept.jobs[:5]]
    assert eased[2] == pytest.approx(180.0) and eased[1] == pytest.approx(150 + 60 * (3 * 0.25**2 - 2 * 0.25**3))
    for video in batch.videos:  # every frame its own parameters (the same frame of two videos may match)
        assert len({sidecar.job_hash(j) for j in video.frames}) == len(video.frames)
    assert not batch.contact_sheet or runner_sheets(batch) == []


def runner_sheets(batch):
    from scurve_addon.render_jobs import runner

    return runner.sheet_groups(batch)


def test_a_file_without_animation_hashes_its_stills_as_before():
    still = jobfile.loads("[render]\nsamples = 4\n", "still.toml", out_dir="/tmp/x").jobs[0]
    assert still.camera is None and "camera" not in still.params()
    frame = jobfile.loads("[render]\nsamples = 4\n[animation]\nframes = 1\n", "still.toml", out_dir="/tmp/x").jobs[0]
    assert frame.name == "still.0001" and sidecar.job_hash(frame) != sidecar.job_hash(still)


@pytest.mark.parametrize("text, message", [
    ("[animation]\nframes = 0", "animation.frames: 0 frames: give between 1 and"),
    ("[animation]\nframes = [9, 3]", "animation.frames: [9, 3]: the last frame comes before the first"),
    ("[animation]\nfps = 0", "animation.fps: 0 is out of range"),
    ("[animation]\npath = 'spiral'", "animation.path: 'spiral' is not one of 'orbit', 'walk', 'dolly'"),
    ("[animation]\nradius = [5, 6]", "animation.radius: expected one value, got [5, 6]: animation values cannot"),
    ("[animation]\nrdius = 5", "animation.rdius: unknown key; did you mean 'radius'?"),
    ("[animation]\ns_bend = [0, 1]", "animation.s_bend: unknown key; keyed parameters go in [animation.keys]"),
    ("[animation.keys]\nrows = [1, 4]", "animation.keys.rows: unknown key; 'rows' is not a number that can change"),
    ("[animation.keys]\ns_bend = 0.5", "animation.keys.s_bend: expected [start, end], got 0.5"),
    ("[animation.keys]\nroughness = [0, 2]", "animation.keys.roughness[1]: 2 is out of range"),
    ("[[job]]\nname = 'a'\nanimation = 3", "job 'a': animation: expected a table ([animation]), got 3"),
    ("[render]\nresolution = [64, 27]\n[animation]", "job 'bad': render.resolution: 64x27: the video of an"),
])
def test_bad_animation_values_name_the_file_the_job_and_the_key(text, message):
    with pytest.raises(jobfile.JobFileError) as err:
        jobfile.loads(text, "bad.toml", out_dir="/tmp/x")
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith("bad.toml: ") and message in err.value.problems[0], err.value.problems


def test_too_many_frames_are_refused():
    with pytest.raises(jobfile.JobFileError, match="more than the limit"):
        jobfile.loads("[animation]\nframes = 9000\n[material]\nroughness = [0.1, 0.2]", "big.toml", out_dir="/x")
