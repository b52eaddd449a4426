"""render_jobs outputs without rendering: atomic writes, paths kept inside the output
directory, the PNG encoder, the bitmap font, contact-sheet layout, sidecar hashing, progress."""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from typing import Any, cast

import numpy as np
import pytest

from scurve_addon.render_jobs import contact_sheet, font, jobfile, paths, png, sidecar
from scurve_addon.render_jobs.progress import Progress, clock


def decode_png(data: bytes) -> np.ndarray:
    """Just enough PNG decoding for what png.encode writes (8-bit, filter 0)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    channels = {2: 3, 6: 4}[colour]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, channels)


def test_png_round_trip_and_blender_reads_it(tmp_path):
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    data = png.encode(image)
    assert np.array_equal(decode_png(data), image)
    rgba = rng.integers(0, 256, (3, 4, 4), dtype=np.uint8)
    assert np.array_equal(decode_png(png.encode(rgba)), rgba)
    path = str(tmp_path / "x.png")
    paths.write_bytes(path, data)
    assert np.array_equal(contact_sheet.load_rgb(path), image)  # Blender's reader agrees
    with pytest.raises(ValueError):
        png.encode(image.astype(np.float32))


def test_font_has_every_label_character_and_draws_clipped():
    label = "ARC_SEGMENTS=16 ROWS=4 RESOLUTION=64X36 SUN_ELEVATION=-2.5 PRESET=KISTEFOS-LIKE (A/B) [1] 5% #"
    for ch in label:
        assert ch in font.GLYPHS, ch
    assert all(g.shape == (font.HEIGHT, font.WIDTH) for g in font.GLYPHS.values())
    assert len({g.tobytes() for g in font.GLYPHS.values()}) == len(font.GLYPHS)  # all distinct
    assert font.glyph("a").tobytes() == font.glyph("A").tobytes()
    assert font.glyph("\u00e9").tobytes() == font.glyph("?").tobytes()
    assert font.text_size("ab", 2) == ((2 * 6 - 1) * 2, 14)
    canvas = np.zeros((10, 20, 3), np.uint8)
    font.draw_text(canvas, 1, 1, "I", (255, 255, 255))
    on = canvas[..., 0] > 0
    assert on.sum() == font.glyph("I").sum()
    assert on[1, 2:5].all() and on[4, 3] and not on[4, 2]  # the I's top bar and stem
    font.draw_text(canvas, 17, 8, "WWW", (9, 9, 9))  # off the edge: clipped, no error


def test_thumbnail_box_filter():
    image = np.zeros((270, 960, 3), np.uint8)
    image[:, 480:] = 200
    thumb = contact_sheet.thumbnail(image, 320)
    assert thumb.shape == (90, 320, 3)
    assert thumb[0, 0, 0] == 0 and thumb[0, -1, 0] == 200
    small = np.ones((36, 64, 3), np.uint8)
    assert contact_sheet.thumbnail(small) is small


def test_contact_sheet_grid_labels_and_missing_cells():
    cells = []
    for a in (4, 8):
        for r in (1, 2, 3):
            cells.append((np.full((36, 64, 3), 10 * a + r, np.uint8), [f"arc_segments={a}", f"rows={r}"]))
    cells[1] = (None, ["arc_segments=4", "rows=2"])
    columns = contact_sheet.columns_for(len(cells), [2, 3])
    assert columns == 3
    sheet = contact_sheet.compose(cells, columns, title="res")
    label_w = font.text_size("arc_segments=8", 1)[0]
    cell_w = max(64, label_w) + contact_sheet.PAD
    assert sheet.shape[1] == 3 * cell_w + contact_sheet.PAD
    values = {tuple(v) for v in sheet.reshape(-1, 3)}
    assert (41, 41, 41) in values and (83, 83, 83) in values and contact_sheet.MISSING in values
    assert contact_sheet.TEXT in values
    assert (42, 42, 42) not in values  # cell 1 is missing: drawn as such


def test_columns_for_one_axis_is_square_ish():
    assert contact_sheet.columns_for(9, [9]) == 3
    assert contact_sheet.columns_for(10, [10]) == 4
    assert contact_sheet.columns_for(100, [100]) == contact_sheet.MAX_COLUMNS


def test_output_paths_stay_inside(tmp_path):
    out = str(tmp_path / "out")
    os.makedirs(out)
    assert paths.output_path(out, "a.png") == os.path.join(out, "a.png")
    for bad in ("../a.png", "/etc/passwd", "sub/a.png", "..", ".", ""):
        with pytest.raises(ValueError):
            paths.output_path(out, bad)
    os.symlink(str(tmp_path), os.path.join(out, "link.png"))  # a link pointing out
    with pytest.raises(ValueError):
        paths.output_path(out, "link.png")


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    final = str(tmp_path / "a.json")
    paths.write_json(final, {"v": 1})
    with pytest.raises(RuntimeError), paths.atomic_target(final) as partial:
        with open(partial, "w") as fh:
            fh.write("half")
        raise RuntimeError("killed")
    assert json.load(open(final)) == {"v": 1}
    assert os.listdir(tmp_path) == ["a.json"]
    with pytest.raises(ValueError):
        paths.write_json(final, {"v": float("nan")})  # strict JSON, and still no partial left
    assert os.listdir(tmp_path) == ["a.json"]


def test_stale_partials_of_dead_processes_are_removed(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(proc.stdout)
    stale = tmp_path / f".a.png.partial-{dead}"
    mine = tmp_path / f".b.png.partial-{os.getpid()}"
    other = tmp_path / ".c.png.partial-notapid"
    for p in (stale, mine, other):
        p.write_bytes(b"x")
    assert paths.remove_stale_partials(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and mine.exists() and other.exists()
    assert paths.remove_stale_partials(str(tmp_path / "missing")) == []


def one_job(tmp_path, text: str) -> jobfile.Job:
    path = tmp_path / "j.toml"
    path.write_text(text)
    (job,) = jobfile.load(str(path)).jobs
    return job


def test_job_hash_follows_every_parameter_but_the_device(tmp_path):
    base = sidecar.job_hash(one_job(tmp_path, ""))
    assert base == sidecar.job_hash(one_job(tmp_path, ""))
    assert base == sidecar.job_hash(one_job(tmp_path, "[render]\ndevice = \"cpu\"\n"))
    changed = ["[surface]\nrows = 15\n", "[material]\nroughness = 0.1\n", "[scene]\nsun_redness = 0.5\n",
               "[render]\nseed = 1\n", "[render]\nresolution = [64, 36]\n", "[scene]\nsun_elevation = 12.5\n"]
    hashes = {sidecar.job_hash(one_job(tmp_path, text)) for text in changed}
    assert len(hashes) == len(changed) and base not in hashes
    # A float given as an integer is the same job.
    assert sidecar.job_hash(one_job(tmp_path, "[scene]\nsun_strength = 3\n")) == base


def test_is_done_needs_matching_hash_and_image(tmp_path):
    job = one_job(tmp_path, "[render]\nresolution = [64, 36]\n")
    out = str(tmp_path / "out")
    os.makedirs(out)
    image = os.path.join(out, job.image_name)
    paths.write_bytes(image, png.encode(np.zeros((36, 64, 3), np.uint8)))
    assert not sidecar.is_done(job, out)  # no sidecar
    data = sidecar.build(job, "j.toml", image, quality={"x": float("nan")})
    assert data["quality"]["x"] is None and data["job_hash"] == sidecar.job_hash(job)
    paths.write_json(os.path.join(out, job.sidecar_name), data)
    assert sidecar.is_done(job, out)
    other = one_job(tmp_path, "[render]\nresolution = [64, 36]\nseed = 3\n")
    assert not sidecar.is_done(other, out)  # same name, other parameters
    with open(image, "ab") as fh:
        fh.write(b"tampered")
    assert not sidecar.is_done(job, out)
    with open(os.path.join(out, job.sidecar_name), "w") as fh:
        fh.write("{not json")
    assert not sidecar.is_done(job, out)


def test_progress_lines_and_eta():
    stream = io.StringIO()
    progress = Progress(total=4, to_render=3, stream=stream)
    progress.skipped(0, "a")
    assert progress.eta() is None
    progress.started(1, "b", "rendering")
    progress.rendered(1, "b", 10.0, "out/b.png")
    assert progress.eta() == pytest.approx(20.0)
    progress.failed(2, "c", "boom")
    assert progress.eta() == pytest.approx(10.0)
    text = stream.getvalue()
    assert "[1/4] a: up to date, skipped | 1 of 4 done" in text
    assert "[2/4] b: done in 10.0 s -> out/b.png | 2 of 4 done" in text and "ETA 0:20" in text
    assert "[3/4] c: FAILED: boom" in text
    assert clock(3725) == "1:02:05" and clock(65) == "1:05" and clock(None) == "?"


def test_cycles_status_in_a_log_when_sampling_starts_then_now_and_then():
    stream = io.StringIO()
    progress = Progress(total=1, to_render=1, stream=stream)
    progress.stats("Sample 1/4")  # before any job: nothing
    progress.started(0, "a", "rendering")
    progress.stats("Mem: 1M | Updating Scene BVH")
    progress.stats("Remaining: 00:03.00 | Mem: 3M | Sample 1/4")
    progress.stats("Remaining: 00:02.00 | Mem: 3M | Sample 2/4")  # within LOG_INTERVAL: not logged
    lines = stream.getvalue().splitlines()
    assert lines == ["[1/1] a: rendering", "[1/1] a: Remaining: 00:03.00 | Mem: 3M | Sample 1/4"]



# verify_image: a written image read back before it may take its final name (a full disk
# makes Blender's save_render write a truncated file without an error).

def _blender_image(path: str, file_format: str, width: int, height: int, codec: str | None = None) -> bytes:
    """An image of noise (so its data does not compress to nothing), written by Blender."""
    import bpy

    image = bpy.data.images.new("verify", width, height, alpha=True, float_buffer=file_format == "OPEN_EXR")
    cast(Any, image.pixels).foreach_set(np.random.default_rng(3).random(width * height * 4).astype(np.float32))
    scene = bpy.context.scene
    settings = cast(Any, scene.render.image_settings)  # formats: checked by Blender at run time
    settings.file_format = file_format
    if codec:
        settings.exr_codec = codec
    try:
        image.save_render(filepath=path, scene=scene)
    finally:
        bpy.data.images.remove(image)
        settings.file_format = "PNG"
    with open(path, "rb") as fh:
        return fh.read()


def _chunks(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, type) of each PNG chunk."""
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((pos, data[pos + 4:pos + 8]))
        pos += 12 + length
    return out


