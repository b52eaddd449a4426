"""Peak memory of one call: tracemalloc (Python and numpy allocations) and the process's
resident set (Blender's own C allocations included), read from /proc on Linux."""
from __future__ import annotations

import resource
import sys
import tracemalloc
from collections.abc import Callable

MIB = 1024.0 * 1024.0


def _status_kib(key: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_memory(fn: Callable[[], object]) -> dict:
    """Run fn once; return peak MiB above the state before it (tracemalloc, RSS) and its result.

    The RSS peak is exact where /proc/self/clear_refs can be written (Linux); elsewhere it
    falls back to ru_maxrss, which only shows peaks above the process's earlier maximum.
    """
    before_rss = _status_kib("VmRSS")
    exact = _reset_peak_rss() and before_rss is not None
    if not exact:
        scale = 1.0 if sys.platform == "darwin" else 1024.0
        before_rss_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    tracemalloc.start()
    try:
        result = fn()
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if exact:
        rss_peak = (_status_kib("VmHWM") - before_rss) * 1024.0
    else:
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale - before_rss_bytes
    return {"tracemalloc_peak_mib": traced_peak / MIB, "rss_peak_mib": max(rss_peak, 0.0) / MIB,
            "rss_exact": exact, "result": result}
