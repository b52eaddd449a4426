"""The JSON sidecar beside each image, and resume: which jobs are already done.

A job is done when its sidecar exists, records the hash of the job's resolved parameters,
and describes the image file that is there (same size and SHA-256). The sidecar is written
after the image, so an image without a matching sidecar is simply rendered again.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any

from .jobfile import Job

FORMAT = "scurve-render-sidecar/1"
# Bump when a change to the pipeline changes the pixels of the same parameters.
PIPELINE_VERSION = 1


def job_hash(job: Job) -> str:
    """Hash of what the image depends on: every resolved parameter except where it renders."""
    params = job.params()
    params["render"] = {k: v for k, v in params["render"].items() if k != "device"}
    blob = json.dumps({"pipeline": PIPELINE_VERSION, "params": params}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_done(job: Job, out_dir: str) -> bool:
    data = read(os.path.join(out_dir, job.sidecar_name))
    if not data or data.get("format") != FORMAT or data.get("job_hash") != job_hash(job):
        return False
    image = data.get("image") or {}
    path = os.path.join(out_dir, job.image_name)
    try:
        if os.path.getsize(path) != image.get("bytes"):
            return False
        return file_sha256(path) == image.get("sha256")
    except OSError:
        return False


def json_safe(value: Any) -> Any:
    """NaN and infinities become null (strict JSON); tuples become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def build(job: Job, job_file: str, image_path: str, **sections: Any) -> dict:
    """The sidecar of a rendered job; `sections` (blender, device, timings, mesh, quality...) go in as given."""
    return json_safe({
        "format": FORMAT,
        "job": {"name": job.name, "group": job.group, "file": os.path.abspath(job_file),
                "sweep": {k: v for k, v in job.sweep}},
        "job_hash": job_hash(job),
        "params": job.params(),
        "image": {"file": os.path.basename(image_path), "format": job.render.file_format,
                  "width": job.render.resolution[0], "height": job.render.resolution[1],
                  "bytes": os.path.getsize(image_path), "sha256": file_sha256(image_path)},
        **sections,
    })
