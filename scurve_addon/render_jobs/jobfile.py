"""Job files: read the TOML, validate every value against scurve_addon.defaults, expand sweeps.

Pure Python (no bpy): `validate`, `list` and `--dry-run` run without Blender. Job files are
data only; nothing in them is executed, and every output name is a plain file name inside
the output directory. The schema is documented in README.md, section "Render jobs":

    preset = "Default"                  # optional, a name in defaults.PRESETS
    [output]                            # dir (relative, default "out"), contact_sheet
    [surface] [material] [scene] [render]   # values for every job
    [[job]]                             # name, optional preset, [job.surface] ... overrides
    [animation] [animation.keys]        # optional: frames, fps, camera path, keyed values

Values given as a list sweep (cartesian product). Precedence, lowest first: defaults.py,
the file's preset, the top-level tables, the job's preset, the job's tables (a job's preset
replaces the file's). No [[job]] at all: the file is one job (or one sweep) named after it.
"""
from __future__ import annotations

import itertools
import math
import os
import re
import stat
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from .. import geometry
from ..defaults import (
    KEYABLE_TABLES,
    MAX_ANIMATION_FRAMES,
    MAX_RENDER_JOBS,
    PRESETS,
    AnimationParams,
    MaterialParams,
    RenderParams,
    SceneParams,
    SurfaceParams,
    defaults,
    specs,
)
from . import camera_paths
from .values import check, clip, is_sweep, key_text, show, suggest, type_name

TABLES: dict[str, type] = {"surface": SurfaceParams, "material": MaterialParams,
                           "scene": SceneParams, "render": RenderParams}
FIELD_TABLE = {name: table for table, cls in TABLES.items() for name in specs(cls)}
TOP_KEYS = ("preset", "output", *TABLES, "animation", "job")
JOB_KEYS = ("name", "preset", *TABLES, "animation")
ANIMATION_KEYS = (*specs(AnimationParams), "keys")
# [animation.keys]: the float parameters of these tables, 'table.key' by their plain key
KEYABLE = {name: table for table in KEYABLE_TABLES for name, default in defaults(TABLES[table]).items()
           if isinstance(default, float)}
OUTPUT_KEYS = ("dir", "contact_sheet")
DEFAULT_OUT_DIR = "out"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_NAME = 120
EXTENSIONS = {"PNG": ".png", "OPEN_EXR": ".exr"}
SIDECAR_EXT = ".json"
CONTACT_SHEET_SUFFIX = ".contact.png"
VIDEO_SUFFIX = ".mp4"
VIDEO_SIDECAR_SUFFIX = ".video.json"
PREVIEW_SUFFIX = ".preview.webp"
MAX_JOBS = MAX_RENDER_JOBS
MAX_FILE_BYTES = 1 << 20  # a job file is a few KB; this bounds the time and memory of reading one
MAX_DEPTH = 10  # arrays and tables inside each other; a job file needs 6 ([[job]] [job.render] sweeps of vectors)
MAX_PROBLEMS = 100  # problems listed for one file; the rest are counted
LONG_NUMBER = 4301  # digits of an integer Python will not read (sys.int_info.default_max_str_digits + 1)
BOM = "\ufeff"


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: one problem, one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class JobFileError(Exception):
    """Bad input: one message per problem, each naming the file, the job and the key."""

    def __init__(self, problems: list[str]):
        self.problems = [one_line(p) for p in problems]
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Sweep:
    """The values of one swept key, already checked and normalised."""

    values: tuple


@dataclass(frozen=True)
class Job:
    """One image to render: fully resolved parameters and a safe output name."""

    name: str  # file stem inside the output directory
    group: str  # the [[job]] entry it came from
    sweep: tuple[tuple[str, Any], ...]  # (("surface.arc_segments", 8), ...) this job's swept values
    preset: str | None
    surface: SurfaceParams
    material: MaterialParams
    scene: SceneParams
    render: RenderParams
    # A frame of an animation ([animation]): its number, its time (0..1), the camera (a 4x4
    # world matrix, row by row, from camera_paths) and the keyed values ('table.key', value).
    frame: int | None = None
    time: float = 0.0
    camera: tuple[float, ...] | None = None
    keyed: tuple[tuple[str, float], ...] = ()

    @property
    def image_name(self) -> str:
        return self.name + EXTENSIONS[self.render.file_format]

    @property
    def sidecar_name(self) -> str:
        return self.name + SIDECAR_EXT

    def params(self) -> dict[str, Any]:
        """Every parameter, JSON-ready (tuples become lists)."""
        out: dict[str, Any] = {"preset": self.preset}
        for table in TABLES:
            out[table] = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(getattr(self, table)).items()}
        if self.camera is not None:  # only for frames: a still's parameters (and hash) stay as they were
            out["camera"] = {"matrix": list(self.camera), "frame": self.frame}
        return out

    def label(self) -> list[str]:
        """Lines naming this job's swept values, for the contact sheet."""
        frame = [f"frame {self.frame}"] if self.frame is not None else []
        return frame + [f"{key.rsplit('.', 1)[-1]}={display(value)}" for key, value in self.sweep]


