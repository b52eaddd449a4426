"""The video of an animation's frames: an H.264 MP4 by Blender's own FFmpeg, an animated
WebP preview by Pillow (optional), and the video's sidecar.

    NAME.mp4            every frame, at the animation's fps (Blender's FFmpeg, in a session)
    NAME.preview.webp   a small looping preview for a README (Pillow; skipped, with a note,
                        where Pillow is not installed: the batch never fails for it)
    NAME.video.json     what the video was made from: each frame's file and SHA-256, the fps,
                        the video's (and preview's) size and SHA-256

Each file is written atomically (paths.atomic_target). The video is made again only when
it is not current (`is_current`): a frame changed, was added or removed, the fps changed,
or the MP4 is not the one the sidecar describes. `is_current` is pure Python; encoding
imports bpy (a session process does it: session_server.op_encode_video).

The encode recipe (docs/design.md, "Walk-around"): a throw-away scene with the frames as
an image strip in the sequencer, view transform Standard (PNG values kept), FFMPEG /
MPEG4 / H264; 5.0 wants image_settings.media_type = 'VIDEO' before file_format; the
sequencer's strips are `strips` in 4.4+, `sequences` before.
"""
from __future__ import annotations

import os
import time
from typing import Any

from . import paths, sidecar

FORMAT = "scurve-render-video/1"
PREVIEW_WIDTH = 320  # pixels: the preview is for a README
PREVIEW_QUALITY = 70


def frame_record(out_dir: str, frames: list[str]) -> list[dict[str, str]]:
    return [{"file": name, "sha256": sidecar.file_sha256(os.path.join(out_dir, name))} for name in frames]


def is_current(out_dir: str, video_name: str, sidecar_name: str, frames: list[str], fps: int) -> bool:
    """Whether NAME.mp4 is there, is the file its sidecar describes, and was made from exactly
    these frames (by content) at this fps."""
    data = sidecar.read(os.path.join(out_dir, sidecar_name))
    if not data or data.get("format") != FORMAT:
        return False
    video = data.get("video") or {}
    if video.get("fps") != fps or video.get("file") != video_name:
        return False
    try:
        path = os.path.join(out_dir, video_name)
        if os.path.getsize(path) != video.get("bytes") or sidecar.file_sha256(path) != video.get("sha256"):
            return False
        return data.get("frames") == frame_record(out_dir, frames)
    except OSError:
        return False


def _strips(editor: Any) -> Any:
    return editor.strips if hasattr(editor, "strips") else editor.sequences  # 4.4+: strips; 4.2: sequences


def encode_mp4(frame_paths: list[str], out_path: str, fps: int) -> None:
    """H.264 MP4 of these frames (one folder, one size, even width and height) at exactly out_path."""
    import bpy

    first = bpy.data.images.load(frame_paths[0], check_existing=False)
    width, height = first.size
    bpy.data.images.remove(first)
    if width % 2 or height % 2:
        raise ValueError(f"H.264 needs an even width and height; the frames are {width}x{height}")
    folder = os.path.dirname(frame_paths[0])
    scene = bpy.data.scenes.new("scurve_encode_video")  # throw-away: the session's scene is untouched
    try:
        editor = scene.sequence_editor_create()
        strip = _strips(editor).new_image(name="frames", filepath=frame_paths[0], channel=1, frame_start=1)
        for path in frame_paths[1:]:
            if os.path.dirname(path) != folder:
                raise ValueError("the frames of a video must be in one folder")
            strip.elements.append(os.path.basename(path))
        r = scene.render
        r.resolution_x, r.resolution_y, r.resolution_percentage = width, height, 100
        r.pixel_aspect_x = r.pixel_aspect_y = 1.0
        r.fps, r.fps_base = int(fps), 1.0
        scene.frame_start, scene.frame_end = 1, len(frame_paths)
        r.use_sequencer = True
        r.use_compositing = False
        view: Any = scene.view_settings
        view.view_transform = "Standard"  # a new scene's AgX would change the PNGs' colours
        view.look = "None"
        view.exposure, view.gamma = 0.0, 1.0
        settings = r.image_settings
        if hasattr(settings, "media_type"):  # 5.0: the media type before the format
            settings.media_type = "VIDEO"
        settings.file_format = "FFMPEG"
        settings.color_mode = "RGB"
        ff = r.ffmpeg
        ff.format = "MPEG4"
        ff.codec = "H264"
        ff.constant_rate_factor = "HIGH"
        ff.ffmpeg_preset = "GOOD"
        ff.gopsize = max(1, int(fps))
        ff.audio_codec = "NONE"
        r.use_file_extension = False
        r.filepath = out_path  # no '#': used as it is
        written = r.frame_path(frame=scene.frame_start)
        with bpy.context.temp_override(scene=scene):
            bpy.ops.render.render(animation=True, write_still=False)
        if os.path.abspath(written) != os.path.abspath(out_path):
            os.replace(written, out_path)
    finally:
        bpy.data.scenes.remove(scene)


