"""Distributed rendering on real Dask clusters (README, "Distributed rendering"): no mocks, real processes.

A `dask scheduler` and two `dask worker --nthreads 1` processes on 127.0.0.1, each in its
own process group, render a small sweep of tiny images through the command line; one
worker is killed (SIGKILL to its process group) while it renders, and the batch must still
complete: every image and sidecar there and matching, none partial, none extra, the contact
sheet written. A job whose render process crashes on every try is reported while the others
finish (`--workers 2`, a local cluster). Every process group is killed in a `finally`.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from distributed import Client

from scurve_addon.render_jobs import jobfile, sidecar
from scurve_addon.render_jobs.cluster_task import worker_facts
from scurve_addon.render_jobs.session_process import SessionProcess
from scurve_addon.render_jobs.session_server import CRASH_ENV
from scurve_addon.render_jobs.session_tempdirs import running

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASK = os.path.join(os.path.dirname(sys.executable), "dask")
START_TIMEOUT = 120  # seconds a process may take to come up before the test gives up (not a timing assertion)
RUN_TIMEOUT = 600

pytestmark = [pytest.mark.slow, pytest.mark.render]

SWEEP = """\
[render]
resolution = "48x27"
samples = 2
device = "cpu"
denoise = false

[[job]]
name = "{name}"
[job.surface]
arc_segments = {values}
"""


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e["PYTHONUNBUFFERED"] = "1"
    e.pop(CRASH_ENV, None)
    return e


def dask_command(*args: str) -> list[str]:
    """The `dask` command line of this venv, as the README runs it."""
    if os.path.isfile(DASK):
        return [DASK, *args]
    module = {"scheduler": "distributed.cli.dask_scheduler", "worker": "distributed.cli.dask_worker"}[args[0]]
    return [sys.executable, "-m", module, *args[1:]]


class Processes:
    """Processes each in a new session (process group), all killed by `stop`."""

    def __init__(self, log_dir: str):
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str], environment: dict[str, str] | None = None,
              stdout: int | None = None) -> subprocess.Popen:
        log = open(os.path.join(self.log_dir, f"{name}.log"), "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=ROOT, env=environment or env(), stdout=stdout or log,
                                stderr=log, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        with open(os.path.join(self.log_dir, f"{name}.log"), encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def kill(self, name: str) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait()

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        groups = {proc.pid for proc in self.procs.values()}
        deadline = time.monotonic() + 30  # SIGKILL is delivered asynchronously: give the group members a moment
        while (stray := living_members(groups)) and time.monotonic() < deadline:
            for pgid in groups:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.2)
        assert not stray, f"processes left behind: {stray}"


def living_members(groups: set[int]) -> list[str]:
    """Command lines of the processes (zombies aside) in these process groups, from /proc."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, IndexError):
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp in groups and state not in ("Z", "X"):
            found.append(f"{entry}: {cmdline}")
    return found


def start_scheduler(procs: Processes, tmp_path, *options: str, environment: dict[str, str] | None = None) -> str:
    """`dask scheduler` on 127.0.0.1 (a free port); returns its address once it listens."""
    scheduler_file = str(tmp_path / "scheduler.json")
    procs.start("scheduler", dask_command("scheduler", *options, "--host", "127.0.0.1", "--port", "0",
                                          "--no-dashboard", "--scheduler-file", scheduler_file),
                environment=environment)
    deadline = time.monotonic() + START_TIMEOUT
    address = None
    while address is None:
        with contextlib.suppress(OSError, ValueError):
            with open(scheduler_file, encoding="utf-8") as fh:
                address = json.load(fh)["address"]
        assert procs.procs["scheduler"].poll() is None, procs.log("scheduler")
        assert time.monotonic() < deadline, "the scheduler did not start:\n" + procs.log("scheduler")
        time.sleep(0.1)
    return address


def start_cluster(procs: Processes, tmp_path, workers: list[str], outsiders: tuple[str, ...] = ()) -> str:
    """A scheduler and workers started as the README says; returns the scheduler address.
    `outsiders` are more workers, started without PYTHONPATH: they cannot import render_jobs."""
    address = start_scheduler(procs, tmp_path)
    bare = {k: v for k, v in env().items() if k != "PYTHONPATH"}
    for name in [*workers, *outsiders]:
        procs.start(name, dask_command("worker", address, "--nthreads", "1", "--name", name, "--host", "127.0.0.1",
                                       "--no-dashboard", "--local-directory", str(tmp_path / name)),
                    environment=bare if name in outsiders else None)
    with Client(address, timeout=START_TIMEOUT) as client:
        client.wait_for_workers(len(workers) + len(outsiders), timeout=START_TIMEOUT)
    return address


