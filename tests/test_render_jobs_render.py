"""render_jobs end to end with real Cycles renders (64x36, a few samples, seconds each):
images with real pixels, sidecars, contact sheet, resume, a render killed mid-way, device
selection, and the Blender entry script. Renders run in subprocesses (`sys.executable -m
render_jobs ...`): one Blender per process, as in production."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import fields

import bpy
import numpy as np
import pytest

from scurve_addon import smoothing
from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import optics
from scurve_addon.geometry.quality import QualityReport
from scurve_addon.render_jobs import cli, contact_sheet, devices, sidecar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = [pytest.mark.render, pytest.mark.slow]

JOBS = """
    [output]
    dir = "renders"

    [render]
    resolution = [64, 36]
    samples = 4

    [[job]]
    name = "sweep"
    [job.surface]
    arc_segments = [8, 16]
    rows = 4

    [[job]]
    name = "single"
    [job.render]
    seed = 1
    file_format = "OPEN_EXR"
    """


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    return e


def render_jobs(*args: str, cwd: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "render_jobs", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def write(path, text: str) -> str:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def mtimes(directory) -> dict[str, int]:
    return {name: os.stat(os.path.join(directory, name)).st_mtime_ns for name in sorted(os.listdir(directory))}


def absent_backend() -> str | None:
    found = devices.present()
    return next((b.lower() for b in ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL") if b not in found), None)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A sweep of two PNGs plus one EXR, rendered once for the tests below."""
    base = tmp_path_factory.mktemp("render_jobs")
    job_file = write(base / "jobs.toml", JOBS)
    proc = render_jobs("render", "jobs.toml", cwd=str(base))
    return base, job_file, proc


def test_batch_renders_images_sidecars_and_contact_sheet(rendered):
    base, _, proc = rendered
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = base / "renders"
    assert sorted(os.listdir(out)) == [
        "single.exr", "single.json", "sweep.contact.png", "sweep__arc_segments-16.json",
        "sweep__arc_segments-16.png", "sweep__arc_segments-8.json", "sweep__arc_segments-8.png"]
    text = proc.stdout
    assert "jobs.toml: 3 jobs, 3 to render, 0 up to date" in text
    assert "[1/3] sweep__arc_segments-8: rendering 64x36, up to 4 samples on " in text
    progress_lines = ("1 of 3 done, elapsed", "3 of 3 done", "ETA")  # the progress line's wording
    assert all(p in text for p in progress_lines)
    assert "contact sheet: renders/sweep.contact.png" in text
    assert text.rstrip().endswith("renders/single.exr")  # the image paths come last


def test_images_have_real_pixels(rendered):
    base, _, _ = rendered
    for name in ("sweep__arc_segments-8.png", "sweep__arc_segments-16.png", "single.exr"):
        rgb = contact_sheet.load_rgb(str(base / "renders" / name)).astype(int)
        assert rgb.shape == (36, 64, 3)
        assert rgb.std() > 15 and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100, name  # not blank
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        assert ((r - np.maximum(g, b)) > 40).any(), f"{name}: no red (cylinder)"
        assert ((g - np.maximum(r, b)) > 25).any(), f"{name}: no green (cone)"
        assert ((b - np.maximum(r, g)) > 25).any(), f"{name}: no blue (sphere)"
    coarse = contact_sheet.load_rgb(str(base / "renders" / "sweep__arc_segments-8.png"))
    fine = contact_sheet.load_rgb(str(base / "renders" / "sweep__arc_segments-16.png"))
    assert not np.array_equal(coarse, fine)  # the sweep really changed the surface