@dataclass(frozen=True)
class Video:
    """The frames of one animated job (one per sweep value) and the video made of them."""

    name: str  # the animated job's name: frames are NAME.0001.png ..., the video NAME.mp4
    animation: AnimationParams
    keys: tuple[tuple[str, float, float], ...]  # ('table.key', start, end)
    frames: tuple[Job, ...]

    @property
    def video_name(self) -> str:
        return self.name + VIDEO_SUFFIX

    @property
    def sidecar_name(self) -> str:
        return self.name + VIDEO_SIDECAR_SUFFIX

    @property
    def preview_name(self) -> str:
        return self.name + PREVIEW_SUFFIX


@dataclass(frozen=True)
class Group:
    """One [[job]] entry: a single job, or the jobs of its sweep in product order."""

    name: str
    axes: tuple[tuple[str, tuple], ...]  # swept keys and their values, slowest first
    jobs: tuple[Job, ...]
    videos: tuple[Video, ...] = ()  # animated: the jobs are the videos' frames, in order

    @property
    def contact_sheet_name(self) -> str:
        return self.name + CONTACT_SHEET_SUFFIX


@dataclass(frozen=True)
class Batch:
    path: str
    out_dir: str  # absolute
    contact_sheet: bool
    groups: tuple[Group, ...]

    @property
    def jobs(self) -> list[Job]:
        return [job for group in self.groups for job in group.jobs]

    @property
    def videos(self) -> list[Video]:
        return [video for group in self.groups for video in group.videos]