def write_job(tmp_path, name: str, values: list[int]) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(SWEEP.format(name=name, values=values), encoding="utf-8")
    return str(path)


def render_command(job_path: str, out: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "render_jobs", "render", job_path, "--out", out, *options]


def expected_files(batch: jobfile.Batch, failed: tuple[str, ...] = ()) -> set[str]:
    names = {group.contact_sheet_name for group in batch.groups if len(group.jobs) > 1}
    for job in batch.jobs:
        if job.name not in failed:
            names |= {job.image_name, job.sidecar_name}
    return names


def check_outputs(batch: jobfile.Batch, failed: tuple[str, ...] = ()) -> None:
    """Exactly the expected files: every image complete and described by its sidecar, no partials."""
    present = set(os.listdir(batch.out_dir))
    assert present == expected_files(batch, failed), f"unexpected files: {sorted(present)}"
    for job in batch.jobs:
        if job.name in failed:
            continue
        assert sidecar.is_done(job, batch.out_dir), job.name
        with open(os.path.join(batch.out_dir, job.sidecar_name), encoding="utf-8") as fh:
            data = json.load(fh)
        assert data["job"]["name"] == job.name and data["image"]["file"] == job.image_name
        # Measured by the session's owner while the session rendered: the worker process, or the
        # client's thread for --workers (cluster_task.py).
        assert data["session"]["surface_measured_by"] == "owner", job.name
        with open(os.path.join(batch.out_dir, job.image_name), "rb") as fh:
            png = fh.read()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82"), job.name
    for group in batch.groups:
        if len(group.jobs) > 1:
            with open(os.path.join(batch.out_dir, group.contact_sheet_name), "rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def render_killing_a_worker(procs: Processes, command: list[str]) -> tuple[int, str, tuple[str, str] | None]:
    """Run the client `command`; SIGKILL the worker that renders its first job, while Cycles
    renders it. Returns the exit code, the client's output and (job, killed worker)."""
    cli = procs.start("render", command, stdout=subprocess.PIPE)
    lines, killed = [], None
    assert cli.stdout is not None
    for raw in cli.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        lines.append(line)
        m = RENDERING.match(line)
        if killed is None and m:  # Cycles is rendering this job on that worker right now
            killed = (m.group(1), m.group(2))
            procs.kill(m.group(2))
    code = cli.wait(timeout=RUN_TIMEOUT)
    output = "\n".join(lines)
    return code, output, killed


RENDERING = re.compile(r"^\[\s*\d+/\d+\] (\S+): rendering .* \| worker (\S+) at ")


def test_cluster_survives_a_worker_killed_mid_render(tmp_path, processes):
    """A worker SIGKILLed while its render runs: its job runs again on the other worker, and the
    batch ends complete: all images and sidecars, no partial or duplicate files, a contact sheet;
    run again, everything is up to date. The workers never load Blender themselves. First, a
    worker that cannot import render_jobs is refused before anything renders."""
    address = start_cluster(processes, tmp_path, ["w1", "w2"], outsiders=("w0",))
    job_path = write_job(tmp_path, "kill", [4, 5, 6, 8])
    out = str(tmp_path / "out")
    batch = jobfile.load(job_path, out_dir=out)

    refused = subprocess.run(render_command(job_path, out, "--scheduler", address), cwd=ROOT, env=env(),
                             capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert re.search(r"error: command line: --scheduler \S+: these Dask workers cannot import render_jobs: "
                     r"w0 at tcp://127\.0\.0\.1:\d+\n", refused.stderr), refused.stderr
    assert "PYTHONPATH=<checkout>" in refused.stderr and "nothing was rendered" in refused.stderr
    assert not os.path.exists(out)
    processes.kill("w0")

    code, output, killed = render_killing_a_worker(processes, render_command(job_path, out, "--scheduler", address))
    assert code == 0, output + processes.log("render")
    assert killed is not None, output
    job_name, dead = killed
    survivor = ({"w1", "w2"} - {dead}).pop()
    assert re.search(rf"\] {re.escape(job_name)}: worker {dead} at \S+ was lost while running it", output), output
    assert re.search(rf"\] {re.escape(job_name)}: running again on worker {survivor} at \S+ "
                     rf"\(try 2: worker {dead} at \S+ was lost during the previous try\)", output), output
    assert re.search(rf"\] {re.escape(job_name)}: done in .* \| worker {survivor} at ", output), output
    assert "4 rendered, 0 up to date, 0 failed" in output, output
    check_outputs(batch)

    for job in batch.jobs:  # a worker process fits each surface for its session
        assert sidecar.read(os.path.join(out, job.sidecar_name))["session"]["surface_fitted_by"] == "owner", job.name
    with Client(address, timeout=START_TIMEOUT) as client:  # the survivor never imported bpy itself
        facts = client.run(worker_facts)
    assert len(facts) == 1 and not any(f["bpy_loaded"] for f in facts.values()), facts

    again = subprocess.run(render_command(job_path, out, "--scheduler", address), cwd=ROOT, env=env(),
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 rendered, 4 up to date, 0 failed" in again.stdout, again.stdout
    check_outputs(batch)


def test_local_cluster_reports_a_job_that_crashes_every_try(tmp_path, processes):
    """--workers 2: the render process of one job segfaults on every try (the test hook); that job is
    reported with its error and exit code 1, its worker survives, the other jobs finish."""
    job_path = write_job(tmp_path, "crash", [4, 6, 8])
    out = str(tmp_path / "out")
    batch = jobfile.load(job_path, out_dir=out)
    crashing = batch.jobs[1].name
    environment = {**env(), CRASH_ENV: crashing}
    cli = processes.start("render", render_command(job_path, out, "--workers", "2"), environment=environment,
                          stdout=subprocess.PIPE)
    stdout = cli.communicate(timeout=RUN_TIMEOUT)[0].decode("utf-8", "replace")
    stderr = processes.log("render")
    assert cli.returncode == 1, stdout + stderr
    assert re.search(rf"error: .*crash\.toml: job '{re.escape(crashing)}' failed: the render process crashed "
                     r"\(SIGSEGV\) on worker \d+ at ", stderr), stderr
    assert f"{CRASH_ENV}: crashing on purpose" in stderr, stderr  # the process's last output comes along
    assert re.search(rf"\] {re.escape(crashing)}: try 1 failed: .*crashed \(SIGSEGV\)", stdout), stdout
    assert re.search(rf"\] {re.escape(crashing)}: running again on worker \d+ at .*\(try 2: the previous try "
                     r"failed\)", stdout), stdout
    assert re.search(rf"\] {re.escape(crashing)}: FAILED: ", stdout), stdout
    assert "2 rendered, 0 up to date, 1 failed" in stdout, stdout
    for job in batch.jobs:
        if job.name != crashing:
            assert re.search(rf"\] {re.escape(job.name)}: done in .* \| worker \d+ at ", stdout), stdout
    check_outputs(batch, failed=(crashing,))


CLIENT_REPORTS_BPY = """\
import sys
from scurve_addon.render_jobs.cli import main
code = main(sys.argv[1:])
print("client loaded bpy:", "bpy" in sys.modules)
sys.exit(code)
"""


def test_local_cluster_writes_the_contact_sheet_without_loading_blender_in_the_client(tmp_path):
    """--workers 1 (its worker is a thread of the client's process): the sweep's contact sheet is
    written by the worker's render session, so the client process never imports bpy itself."""
    job_path = write_job(tmp_path, "sheet", [4, 8])
    out = str(tmp_path / "out")
    batch = jobfile.load(job_path, out_dir=out)
    proc = subprocess.run([sys.executable, "-c", CLIENT_REPORTS_BPY, "render", job_path, "--out", out,
                           "--workers", "1"], cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "contact sheet: " in proc.stdout and "2 rendered, 0 up to date, 0 failed" in proc.stdout, proc.stdout
    assert "client loaded bpy: False" in proc.stdout, proc.stdout
    check_outputs(batch)


@pytest.mark.parametrize("case", ["one job for two workers", "a bad job file"])
def test_local_cluster_sessions_start_with_the_client_and_none_outlives_it(tmp_path, processes, case):
    """`render --workers 2` starts its workers' render sessions as it starts (render_jobs/__main__.py:
    Blender loads while Dask starts). Sessions no job took (one job for two workers), and those of
    a command that stops at a bad job file (exit 2), end with the client: nothing is left in its
    process group (checked before the fixture's own clean-up kills what is)."""
    job_path = write_job(tmp_path, "early", [4])
    if case == "a bad job file":
        with open(job_path, "a", encoding="utf-8") as fh:
            fh.write("colour = 1\n")
    out = str(tmp_path / "out")
    client = processes.start("client", render_command(job_path, out, "--workers", "2"))
    code = client.wait(timeout=RUN_TIMEOUT)
    if case == "a bad job file":
        assert code == 2 and "colour" in processes.log("client"), processes.log("client")
        assert not os.path.exists(out)
    else:
        assert code == 0, processes.log("client")
        check_outputs(jobfile.load(job_path, out_dir=out))
    deadline = time.monotonic() + 5  # a kill is delivered asynchronously
    while (stray := living_members({client.pid})) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not stray, f"processes left behind: {stray}"


def test_cluster_options_are_checked_before_anything_runs(tmp_path):
    job_path = write_job(tmp_path, "bad", [4, 8])
    out = tmp_path / "out"
    cases = [
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "not allowed with argument"),
        (["--workers", "0"], "command line: --workers: expected a whole number of at least 1, got '0'"),
        (["--workers", "two"], "command line: --workers: expected a whole number of at least 1, got 'two'"),
        (["--retries", "1"], "command line: --retries: only with --scheduler or --workers"),
        (["--scheduler", "tcp://127.0.0.1:1", "--retries", "-1"], "command line: --retries: expected a whole number"),
    ]
    for options, message in cases:
        r = subprocess.run(render_command(job_path, str(out), *options), cwd=ROOT, env=env(), capture_output=True,
                           text=True, timeout=RUN_TIMEOUT)
        assert r.returncode == 2, (options, r.stdout, r.stderr)
        assert message in r.stderr, (options, r.stderr)
        assert not out.exists(), options


def test_unreachable_scheduler_is_an_error_naming_it(tmp_path):
    job_path = write_job(tmp_path, "nowhere", [4, 8])
    out = tmp_path / "out"
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {**env(), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    r = subprocess.run(render_command(job_path, str(out), "--scheduler", f"tcp://127.0.0.1:{port}"), cwd=ROOT,
                       env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"error: command line: --scheduler tcp://127.0.0.1:{port}: cannot reach a Dask scheduler" in r.stderr
    assert "nothing was rendered" in r.stderr
    assert not out.exists()


def test_session_process_refuses_a_missing_job_and_other_parameters(tmp_path):
    """The session process (what workers run) checks each job before rendering it, and
    survives the refusal to serve the next request."""
    job_path = write_job(tmp_path, "one", [4, 8])
    out = tmp_path / "out"
    out.mkdir()
    text = open(job_path, encoding="utf-8").read()
    request = {"op": "render", "toml": text, "job_file": job_path, "out_dir": str(out), "overrides": {}}
    session = SessionProcess(env())
    try:
        reply = session.request({**request, "job": "one__arc_segments-5"})
        assert reply["event"] == "failed" and reply["bad_input"]
        assert f"{job_path}: job 'one__arc_segments-5': no such job in the file" in reply["error"]
        reply = session.request({**request, "job": "one__arc_segments-4", "expect_hash": "0" * 64})
        assert reply["event"] == "failed" and "resolves the job to other parameters than the client did" \
            in reply["error"]
        assert os.listdir(out) == [] and session.alive() and session.jobs == 0
    finally:
        session.close()
    assert not session.alive()


def make_certificates(folder) -> dict[str, str]:
    """A certificate authority of the test's own and, signed by it, a certificate for the
    scheduler, the worker and the client (openssl), as Dask's TLS settings name them."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=str(folder), check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=render-farm-test-ca")
    files = {"ca": str(folder / "ca.pem")}
    for role in ("scheduler", "worker", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{role}.key", "-out", f"{role}.csr",
                "-subj", f"/CN={role}")
        (folder / f"{role}.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        openssl("x509", "-req", "-in", f"{role}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{role}.pem", "-days", "1", "-extfile", f"{role}.ext")
        files[role] = str(folder / f"{role}.pem")
        files[role + "_key"] = str(folder / f"{role}.key")
    return files


PRELOAD = "scurve_addon.render_jobs.worker_preload"


def preloaded_worker(procs: Processes, tmp_path, address: str, name: str,
                     environment: dict[str, str] | None = None) -> dict:
    """A `dask worker --preload scurve_addon.render_jobs.worker_preload` (README), once it has
    joined: its worker_facts."""
    procs.start(name, dask_command("worker", address, "--nthreads", "1", "--name", name, "--host", "127.0.0.1",
                                   "--no-dashboard", "--local-directory", str(tmp_path / name), "--preload", PRELOAD),
                environment=environment)
    with Client(address, timeout=START_TIMEOUT) as client:
        client.wait_for_workers(1, timeout=START_TIMEOUT)
        (facts,) = client.run(worker_facts).values()
    return facts


def maps_blender(pid: int) -> bool:
    """Whether process `pid` has the bpy module's library (Blender) mapped."""
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as fh:
        return any(f"{os.sep}bpy{os.sep}" in line and ".so" in line for line in fh)


def test_a_preloaded_worker_joins_with_blender_loaded_in_its_session(tmp_path, processes):
    """With the preload, the worker joins the cluster with its render session started, Blender
    loaded in it and a warm-up render done; the first batch renders in that session (its jobs 2
    and 3, keeping the warm-up's world), the worker itself never imports bpy, and the session
    ends with the worker."""
    address = start_scheduler(processes, tmp_path)
    facts = preloaded_worker(processes, tmp_path, address, "w1")
    assert not facts["bpy_loaded"] and len(facts["sessions"]) == 1, facts
    (session,) = facts["sessions"]
    assert maps_blender(session) and not maps_blender(facts["pid"]), facts

    job_path = str(tmp_path / "preloaded.toml")  # the default sampling, as the warm-up's (worker_preload.py)
    with open(job_path, "w", encoding="utf-8") as fh:
        fh.write('[render]\nresolution = "48x27"\ndevice = "cpu"\n[[job]]\nname = "preloaded"\n'
                 "[job.surface]\narc_segments = [4, 6]\n")
    out = str(tmp_path / "out")
    done = subprocess.run(render_command(job_path, out, "--scheduler", address), cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    batch = jobfile.load(job_path, out_dir=out)
    check_outputs(batch)
    records = sorted((sidecar.read(os.path.join(out, job.sidecar_name))["session"] for job in batch.jobs),
                     key=lambda r: r["job"])
    assert [r["job"] for r in records] == [2, 3], records  # job 1: the preload's warm-up render
    assert all(int(r["id"].split("-")[-2]) == session for r in records), (session, records)
    # the warm-up rendered the default studio: the first job keeps its world, and Cycles its sky
    assert "studio.world" in records[0]["reused"] and records[0]["cycles_sync"]["images_loaded"] == [], records

    with Client(address, timeout=START_TIMEOUT) as client:
        assert not any(f["bpy_loaded"] for f in client.run(worker_facts).values())
        client.retire_workers(close_workers=True)
    deadline = time.monotonic() + 30  # the worker closes its sessions as it stops (dask_teardown)
    while running(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(session), "the session outlived its worker"


def test_a_preloaded_worker_whose_blender_cannot_load_logs_why_and_joins_without_a_session(tmp_path, processes):
    """The preload's session cannot import bpy (a module of that name that raises, first on the
    path: the worker never imports bpy, so only its session meets it): the worker's log has the
    session's error, and the worker joins with no session left running."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "bpy.py").write_text('raise ImportError("no Blender in this test")\n', encoding="utf-8")
    address = start_scheduler(processes, tmp_path)
    broken = env()
    broken["PYTHONPATH"] += os.pathsep + str(shadow)
    facts = preloaded_worker(processes, tmp_path, address, "w1", environment=broken)
    assert facts["sessions"] == [] and not facts["bpy_loaded"], facts
    log = processes.log("w1")
    assert "this worker's render session could not load Blender: the render process exited with code 1" in log, log
    assert "ImportError: no Blender in this test" in log, log


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make test certificates")
def test_a_tls_cluster_renders_and_refuses_a_client_without_a_certificate(tmp_path, processes):
    """The README's set-up with Dask's TLS: scheduler and worker on 127.0.0.1 with certificates
    of the farm's own authority, encryption required. render_jobs reads the client certificate
    from Dask's configuration (here its environment variables) and renders; a client without
    one cannot connect (exit 2, nothing rendered)."""
    certs = make_certificates(tmp_path)
    tls = {"DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
           "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": certs["ca"]}
    for role in ("scheduler", "worker", "client"):
        tls[f"DASK_DISTRIBUTED__COMM__TLS__{role.upper()}__CERT"] = certs[role]
        tls[f"DASK_DISTRIBUTED__COMM__TLS__{role.upper()}__KEY"] = certs[role + "_key"]
    address = start_scheduler(processes, tmp_path, "--protocol", "tls", environment={**env(), **tls})
    assert address.startswith("tls://127.0.0.1:")
    processes.start("w1", dask_command("worker", address, "--nthreads", "1", "--name", "w1", "--host", "127.0.0.1",
                                       "--no-dashboard", "--local-directory", str(tmp_path / "w1")),
                    environment={**env(), **tls})
    job_path = write_job(tmp_path, "secure", [4, 6])
    out = tmp_path / "out"
    done = subprocess.run(render_command(job_path, str(out), "--scheduler", address), cwd=ROOT,
                          env={**env(), **tls}, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    check_outputs(jobfile.load(job_path, out_dir=str(out)))

    plain = {**env(), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s"}
    refused = subprocess.run(render_command(job_path, str(tmp_path / "other"), "--scheduler", address), cwd=ROOT,
                             env=plain, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "cannot reach a Dask scheduler there" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "other").exists()