def movie_info(path: str) -> tuple[int, tuple[int, int]]:
    """(frame count, (width, height)) of a video, read back by Blender."""
    import bpy

    clip = bpy.data.movieclips.load(path, check_existing=False)
    try:
        return int(clip.frame_duration), (int(clip.size[0]), int(clip.size[1]))
    finally:
        bpy.data.movieclips.remove(clip)


def write_preview(frame_paths: list[str], out_path: str, fps: int) -> tuple[dict[str, Any] | None, str | None]:
    """An animated WebP of the frames (at most PREVIEW_WIDTH wide), atomically: (record, None),
    or (None, why) where Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return None, "Pillow is not installed (pip install pillow): no animated preview"
    images = []
    for path in frame_paths:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
        if rgb.width > PREVIEW_WIDTH:
            rgb = rgb.resize((PREVIEW_WIDTH, max(1, round(rgb.height * PREVIEW_WIDTH / rgb.width))),
                             Image.Resampling.LANCZOS)
        images.append(rgb)
    with paths.atomic_target(out_path) as partial:
        images[0].save(partial, format="WEBP", save_all=True, append_images=images[1:],
                       duration=max(1, round(1000 / fps)), loop=0, quality=PREVIEW_QUALITY, method=4)
    return {"file": os.path.basename(out_path), "bytes": os.path.getsize(out_path), "frames": len(images),
            "width": images[0].width, "height": images[0].height}, None


def write_video(out_dir: str, name: str, frames: list[str], fps: int) -> dict[str, Any]:
    """NAME.mp4, NAME.preview.webp and NAME.video.json from these frame files; returns the sidecar."""
    import bpy

    frame_paths = [os.path.join(out_dir, f) for f in frames]
    video_path = paths.output_path(out_dir, name + ".mp4")
    start = time.perf_counter()

    def verify(partial: str) -> None:
        count, _ = movie_info(partial)
        if count != len(frames):
            raise RuntimeError(f"the encoded video has {count} frames, not {len(frames)}")

    with paths.atomic_target(video_path, verify) as partial:
        encode_mp4(frame_paths, partial, fps)
    encode_s = time.perf_counter() - start
    count, size = movie_info(video_path)
    preview, note = write_preview(frame_paths, paths.output_path(out_dir, name + ".preview.webp"), fps)
    data = sidecar.json_safe({
        "format": FORMAT,
        "video": {"file": os.path.basename(video_path), "container": "MP4", "codec": "H.264", "fps": fps,
                  "frames": count, "width": size[0], "height": size[1],
                  "bytes": os.path.getsize(video_path), "sha256": sidecar.file_sha256(video_path),
                  "encoder": f"Blender {bpy.app.version_string} FFmpeg"},
        "frames": frame_record(out_dir, frames),
        "preview": preview,
        "preview_note": note,
        "timings": {"encode": round(encode_s, 4), "total": round(time.perf_counter() - start, 4)},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    })
    paths.write_json(paths.output_path(out_dir, name + ".video.json"), data)
    return data
