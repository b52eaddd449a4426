"""Rendering on this machine: one render session for the whole batch, in job order.

The session runs in a process of its own (session_server.py), so this process never loads
Blender, Ctrl-C stops a render at once (this process kills the session: Cycles itself
swallows KeyboardInterrupt) and a crash inside Blender fails one job, not the batch. When
this process already is Blender (`blender -b -P render_jobs/blender_entry.py`, or the
extension inside Blender), the session runs right here instead.

The session is recycled after `max_jobs` renders or past `max_memory_mb` of resident
memory (session_process.py), so a long batch cannot grow without bound.

Meanwhile a thread of this process measures the batch's surfaces (measure.py: mesh
statistics and quality report, plain numpy) in job order, while the session loads Blender
and renders; each render request carries its surface's numbers, or says they follow
(session_server.py), so the session never computes them itself unless they fail here.
Requests also carry the fits of the surface's control net when the thread has them, so
the session does not fit a new surface again.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from . import paths
from .jobfile import Batch, Group, Job, Video
from .measure import Measurer
from .progress import Progress
from .runner import BadInput, Outcome, shown
from .session_process import (
    DEFAULT_MAX_JOBS,
    DEFAULT_MAX_MEMORY_MB,
    POOL,
    SessionDiedError,
    SessionProcess,
)


class InProcessSession:
    """A session in this process (already Blender): the same requests and events as a
    session process, answered by the same server code."""

    def __init__(self) -> None:
        from .session_server import Server

        self.jobs = 0
        self._events: list[dict] = []
        self._server = Server(self)  # type: ignore[arg-type]  # duck-typed Events: send()
        self._on_event: Callable[[dict], None] | None = None

    def send(self, event: str, **fields: Any) -> None:  # the server's Events interface
        message = {"event": event, **fields}
        if event in ("rendering", "status") and self._on_event is not None:
            self._on_event(message)
        else:
            self._events.append(message)

    def request(self, message: dict[str, Any], on_event: Callable[[dict], None] | None = None,
                measure: Callable[[], dict | None] | None = None) -> dict:
        if measure is not None:  # one thread here: the numbers cannot follow while Cycles renders
            message = {**message, "measured": measure()}
        self._events, self._on_event = [], on_event
        handler = getattr(self._server, f"op_{message['op']}")
        handler(message)
        final = self._events[-1]
        if final.get("event") == "done":
            self.jobs += 1
        return final

    def alive(self) -> bool:
        return True

    def worn_out(self, max_jobs: int, max_memory_mb: float) -> str | None:
        return None  # this process cannot be replaced; the scene is rebuilt by each batch

    def close(self) -> None:
        pass

    def kill(self) -> None:
        pass


def contact_sheet_request(batch: Batch, group: Group, title: str, columns: int) -> dict[str, Any]:
    """The session request (session_server.op_contact_sheet) that writes a group's contact sheet."""
    return {"op": "contact_sheet", "out_dir": batch.out_dir, "name": group.contact_sheet_name,
            "title": title, "columns": columns, "cells": [[job.image_name, job.label()] for job in group.jobs]}


def written_by(session: Any, request: dict[str, Any], on_death: Callable[[], None]) -> dict:
    """Send a request that writes a file (contact sheet, video) to a session; its `written` reply.
    Raises RuntimeError when the session fails it or dies (after calling on_death)."""
    try:
        reply = session.request(request)
    except SessionDiedError as exc:
        on_death()
        raise RuntimeError(str(exc)) from None
    if reply["event"] != "written":
        raise RuntimeError(str(reply.get("error")))
    return dict(reply)


def video_request(batch: Batch, video: Video) -> dict[str, Any]:
    """The session request (session_server.op_encode_video) that writes an animation's video;
    its `written` reply holds the video's sidecar."""
    return {"op": "encode_video", "out_dir": batch.out_dir, "name": video.name,
            "frames": [job.image_name for job in video.frames], "fps": video.animation.fps}