def display(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "x".join(display(v) for v in value)
    return str(value)


def _name_part(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", display(value)).strip("_") or "_"


def name_problem(name: Any) -> str | None:
    """Why `name` cannot be an output file name, or None."""
    if not isinstance(name, str):
        return f"expected a string, got {show(name)} ({type_name(name)})"
    if not name:
        return "must not be empty"
    if ".." in name or "/" in name or "\\" in name or os.path.isabs(name) or PureWindowsPath(name).drive:
        return (f"{clip(repr(name))} is not a plain file name: job names become file names inside the output "
                "directory, so '/', '\\' and '..' are not allowed")
    if not NAME_RE.match(name):
        return f"{clip(repr(name))}: use letters, digits, '.', '_' and '-' only, starting with a letter or digit"
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; at most {MAX_NAME}"
    return None


def out_dir_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {show(value)} ({type_name(value)})"
    if not value.strip():
        return "must not be empty"
    posix, win = PurePosixPath(value), PureWindowsPath(value)
    if posix.is_absolute() or win.is_absolute() or win.drive or value.startswith(("/", "\\", "~")):
        return (f"{clip(repr(value))} is not a relative path: a job file may only write below the directory it is "
                "run from (give an absolute path on the command line with --out)")
    if ".." in posix.parts or ".." in win.parts:
        return f"{clip(repr(value))} climbs out with '..': a job file may only write below the directory it is run from"
    return None


class _Problems:
    """Problems of one file, each `file: where: key: message`; the first MAX_PROBLEMS are kept."""

    def __init__(self, file: str):
        self.file = file
        self.shown: list[str] = []
        self.total = 0

    def add(self, where: str, key: str, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_PROBLEMS:
            self.shown.append(f"{self.file}: {where}: {key}: {message}")

    def lines(self) -> list[str]:
        more = self.total - len(self.shown)
        return self.shown + ([f"{self.file}: ... and {more:,} more problems"] if more else [])


def _check_preset(value: Any, where: str, problems: _Problems) -> Any:
    def one(v: Any, key: str) -> str | None:
        if not isinstance(v, str):
            problems.add(where, key, f"expected a preset name (string), got {show(v)} ({type_name(v)})")
            return None
        for name in PRESETS:
            if v == name or v.lower() == name.lower():
                return name
        problems.add(where, key, f"unknown preset {show(v)}; presets: " + ", ".join(repr(p) for p in PRESETS)
                     + suggest(v, list(PRESETS)))
        return None

    if isinstance(value, list):
        if not value:
            problems.add(where, "preset", "an empty array sweeps over nothing: give at least one preset")
            return None
        names = [one(v, f"preset[{i}]") for i, v in enumerate(value)]
        if None in names:
            return None
        if len(set(names)) < len(names):
            problems.add(where, "preset", f"the sweep lists a preset twice: {show(value)}")
            return None
        return Sweep(tuple(names))
    return one(value, "preset")


def _check_table(table: str, raw: Any, where: str, problems: _Problems, layer: dict[str, Any]) -> None:
    if not isinstance(raw, dict):
        problems.add(where, table, f"expected a table of {table} parameters, got {show(raw)} ({type_name(raw)})")
        return
    cls = TABLES[table]
    spec_map, default_map = specs(cls), defaults(cls)
    for key, value in raw.items():
        dotted = f"{table}.{key}"
        if key not in spec_map:
            dotted = f"{table}.{key_text(key)}"
            other = FIELD_TABLE.get(key)
            hint = f"; {key!r} belongs in [{other}]" if other else suggest(key, list(spec_map))
            problems.add(where, dotted, "unknown key" + hint)
            continue
        spec, default = spec_map[key], default_map[key]
        if is_sweep(default, value):
            if not value:
                problems.add(where, dotted, "an empty array sweeps over nothing: give at least one value")
                continue
            values, ok = [], True
            for i, item in enumerate(value):
                v, err = check(spec, default, item)
                if err:
                    problems.add(where, f"{dotted}[{i}]", err)
                    ok = False
                values.append(v)
            if ok and len(set(values)) < len(values):
                problems.add(where, dotted, f"the sweep lists a value twice: {show(value)}")
                ok = False
            if ok:
                layer[dotted] = Sweep(tuple(values))
        else:
            v, err = check(spec, default, value)
            if err:
                problems.add(where, dotted, err)
            else:
                layer[dotted] = v


ANIMATED = "animation.@"  # in a layer: the level has an [animation] table (its values are 'animation.KEY')


def _check_frames(value: Any) -> tuple[tuple[int, int] | None, str | None]:
    """`frames`: a count N (frames 1..N) or a range [start, end]."""
    spec = specs(AnimationParams)["frames"]
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1 or value > MAX_ANIMATION_FRAMES:
            return None, f"{show(value)} frames: give between 1 and {MAX_ANIMATION_FRAMES:,}"
        return (1, value), None
    if not isinstance(value, list):
        return None, (f"expected a number of frames or a range [start, end], got {show(value)} "
                      f"({type_name(value)})")
    frames, err = check(spec, defaults(AnimationParams)["frames"], value)
    if err:
        return None, err
    start, end = frames
    if end < start:
        return None, f"{show(value)}: the last frame comes before the first"
    if end - start + 1 > MAX_ANIMATION_FRAMES:
        return None, f"{show(value)} makes {end - start + 1:,} frames, more than the limit of {MAX_ANIMATION_FRAMES:,}"
    return frames, None


def _check_animation(raw: Any, where: str, problems: _Problems, layer: dict[str, Any]) -> None:
    """[animation] (and [animation.keys]): values as 'animation.KEY', keyed ones as 'keys.TABLE.KEY'."""
    if not isinstance(raw, dict):
        problems.add(where, "animation", f"expected a table ([animation]), got {show(raw)} ({type_name(raw)})")
        return
    layer[ANIMATED] = True
    spec_map, default_map = specs(AnimationParams), defaults(AnimationParams)
    for key, value in raw.items():
        dotted = f"animation.{key_text(key)}"
        if key == "keys":
            _check_keys(value, where, problems, layer)
        elif key == "frames":
            frames, err = _check_frames(value)
            if err:
                problems.add(where, dotted, err)
            else:
                layer[dotted] = frames
        elif key in spec_map:
            if isinstance(value, list) and not isinstance(default_map[key], tuple):
                problems.add(where, dotted, f"expected one value, got {show(value)}: animation values cannot be "
                                            "swept (key a parameter in [animation.keys] to change it over time)")
                continue
            v, err = check(spec_map[key], default_map[key], value)
            if err:
                problems.add(where, dotted, err)
            else:
                layer[dotted] = v
        else:
            hint = "; keyed parameters go in [animation.keys]" if key in KEYABLE else suggest(key, ANIMATION_KEYS)
            problems.add(where, dotted, "unknown key" + hint)


def _check_keys(raw: Any, where: str, problems: _Problems, layer: dict[str, Any]) -> None:
    if not isinstance(raw, dict):
        problems.add(where, "animation.keys", f"expected a table ([animation.keys]) of parameter = [start, end], "
                                              f"got {show(raw)} ({type_name(raw)})")
        return
    for key, value in raw.items():
        dotted = f"animation.keys.{key_text(key)}"
        table = KEYABLE.get(key)
        if table is None:
            why = (f"; {key!r} is not a number that can change over time: only the float parameters of "
                   f"[{'], ['.join(KEYABLE_TABLES)}] can be keyed" if key in FIELD_TABLE else "")
            problems.add(where, dotted, "unknown key" + (why or suggest(key, list(KEYABLE))))
            continue
        if not isinstance(value, list) or len(value) != 2:
            problems.add(where, dotted, f"expected [start, end], got {show(value)} ({type_name(value)})")
            continue
        spec, default = specs(TABLES[table])[key], defaults(TABLES[table])[key]
        ends = []
        for i, item in enumerate(value):
            v, err = check(spec, default, item)
            if err:
                problems.add(where, f"{dotted}[{i}]", err)
            ends.append(v)
        if None not in ends:
            layer[f"keys.{table}.{key}"] = tuple(ends)


def _check_layer(raw: dict, allowed: tuple[str, ...], where: str, problems: _Problems) -> dict[str, Any]:
    """Checked values of one level (the top level or a [[job]]), keyed 'preset' or 'table.key'."""
    layer: dict[str, Any] = {}
    if "preset" in raw:
        preset = _check_preset(raw["preset"], where, problems)
        if preset is not None:
            layer["preset"] = preset
    for key, value in raw.items():
        if key in TABLES:
            _check_table(key, value, where, problems, layer)
        elif key == "animation" and key in allowed:
            _check_animation(value, where, problems, layer)
        elif key not in allowed:
            if key in FIELD_TABLE:
                hint = f"; put it in a [{FIELD_TABLE[key]}] table"
            elif key == "output":
                hint = "; [output] belongs at the top level of the file"
            elif key == "name":
                hint = ("; names belong in [[job]] entries (a file without [[job]] is one job named "
                        "after the file)")
            else:
                hint = suggest(key, list(allowed))
            problems.add(where, key_text(key), "unknown key" + hint)
    return layer


def read_text(path: str) -> str:
    """The text of a job file: at most MAX_FILE_BYTES, UTF-8 (a leading byte-order mark is dropped)."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise JobFileError([f"{path}: not a regular file, so not a job file"])
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise JobFileError([f"{path}: no such job file"]) from None
    except IsADirectoryError:
        raise JobFileError([f"{path}: is a directory, not a job file"]) from None
    except OSError as exc:
        raise JobFileError([f"{path}: cannot read job file: {exc.strerror or exc}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise JobFileError([_size_problem(path, max(info.st_size, len(data)))])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise JobFileError([f"{path}: not valid TOML: the file is not UTF-8 text"]) from None


def _size_problem(name: str, size: int) -> str:
    return (f"{name}: the file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes (1 MiB) "
            "for a job file (a job file is a few KB; sweeps are written as lists, not one [[job]] per image)")


def _parse(text: str, name: str) -> dict:
    """The TOML of a job file's text, or JobFileError: too large, not TOML, nested too deeply."""
    text = text.removeprefix(BOM)
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise JobFileError([_size_problem(name, len(text.encode("utf-8", "surrogatepass")))])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise JobFileError([f"{name}: not valid TOML: {exc}"]) from None
    except RecursionError:
        raise JobFileError([f"{name}: not valid TOML here: arrays or tables are nested too deeply "
                            f"(a job file needs at most {MAX_DEPTH} levels)"]) from None
    except ValueError as exc:  # Python refuses to convert an integer of more than 4,300 digits
        m = re.search(rf"\d[\d_]{{{LONG_NUMBER - 1},}}", text)
        if m is None:
            raise JobFileError([f"{name}: not valid TOML here: {clip(str(exc), 200)}"]) from None
        line = text.count("\n", 0, m.start()) + 1
        raise JobFileError([f"{name}: not valid TOML here: line {line}: a number with too many digits "
                            f"(more than {LONG_NUMBER - 1:,})"]) from None
    deep = _too_deep(raw)
    if deep is not None:
        raise JobFileError([f"{name}: top level: {deep}: arrays or tables nested more than {MAX_DEPTH} "
                            "levels deep; a job file needs at most 6"])
    return raw


def _too_deep(raw: dict) -> str | None:
    """The key of the first value nested deeper than MAX_DEPTH, or None."""
    stack: list[tuple[Any, int, str]] = [(raw, 0, "")]
    while stack:
        value, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            return key or "(top)"
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{key}.{key_text(k)}" if key else key_text(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{key}[{i}]") for i, v in enumerate(value))
    return None


def default_job_name(path: str) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or "render"


def _normalised_preset_values(name: str) -> dict[str, Any]:
    out = {}
    for key, value in PRESETS[name].items():
        table = FIELD_TABLE[key]
        v, err = check(specs(TABLES[table])[key], defaults(TABLES[table])[key], value)
        assert err is None, f"defaults.PRESETS[{name!r}][{key!r}]: {err}"
        out[f"{table}.{key}"] = v
    return out


@dataclass(frozen=True)
class _Level:
    """One [[job]] entry (or the whole file without [[job]]), checked, before expansion."""

    name: str
    where: str
    layer: dict[str, Any]


def _check_output(output: Any, problems: _Problems) -> tuple[str, bool]:
    """[output]: (dir, contact_sheet), the defaults where missing or bad."""
    out_rel, contact_sheet = DEFAULT_OUT_DIR, True
    if not isinstance(output, dict):
        problems.add("top level", "output", f"expected a table ([output]), got {type_name(output)}")
        return out_rel, contact_sheet
    for key, value in output.items():
        if key == "dir":
            err = out_dir_problem(value)
            if err:
                problems.add("top level", "output.dir", err)
            else:
                out_rel = value
        elif key == "contact_sheet":
            if isinstance(value, bool):
                contact_sheet = value
            else:
                problems.add("top level", "output.contact_sheet",
                             f"expected true or false, got {show(value)} ({type_name(value)})")
        else:
            problems.add("top level", f"output.{key_text(key)}", "unknown key" + suggest(key, list(OUTPUT_KEYS)))
    return out_rel, contact_sheet


def _check_jobs(entries: Any, problems: _Problems) -> list[_Level]:
    """The clean [[job]] entries; a problem for each bad name, duplicate or value."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.add("top level", "job", "expected [[job]] entries (an array of tables), got " + type_name(entries))
        return []
    if not entries:
        problems.add("top level", "job", "no jobs: add a [[job]] entry with a name, or remove 'job'")
        return []
    levels = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        name = entry.get("name")
        err = name_problem(name) if "name" in entry else "missing: every [[job]] needs a name"
        where = f"job {name!r}" if not err else f"job #{i + 1}"
        before = problems.total
        if err:
            problems.add(where, "name", err)
        elif name in seen:
            where = f"job {name!r} (#{i + 1})"
            problems.add(where, "name", f"{name!r} is also the name of job #{seen[name] + 1}")
        else:
            seen[name] = i
        layer = _check_layer(entry, JOB_KEYS, where, problems)
        if problems.total == before:
            levels.append(_Level(name, where, layer))
    return levels


def _validate(raw: dict, name: str, problems: _Problems) -> tuple[dict[str, Any], list[_Level], str, bool]:
    """Every value of the file checked: (top level, clean job levels, output dir, contact sheet)."""
    entries = raw.get("job")
    if isinstance(entries, list) and len(entries) > MAX_JOBS:  # before looking at any of them
        problems.add("top level", "job", f"the file has {len(entries):,} [[job]] entries, more than the "
                                         f"limit of {MAX_JOBS:,} jobs")
        raise JobFileError(problems.lines())
    implicit = entries is None
    top_where = f"job {default_job_name(name)!r}" if implicit else "top level (all jobs)"
    top = _check_layer({k: v for k, v in raw.items() if k not in ("output", "job")}, TOP_KEYS, top_where, problems)
    top_ok = problems.total == 0
    out_rel, contact_sheet = _check_output(raw.get("output", {}), problems)
    levels = [_Level(default_job_name(name), top_where, {})] if implicit else _check_jobs(entries, problems)
    if not top_ok:  # expanding bad values would only repeat the messages
        raise JobFileError(problems.lines())
    return top, levels, out_rel, contact_sheet


def _plan(top: dict[str, Any], job: dict[str, Any]) -> tuple[Any, str | None, dict[str, Any], list]:
    """(preset, where the preset comes from, merged values, swept axes) of one level pair."""
    preset_level = "job" if "preset" in job else ("top" if "preset" in top else None)
    preset = job.get("preset", top.get("preset"))
    # Swept keys in the order written: the top level's first, then the job's own.
    merged = {k: v for k, v in top.items() if k != "preset" and k not in job}
    merged.update({k: v for k, v in job.items() if k != "preset"})
    axes = ([("preset", preset.values)] if isinstance(preset, Sweep) else [])
    axes += [(k, v.values) for k, v in merged.items() if isinstance(v, Sweep)]
    return preset, preset_level, merged, axes


def _count(top: dict[str, Any], level: _Level) -> int:
    merged = _plan(top, level.layer)[2]
    frames = 1
    if ANIMATED in merged:
        start, end = merged.get("animation.frames", defaults(AnimationParams)["frames"])
        frames = end - start + 1
    return math.prod(len(values) for _, values in _plan(top, level.layer)[3]) * frames


def _expand(group: str, top: dict[str, Any], job: dict[str, Any], problems: _Problems) -> Group:
    """The jobs of one level pair: defaults < preset and tables, per the precedence above."""
    preset, preset_level, merged, axes = _plan(top, job)
    jobs, videos = [], []
    for combo in itertools.product(*(values for _, values in axes)):
        chosen = dict(zip((k for k, _ in axes), combo, strict=True))
        this_preset = chosen.get("preset", preset)
        current = {k: chosen.get(k, v) for k, v in merged.items()}
        resolved: dict[str, Any] = {}
        if preset_level == "top":
            resolved.update(_normalised_preset_values(this_preset))
        resolved.update({k: v for k, v in current.items() if k not in job})  # top-level tables
        if preset_level == "job":
            resolved.update(_normalised_preset_values(this_preset))
        resolved.update({k: v for k, v in current.items() if k in job})
        per_table: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
        animation: dict[str, Any] = {}
        keys: dict[str, tuple[float, float]] = {}
        for dotted, v in resolved.items():
            table, key = dotted.split(".", 1)
            if table == "animation":
                if key != "@":
                    animation[key] = v
            elif table == "keys":
                keys[key] = v
            else:
                per_table[table][key] = v
        params = {t: TABLES[t](**per_table[t]) for t in TABLES}
        sweep = tuple((k, chosen[k]) for k, _ in axes)
        name = group + "".join(f"__{k.rsplit('.', 1)[-1]}-{_name_part(v)}" for k, v in sweep)
        if ANIMATED not in merged:
            try:
                geometry.validate(params["surface"])
            except ValueError as exc:
                problems.add(f"job {name!r}", "surface", str(exc))
                continue
            jobs.append(Job(name=name, group=group, sweep=sweep, preset=this_preset, **params))
            continue
        video = _frames(name, group, sweep, this_preset, params, AnimationParams(**animation), keys, problems)
        if video is not None:
            videos.append(video)
            jobs += video.frames
    return Group(name=group, axes=tuple(axes), jobs=tuple(jobs), videos=tuple(videos))


def _frames(name: str, group: str, sweep: tuple, preset: str | None, params: dict[str, Any],
            anim: AnimationParams, keys: dict[str, tuple[float, float]], problems: _Problems) -> Video | None:
    """The frames of one animated job: keyed values interpolated, the camera on its path."""
    width, height = params["render"].resolution
    if width % 2 or height % 2:
        problems.add(f"job {name!r}", "render.resolution", f"{width}x{height}: the video of an animation (H.264) "
                                                           "needs an even width and height")
        return None
    frames, checked = [], set()
    for frame in camera_paths.frame_range(anim):
        t = camera_paths.frame_time(anim, frame)
        keyed = tuple((dotted, camera_paths.interpolate(a, b, anim.easing, t)) for dotted, (a, b) in keys.items())
        these = dict(params)
        for table in KEYABLE_TABLES:
            values = {k.split(".", 1)[1]: v for k, v in keyed if k.startswith(table + ".")}
            if values:
                these[table] = replace(these[table], **values)
        surface = these["surface"]
        if surface not in checked:
            try:
                geometry.validate(surface)
            except ValueError as exc:
                problems.add(f"job {name!r}", "surface", f"frame {frame}: {exc}")
                return None
            checked.add(surface)
        camera = camera_paths.as_tuple(camera_paths.camera_matrix(anim, t, surface.radius, surface.length))
        frames.append(Job(name=f"{name}.{frame:04d}", group=group, sweep=sweep, preset=preset, frame=frame,
                          time=t, camera=camera, keyed=keyed, **these))
    return Video(name=name, animation=anim, keys=tuple((k, a, b) for k, (a, b) in keys.items()),
                 frames=tuple(frames))


def _expand_all(top: dict[str, Any], levels: list[_Level], problems: _Problems) -> list[Group]:
    """Every level's jobs, once the number of jobs they make is known to be within the limit."""
    counts = []
    for level in levels:
        count = _count(top, level)
        if count > MAX_JOBS:
            axes = _plan(top, level.layer)[3]
            problems.add(level.where, ", ".join(k for k, _ in axes),
                         f"the sweep makes {count:,} jobs, more than the limit of {MAX_JOBS:,}")
        counts.append(count)
    if any(count > MAX_JOBS for count in counts):
        return []
    if sum(counts) > MAX_JOBS:
        problems.add("top level", "job", f"the file makes {sum(counts):,} jobs, more than the limit of {MAX_JOBS:,}")
        return []
    return [_expand(level.name, top, level.layer, problems) for level in levels]


def _check_outputs(groups: list[Group], contact_sheet: bool, problems: _Problems) -> None:
    """Every output file name is a plain name, written by one job only (case-insensitively)."""
    owners: dict[str, tuple[int, str]] = {}
    writers = 0
    clashes: set[tuple[int, int]] = set()
    for group in groups:
        files = []
        for job in group.jobs:
            writers += 1
            who = f"job {job.name!r}" + (f" (a sweep of job {group.name!r})" if job.sweep else "")
            files += [(f, writers, who) for f in (job.image_name, job.sidecar_name)]
        if len(group.jobs) > 1 and contact_sheet and not group.videos:
            writers += 1
            files.append((group.contact_sheet_name, writers, f"job {group.name!r} (its contact sheet)"))
        for video in group.videos:
            writers += 1
            files += [(f, writers, f"job {video.name!r} (its video)")
                      for f in (video.video_name, video.sidecar_name, video.preview_name)]
        for file, writer, who in files:
            err = name_problem(file)
            key = file.lower()  # case-insensitive file systems
            if err:
                problems.add(who, "name", err)
            elif key in owners and owners[key][0] != writer:
                if (writer, owners[key][0]) not in clashes:  # once per pair of jobs
                    clashes.add((writer, owners[key][0]))
                    problems.add(who, "name", f"writes {file!r}, which {owners[key][1]} writes too")
            else:
                owners.setdefault(key, (writer, who))


def loads(text: str, name: str, out_dir: str | None = None) -> Batch:
    """Validate a job file's text; `name` is its path, shown in messages and naming a file without
    [[job]]. Raises JobFileError listing the problems found."""
    if out_dir is not None and not out_dir.strip():
        raise JobFileError([f"{name}: output directory: {out_dir!r} is empty; give a directory"])
    problems = _Problems(name)
    top, levels, out_rel, contact_sheet = _validate(_parse(text, name), name, problems)
    groups = _expand_all(top, levels, problems)
    _check_outputs(groups, contact_sheet, problems)
    if problems.total:
        raise JobFileError(problems.lines())
    return Batch(path=name, out_dir=os.path.abspath(out_dir if out_dir is not None else out_rel),
                 contact_sheet=contact_sheet, groups=tuple(groups))


def load(path: str, out_dir: str | None = None) -> Batch:
    """Read and validate a job file (at most MAX_FILE_BYTES); raises JobFileError listing every problem."""
    return loads(read_text(path), path, out_dir)


def with_render_overrides(batch: Batch, overrides: dict[str, Any]) -> Batch:
    """The batch with command-line render settings (already checked) replacing the file's."""
    if not overrides:
        return batch
    groups = tuple(replace(g, jobs=tuple(replace(j, render=replace(j.render, **overrides)) for j in g.jobs))
                   for g in batch.groups)
    return replace(batch, groups=groups)
