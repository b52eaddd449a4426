"""Hostile input: job files built to break the reader, --out given empty,
partial files planted or named to crash the cleanup, a full disk. Each gets exit code 2 with
one line naming the file (job files), or leaves no final file and no partial (outputs);
never a traceback, never a file written outside our own private temporary directory."""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, cast

import bpy
import numpy as np
import pytest

from scurve_addon.render_jobs import cli, jobfile, paths

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env() -> dict[str, str]:
    """This process's environment with the checkout importable from any working directory."""
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    return e


def write(tmp_path, text: str, name: str = "jobs.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def validate(path: str, capsys) -> tuple[int, list[str], str]:
    code = cli.main(["validate", path])
    err = capsys.readouterr().err
    return code, err.splitlines(), err


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


# (job file text, what its one error line says)
HOSTILE = {
    "arrays nested 5,000 deep": ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "inline tables nested 3,000 deep": ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
    "arrays nested 50 deep (the parser copes)": ("[surface]\nrows = " + "[" * 50 + "1" + "]" * 50 + "\n",
                                                 "top level: surface.rows[0][0][0][0][0][0][0][0][0]: arrays or "
                                                 "tables nested more than 10 levels deep"),
    "a 401-digit number": ("[surface]\nradius = 1" + "0" * 400 + "\n",
                           "job 'jobs': surface.radius: an integer of about 401 digits is too large for a number"),
    "a 401-digit integer": ("[surface]\nrows = 1" + "0" * 400 + "\n",
                            "job 'jobs': surface.rows: an integer of about 401 digits is out of range"),
    "a 5,000-digit integer": ("[surface]\nradius = 1" + "0" * 5000 + "\n",
                              "not valid TOML here: line 2: a number with too many digits"),
    "a 100,000-digit hex integer": ("[render]\nseed = 0x" + "f" * 100_000 + "\n",
                                    "job 'jobs': render.seed: an integer of about 120,412 digits is out of range"),
    "a resolution of 401 digits": ('[render]\nresolution = "1' + "0" * 400 + 'x10"\n',
                                   "job 'jobs': render.resolution: "),
    "a resolution of 5,000 digits": ('[render]\nresolution = "1' + "0" * 5000 + 'x10"\n',
                                     "job 'jobs': render.resolution: "),
    "a key with a line break": ('[surface]\n"a\\nb" = 1\n', "job 'jobs': surface.'a\\nb': unknown key"),
    "a job name with a line break": ('[[job]]\nname = "a\\nb"\n', "job #1: name: 'a\\nb': use letters"),
    "a value of 100,000 characters": ('[surface]\nprofile = "' + "x" * 100_000 + '"\n',
                                      "job 'jobs': surface.profile: 'xxxx"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_job_file_is_one_clear_line_exit_2(case, tmp_path, capsys):
    text, needle = HOSTILE[case]
    path = write(tmp_path, text)
    code, lines, err = validate(path, capsys)
    assert code == 2
    assert "Traceback" not in err
    assert len(lines) == 1, err[:2000]
    (line,) = lines
    assert line.startswith(f"error: {path}: ") and needle in line, line[:2000]
    assert len(line) < 400  # values and keys are clipped in messages


def test_nesting_too_deep_for_python_in_a_real_process(tmp_path):
    path = write(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = subprocess.run([sys.executable, "-m", "render_jobs", "render", path, "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"error: {path}: not valid TOML here: arrays or tables are nested too "
                                        f"deeply (a job file needs at most {jobfile.MAX_DEPTH} levels)"]
    assert not (tmp_path / "o").exists()


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    text = "[surface]\nrows = 6\n[render]\nsamples = 3\n"
    plain = write(tmp_path, text, "plain.toml")
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, _, err = validate(str(tmp_path / "bom.toml"), capsys)
    assert code == 0, err
    (a,), (b,) = jobfile.load(plain).jobs, jobfile.load(str(tmp_path / "bom.toml")).jobs
    assert (a.surface, a.render) == (b.surface, b.render) and b.surface.rows == 6
    assert jobfile.loads("\ufeff" + text, "x.toml").jobs[0].surface.rows == 6


def test_a_file_over_the_size_limit_is_refused_naming_its_size_and_the_limit(tmp_path, capsys):
    padding = "# " + "x" * 99 + "\n"
    text = "[surface]\nrows = 6\n" + padding * (jobfile.MAX_FILE_BYTES // len(padding) + 1)
    path = write(tmp_path, text)
    size = os.path.getsize(path)
    assert size > jobfile.MAX_FILE_BYTES == 1024 * 1024
    code, lines, err = validate(path, capsys)
    assert code == 2 and "Traceback" not in err
    assert lines == [f"error: {path}: the file is {size:,} bytes, more than the limit of 1,048,576 bytes (1 MiB) "
                     "for a job file (a job file is a few KB; sweeps are written as lists, not one [[job]] per "
                     "image)"]
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.loads(text, "given.toml")
    assert info.value.problems[0].startswith("given.toml: the file is ")
    # Just under the limit is read.
    path = write(tmp_path, "[surface]\nrows = 6\n" + "#" * (jobfile.MAX_FILE_BYTES - 40) + "\n")
    assert jobfile.load(path).jobs[0].surface.rows == 6


def test_too_many_job_entries_are_refused_before_any_is_looked_at(tmp_path):
    entries = "".join(f'[[job]]\nname = "j{i}"\n[job.surface]\nrowz = 1\n' for i in range(jobfile.MAX_JOBS + 1))
    path = write(tmp_path, entries)
    assert os.path.getsize(path) < jobfile.MAX_FILE_BYTES
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.load(path)
    # One message: not 10,001 "unknown key" messages first.
    assert info.value.problems == [f"{path}: top level: job: the file has 10,001 [[job]] entries, more than the "
                                   "limit of 10,000 jobs"]


def test_jobs_are_counted_before_any_sweep_expands(tmp_path):
    """5,001 jobs of 2 each: refused by count, before 10,002 surfaces are built and checked."""
    n = jobfile.MAX_JOBS // 2 + 1
    entries = "".join(f'[[job]]\nname = "j{i}"\n[job.surface]\ns_bend = [0.0, -2.5]\n' for i in range(n))
    path = write(tmp_path, entries)
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.load(path)
    assert info.value.problems == [f"{path}: top level: job: the file makes 10,002 jobs, more than the limit "
                                   "of 10,000"]  # and no "folds over" message from an expanded job


def test_problems_are_capped_at_a_readable_number(tmp_path, capsys):
    path = write(tmp_path, "[surface]\nrows = [" + ", ".join(["0"] * 500) + "]\n")
    code, lines, _ = validate(path, capsys)
    assert code == 2
    assert len(lines) == jobfile.MAX_PROBLEMS + 1
    assert lines[0] == f"error: {path}: job 'jobs': surface.rows[0]: 0 is out of range: must be between 1 and 2048"
    assert lines[-1] == f"error: {path}: ... and 400 more problems"


def test_loads_is_load_without_the_file(tmp_path):
    path = os.path.join(ROOT, "examples", "resolution_sweep.toml")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert jobfile.loads(text, path) == jobfile.load(path)
    assert jobfile.loads(text, path, out_dir=str(tmp_path)) == jobfile.load(path, out_dir=str(tmp_path))
    batch = jobfile.loads("[render]\nsamples = 4\n", "somewhere/night.toml")
    assert batch.path == "somewhere/night.toml" and [j.name for j in batch.jobs] == ["night"]
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.loads("[surface]\nrows = 0\n[[job]]\nname = 'a/b'\n", "inline.toml")
    assert info.value.problems == [
        "inline.toml: top level (all jobs): surface.rows: 0 is out of range: must be between 1 and 2048",
        "inline.toml: job #1: name: 'a/b' is not a plain file name: job names become file names inside the "
        "output directory, so '/', '\\' and '..' are not allowed"]
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.loads("[surface\n", "broken.toml")
    assert info.value.problems[0].startswith("broken.toml: not valid TOML: ")


@pytest.mark.parametrize("argv", [["render", "--out", ""], ["render", "--out", "  "], ["list", "--out", ""],
                                  ["render", "--dry-run", "--out", "\t"]])
def test_empty_out_is_refused_and_nothing_is_touched(argv, tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "[render]\nsamples = 1\n")
    monkeypatch.chdir(tmp_path)
    stale = tmp_path / f".jobs.png.partial-{dead_pid()}"  # would be removed by a run here
    stale.write_bytes(b"x")
    before = sorted(os.listdir(tmp_path))
    code = cli.main([argv[0], path, *argv[1:]])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: command line: --out: {argv[-1]!r} is empty: give an output directory" in err
    assert sorted(os.listdir(tmp_path)) == before
    with pytest.raises(jobfile.JobFileError):
        jobfile.load(path, out_dir=" ")


# ---------------------------------------------------------------------------------------------
# Partial files


def test_partials_with_pids_beyond_any_process_are_not_ours_and_do_not_crash(tmp_path):
    names = [".x.png.partial-99999999999999999999", f".x.png.partial-{2**31}", ".x.png.partial-0",
             f".x.png.partial-{socket.gethostname()}-99999999999999999999-abcd1234"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    stale = tmp_path / f".y.png.partial-{dead_pid()}"
    stale.write_bytes(b"x")
    assert paths.remove_stale_partials(str(tmp_path)) == [str(stale)]
    assert sorted(os.listdir(tmp_path)) == sorted(names)
    assert paths.parse_partial(names[0]) is None and paths._alive(2**40)  # in doubt: left alone, no crash


def test_a_link_planted_at_the_partial_name_is_not_followed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # a shared output directory: anyone may create names in it
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    planted = [shared / f".a.png.partial-{os.getpid()}",
               shared / f".a.png.partial-{paths.host_name()}-{os.getpid()}-aaaaaaaa"]
    for link in planted:
        os.symlink(victim, link)
    final = shared / "a.png"
    paths.write_bytes(str(final), b"new image")
    with paths.atomic_target(str(final)) as partial, open(partial, "wb") as fh:  # as save_render writes
        fh.write(b"second image")
    assert victim.read_bytes() == b"precious"
    assert final.read_bytes() == b"second image" and stat.S_ISREG(os.lstat(final).st_mode)
    assert all(os.path.islink(link) for link in planted)  # the same process: not stale, left alone
    assert sorted(os.listdir(shared)) == sorted(["a.png", *(p.name for p in planted)])


def test_the_final_name_being_a_link_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "a.json")
    paths.write_json(str(out / "a.json"), {"v": 1})
    assert victim.read_bytes() == b"precious" and not os.path.islink(out / "a.json")


def test_partials_live_in_a_private_directory_named_for_host_and_process(tmp_path):
    final = tmp_path / "a.exr"
    with paths.atomic_target(str(final)) as partial:
        private = os.path.dirname(partial)
        assert os.path.dirname(private) == str(tmp_path) and os.path.basename(partial) == "a.exr"
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
        found = paths.parse_partial(os.path.basename(private))
        assert found == paths.Partial(final="a.exr", host=paths.host_name(), pid=os.getpid())
        assert paths.remove_stale_partials(str(tmp_path)) == []  # ours, alive
        with open(partial, "wb") as fh:
            fh.write(b"exr")
    assert os.listdir(tmp_path) == ["a.exr"]
    with pytest.raises(RuntimeError), paths.atomic_target(str(final)) as partial:
        with open(partial, "wb") as fh:
            fh.write(b"half")
        raise RuntimeError("killed")
    assert os.listdir(tmp_path) == ["a.exr"] and final.read_bytes() == b"exr"
    with pytest.raises(OSError, match="nothing was written"), paths.atomic_target(str(final)):
        pass
    assert os.listdir(tmp_path) == ["a.exr"]


def test_only_this_hosts_dead_partials_are_removed(tmp_path):
    dead, here = dead_pid(), paths.host_name()
    other_host = tmp_path / f".a.png.partial-render-node-7-{dead}-k2j4h5g6"
    mine_dead = tmp_path / f".b.png.partial-{here}-{dead}-x8y7z6w5"
    mine_alive = tmp_path / f".c.png.partial-{here}-{os.getpid()}-abcdefgh"
    old_style = tmp_path / f".d.png.partial-{dead}"
    for directory in (other_host, mine_dead, mine_alive):
        directory.mkdir(mode=0o700)
        (directory / "x.png").write_bytes(b"half")
    old_style.write_bytes(b"half")
    os.symlink(tmp_path / "elsewhere", mine_dead / "link")  # removed as a link, not followed
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep").write_bytes(b"k")
    removed = paths.remove_stale_partials(str(tmp_path))
    assert sorted(removed) == sorted([str(mine_dead), str(old_style)])
    assert other_host.is_dir() and mine_alive.is_dir() and (tmp_path / "elsewhere" / "keep").exists()
    assert paths.parse_partial(other_host.name) == paths.Partial("a.png", "render-node-7", dead)
    # Once no process can write them (the end of a cluster batch), a batch's partials all go.
    assert paths.remove_partials(str(tmp_path), {"x.png"}) == []
    assert sorted(paths.remove_partials(str(tmp_path), {"a.png", "c.png"})) == sorted([str(other_host),
                                                                                       str(mine_alive)])
    assert sorted(os.listdir(tmp_path)) == ["elsewhere"]


# ---------------------------------------------------------------------------------------------
# A full disk


@contextlib.contextmanager
def _small_disk(tmp_path: Any, size: str) -> Iterator[Any]:
    """A folder on a tmpfs of `size` (skips the test where none can be mounted), always
    unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {proc.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)
        if os.path.ismount(disk):
            subprocess.run(["umount", "-l", str(disk)], check=False)
    assert not os.path.ismount(disk)


def _fill(directory: str, leave: int) -> None:
    """Fill the file system of `directory`, then free about `leave` bytes."""
    filler = os.path.join(directory, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    os.truncate(filler, max(0, os.path.getsize(filler) - leave))


def _noise_image(name: str, width: int, height: int, float_buffer: bool = False):
    image = bpy.data.images.new(name, width, height, alpha=True, float_buffer=float_buffer)
    cast(Any, image.pixels).foreach_set(np.random.default_rng(7).random(width * height * 4).astype(np.float32))
    return image


def test_a_full_disk_leaves_no_final_file_and_no_partial(tmp_path):
    with _small_disk(tmp_path, "1m") as disk:
        _fill(str(disk), 16 * 1024)
        final = disk / "a.json"
        with pytest.raises(OSError) as info:
            paths.write_bytes(str(final), b"x" * 200_000)
        assert info.value.errno == errno.ENOSPC
        assert os.listdir(disk) == ["filler"]
        # Blender writing an image onto the full disk: whatever it reports, the check refuses it.
        image = _noise_image("full-disk", 256, 256)
        scene = bpy.context.scene
        scene.render.image_settings.file_format = "PNG"
        final = disk / "b.png"
        with pytest.raises((ValueError, RuntimeError, OSError)) as damaged:
            with paths.atomic_target(str(final), verify=lambda p: paths.verify_image(p, "PNG", 256, 256)) as p:
                image.save_render(filepath=p, scene=scene)
        if isinstance(damaged.value, ValueError):
            assert "is truncated or damaged (the disk may be full)" in str(damaged.value)
        assert os.listdir(disk) == ["filler"]
        bpy.data.images.remove(image)


def test_verify_refuses_before_the_final_name_is_touched(tmp_path):
    final = tmp_path / "a.png"
    final.write_bytes(b"old")

    def refuse(path: str) -> None:
        raise ValueError(f"{path} is truncated or damaged (the disk may be full)")

    with pytest.raises(ValueError), paths.atomic_target(str(final), verify=refuse) as partial:
        with open(partial, "wb") as fh:
            fh.write(b"new")
    assert final.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.png"]


def test_problem_lines_never_break(tmp_path):
    err = jobfile.JobFileError(["a\nb", "c\rd\x00e\u2028f"])
    assert err.problems == ["a\\nb", "c\\rd\\x00e\\u2028f"]
    assert str(err).count("\n") == 1


def test_a_render_too_big_for_this_machine_is_refused_before_anything_renders(tmp_path):
    """16384x16384 is valid input, but Cycles' buffers for it exceed a 24 GB machine: refused
    with the estimate, exit 2, nothing written (and no Blender runs until the system kills it)."""
    from scurve_addon.defaults import RenderParams
    from scurve_addon.render_jobs import memory

    render = RenderParams(resolution=(16384, 16384))
    if memory.too_big(render) is None:
        pytest.skip(f"this machine has {memory.gib(memory.machine_bytes() or 0)}: a 16384x16384 render fits")
    job = tmp_path / "huge.toml"
    job.write_text('[render]\nresolution = [16384, 16384]\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "render_jobs", "render", str(job), "--out", str(out)],
                          cwd=str(tmp_path), env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{job}: job 'huge': render.resolution: 16384x16384 needs about" in proc.stderr
    assert "more than this machine's" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    # 960x540 fits anywhere this runs.
    assert memory.too_big(RenderParams()) is None


def test_workers_beyond_the_cores_are_refused(tmp_path):
    job = tmp_path / "j.toml"
    job.write_text("[render]\nresolution = [32, 18]\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "render_jobs", "render", str(job), "--out", str(tmp_path / "o"),
                           "--workers", "5000"], cwd=str(tmp_path), env=_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2 and "--workers: 5000 is more than this machine's" in proc.stderr, proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_batch_onto_a_full_disk_fails_cleanly(tmp_path):
    """A sweep whose output directory fills up: the renders that do not fit fail with a
    message, the contact sheet that cannot be written is a message too, exit 1, no traceback;
    every final name holds a complete image, and no partial is left."""
    from scurve_addon.render_jobs import jobfile

    with _small_disk(tmp_path, "2m") as disk:
        job = tmp_path / "full.toml"
        job.write_text('[render]\nresolution = [320, 180]\nsamples = 2\ndenoise = false\ndevice = "cpu"\n'
                       "[surface]\narc_segments = [6, 8, 10, 12]\n", encoding="utf-8")
        _fill(str(disk), 120 * 1024)  # room for about one image
        proc = subprocess.run([sys.executable, "-m", "render_jobs", "render", str(job), "--out", str(disk)],
                              cwd=str(tmp_path), env=_env(), capture_output=True, text=True, timeout=600)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
        assert "FAILED" in proc.stdout and "failed:" in proc.stderr
        batch = jobfile.load(str(job), out_dir=str(disk))
        names = set(os.listdir(disk)) - {"filler"}
        assert not [n for n in names if n.startswith(".")], names  # no partial left
        for j in batch.jobs:
            if j.image_name in names:
                paths.verify_image(str(disk / j.image_name), "PNG", 320, 180)  # complete, or absent
        assert len([n for n in names if n.endswith(".png")]) < len(batch.jobs) + 1  # not everything fitted


def test_two_runs_into_one_output_directory_at_once(tmp_path):
    """Two batches of the same file into one directory at the same time (a shared output
    directory, a double-clicked script): both finish, every image is complete and matches its
    sidecar, and neither removes the other's partial files while it writes them."""
    from scurve_addon.render_jobs import jobfile, sidecar

    job = tmp_path / "twice.toml"
    job.write_text('[render]\nresolution = [48, 27]\nsamples = 1\ndenoise = false\ndevice = "cpu"\n'
                   "[output]\ncontact_sheet = false\n[surface]\narc_segments = [4, 5, 6, 7]\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "render_jobs", "render", str(job), "--out", str(out), "--force"]
    runs = [subprocess.Popen(command, cwd=str(tmp_path), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (stdout, stderr) in zip(runs, results, strict=True):
        assert run.returncode == 0, stdout + stderr
        assert "Traceback" not in stderr
    batch = jobfile.load(str(job), out_dir=str(out))
    assert all(sidecar.is_done(j, str(out)) for j in batch.jobs)
    assert sorted(os.listdir(out)) == sorted(n for j in batch.jobs for n in (j.image_name, j.sidecar_name))
