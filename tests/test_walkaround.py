"""Walk-around animations (issue 13), with real Blender and tiny renders: a job file's
[animation] renders one image and sidecar per frame in a render session that moves only
the camera, then an H.264 MP4 (Blender's own FFmpeg) read back by Blender, and a preview;
a runner killed mid-animation resumes with only the missing frames; a worker killed on
Dask loses no frame and duplicates none; scurve.setup_scene's walk-around camera, baked
as keyframes, is at each frame exactly where the job file's path puts it.
(The paths' geometry and the job-file schema: tests/unit/test_camera_paths.py.)
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import bpy
import numpy as np
import pytest

from scurve_addon.defaults import AnimationParams
from scurve_addon.render_jobs import camera_paths, jobfile, sidecar, video

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_TIMEOUT = 600

ANIMATION = """
[render]
resolution = [64, 36]
samples = 1
denoise = false
device = "cpu"
[surface]
arc_segments = 8
rows = 4
render_levels = 1
[animation]
frames = 6
fps = 12
path = "orbit"
radius = 7.0
height = 1.5
arc = [20.0, -70.0]
easing = "ease_in_out"
[animation.keys]
sun_rotation = [150.0, 210.0]
"""


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    e["PYTHONUNBUFFERED"] = "1"
    return e


def render_command(job_file: str, out: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "render_jobs", "render", job_file, "--out", out, *options]


def render(job_file: str, out: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(render_command(job_file, out, *options), cwd=os.path.dirname(job_file), env=env(),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)


def write(path, text: str) -> str:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def movie(path: str) -> tuple[int, tuple[int, int]]:
    clip = bpy.data.movieclips.load(path, check_existing=False)
    try:
        return clip.frame_duration, (clip.size[0], clip.size[1])
    finally:
        bpy.data.movieclips.remove(clip)


def load_json(path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def frame_files(name: str, count: int = 6) -> set[str]:
    return {f"{name}.{f:04d}.{ext}" for f in range(1, count + 1) for ext in ("png", "json")}


def video_files(name: str) -> set[str]:
    try:
        import PIL  # noqa: F401

        preview = {f"{name}.preview.webp"}
    except ImportError:
        preview = set()
    return {f"{name}.mp4", f"{name}.video.json"} | preview


@pytest.fixture(scope="module")
def animated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    job_file = write(tmp / "walk.toml", ANIMATION)
    out = str(tmp / "out")
    done = render(job_file, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return job_file, out, done.stdout


def test_six_frames_make_six_images_six_sidecars_and_a_video(animated):
    job_file, out, stdout = animated
    assert set(os.listdir(out)) == frame_files("walk") | video_files("walk"), sorted(os.listdir(out))
    assert "6 jobs, 6 to render" in stdout and "6 rendered, 0 up to date, 0 failed" in stdout, stdout
    assert re.search(r"video: \S*walk\.mp4 \(6 frames, 64x36, 12 fps, H\.264\)", stdout), stdout
    assert movie(os.path.join(out, "walk.mp4")) == (6, (64, 36))
    data = load_json(os.path.join(out, "walk.video.json"))
    assert data["video"]["frames"] == 6 and data["video"]["fps"] == 12
    assert [f["file"] for f in data["frames"]] == [f"walk.{f:04d}.png" for f in range(1, 7)]
    for f in data["frames"]:
        assert f["sha256"] == sidecar.file_sha256(os.path.join(out, f["file"]))
    if data["preview"] is not None:
        from PIL import Image

        im: Any
        with Image.open(os.path.join(out, "walk.preview.webp")) as im:
            assert im.n_frames == 6 and im.size == (64, 36) and im.is_animated
    else:
        assert "Pillow is not installed" in data["preview_note"] and "preview: skipped" in stdout


def test_each_frame_records_its_camera_and_keyed_values_and_reuses_the_scene(animated):
    job_file, out, _ = animated
    batch = jobfile.load(job_file, out_dir=out)
    anim = batch.videos[0].animation
    sessions = set()
    for job in batch.jobs:
        data = load_json(os.path.join(out, job.sidecar_name))
        assert sidecar.is_done(job, out)
        t = camera_paths.frame_time(anim, job.frame)
        record = data["animation"]
        assert record["frame"] == job.frame and record["time"] == pytest.approx(t)
        expected = 150.0 + 60.0 * camera_paths.ease("ease_in_out", t)
        assert record["keys"] == {"scene.sun_rotation": pytest.approx(expected)}
        assert data["params"]["scene"]["sun_rotation"] == pytest.approx(expected)
        matrix = camera_paths.camera_matrix(anim, t, 1.0, 3.0)
        camera = record["camera"]
        assert np.allclose(camera["location"], matrix[:3, 3]) and camera["lens"] == 35.0
        assert np.allclose(camera["matrix_world"], matrix)
        assert np.allclose(camera["rotation_euler"], camera_paths.euler_xyz(matrix))
        sessions.add(data["session"]["id"])
        if job.frame > 1:  # the camera and the sun moved: the mesh, material and the rest stay
            reused = data["session"]["reused"]
            assert {"surface", "material", "studio.ground", "studio.test_objects", "output_settings"} <= set(reused)
            assert "studio.sun" not in reused
    assert len(sessions) == 1


def test_camera_only_frames_reuse_the_mesh_and_a_second_run_is_up_to_date(tmp_path, animated):
    job_file, out, _ = animated
    before = {name: os.stat(os.path.join(out, name)).st_mtime_ns for name in os.listdir(out)}
    again = render(job_file, out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 rendered, 6 up to date" in again.stdout and "walk.mp4 (up to date)" in again.stdout, again.stdout
    assert {name: os.stat(os.path.join(out, name)).st_mtime_ns for name in os.listdir(out)} == before
    # only the camera moves: every later frame reuses everything, the camera pose aside
    still = write(tmp_path / "cam.toml", ANIMATION.replace("[animation.keys]\nsun_rotation = [150.0, 210.0]\n", "")
                  .replace("frames = 6", "frames = 3"))
    done = render(still, str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    for f in (2, 3):
        session = load_json(tmp_path / "out" / f"cam.{f:04d}.json")["session"]
        assert {"surface", "material", "studio.world", "studio.sun", "studio.camera"} <= set(session["reused"])
        # ... and Cycles keeps the mirror's geometry: on 5.0 it is diced adaptively, and the
        # studio's still dicing camera keeps the moving camera from having it diced again
        assert session["cycles_sync"]["geometry_rebuilt"] == [], session["cycles_sync"]


def test_killed_mid_animation_resumes_with_the_missing_frames_then_writes_the_video(tmp_path):
    job_file = write(tmp_path / "kill.toml", ANIMATION)
    out = tmp_path / "out"
    proc = subprocess.Popen(render_command(job_file, str(out)), cwd=str(tmp_path), env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not (out / "kill.0002.json").exists():
            assert proc.poll() is None, "the runner ended before its second frame"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    batch = jobfile.load(job_file, out_dir=str(out))
    done_before = [job.name for job in batch.jobs if sidecar.is_done(job, str(out))]
    assert done_before[:2] == ["kill.0001", "kill.0002"] and len(done_before) < 6, done_before
    assert not (out / "kill.mp4").exists()
    kept = {name: os.stat(out / f"{name}.json").st_mtime_ns for name in done_before}

    again = render(job_file, str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    missing = 6 - len(done_before)
    assert f"6 jobs, {missing} to render, {len(done_before)} up to date" in again.stdout, again.stdout
    assert f"{missing} rendered, {len(done_before)} up to date, 0 failed" in again.stdout, again.stdout
    assert {name: os.stat(out / f"{name}.json").st_mtime_ns for name in done_before} == kept
    assert set(os.listdir(out)) == frame_files("kill") | video_files("kill"), sorted(os.listdir(out))
    assert movie(str(out / "kill.mp4")) == (6, (64, 36))


def test_a_changed_frame_makes_the_video_again(tmp_path, animated):
    _, out, _ = animated
    frames = [f"walk.{f:04d}.png" for f in range(1, 7)]
    assert video.is_current(out, "walk.mp4", "walk.video.json", frames, 12)
    assert not video.is_current(out, "walk.mp4", "walk.video.json", frames, 24)
    assert not video.is_current(out, "walk.mp4", "walk.video.json", frames[:5], 12)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in [*frames, "walk.mp4", "walk.video.json"]:
        (copy / name).write_bytes(open(os.path.join(out, name), "rb").read())
    assert video.is_current(str(copy), "walk.mp4", "walk.video.json", frames, 12)
    (copy / frames[3]).write_bytes((copy / frames[2]).read_bytes())
    assert not video.is_current(str(copy), "walk.mp4", "walk.video.json", frames, 12)


@pytest.mark.parametrize("path, extra", [
    ("orbit", {"radius": 6.0, "arc": (30.0, -200.0), "easing": "ease_in_out"}),
    ("walk", {"distance": 5.0, "walk_curve": 1.0}),
    ("dolly", {"distance": 9.0, "dolly_to": 2.5}),
])
def test_operator_keyframes_equal_the_job_file_path(clean_scene, path, extra):
    scurve_ops = bpy.ops.scurve  # type: ignore[attr-defined]
    assert scurve_ops.build_mirror() == {"FINISHED"}
    assert scurve_ops.setup_scene(walkaround=True, frame_start=2, frame_end=13, path=path, height=1.4, fps=12,
                                  **extra) == {"FINISHED"}
    scene = clean_scene
    camera = scene.camera
    assert (scene.frame_start, scene.frame_end, scene.render.fps) == (2, 13, 12)
    toml = "\n".join(f"{k} = {json.dumps(list(v) if isinstance(v, tuple) else v)}" for k, v in extra.items())
    batch = jobfile.loads(f"[animation]\nframes = [2, 13]\nfps = 12\npath = '{path}'\nheight = 1.4\n{toml}\n",
                          "same.toml", out_dir="/tmp/unused")
    assert len(batch.jobs) == 12
    for job in batch.jobs:
        scene.frame_set(job.frame)
        baked = np.array(camera.evaluated_get(bpy.context.evaluated_depsgraph_get()).matrix_world)
        assert np.allclose(baked, camera_paths.from_tuple(job.camera), atol=1e-5), (path, job.frame)
    assert scurve_ops.setup_scene(walkaround=False) == {"FINISHED"}  # the keys go again
    assert camera.animation_data is None


def test_animation_params_are_the_operator_properties(addon):
    rna = bpy.ops.scurve.setup_scene.get_rna_type()  # type: ignore[attr-defined]
    for name, value in AnimationParams().__dict__.items():
        if name == "frames":
            assert (rna.properties["frame_start"].default, rna.properties["frame_end"].default) == value
            continue
        default = rna.properties[name].default
        if isinstance(value, tuple):
            default = tuple(rna.properties[name].default_array)
        assert default == pytest.approx(value) if not isinstance(value, str) else default == value, name


@pytest.mark.slow
def test_frames_on_dask_survive_a_killed_worker_without_duplicates(tmp_path, processes):
    """Each frame is a Dask task: a worker SIGKILLed while it renders a frame loses nothing;
    its frame runs again on the other worker; each frame and the video exactly once."""
    from test_render_jobs_dask import (  # type: ignore[import-not-found]
        render_killing_a_worker,
        start_cluster,
    )

    address = start_cluster(processes, tmp_path, ["w1", "w2"])
    job_file = write(tmp_path / "dask.toml", ANIMATION)
    out = str(tmp_path / "out")
    code, output, killed = render_killing_a_worker(processes, render_command(job_file, out, "--scheduler", address))
    assert code == 0 and killed is not None, output + processes.log("render")
    assert re.search(rf"\] {re.escape(killed[0])}: running again on worker ", output), output
    assert "6 rendered, 0 up to date, 0 failed" in output, output
    assert set(os.listdir(out)) == frame_files("dask") | video_files("dask"), sorted(os.listdir(out))
    batch = jobfile.load(job_file, out_dir=out)
    assert all(sidecar.is_done(job, out) for job in batch.jobs)
    assert movie(os.path.join(out, "dask.mp4")) == (6, (64, 36))


def test_without_pillow_the_preview_is_skipped_with_a_note(tmp_path, animated, monkeypatch):
    _, out, _ = animated
    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import Image` raises ImportError
    frames = [os.path.join(out, f"walk.{f:04d}.png") for f in range(1, 7)]
    record, note = video.write_preview(frames, str(tmp_path / "p.preview.webp"), 12)
    assert record is None and note is not None and "Pillow is not installed" in note
    assert not os.listdir(tmp_path)
