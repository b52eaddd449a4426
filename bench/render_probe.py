"""Where a Cycles render's time goes, from Blender's own render handlers.

Cycles reports its state through bpy.app.handlers.render_stats ("Synchronizing object",
"Updating Images | Loading sky...", "Sample 12/64", "Finished"). The probe timestamps
those messages and splits each render into:

- sync: render_pre to the first "Sample" message (scene export, BVH, images, kernels),
- sampling: the first to the last "Sample" message (path tracing, adaptive included),
- post: the last "Sample" message to render_post (denoising, finishing).

The handlers are persistent, so they survive the scene resets (read_homefile) that
render_jobs does before each job. Observing only: nothing in the render changes.
"""
from __future__ import annotations

import re
import time

SAMPLE_RE = re.compile(r"\bSample \d+/\d+")


class RenderProbe:
    def __init__(self) -> None:
        self.renders: list[dict] = []
        self._current: dict | None = None
        self._handlers: list[tuple[list, object]] = []

    # -- handlers --------------------------------------------------------------------
    def _pre(self, *_args) -> None:
        self._current = {"pre": time.time(), "first_sample": None, "last_sample": None, "post": None,
                         "messages": 0, "slowest_sync_step": None, "sync_steps": []}
        self._last_msg = (time.time(), "render_pre")
        self._slowest = (0.0, "")

    def _stats(self, *args) -> None:
        cur = self._current
        if cur is None:
            return
        now = time.time()
        text = str(args[0]) if args else ""
        cur["messages"] += 1
        if SAMPLE_RE.search(text):
            if cur["first_sample"] is None:
                cur["first_sample"] = now
            cur["last_sample"] = now
        elif cur["first_sample"] is None:
            # the sync step that took longest: the time until the next message is its cost
            gap = now - self._last_msg[0]
            cur["sync_steps"].append([self._last_msg[1], round(gap, 4)])
            if gap > self._slowest[0]:
                self._slowest = (gap, self._last_msg[1])
        self._last_msg = (now, text.split("|", 1)[-1].strip())

    def _post(self, *_args) -> None:
        cur = self._current
        if cur is None:
            return
        cur["post"] = time.time()
        first = cur["first_sample"] or cur["post"]
        last = cur["last_sample"] or cur["post"]
        cur.update(sync_s=first - cur["pre"], sampling_s=last - first, post_s=cur["post"] - last,
                   render_s=cur["post"] - cur["pre"],
                   slowest_sync_step={"seconds": self._slowest[0], "step": self._slowest[1]})
        self.renders.append(cur)
        self._current = None

    # -- install ---------------------------------------------------------------------
    def install(self) -> RenderProbe:
        import bpy
        from bpy.app.handlers import persistent

        for name, fn in (("render_pre", self._pre), ("render_stats", self._stats), ("render_post", self._post)):
            wrapped = persistent(lambda *a, fn=fn: fn(*a))
            getattr(bpy.app.handlers, name).append(wrapped)
            self._handlers.append((getattr(bpy.app.handlers, name), wrapped))
        return self

    def remove(self) -> None:
        for handlers, fn in self._handlers:
            if fn in handlers:
                handlers.remove(fn)
        self._handlers.clear()

    def last(self) -> dict:
        return self.renders[-1]
