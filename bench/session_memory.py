"""Memory of a long render session: its resident set after 200 small jobs against after 10.

One render session process (`python -m render_jobs _session`, as the runners start it)
renders 200 tiny jobs, each with another surface (arc_segments and rows cycle through a
few values, so meshes are rebuilt every job), without recycling; its resident memory is
read from /proc after each job. Target: after 200 jobs at most
1.5x after 10.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

from .paths import ROOT, result_path

TARGET = 1.5
JOB = """\
[output]
contact_sheet = false
[render]
resolution = [32, 18]
samples = 1
denoise = false
device = "cpu"
[[job]]
name = "m"
[job.surface]
arc_segments = [6, 8, 10, 12, 14, 16, 18, 20, 22, 24]
rows = [4, 6, 8, 10, 12]
[job.material]
roughness = [0.02, 0.1, 0.3, 0.5]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--out", default=result_path("session_memory.json"))
    args = parser.parse_args()
    import sys

    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from scurve_addon.render_jobs import jobfile
    from scurve_addon.render_jobs.session_process import SessionProcess

    folder = tempfile.mkdtemp(prefix="scurve-session-memory-")
    try:
        path = os.path.join(folder, "memory.toml")
        with open(path, "w") as fh:
            fh.write(JOB)
        batch = jobfile.load(path, out_dir=os.path.join(folder, "out"))
        os.makedirs(batch.out_dir)
        session = SessionProcess()
        rss: list[float] = []
        try:
            for i in range(args.jobs):
                job = batch.jobs[i % len(batch.jobs)]
                reply = session.request({"op": "render", "toml": JOB, "job_file": path, "job": job.name,
                                         "out_dir": batch.out_dir, "overrides": {}, "force": True})
                if reply["event"] != "done":
                    raise RuntimeError(f"job {i + 1}: {reply}")
                rss.append(session.memory_mb() or float("nan"))
                if (i + 1) % 50 == 0:
                    print(f"  {i + 1} jobs: {rss[-1]:.0f} MiB", flush=True)
        finally:
            session.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    at10, at_end = rss[min(9, len(rss) - 1)], rss[-1]
    result = {"jobs": args.jobs, "rss_mib": rss, "after_10_mib": at10, "after_all_mib": at_end,
              "ratio": at_end / at10, "target": TARGET}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"  session memory: {at10:.0f} MiB after 10 jobs, {at_end:.0f} MiB after {args.jobs}: "
          f"{at_end / at10:.2f}x (target <= {TARGET}x)", flush=True)


if __name__ == "__main__":
    main()
