"""The batch runner: plan, render, verify, contact sheets, summary. Pure Python.

One runner for every way of rendering; only where the jobs render differs, and that is
the executor's business:

- local.LocalExecutor: a render session in a process of its own on this machine (or in
  this process when it is Blender itself), the jobs in job order;
- cluster.DaskExecutor: the jobs as Dask tasks, each worker rendering in long-lived
  session processes of its own.

The runner decides what is done already (sidecars), creates the output directory, removes
partial files that dead processes left, prints the header and the progress, writes the
contact sheets and the videos of animations, and ends with the summary, the images and, on stderr, every failure.
Exit codes: 0 every image is there, 1 a job (or a contact sheet) failed. Problems found
before anything is written (a missing device backend, an unreachable scheduler, an output
directory that cannot be made) raise BadInput: exit code 2, nothing rendered.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from . import paths, sidecar
from .jobfile import Batch, Group, Job, Video
from .progress import Progress, clock


class BadInput(Exception):  # noqa: N818  (bad input, not a program error)
    """Found before anything is written: exit code 2, nothing rendered."""


@dataclass
class Outcome:
    """What a batch's renders came to, filled in by the executor."""

    failures: dict[str, str] = field(default_factory=dict)  # job name -> why it failed
    by_worker: dict[str, int] = field(default_factory=dict)  # who rendered how many (Dask)


class Executor(Protocol):
    label: str  # shown after the header, e.g. " (Dask, --workers 2)"

    def open(self, batch: Batch, jobs: list[Job], stream: TextIO) -> None:
        """Get ready to render `jobs` (devices, cluster); raise BadInput for what cannot work."""

    def progress(self, total: int, to_render: int, stream: TextIO) -> Progress: ...

    def render(self, batch: Batch, todo: list[int], progress: Progress, outcome: Outcome) -> None:
        """Render the jobs of these indices, reporting each on `progress` and `outcome`."""

    def write_contact_sheet(self, batch: Batch, group: Group, title: str, columns: int) -> str:
        """Write a sweep's contact sheet; returns its path. Raises OSError or RuntimeError."""

    def encode_video(self, batch: Batch, video: Video) -> dict:
        """Write an animation's video (video.write_video); returns its sidecar. Raises RuntimeError."""

    def close(self, batch: Batch) -> list[str]:
        """Stop whatever renders; returns the partial files it removed."""


def shown(path: str) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def plan(batch: Batch, force: bool = False) -> list[bool]:
    """For each job of the batch, whether its image and sidecar are already up to date."""
    return [False if force else sidecar.is_done(job, batch.out_dir) for job in batch.jobs]


def describe(batch: Batch, done: list[bool], stream: TextIO) -> None:
    """The expanded jobs, one line each (list and --dry-run)."""
    jobs = batch.jobs
    todo = done.count(False)
    stream.write(f"{batch.path}: {len(jobs)} job{'s' * (len(jobs) != 1)}, {todo} to render, "
                 f"{len(jobs) - todo} up to date -> {shown(batch.out_dir)}\n")
    width = len(str(len(jobs)))
    name_width = max(len(job.image_name) for job in jobs)
    for i, (job, ok) in enumerate(zip(jobs, done, strict=True)):
        r = job.render
        values = " ".join(job.label())
        stream.write(f"  [{i + 1:>{width}}/{len(jobs)}] {job.image_name:<{name_width}}  "
                     f"{'up to date' if ok else 'to render ':<10}  "
                     f"{r.resolution[0]}x{r.resolution[1]}, {r.samples} samples, device {r.device}"
                     f"{'  ' + values if values else ''}\n")
    for group in sheet_groups(batch):
        stream.write(f"  contact sheet: {shown(os.path.join(batch.out_dir, group.contact_sheet_name))}\n")
    for video in batch.videos:
        stream.write(f"  video: {shown(os.path.join(batch.out_dir, video.video_name))} ({len(video.frames)} frames "
                     f"at {video.animation.fps} fps, camera path {video.animation.path})\n")


def sheet_groups(batch: Batch) -> list[Group]:
    """The groups that get a contact sheet: sweeps, when the file asks for sheets."""
    return [group for group in batch.groups if batch.contact_sheet and len(group.jobs) > 1 and not group.videos]


def contact_sheet_current(batch: Batch, group: Group) -> bool:
    """Whether the group's sheet exists and is newer than each of its images."""
    try:
        sheet = os.stat(os.path.join(batch.out_dir, group.contact_sheet_name)).st_mtime_ns
        return all(os.stat(os.path.join(batch.out_dir, job.image_name)).st_mtime_ns <= sheet
                   for job in group.jobs)
    except OSError:
        return False


def sheet_columns(group: Group) -> int:
    from .contact_sheet import columns_for

    return columns_for(len(group.jobs), [len(values) for _, values in group.axes])


