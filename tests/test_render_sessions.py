"""Render sessions: one Blender renders a batch's jobs, changing only what differs.

A job rendered late in a session must give the pixels of the same job rendered from an
empty scene in a fresh process, for a sequence that changes the surface (resolution, then
only the render levels: Cycles' persistent-data trap), the material, the studio and the
render settings. Sessions are recycled after N jobs; a crashed session on Dask is replaced
and its job retried; Ctrl-C stops a local batch during sampling. Real renders (tiny, few
samples) in real processes.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from scurve_addon import compat, smoothing
from scurve_addon.render_jobs import contact_sheet, jobfile
from scurve_addon.render_jobs.session_process import SessionProcess
from scurve_addon.render_jobs.session_server import CRASH_ENV, CRASH_ONCE_ENV

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = [pytest.mark.render, pytest.mark.slow]

# Each job changes one thing from the one before it.
SEQUENCE = """
    [render]
    resolution = [64, 36]
    samples = 4
    device = "cpu"
    seed = 3
    [surface]
    adaptive_subdivision = false  # the render levels apply (the trap below)

    [[job]]
    name = "a_default"

    [[job]]
    name = "b_coarser"
    [job.surface]
    arc_segments = 8
    rows = 4

    [[job]]
    name = "c_render_levels"
    [job.surface]
    arc_segments = 8
    rows = 4
    render_levels = 1

    [[job]]
    name = "d_material"
    [job.surface]
    arc_segments = 8
    rows = 4
    render_levels = 1
    [job.material]
    roughness = 0.3
    base_color = [0.9, 0.3, 0.2]

    [[job]]
    name = "e_studio"
    [job.surface]
    arc_segments = 8
    rows = 4
    render_levels = 1
    [job.scene]
    sun_elevation = 40.0
    sun_redness = 1.0
    area_lights = true
    camera_lens = 50.0

    [[job]]
    name = "f_render_settings"
    [job.surface]
    arc_segments = 8
    rows = 4
    render_levels = 1
    [job.scene]
    sun_elevation = 40.0
    sun_redness = 1.0
    area_lights = true
    camera_lens = 50.0
    [job.render]
    resolution = [48, 48]
    samples = 2
    denoise = false

    [[job]]
    name = "g_everything"
    [job.surface]
    radius = 1.5
    profile = "SMOOTH"
    s_bend = 0.5
    [job.scene]
    zebra = true

    [[job]]
    name = "h_adaptive"
    [job.surface]
    radius = 1.5
    profile = "SMOOTH"
    s_bend = 0.5
    render_levels = 1
    adaptive_subdivision = true
    [job.scene]
    zebra = true
    """

# Tiny CPU renders without contact sheets, for the tests that count sessions and sidecars.
TINY = """
[render]
resolution = [32, 18]
samples = 1
device = "cpu"
denoise = false
[output]
contact_sheet = false
"""


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    e.pop(CRASH_ENV, None)
    e.pop(CRASH_ONCE_ENV, None)
    e.update(extra)
    return e


def render_jobs(*args: str, cwd: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "render_jobs", *args], cwd=cwd, env=env(**(extra_env or {})),
                          capture_output=True, text=True, timeout=600)


def write(path, text: str) -> str:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def pixels(path) -> np.ndarray:
    return contact_sheet.load_rgb(str(path)).astype(int)


def sidecar(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_session_renders_the_pixels_of_fresh_processes(tmp_path):
    job_file = write(tmp_path / "sequence.toml", SEQUENCE)
    batch = jobfile.load(job_file, out_dir=str(tmp_path / "session"))
    done = render_jobs("render", job_file, "--out", str(tmp_path / "session"), cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "session"
    records = [sidecar(out / job.sidecar_name)["session"] for job in batch.jobs]
    assert len({r["id"] for r in records}) == 1, records  # one session rendered them all
    assert [r["job"] for r in records] == list(range(1, len(batch.jobs) + 1))
    reused = {job.name: set(r["reused"]) for job, r in zip(batch.jobs, records, strict=True)}
    assert reused["a_default"] == set()
    assert {"material", "studio.world", "studio.sun"} <= reused["b_coarser"]
    assert "surface" not in reused["b_coarser"]  # (the camera: its box may not change, 4.2's is the limit surface's)
    assert {"material", "studio.camera", "studio.world"} <= reused["c_render_levels"]
    assert {"surface", "studio.world", "studio.camera"} <= reused["d_material"]
    assert "material" not in reused["d_material"]
    assert "studio.world" not in reused["e_studio"] and "surface" in reused["e_studio"]
    assert "output_settings" not in reused["f_render_settings"] and "surface" in reused["f_render_settings"]
    assert "studio.render_settings" not in reused["f_render_settings"]
    # Cycles kept what it built: the sky (an image Cycles computes, 0.7 s here) is loaded by
    # the first job and again only where the world changed. (Setting the render engine, even
    # to the same one, made Cycles drop everything: scene/cycles_settings.py.)
    loaded = {job.name: r["cycles_sync"]["images_loaded"] for job, r in zip(batch.jobs, records, strict=True)}
    assert any("sky" in name for name in loaded["a_default"]), loaded
    # (Blender 4.5 rebuilds Cycles' data for a new sample count: compat.py; the job says so.)
    kept = {name for name, parts in reused.items() if "cycles_data_rebuilt" not in parts}
    for job in batch.jobs[1:]:
        if "studio.world" in reused[job.name] and job.name in kept:
            assert loaded[job.name] == [], (job.name, loaded)
    assert loaded["e_studio"]  # the sun moved: a new sky
    assert "studio.world" in reused["f_render_settings"]
    assert loaded["f_render_settings"] == [] or "f_render_settings" not in kept

    # Each job from an empty scene, in a fresh session process of its own.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    text = (tmp_path / "sequence.toml").read_text(encoding="utf-8")
    for job in batch.jobs[1:]:
        session = SessionProcess(env())
        try:
            reply = session.request({"op": "render", "toml": text, "job_file": job_file, "job": job.name,
                                     "out_dir": str(fresh), "overrides": {}, "force": True})
        finally:
            session.close()
        assert reply["event"] == "done", reply
        assert sidecar(fresh / job.sidecar_name)["session"]["job"] == 1
        late, alone = pixels(out / job.image_name), pixels(fresh / job.image_name)
        assert late.shape == alone.shape, job.name
        # Same seed, same scene: the same pixels. Cycles refits rather than rebuilds some of
        # its data in a session, which may move a value by one step in a rare pixel.
        diff = np.abs(late - alone)
        assert diff.max() <= 2 and (diff > 0).mean() <= 0.002, (job.name, diff.max(), (diff > 0).mean())
    # The trap: the render levels alone changed between b and c. Were the change missed,
    # c would render b's surface; it is visibly different.
    b, c = pixels(out / "b_coarser.png"), pixels(out / "c_render_levels.png")
    assert (np.abs(b - c) > 8).mean() > 0.005
    # Adaptive subdivision (5.0; elsewhere the render levels apply): h renders the exact limit
    # surface where g rendered level 3, so they differ a little. Had the session missed the
    # switch, h would be level 1 and differ from its fresh render above.
    g, h = pixels(out / "g_everything.png"), pixels(out / "h_adaptive.png")
    if compat.HAS_ADAPTIVE_SUBDIVISION:
        assert sidecar(out / "h_adaptive.json")["mesh"]["rendered"]["adaptive_edge_length"] == 1.5 / 200
        assert np.abs(g - h).max() <= 40
    else:
        assert sidecar(out / "h_adaptive.json")["mesh"]["rendered"]["subdivision_levels"] == 1


def test_a_session_is_recycled_after_n_jobs(tmp_path):
    job_file = write(tmp_path / "sweep.toml", TINY + "[surface]\narc_segments = [4, 5, 6, 7, 8]\n")
    done = render_jobs("render", job_file, "--out", "o", "--session-jobs", "2", cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    batch = jobfile.load(job_file, out_dir=str(tmp_path / "o"))
    records = [sidecar(tmp_path / "o" / job.sidecar_name)["session"] for job in batch.jobs]
    assert [r["job"] for r in records] == [1, 2, 1, 2, 1]
    ids = [r["id"] for r in records]
    assert ids[0] == ids[1] != ids[2] == ids[3] != ids[4] and ids[0] != ids[4]
    assert done.stdout.count("render session recycled after 2 jobs (limit 2)") == 2

    bad = render_jobs("render", job_file, "--out", "o", "--session-jobs", "0", cwd=str(tmp_path))
    assert bad.returncode == 2 and "--session-jobs: expected a whole number of at least 1" in bad.stderr


def test_a_crashed_dask_session_is_replaced_and_its_job_retried(tmp_path):
    """One worker; its session crashes (a real segfault) on one job's first try: that try
    fails, the retry runs in a new session and every job ends rendered. The jobs around the
    crash show the sessions: one before, another after."""
    job_file = write(tmp_path / "crash.toml", """
        [render]
        resolution = "32x18"
        samples = 1
        device = "cpu"
        denoise = false
        [output]
        contact_sheet = false
        [surface]
        arc_segments = [4, 5, 6, 7]
        """)
    marker = tmp_path / "crashed-once"
    done = render_jobs("render", job_file, "--out", "o", "--workers", "1", "--retries", "1", cwd=str(tmp_path),
                       extra_env={CRASH_ENV: "crash__arc_segments-6", CRASH_ONCE_ENV: str(marker)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert marker.exists()  # it did crash
    assert "try 1 failed: job 'crash__arc_segments-6': the render process crashed (SIGSEGV)" in done.stdout
    batch = jobfile.load(job_file, out_dir=str(tmp_path / "o"))
    records = {job.name: sidecar(tmp_path / "o" / job.sidecar_name)["session"] for job in batch.jobs}
    # One worker, one crash: exactly two sessions, each reused from task to task.
    assert len({r["id"] for r in records.values()}) == 2, records
    assert max(r["job"] for r in records.values()) >= 2
    assert "CRITICAL" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def living_descendants(pid: int) -> set[int]:
    """The processes (zombies aside) whose parent chain reaches `pid`."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X"):
            parents[int(entry)] = int(fields[1])
    found = set()
    for child in parents:
        p = child
        while p in parents and p != pid:
            p = parents[p]
        if p == pid and child != pid:
            found.add(child)
    return found