class LocalExecutor:
    label = ""

    def __init__(self, overrides: dict[str, Any] | None = None, max_jobs: int = DEFAULT_MAX_JOBS,
                 max_memory_mb: float = DEFAULT_MAX_MEMORY_MB, in_process: bool | None = None):
        # Command-line render settings (already checked): the session resolves each job from
        # the file's text, so it gets them again.
        self.overrides = {k: list(v) if isinstance(v, tuple) else v for k, v in (overrides or {}).items()}
        self.from_command_line = "device" in self.overrides  # --device was given (it names the errors)
        self.max_jobs, self.max_memory_mb = max_jobs, max_memory_mb
        self.in_process = "bpy" in sys.modules if in_process is None else in_process
        self.session: Any = None
        self.measurer: Measurer | None = None
        self.devices: dict[str, dict] = {}
        self.text = ""
        self.stream: TextIO = sys.stdout

    def _session(self) -> Any:
        if self.session is None:
            self.session = InProcessSession() if self.in_process else (POOL.handover() or SessionProcess())
        return self.session

    def _drop_session(self) -> None:
        if self.session is not None:
            self.session.kill()
            self.session = None

    def open(self, batch: Batch, jobs: list[Job], stream: TextIO) -> None:
        self.stream = stream
        try:
            with open(batch.path, encoding="utf-8") as fh:
                self.text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"{batch.path}: cannot read the job file again: {exc}") from None
        from .memory import too_big

        big = [f"{batch.path}: job {job.name!r}: render.resolution: {why}" for job in jobs
               if (why := too_big(job.render))]
        if big:
            raise BadInput("\n".join(big))
        if not self.in_process:  # inside Blender a thread would only take turns with the render
            self.measurer = Measurer([job.surface for job in jobs])
        first_job: dict[str, str] = {}
        for job in jobs:
            first_job.setdefault(job.render.device, job.name)
        requests = sorted(first_job.items())
        try:
            reply = self._session().request({"op": "devices", "requests": requests, "job_file": batch.path,
                                             "from_command_line": self.from_command_line})
        except SessionDiedError as exc:
            self._drop_session()
            raise RuntimeError(f"Blender could not start: {exc}") from None
        if reply["event"] == "bad_input":
            raise BadInput(reply["error"])
        self.devices = reply["chosen"]
        for requested, device in self.devices.items():
            stream.write(f"device ({requested}): {device['describe']}\n")

    def progress(self, total: int, to_render: int, stream: TextIO) -> Progress:
        return Progress(total, to_render, stream)

    def render(self, batch: Batch, todo: list[int], progress: Progress, outcome: Outcome) -> None:
        jobs = batch.jobs
        for index in todo:
            job = jobs[index]
            r = job.render
            progress.started(index, job.name, f"rendering {r.resolution[0]}x{r.resolution[1]}, up to {r.samples} "
                                              f"samples on {self.devices[r.device]['describe']}")
            request = {"op": "render", "toml": self.text, "job_file": batch.path, "job": job.name,
                       "out_dir": batch.out_dir, "overrides": self.overrides, "force": True,
                       "from_command_line": self.from_command_line}
            follow = None
            if self.measurer is not None:
                fields, follow = self.measurer.request_parts(job.surface)
                request.update(fields)

            def on_event(event: dict) -> None:
                if event.get("event") == "status":
                    progress.stats(str(event.get("text", "")))

            session = self._session()
            try:
                reply = session.request(request, on_event, follow)
            except SessionDiedError as exc:
                self._drop_session()  # the next job starts a fresh session
                error = f"job {job.name!r}: {exc}"
                for path in paths.remove_stale_partials(batch.out_dir):
                    self.stream.write(f"removed a partial file of the crashed render: {shown(path)}\n")
            else:
                error = None if reply["event"] in ("done", "up_to_date") else str(reply.get("error"))
            if error is not None:
                outcome.failures[job.name] = error
                progress.failed(index, job.name, error.splitlines()[0])
                continue
            progress.rendered(index, job.name, float(reply.get("seconds") or 0.0),
                              shown(os.path.join(batch.out_dir, job.image_name)))
            why = session.worn_out(self.max_jobs, self.max_memory_mb)
            if why:
                session.close()
                self.session = None
                progress.note(index, job.name, f"render session recycled {why}")

    def write_contact_sheet(self, batch: Batch, group: Group, title: str, columns: int) -> str:
        request = contact_sheet_request(batch, group, title, columns)
        return str(written_by(self._session(), request, self._drop_session)["path"])

    def encode_video(self, batch: Batch, video: Video) -> dict:
        """The video of an animation's frames, by the batch's session (Blender's FFmpeg)."""
        return dict(written_by(self._session(), video_request(batch, video), self._drop_session)["sidecar"])

    def close(self, batch: Batch) -> list[str]:
        if self.measurer is not None:
            self.measurer.stop()
        if self.session is not None:
            self.session.close()
            self.session = None
        # A render stopped mid-way (Ctrl-C, a crash) leaves at most a partial file of a
        # process that is gone now.
        return paths.remove_stale_partials(batch.out_dir) if os.path.isdir(batch.out_dir) else []

