"""render_jobs job files: every bad-file case (exit code 2, one message naming file, job and
key, nothing written), sweep expansion and precedence, dry run. Nothing here renders."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from scurve_addon.defaults import MAX_RENDER_JOBS, PRESETS, RenderParams, SurfaceParams
from scurve_addon.render_jobs import cli, jobfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(tmp_path, text: str, name: str = "jobs.toml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# (job file text, the job named in the message, the key named in the message)
BAD_FILES = {
    "unknown key, did you mean": ("[surface]\narc_segmets = 8\n", "job 'jobs'", "surface.arc_segmets"),
    "key in the wrong table": ("[surface]\nsamples = 8\n", "job 'jobs'", "surface.samples"),
    "table value at top level": ("samples = 8\n", "job 'jobs'", "samples"),
    "name at top level": ("name = \"x\"\n", "job 'jobs'", "name"),
    "unknown top-level table": ("[randr]\nsamples = 8\n", "job 'jobs'", "randr"),
    "string for a number": ("[surface]\nradius = \"big\"\n", "job 'jobs'", "surface.radius"),
    "float for an integer": ("[surface]\nrows = 8.0\n", "job 'jobs'", "surface.rows"),
    "boolean for an integer": ("[render]\nsamples = true\n", "job 'jobs'", "render.samples"),
    "integer for a boolean": ("[scene]\nground = 1\n", "job 'jobs'", "scene.ground"),
    "below the minimum": ("[surface]\narc_segments = 1\n", "job 'jobs'", "surface.arc_segments"),
    "above the maximum": ("[render]\nsamples = 100000\n", "job 'jobs'", "render.samples"),
    "not finite": ("[scene]\nsun_strength = inf\n", "job 'jobs'", "scene.sun_strength"),
    "bad choice": ("[surface]\nprofile = \"smoth\"\n", "job 'jobs'", "surface.profile"),
    "bad device": ("[render]\ndevice = \"gpu\"\n", "job 'jobs'", "render.device"),
    "bad file format": ("[render]\nfile_format = \"JPEG\"\n", "job 'jobs'", "render.file_format"),
    "bad resolution text": ("[render]\nresolution = \"64by36\"\n", "job 'jobs'", "render.resolution"),
    "resolution of three": ("[render]\nresolution = [64, 36, 2]\n", "job 'jobs'", "render.resolution"),
    "resolution too small": ("[render]\nresolution = [2, 36]\n", "job 'jobs'", "render.resolution"),
    "colour out of range": ("[material]\nbase_color = [0.5, 0.5, 2.0]\n", "job 'jobs'", "material.base_color"),
    "bad value in a sweep": ("[surface]\nrows = [4, 0]\n", "job 'jobs'", "surface.rows[1]"),
    "empty sweep": ("[surface]\nrows = []\n", "job 'jobs'", "surface.rows"),
    "value twice in a sweep": ("[surface]\nrows = [4, 4]\n", "job 'jobs'", "surface.rows"),
    "unknown preset": ("preset = \"Kistefos\"\n", "job 'jobs'", "preset"),
    "table given a number": ("surface = 3\n", "job 'jobs'", "surface"),
    "output dir absolute": ("[output]\ndir = \"/tmp/elsewhere\"\n", "top level", "output.dir"),
    "output dir climbing out": ("[output]\ndir = \"renders/../../x\"\n", "top level", "output.dir"),
    "output unknown key": ("[output]\ndirectory = \"x\"\n", "top level", "output.directory"),
    "job without a name": ("[[job]]\n[job.surface]\nrows = 4\n", "job #1", "name"),
    "job name with ..": ("[[job]]\nname = \"../escape\"\n", "job #1", "name"),
    "job name absolute": ("[[job]]\nname = \"/tmp/x\"\n", "job #1", "name"),
    "job name with a slash": ("[[job]]\nname = \"a/b\"\n", "job #1", "name"),
    "job name with a space": ("[[job]]\nname = \"a b\"\n", "job #1", "name"),
    "job name twice": ("[[job]]\nname = \"a\"\n[[job]]\nname = \"a\"\n", "job 'a' (#2)", "name"),
    "unknown key in a job": ("[[job]]\nname = \"a\"\n[job.surface]\nrowz = 4\n", "job 'a'", "surface.rowz"),
    "output inside a job": ("[[job]]\nname = \"a\"\n[job.output]\ndir = \"x\"\n", "job 'a'", "output"),
    "job as a table": ("[job]\nname = \"a\"\n", "top level", "job"),
    "surface folds over": ("[surface]\ns_bend = -2.5\n", "job 'jobs'", "surface"),
    "too many vertices": ("[surface]\narc_segments = 2048\nrows = 2048\n", "job 'jobs'", "surface"),
    "sweep too large": ("[surface]\narc_segments = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"
                        "rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nsubdiv_levels = [0, 1, 2, 3, 4, 5, 6]\n"
                        "render_levels = [0, 1, 2, 3, 4, 5, 6]\nradius = [1.0, 2.0, 3.0]\n", "job 'jobs'",
                        "surface.arc_segments, surface.rows, surface.subdiv_levels, surface.render_levels, "
                        "surface.radius"),
    "output names collide": ("[[job]]\nname = \"a\"\n[job.surface]\nrows = [4, 8]\n"
                             "[[job]]\nname = \"a__rows-4\"\n", "job 'a__rows-4'", "name"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_job_file_exit_2_names_file_job_key_writes_nothing(case, tmp_path, capsys):
    text, job, key = BAD_FILES[case]
    path = write(tmp_path, text)
    out = tmp_path / "out"
    code, stdout, err = run_cli(["render", path, "--out", str(out)], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert lines, err
    hit = [line for line in lines if path in line and f": {job}" in line and f": {key}:" in line]
    assert hit, f"no message names {path}, {job} and {key}:\n{err}"
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "jobs.toml"]


def test_did_you_mean_and_wrong_table_hints(tmp_path):
    path = write(tmp_path, """
        [surface]
        arc_segmets = 8
        samples = 4
        profile = "smoth"
        """)
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.load(path)
    text = str(info.value)
    assert "did you mean 'arc_segments'?" in text
    assert "'samples' belongs in [render]" in text
    assert "did you mean 'SMOOTH'?" in text
    assert len(info.value.problems) == 3  # one message per problem


def test_every_problem_reported_at_once(tmp_path, capsys):
    path = write(tmp_path, """
        [surface]
        rows = 0
        [render]
        samples = 0
        [[job]]
        name = "../x"
        [[job]]
        name = "ok"
        [job.scene]
        sun_elevation = 95.0
        """)
    code, _, err = run_cli(["validate", path], capsys)
    assert code == 2
    assert len([line for line in err.splitlines() if line.startswith("error: ")]) == 4


def test_problems_of_a_clean_level_still_expand(tmp_path):
    """A bad job does not hide a fold in another job's sweep."""
    path = write(tmp_path, """
        [[job]]
        name = "bad"
        [job.surface]
        rows = -1
        [[job]]
        name = "bend"
        [job.surface]
        s_bend = [0.0, -2.5]
        """)
    with pytest.raises(jobfile.JobFileError) as info:
        jobfile.load(path)
    assert any("job 'bad'" in p and "surface.rows" in p for p in info.value.problems)
    assert any("job 'bend__s_bend--2.5'" in p and "folds" in p for p in info.value.problems)