def _refused(path: str, data: bytes, file_format: str, width: int, height: int) -> str:
    with open(path, "wb") as fh:
        fh.write(data)
    with pytest.raises(ValueError) as info:
        paths.verify_image(path, file_format, width, height)
    assert f"{path} is truncated or damaged (the disk may be full)" in str(info.value)
    return str(info.value)


def test_verify_image_accepts_blenders_png_and_refuses_every_truncation(tmp_path):
    path = str(tmp_path / "a.png")
    data = _blender_image(path, "PNG", 96, 40)
    paths.verify_image(path, "PNG", 96, 40)
    chunks = _chunks(data)
    idat = [pos for pos, kind in chunks if kind == b"IDAT"]
    iend = next(pos for pos, kind in chunks if kind == b"IEND")
    assert idat and iend == len(data) - 12
    cuts = {"empty": 0, "signature only": 8, "header only": 33, "inside the first IDAT": idat[0] + 20,
            "inside the last IDAT": iend - 10, "before IEND": iend, "inside IEND": len(data) - 2}
    for where, cut in cuts.items():
        message = _refused(path, data[:cut], "PNG", 96, 40)
        assert ("ends inside" in message or "no PNG signature" in message), (where, message)
    damaged = bytearray(data)
    damaged[idat[0] + 30] ^= 0xFF
    assert "fails its CRC" in _refused(path, bytes(damaged), "PNG", 96, 40)
    # The chunk stream intact (CRCs right) but the image data cut short: only inflating it shows that.
    (length,) = struct.unpack(">I", data[idat[0]:idat[0] + 4])
    body = data[idat[0] + 8:idat[0] + 8 + length // 2]
    short = (data[:idat[0]] + struct.pack(">I", len(body)) + b"IDAT" + body
             + struct.pack(">I", zlib.crc32(b"IDAT" + body) & 0xFFFFFFFF) + data[iend:])
    assert "image data" in _refused(path, short, "PNG", 96, 40)
    assert "it is 96x40 pixels, not 96x41" in _refused(path, data, "PNG", 96, 41)
    # Our own encoder's output passes too (contact sheets), RGB and RGBA.
    for channels in (3, 4):
        with open(path, "wb") as fh:
            fh.write(png.encode(np.zeros((5, 7, channels), np.uint8)))
        paths.verify_image(path, "PNG", 7, 5)


@pytest.mark.parametrize("codec", ["NONE", "ZIP", "PIZ", "DWAA"])
def test_verify_image_accepts_blenders_exr_and_refuses_truncations(codec, tmp_path):
    path = str(tmp_path / "a.exr")
    data = _blender_image(path, "OPEN_EXR", 96, 40, codec)
    assert data[:4] == b"\x76\x2f\x31\x01"
    paths.verify_image(path, "OPEN_EXR", 96, 40)
    header_end = data.index(b"\0\0", data.index(b"dataWindow"))  # somewhere inside the header
    for cut in (0, 4, 8, header_end, len(data) // 2, len(data) - 1):
        _refused(path, data[:cut], "OPEN_EXR", 96, 40)
    assert "it is 96x40 pixels, not 40x96" in _refused(path, data, "OPEN_EXR", 40, 96)
    with open(path, "wb") as fh:
        fh.write(data)
    with pytest.raises(ValueError, match="unknown file format"):
        paths.verify_image(path, "JPEG", 96, 40)