def test_sidecar_records_everything_to_reproduce(rendered):
    base, job_file, _ = rendered
    data = json.loads((base / "renders" / "sweep__arc_segments-8.json").read_text())
    assert data["format"] == sidecar.FORMAT
    assert data["job"] == {"name": "sweep__arc_segments-8", "group": "sweep", "file": job_file,
                           "sweep": {"surface.arc_segments": 8}}
    p = data["params"]
    assert p["surface"]["arc_segments"] == 8 and p["surface"]["rows"] == 4
    assert p["render"]["resolution"] == [64, 36] and p["render"]["samples"] == 4
    assert set(p) == {"preset", "surface", "material", "scene", "render"}
    assert p["scene"]["test_objects"] is True and p["material"]["roughness"] == pytest.approx(0.02)
    image = base / "renders" / "sweep__arc_segments-8.png"
    assert data["image"]["bytes"] == image.stat().st_size
    assert data["image"]["sha256"] == sidecar.file_sha256(str(image))
    assert (data["image"]["width"], data["image"]["height"]) == (64, 36)
    assert data["blender"]["version"] == bpy.app.version_string
    assert data["blender"]["build_hash"] == bpy.app.build_hash.decode()
    found = devices.present()
    first_gpu = next((b for b in ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL") if b in found), None)
    assert data["device"]["requested"] == "auto"
    assert data["device"]["backend"] == (first_gpu or "CPU")  # no GPU here: the CPU
    assert data["device"]["devices"]
    assert data["samples"]["max"] == 4 and data["samples"]["denoise"] is True
    assert data["samples"]["glossy_bounces"] >= 1
    t = data["timings"]
    assert {"reset", "build_surface", "studio_scene", "device", "measure", "render", "write_image",
            "total"} <= set(t)
    assert all(v >= 0 for v in t.values()) and t["total"] >= t["render"] > 0
    assert data["render_time_s"] == t["render"]
    mesh = data["mesh"]
    assert mesh["control"] == {"vertices": 9 * 9, "faces": 8 * 8}
    surface = SurfaceParams(**p["surface"])
    if smoothing.rendered_levels(surface) is None:  # adaptive (5.0): Cycles dices it
        assert mesh["rendered"] == {"adaptive_edge_length": smoothing.adaptive_edge_length(surface)}
    else:
        assert mesh["rendered"]["faces"] == 8 * 8 * 4 ** p["surface"]["render_levels"]
    q = data["quality"]
    assert set(q) == {f.name for f in fields(QualityReport)}
    assert q["seam_duplicate_vertices"] == 0 and q["non_manifold_edges"] == 0
    # the normals as this Blender renders the job's surface (adaptive on 5.0, else level 3)
    levels = smoothing.rendered_levels(surface)
    assert q["rendered_normals"] == optics.rendered_normal_errors(surface, levels).as_dict()
    assert q["rendered_normals"]["levels"] == ("adaptive" if levels is None else 3)
    assert q["rendered_normals"]["max_deg"] >= q["rendered_normals"]["p99_deg"] >= q["rendered_normals"]["median_deg"]
    assert data["job_hash"] == sidecar.job_hash(next(j for j in cli.jobfile.load(job_file).jobs
                                                     if j.name == "sweep__arc_segments-8"))


def test_contact_sheet_shows_both_images_labelled(rendered):
    base, _, _ = rendered
    sheet = contact_sheet.load_rgb(str(base / "renders" / "sweep.contact.png"))
    assert sheet.shape[1] >= 2 * 64 and sheet.shape[0] > 36
    colours = {tuple(c) for c in sheet.reshape(-1, 3)}
    assert contact_sheet.TEXT in colours and contact_sheet.MISSING not in colours
    assert len(colours) > 200  # the thumbnails are in it


def test_resume_skips_done_work_and_redoes_changed_work(rendered, tmp_path):
    base, _, proc = rendered
    assert proc.returncode == 0
    shutil.copytree(base / "renders", tmp_path / "renders")
    job_file = write(tmp_path / "jobs.toml", JOBS)
    out = tmp_path / "renders"
    before = mtimes(out)

    again = render_jobs("render", job_file, cwd=str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "3 jobs, 0 to render, 3 up to date" in again.stdout
    assert again.stdout.count("up to date, skipped") == 3
    assert mtimes(out) == before

    # One job's parameters change: only that job renders again.
    write(tmp_path / "jobs.toml", JOBS.replace("seed = 1", "seed = 2"))
    changed = render_jobs("render", job_file, cwd=str(tmp_path))
    assert changed.returncode == 0, changed.stderr
    assert "3 jobs, 1 to render, 2 up to date" in changed.stdout
    after = mtimes(out)
    for name in ("sweep__arc_segments-8.png", "sweep__arc_segments-8.json", "sweep__arc_segments-16.png"):
        assert after[name] == before[name], name
    assert after["single.exr"] != before["single.exr"] and after["single.json"] != before["single.json"]
    assert json.loads((out / "single.json").read_text())["params"]["render"]["seed"] == 2

    # A damaged image is not "done", whatever its sidecar says.
    with open(out / "sweep__arc_segments-16.png", "r+b") as fh:
        fh.truncate(100)
    listed = render_jobs("list", job_file, cwd=str(tmp_path))
    assert "sweep__arc_segments-16.png  to render" in listed.stdout
    redo = render_jobs("render", job_file, cwd=str(tmp_path))
    assert "3 jobs, 1 to render, 2 up to date" in redo.stdout
    assert sidecar.is_done(cli.jobfile.load(job_file).jobs[1], str(out))


def test_killed_render_leaves_no_final_file_and_the_next_run_finishes(tmp_path):
    job_file = write(tmp_path / "long.toml", """
        [render]
        resolution = [640, 360]
        samples = 65536
        noise_threshold = 0.0
        denoise = false
        device = "cpu"
        """)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "render_jobs", "render", job_file, "--out", str(out)],
                            cwd=str(tmp_path), env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        seen = []
        for line in proc.stdout:  # the log shows Cycles' status once sampling has started
            seen.append(line)
            if "long: " in line and "Sample " in line:
                break
        assert any("Sample " in line for line in seen), "".join(seen)
        time.sleep(0.5)
        assert proc.poll() is None, "the render finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "long.png").exists() and not (out / "long.json").exists()
    assert all(name.startswith(".") for name in os.listdir(out))  # at most a hidden partial

    # A partial left by a killed process is cleaned up; the job then renders in full.
    stale = out / f".long.png.partial-{proc.pid}"
    stale.write_bytes(b"\x89PNG half")
    done = render_jobs("render", job_file, "--out", str(out), "--samples", "2", "--resolution", "64x36",
                       cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "removed a partial file left by an interrupted run" in done.stdout
    assert sorted(os.listdir(out)) == ["long.json", "long.png"]


def test_missing_backend_is_refused_before_anything_renders(tmp_path, capsys):
    backend = absent_backend()
    if backend is None:
        pytest.skip("every GPU backend is present on this machine")
    job_file = write(tmp_path / "jobs.toml", "[render]\nresolution = [64, 36]\nsamples = 1\n")
    out = tmp_path / "out"
    code = cli.main(["render", job_file, "--out", str(out), "--device", backend])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: command line: --device {backend}: {devices.NAMES[backend.upper()]} was asked for" in err
    assert "nothing was rendered" in err
    assert not out.exists()

    write(tmp_path / "jobs.toml", f"[render]\nresolution = [64, 36]\ndevice = \"{backend}\"\n")
    code = cli.main(["render", job_file, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and f"{job_file}: job 'jobs': render.device:" in err
    assert not out.exists()


def test_auto_falls_back_to_the_cpu_without_a_gpu():
    chosen = devices.select("auto")
    found = devices.present()
    if any(b in found for b in ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL")):
        assert chosen.backend != "CPU" and chosen.names
    else:
        assert chosen.backend == "CPU" and chosen.names == tuple(found["CPU"])
        assert chosen.record()["type"] == "CPU" and chosen.record()["threads"] >= 1
    assert devices.select("cpu").backend == "CPU"


def test_blender_entry_script_takes_the_arguments_after_double_dash(tmp_path):
    job_file = write(tmp_path / "entry.toml", "[render]\nresolution = [32, 18]\nsamples = 1\n")
    entry = os.path.join(ROOT, "render_jobs", "blender_entry.py")

    def run(*args: str) -> subprocess.CompletedProcess:
        # Not from the repo root and without PYTHONPATH: the script finds the repo itself.
        return subprocess.run([sys.executable, entry, *args], cwd=str(tmp_path), capture_output=True,
                              text=True, timeout=300)

    done = run("--", "render", job_file, "--out", str(tmp_path / "o"), "--device", "cpu")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((tmp_path / "o" / "entry.json").read_text())
    assert data["device"]["requested"] == "cpu" and data["device"]["backend"] == "CPU"
    assert (tmp_path / "o" / "entry.png").stat().st_size == data["image"]["bytes"]

    write(tmp_path / "bad.toml", "[surface]\nrows = 0\n")
    bad = run("--", "validate", str(tmp_path / "bad.toml"))
    assert bad.returncode == 2 and "surface.rows: 0 is out of range" in bad.stderr
    assert "Traceback" not in bad.stderr
    usage = run("render", job_file)  # no `--`: no arguments reach render_jobs
    assert usage.returncode == 2 and "usage: blender -b --python-exit-code 1 -P" in usage.stderr


def test_output_directory_that_cannot_be_made_is_bad_input(tmp_path, capsys):
    job_file = write(tmp_path / "jobs.toml", "[render]\nresolution = [64, 36]\nsamples = 1\n")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = cli.main(["render", job_file, "--out", str(blocker / "out"), "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot create the output directory" in err and "nothing was rendered" in err