def default_sigint() -> None:
    """In the child: SIGINT as at a terminal. A shell running the tests in the background (CI)
    starts them with SIGINT ignored, and an ignored SIGINT stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process trees from /proc")
def test_ctrl_c_during_sampling_stops_the_batch(tmp_path):
    """SIGINT to the runner's process group (what a terminal's Ctrl-C sends) while Cycles
    samples: the runner stops the render at once, leaves no image and no partial, exits 130,
    and renders nothing more; no Blender process is left behind."""
    job_file = write(tmp_path / "long.toml", """
        [render]
        resolution = [640, 360]
        samples = 65536
        noise_threshold = 0.0
        denoise = false
        device = "cpu"
        [[job]]
        name = "first"
        [[job]]
        name = "second"
        """)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "render_jobs", "render", job_file, "--out", str(out)],
                            cwd=str(tmp_path), env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=default_sigint)
    try:
        seen = []
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if "first: " in line and "Sample " in line:
                break
        assert any("Sample " in line for line in seen), "".join(seen)
        renderers = living_descendants(proc.pid)
        assert proc.poll() is None and renderers, "no render running to interrupt"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, "".join(seen) + stdout + stderr
    assert "interrupted: run the same command again to resume" in stdout
    assert "Traceback" not in stderr
    assert "second: rendering" not in stdout
    assert not out.exists() or os.listdir(out) == [], os.listdir(out)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in renderers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in renderers)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process trees from /proc")
def test_ctrl_c_during_sampling_stops_a_local_dask_batch(tmp_path):
    """The same on a local Dask cluster (`--workers 1`): exit 130, no image, no partial, no
    session left running."""
    job_file = write(tmp_path / "long.toml", """
        [render]
        resolution = [640, 360]
        samples = 65536
        noise_threshold = 0.0
        denoise = false
        device = "cpu"
        """)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "render_jobs", "render", job_file, "--out", str(out),
                             "--workers", "1"], cwd=str(tmp_path), env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=default_sigint)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "long: rendering" in line:
                break
        renderers = living_descendants(proc.pid)
        assert proc.poll() is None and renderers, "".join(seen)
        time.sleep(1.0)  # sampling
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, "".join(seen) + stdout + stderr
    assert "Traceback" not in stderr, stderr
    assert not out.exists() or [n for n in os.listdir(out) if not n.startswith(".render-jobs-cluster-")] == []
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in renderers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in renderers)


def test_session_temporary_files_go_with_the_session(tmp_path):
    """Blender's temporary folder (Cycles' tile buffers of big renders) is the session's own
    and is removed with it, even when the session is killed."""
    session = SessionProcess(env())
    try:
        assert session.request({"op": "devices", "requests": [["cpu", "x"]], "job_file": "x.toml"})["event"] \
            == "devices"
        folder = session.tempdir
        assert os.path.isdir(folder)
        blender_tmp = [n for n in os.listdir(folder) if n.startswith("blender_")]
        assert blender_tmp, os.listdir(folder)  # Blender made its temporary folder in there
    finally:
        session.kill()
    assert not os.path.exists(folder)


OWNER = """\
import sys, time
from scurve_addon.render_jobs.session_process import SessionProcess
session = SessionProcess()
print(session.tempdir, session.pid, flush=True)
session.wait_ready()
print("ready", flush=True)
if sys.argv[1] == "wait":
    time.sleep(600)