def test_invalid_toml_missing_file_and_not_utf8(tmp_path, capsys):
    broken = write(tmp_path, "[surface\nrows = 4\n", "broken.toml")
    code, _, err = run_cli(["validate", broken], capsys)
    assert code == 2 and broken in err and "not valid TOML" in err and "line 1" in err
    missing = str(tmp_path / "missing.toml")
    code, _, err = run_cli(["render", missing], capsys)
    assert code == 2 and missing in err and "no such job file" in err
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[surface]\n")
    code, _, err = run_cli(["validate", str(binary)], capsys)
    assert code == 2 and "UTF-8" in err


@pytest.mark.parametrize("argv,needle", [
    (["--samples", "0"], "--samples: 0 is out of range"),
    (["--samples", "many"], "--samples: expected a whole number"),
    (["--resolution", "64"], "--resolution: expected [width, height] or 'WIDTHxHEIGHT'"),
    (["--resolution", "2x2"], "--resolution: [2, 2]: 2 is out of range"),
])
def test_bad_command_line_values_exit_2(argv, needle, tmp_path, capsys):
    path = write(tmp_path, "")
    code, _, err = run_cli(["render", path, "--out", str(tmp_path / "out"), *argv], capsys)
    assert code == 2 and needle in err and "command line" in err
    assert not (tmp_path / "out").exists()


