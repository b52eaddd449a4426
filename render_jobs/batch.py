"""A whole batch: plan (what is done already), devices, the jobs in order, contact sheets."""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from . import paths, sidecar
from .jobfile import Batch, Group, Job
from .progress import Progress, clock


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
    for group in batch.groups:
        if batch.contact_sheet and len(group.jobs) > 1:
            stream.write(f"  contact sheet: {shown(os.path.join(batch.out_dir, group.contact_sheet_name))}\n")


class DeviceProblem(Exception):  # noqa: N818  (bad input, not a program error)
    """A job asks for a device backend this machine does not have (exit code 2)."""


class OutputProblem(Exception):  # noqa: N818  (bad input, not a program error)
    """The output directory cannot be created (exit code 2)."""


def select_devices(batch: Batch, jobs: list[Job], from_command_line: bool) -> dict:
    from . import devices

    chosen: dict[str, devices.Device] = {}
    problems: list[tuple[str, str]] = []
    for job in jobs:
        requested = job.render.device
        if requested in chosen or any(requested == p[0] for p in problems):
            continue
        try:
            chosen[requested] = devices.select(requested)
        except devices.DeviceUnavailable as exc:
            where = (f"command line: --device {requested}" if from_command_line
                     else f"{batch.path}: job {job.name!r}: render.device")
            problems.append((requested, f"{where}: {exc}"))
    if problems:
        raise DeviceProblem("\n".join(p[1] for p in problems))
    return chosen


def contact_sheet_current(batch: Batch, group: Group) -> bool:
    """Whether the group's sheet exists and is newer than each of its images."""
    try:
        sheet = os.stat(os.path.join(batch.out_dir, group.contact_sheet_name)).st_mtime_ns
        return all(os.stat(os.path.join(batch.out_dir, job.image_name)).st_mtime_ns <= sheet
                   for job in group.jobs)
    except OSError:
        return False


def write_contact_sheet(batch: Batch, group: Group, stream: TextIO) -> str | None:
    from . import contact_sheet

    cells = []
    for job in group.jobs:
        path = os.path.join(batch.out_dir, job.image_name)
        image = contact_sheet.thumbnail(contact_sheet.load_rgb(path)) if os.path.isfile(path) else None
        cells.append((image, job.label()))
    columns = contact_sheet.columns_for(len(cells), [len(values) for _, values in group.axes])
    sheet = contact_sheet.compose(cells, columns, title=f"{group.name}  ({os.path.basename(batch.path)})")
    path = paths.output_path(batch.out_dir, group.contact_sheet_name)
    contact_sheet.write(path, sheet)
    stream.write(f"contact sheet: {shown(path)}\n")
    return path


def run(batch: Batch, force: bool = False, device_from_command_line: bool = False,
        stream: TextIO | None = None) -> int:
    """Render what is not done yet; 0 when every image is there, 1 when a job failed.
    Raises DeviceProblem or OutputProblem before anything renders."""
    stream = stream or sys.stdout
    start = time.monotonic()
    jobs = batch.jobs
    done = plan(batch, force)
    todo = [job for job, ok in zip(jobs, done, strict=True) if not ok]
    chosen = select_devices(batch, todo, device_from_command_line)  # before anything is written
    from . import render  # bpy from here on

    try:
        os.makedirs(batch.out_dir, exist_ok=True)
    except OSError as exc:
        raise OutputProblem(f"cannot create the output directory {shown(batch.out_dir)}: "
                            f"{exc.strerror or exc}") from None
    for path in paths.remove_stale_partials(batch.out_dir):
        stream.write(f"removed a partial file left by an interrupted run: {shown(path)}\n")

    stream.write(f"{batch.path}: {len(jobs)} job{'s' * (len(jobs) != 1)}, {len(todo)} to render, "
                 f"{len(jobs) - len(todo)} up to date -> {shown(batch.out_dir)}\n")
    for requested, device in chosen.items():
        stream.write(f"device ({requested}): {device.describe()}\n")
    stream.flush()

    progress = Progress(len(jobs), len(todo), stream)
    failures = 0
    for index, (job, ok) in enumerate(zip(jobs, done, strict=True)):
        if ok:
            progress.skipped(index, job.name)
            continue
        r = job.render
        device = chosen[r.device]
        progress.started(index, job.name, f"rendering {r.resolution[0]}x{r.resolution[1]}, up to {r.samples} "
                                          f"samples on {device.describe()}")
        try:
            data = render.render_job(job, batch.path, batch.out_dir, device, on_stats=progress.stats)
        except (RuntimeError, ValueError, OSError) as exc:
            failures += 1
            progress.failed(index, job.name, str(exc))
            continue
        progress.rendered(index, job.name, data["timings"]["total"], shown(os.path.join(batch.out_dir,
                                                                                         job.image_name)))
    for group in batch.groups:
        if batch.contact_sheet and len(group.jobs) > 1:
            if contact_sheet_current(batch, group):
                stream.write(f"contact sheet: {shown(os.path.join(batch.out_dir, group.contact_sheet_name))}"
                             " (up to date)\n")
            else:
                write_contact_sheet(batch, group, stream)
    rendered = len(progress.render_seconds)
    stream.write(f"finished in {clock(time.monotonic() - start)}: {rendered} rendered, "
                 f"{len(jobs) - len(todo)} up to date, {failures} failed\n")
    for job in jobs if len(jobs) <= 20 else []:
        path = os.path.join(batch.out_dir, job.image_name)
        if os.path.isfile(path):
            stream.write(shown(path) + "\n")
    stream.flush()
    return 1 if failures else 0