def _make_output_dir(batch: Batch) -> None:
    try:
        os.makedirs(batch.out_dir, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot create the output directory {shown(batch.out_dir)}: "
                       f"{exc.strerror or exc}") from None


OTHER_OUTPUTS = (".contact.png", ".mp4")  # failures that are not a job's


def write_video(batch: Batch, video: Video, executor: Executor, outcome: Outcome, stream: TextIO) -> None:
    """An animation's MP4 and preview, once every frame is there; again only when a frame changed."""
    from . import video as videos

    path = os.path.join(batch.out_dir, video.video_name)
    frames = [job.image_name for job in video.frames]
    missing = [job.name for job in video.frames if job.name in outcome.failures]
    if missing:
        stream.write(f"video: {shown(path)}: not written: {len(missing)} of its {len(frames)} frames failed\n")
        return
    if videos.is_current(batch.out_dir, video.video_name, video.sidecar_name, frames, video.animation.fps):
        stream.write(f"video: {shown(path)} (up to date)\n")
        return
    try:
        data = executor.encode_video(batch, video)
    except (OSError, RuntimeError, ValueError) as exc:
        outcome.failures[video.video_name] = f"cannot write the video: {exc}"
        stream.write(f"video: {shown(path)}: FAILED: {exc}\n")
        return
    v = data["video"]
    stream.write(f"video: {shown(path)} ({v['frames']} frames, {v['width']}x{v['height']}, {v['fps']} fps, "
                 f"H.264)\n")
    if data.get("preview"):
        stream.write(f"preview: {shown(os.path.join(batch.out_dir, video.preview_name))}\n")
    else:
        stream.write(f"preview: skipped: {data.get('preview_note')}\n")


def run(batch: Batch, executor: Executor, force: bool = False, stream: TextIO | None = None) -> int:
    """Render what is not done yet; 0 when every image is there, 1 when a job failed.
    Raises BadInput before anything is written."""
    stream = stream or sys.stdout
    start = time.monotonic()
    jobs = batch.jobs
    done = plan(batch, force)
    todo = [i for i, ok in enumerate(done) if not ok]
    outcome = Outcome()
    progress = executor.progress(len(jobs), len(todo), stream)
    try:
        if todo:
            executor.open(batch, [jobs[i] for i in todo], stream)  # before anything is written
        _make_output_dir(batch)
        for path in paths.remove_stale_partials(batch.out_dir):
            stream.write(f"removed a partial file left by an interrupted run: {shown(path)}\n")
        stream.write(f"{batch.path}: {len(jobs)} job{'s' * (len(jobs) != 1)}, {len(todo)} to render, "
                     f"{len(jobs) - len(todo)} up to date -> {shown(batch.out_dir)}{executor.label}\n")
        stream.flush()
        for index, ok in enumerate(done):
            if ok:
                progress.skipped(index, jobs[index].name)
        if todo:
            executor.render(batch, todo, progress, outcome)
        for group in sheet_groups(batch):
            path = os.path.join(batch.out_dir, group.contact_sheet_name)
            if contact_sheet_current(batch, group):
                stream.write(f"contact sheet: {shown(path)} (up to date)\n")
                continue
            title = f"{group.name}  ({os.path.basename(batch.path)})"
            try:
                written = executor.write_contact_sheet(batch, group, title, sheet_columns(group))
            except (OSError, RuntimeError, ValueError) as exc:
                outcome.failures[group.contact_sheet_name] = f"cannot write the contact sheet: {exc}"
                stream.write(f"contact sheet: {shown(path)}: FAILED: {exc}\n")
                continue
            stream.write(f"contact sheet: {shown(written)}\n")
        for video in batch.videos:
            write_video(batch, video, executor, outcome, stream)
    finally:
        for path in executor.close(batch):
            stream.write(f"removed a partial file of a stopped render: {shown(path)}\n")

    rendered = len(progress.render_seconds)
    workers_text = ", ".join(f"{w}: {n}" for w, n in sorted(outcome.by_worker.items()))
    failed_jobs = sum(1 for name in outcome.failures if not name.endswith(OTHER_OUTPUTS))
    stream.write(f"finished in {clock(time.monotonic() - start)}: {rendered} rendered, "
                 f"{len(jobs) - len(todo)} up to date, {failed_jobs} failed"
                 + (f" (by {workers_text})" if workers_text else "") + "\n")
    for job in jobs if len(jobs) <= 20 else []:
        path = os.path.join(batch.out_dir, job.image_name)
        if os.path.isfile(path):
            stream.write(shown(path) + "\n")
    stream.flush()
    for name, error in outcome.failures.items():
        error = error.removeprefix(f"{batch.path}: ").removeprefix(f"job {name!r}: ")
        what = (f"contact sheet {name!r}" if name.endswith(".contact.png") else f"video {name!r}"
                if name.endswith(".mp4") else f"job {name!r}")
        sys.stderr.write(f"error: {batch.path}: {what} failed: {error}\n")
    sys.stderr.flush()
    return 1 if outcome.failures else 0
