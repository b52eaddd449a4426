"""A Dask worker preload that loads Blender as the worker starts:

    dask worker ADDRESS --nthreads 1 --preload scurve_addon.render_jobs.worker_preload ...

Without it, a worker starts its render session (session_process.py) on its first render
task, so the first batch sent to a newly started cluster waits while every worker loads
Blender (0.5-1 s a worker here; longer where Blender is read from a network disk). With it,
the worker starts one session per worker thread before it joins the cluster, and joins once
Blender has loaded in each of them and each has rendered WARM_UP_JOB (the default job at
32x18, into the session's own temporary folder): Cycles has then loaded its device, kernels
and denoiser (seconds on a GPU) and computed the default sky, which a batch with the default
studio keeps (persistent data). The first tasks then find their sessions waiting, as the
tasks of later batches do. A session that cannot load Blender has its error in the
worker's log ("Failed to start preload"), and the worker joins without it: its tasks then
start sessions as without the preload, and fail the same way, each reported to the client.
A warm-up render that fails is only logged.

The worker itself still never imports bpy: the sessions are processes of their own, which
end with the worker (dask_teardown, and session_server.die_with_parent). An idle session
holds Blender's memory (about 0.5 GiB) until the worker stops or recycles it.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from . import cluster_task  # noqa: F401  (the task's code, numpy and the geometry load now too)
from .session_process import POOL, SessionDiedError, SessionProcess

READY_TIMEOUT_S = 600.0  # how long a session may take to load Blender and warm up before the worker gives up
# The default job, tiny: its sampling settings are the defaults too, since Blender 4.5's
# Cycles rebuilds its data for a job whose sample count differs from the previous job's
# (compat.PERSISTENT_DATA_KEEPS_SAMPLE_PATTERN), and the denoiser loads now, not on job one.
WARM_UP_JOB = """\
# worker_preload.py: the warm-up render of a new session (the default job, tiny).
[output]
contact_sheet = false
[render]
resolution = "32x18"
"""
log = logging.getLogger(__name__)


async def dask_setup(worker: Any) -> None:
    """Start the worker's sessions and wait until Blender has loaded in each one and rendered
    the warm-up. Raises RuntimeError, with the session's last output, when one ends or times
    out first (Dask logs it; the worker's sessions are then gone)."""
    sessions = POOL.prestart(worker.state.nthreads)  # here, in the worker's own (lasting) thread
    try:
        await asyncio.wait_for(asyncio.gather(*(asyncio.to_thread(_ready, s) for s in sessions)),
                               READY_TIMEOUT_S)
    except SessionDiedError as exc:
        POOL.kill_all()
        raise RuntimeError("this worker's render session could not load Blender: " + exc.describe()) from None
    except TimeoutError:
        POOL.kill_all()
        raise RuntimeError(f"this worker's render session did not load Blender and render its warm-up within "
                           f"{READY_TIMEOUT_S:g} s") from None


def _ready(session: SessionProcess) -> None:
    """Wait for Blender to load in `session`, then have it render WARM_UP_JOB."""
    session.wait_ready()
    out_dir = os.path.join(session.tempdir, "warm-up")  # removed with the session
    os.makedirs(out_dir, exist_ok=True)
    reply = session.request({"op": "render", "toml": WARM_UP_JOB, "job_file": "warm-up.toml", "job": "warm-up",
                             "out_dir": out_dir, "force": True})
    if reply.get("event") != "done":
        log.warning("the warm-up render of render session %s failed: %s", session.pid, reply.get("error"))


def dask_teardown(worker: Any) -> None:
    """The worker closes: so do its sessions (busy ones too; the worker's tasks are over)."""
    POOL.kill_all()