def test_unknown_device_choice_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "")
    with pytest.raises(SystemExit) as info:
        cli.main(["render", path, "--device", "gpu"])
    assert info.value.code == 2
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


def test_bad_file_in_a_real_process_exits_2_without_traceback(tmp_path):
    path = write(tmp_path, "[surface]\nrows = 0\n")
    proc = subprocess.run([sys.executable, "-m", "render_jobs", "render", path, "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert f"error: {path}: job 'jobs': surface.rows: 0 is out of range" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_sweep_is_the_cartesian_product_in_order(tmp_path):
    path = write(tmp_path, """
        [render]
        resolution = [[64, 36], "128x72"]
        [[job]]
        name = "res"
        [job.surface]
        arc_segments = [4, 8, 16]
        rows = [1, 4]
        """)
    batch = jobfile.load(path)
    jobs = batch.jobs
    assert len(jobs) == 2 * 3 * 2
    assert [(j.render.resolution, j.surface.arc_segments, j.surface.rows) for j in jobs[:3]] == [
        ((64, 36), 4, 1), ((64, 36), 4, 4), ((64, 36), 8, 1)]
    assert jobs[0].name == "res__resolution-64x36__arc_segments-4__rows-1"
    assert jobs[-1].label() == ["resolution=128x72", "arc_segments=16", "rows=4"]
    assert len({j.name for j in jobs}) == len(jobs)
    (group,) = batch.groups
    assert [k for k, _ in group.axes] == ["render.resolution", "surface.arc_segments", "surface.rows"]
    assert all(j.surface.radius == SurfaceParams().radius for j in jobs)  # the rest: defaults


def test_vectors_are_values_and_lists_of_vectors_sweep(tmp_path):
    path = write(tmp_path, """
        [material]
        base_color = [0.5, 0.5, 0.5]
        [render]
        resolution = [64, 36]
        """)
    (job,) = jobfile.load(path).jobs
    assert job.material.base_color == (0.5, 0.5, 0.5) and job.render.resolution == (64, 36)
    assert job.name == "jobs" and job.sweep == ()
    path = write(tmp_path, "[material]\nbase_color = [[0.5, 0.5, 0.5], [0.9, 0.8, 0.7]]\n")
    assert [j.material.base_color for j in jobfile.load(path).jobs] == [(0.5, 0.5, 0.5), (0.9, 0.8, 0.7)]


def test_precedence_defaults_preset_top_level_job(tmp_path):
    recipe = PRESETS["Recipe"]
    path = write(tmp_path, """
        preset = "Recipe"
        [surface]
        arc_segments = 12
        [render]
        samples = 3
        [[job]]
        name = "file_preset"
        [[job]]
        name = "job_table"
        [job.surface]
        arc_segments = 10
        [[job]]
        name = "job_preset"
        preset = "Kistefos-like"
        [[job]]
        name = "job_preset_and_table"
        preset = "kistefos-like"
        [job.surface]
        rows = 3
        """)
    jobs = {j.name: j for j in jobfile.load(path).jobs}
    a = jobs["file_preset"]
    assert a.preset == "Recipe" and a.surface.rows == recipe["rows"] and a.surface.arc_segments == 12
    assert a.render.samples == 3
    assert jobs["job_table"].surface.arc_segments == 10 and jobs["job_table"].surface.rows == recipe["rows"]
    k = PRESETS["Kistefos-like"]
    c = jobs["job_preset"]  # a job's preset sits over the top-level tables
    assert c.preset == "Kistefos-like" and c.surface.arc_segments == k["arc_segments"] and c.surface.rows == k["rows"]
    d = jobs["job_preset_and_table"]
    assert d.surface.rows == 3 and d.surface.profile == k["profile"]


def test_preset_sweep_and_job_override_of_a_top_level_sweep(tmp_path):
    path = write(tmp_path, """
        [surface]
        rows = [2, 4]
        [[job]]
        name = "presets"
        preset = ["Default", "Recipe"]
        [job.surface]
        rows = 6
        [[job]]
        name = "rows"
        """)
    jobs = jobfile.load(path).jobs
    assert [j.name for j in jobs] == ["presets__preset-Default", "presets__preset-Recipe", "rows__rows-2",
                                      "rows__rows-4"]
    assert [j.surface.rows for j in jobs] == [6, 6, 2, 4]
    assert jobs[1].surface.fit_limit_surface is False  # from the Recipe preset


def test_choices_take_their_canonical_spelling(tmp_path):
    path = write(tmp_path, "[surface]\nprofile = \"smooth\"\n[render]\ndevice = \"CPU\"\nfile_format = \"open_exr\"\n")
    (job,) = jobfile.load(path).jobs
    assert (job.surface.profile, job.render.device, job.render.file_format) == ("SMOOTH", "cpu", "OPEN_EXR")
    assert job.image_name == "jobs.exr" and job.sidecar_name == "jobs.json"


def test_output_dir_relative_to_working_directory_and_overridden_by_out(tmp_path, monkeypatch):
    path = write(tmp_path, "[output]\ndir = \"renders/today\"\ncontact_sheet = false\n")
    monkeypatch.chdir(tmp_path)
    batch = jobfile.load(path)
    assert batch.out_dir == str(tmp_path / "renders" / "today") and batch.contact_sheet is False
    assert jobfile.load(path, out_dir=str(tmp_path / "x")).out_dir == str(tmp_path / "x")


def test_command_line_overrides_replace_every_jobs_render_settings(tmp_path):
    path = write(tmp_path, "[render]\nsamples = [8, 16]\n")
    batch = jobfile.with_render_overrides(jobfile.load(path), {"samples": 2, "resolution": (64, 36)})
    assert [(j.render.samples, j.render.resolution) for j in batch.jobs] == [(2, (64, 36))] * 2
    assert [j.name for j in batch.jobs] == ["jobs__samples-8", "jobs__samples-16"]


def test_dry_run_prints_the_expanded_jobs_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, """
        [[job]]
        name = "res"
        [job.surface]
        arc_segments = [4, 8]
        rows = [1, 2]
        """)
    out = tmp_path / "out"
    code, stdout, _ = run_cli(["render", path, "--out", str(out), "--dry-run", "--samples", "2"], capsys)
    assert code == 0
    assert "4 jobs, 4 to render, 0 up to date" in stdout
    assert "res__arc_segments-8__rows-2.png" in stdout and "2 samples" in stdout
    assert "contact sheet:" in stdout and "res.contact.png" in stdout
    assert "dry run: nothing rendered" in stdout
    assert not out.exists()
    code, listed, _ = run_cli(["list", path, "--out", str(out)], capsys)
    assert code == 0 and sum(1 for line in listed.splitlines() if line.startswith("  [") and "to render" in line) == 4


def test_examples_validate(capsys):
    examples = [os.path.join(ROOT, "examples", f) for f in sorted(os.listdir(os.path.join(ROOT, "examples")))
                if f.endswith(".toml")]
    assert any(f.endswith("default.toml") for f in examples)
    code, out, err = run_cli(["validate", *examples], capsys)
    assert code == 0, err
    sweep = jobfile.load(os.path.join(ROOT, "examples", "resolution_sweep.toml"))
    axes = [k for g in sweep.groups for k, _ in g.axes]
    assert "surface.arc_segments" in axes and "surface.rows" in axes
    (default,) = jobfile.load(os.path.join(ROOT, "examples", "default.toml")).jobs
    assert default.render == RenderParams() and default.name == "default"


def test_limits_come_from_defaults():
    assert jobfile.MAX_JOBS == MAX_RENDER_JOBS


def test_help_exits_0(capsys):
    for argv in (["--help"], ["render", "--help"], ["validate", "--help"], ["list", "--help"]):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 0
    assert "--dry-run" in capsys.readouterr().out