session.kill()
"""


def test_the_folder_of_a_session_whose_owner_was_killed_goes_with_the_next_owner(tmp_path):
    """An owner SIGKILLed with its session running: the session dies with it and its folder stays
    behind, nobody being left to remove it. The next owner on the machine (its first session)
    removes it, and the folder of an unmarked session once old, but not those of sessions that
    run, nor a folder just made."""
    from scurve_addon.render_jobs import session_tempdirs

    owner = subprocess.Popen([sys.executable, "-c", OWNER, "wait"], env=env(TMPDIR=str(tmp_path)),
                             stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    folder, pid = owner.stdout.readline().split()
    assert owner.stdout.readline().strip() == "ready"
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30  # the session dies with its owner (PR_SET_PDEATHSIG)
    while session_tempdirs.running(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not session_tempdirs.running(int(pid)) and os.path.isdir(folder)

    def folder_of(name: str, pid: int | None, age_s: float = 0.0) -> str:
        path = tmp_path / f"{session_tempdirs.PREFIX}{name}"
        path.mkdir()
        if pid is not None:
            (path / session_tempdirs.PID_FILE).write_text(str(pid))
        if age_s:
            os.utime(path, (time.time() - age_s,) * 2)
        return str(path)

    running = folder_of("running", os.getpid())
    just_made = folder_of("just-made", None)
    unmarked_old = folder_of("unmarked-old", None, 2 * session_tempdirs.UNMARKED_STALE_S)
    done = subprocess.run([sys.executable, "-c", OWNER, "end"], env=env(TMPDIR=str(tmp_path)),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    left = sorted(os.listdir(tmp_path))
    assert left == sorted(os.path.basename(p) for p in (running, just_made)), left
    assert not os.path.exists(folder) and not os.path.exists(unmarked_old)


def test_inside_blender_the_session_runs_in_process(tmp_path):
    """Where Blender is already loaded (`blender -b -P render_jobs/blender_entry.py`, the
    extension inside Blender), the runner renders in its own process: same outputs, the
    session's pid is the runner's."""
    job_file = write(tmp_path / "inside.toml", """
        [render]
        resolution = [32, 18]
        samples = 1
        denoise = false
        device = "cpu"
        [surface]
        arc_segments = [4, 6]
        """)
    code = ("import os, sys, bpy; from scurve_addon.render_jobs.cli import main; "
            f"print('PID', os.getpid()); sys.exit(main(['render', {job_file!r}, '--out', 'o']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), env=env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    pid = next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("PID "))
    batch = jobfile.load(job_file, out_dir=str(tmp_path / "o"))
    records = [sidecar(tmp_path / "o" / job.sidecar_name)["session"] for job in batch.jobs]
    assert [r["job"] for r in records] == [1, 2] and all(r["id"].split("-")[-2] == pid for r in records)
    assert (tmp_path / "o" / "inside.contact.png").is_file()


def test_a_session_takes_the_surface_measurements_its_owner_sends(tmp_path):
    """The owner of a session (the local runner's thread, a Dask worker) measures the surfaces
    (measure.py) and sends the numbers with the render request, or after it while the session
    renders ("follows"): the session records what it is sent instead of measuring again, and
    measures by itself when nothing usable comes (a wrong guess of its tessellation, null). A
    follow-up nobody waits for (its render failed first) is skipped. Either way the sidecars
    hold measure.measure's numbers and say who measured. Likewise the session takes the fits of
    the control net that come with a request, and fits the surface itself when they are unusable."""
    from scurve_addon.render_jobs.measure import guess_rendered_levels, measure, surface_fits

    text = TINY + "[surface]\narc_segments = [5, 6, 7, 9]\n"
    job_file = write(tmp_path / "measured.toml", text)
    batch = jobfile.load(job_file, out_dir=str(tmp_path / "o"))
    sent_job, wrong_job, follows_job, null_job = batch.jobs

    def measured(surface):  # as this Blender renders it (what the runner guesses from its bpy wheel)
        assert guess_rendered_levels(surface) == smoothing.rendered_levels(surface)
        return measure(surface, smoothing.rendered_levels(surface))

    def recorded(surface):  # what a sidecar records of it
        numbers = json.loads(json.dumps(measured(surface)))
        return {"mesh": numbers["mesh"], "quality": numbers["quality"]}

    def marked(numbers):  # only a session that took them records this
        return {**numbers, "quality": {**numbers["quality"], "sent_by_the_owner": True}}

    sent = marked(measured(sent_job.surface))
    wrong = marked(measure(wrong_job.surface, 2))  # a tessellation this session's Blender does not render
    follows = marked(measured(follows_job.surface))

    def late():  # the numbers follow while the session renders
        time.sleep(0.5)
        return follows

    os.makedirs(batch.out_dir)  # the runner's part
    session = SessionProcess(env())
    try:
        def render(job, measured=None, follow=None, fits=None):
            request = {"op": "render", "toml": text, "job_file": job_file, "job": job.name,
                       "out_dir": batch.out_dir, "force": True}
            if measured is not None:
                request["measured"] = measured
            if fits is not None:
                request["fits"] = fits
            return session.request(request, None, follow)

        assert render(sent_job, sent, fits=surface_fits(sent_job.surface))["event"] == "done"
        unusable = surface_fits(wrong_job.surface)
        unusable["section"] = unusable["section"][:-1]  # the fits of another arc_segments
        assert render(wrong_job, wrong, fits=unusable)["event"] == "done"
        # A render that fails before it needs its numbers: they are skipped when they come.
        failed = session.request({"op": "render", "toml": text, "job_file": job_file, "job": "no_such_job",
                                  "out_dir": batch.out_dir, "force": True}, None, lambda: sent)
        assert failed["event"] == "failed" and "no such job" in failed["error"], failed
        assert render(follows_job, follow=late)["event"] == "done"
        assert render(null_job, follow=lambda: None)["event"] == "done"
    finally:
        session.kill()

    def taken(job):
        data = sidecar(tmp_path / "o" / job.sidecar_name)
        return {"mesh": data["mesh"], "quality": data["quality"]}, data["session"]["surface_measured_by"]

    fitted_by = [sidecar(tmp_path / "o" / job.sidecar_name)["session"]["surface_fitted_by"] for job in batch.jobs]
    assert fitted_by == ["owner", "session", "session", "session"]

    for job, numbers in ((sent_job, sent), (follows_job, follows)):
        assert taken(job) == ({"mesh": numbers["mesh"], "quality": numbers["quality"]}, "owner"), job.name
    for job in (wrong_job, null_job):
        assert taken(job) == (recorded(job.surface), "session"), job.name

    done = render_jobs("render", job_file, "--out", "r", cwd=str(tmp_path))  # the runner's thread measures
    assert done.returncode == 0, done.stdout + done.stderr
    for job in batch.jobs:
        data = sidecar(tmp_path / "r" / job.sidecar_name)
        assert {"mesh": data["mesh"], "quality": data["quality"]} == recorded(job.surface)
        assert data["session"]["surface_measured_by"] == "owner", job.name
