"""The studio scene (docs/design.md, "The studio"; zebra lighting too) in real Blender: what it
contains, that a second run updates instead of duplicating, the physical sky on this
Blender version, the camera framing, and tiny real Cycles renders judged on their pixels.
"""
from __future__ import annotations

import math
from typing import Any, cast

import bpy
import numpy as np
import pytest
from bpy_extras.object_utils import world_to_camera_view
from mathutils import Vector

from scurve_addon import compat, tagging
from scurve_addon.defaults import PRESETS, ROLE_KEY, ROLE_SURFACE, RenderParams, SceneParams, SurfaceParams, specs
from scurve_addon.scene import STUDIO_SURFACE_KEY, placement, setup_studio_scene, surface_corners, tags
from scurve_addon.scene.world import sky_node

scurve_ops: Any = bpy.ops.scurve  # type: ignore[attr-defined]

TINY = (96, 54)
SCENE_SPECS = specs(SceneParams)

# The studio part 5.0 adds: the still camera that dices the adaptively subdivided mirror.
DICING = {"dicing_camera"} if compat.HAS_ADAPTIVE_SUBDIVISION else set()


def tiny(samples: int = 8, resolution: tuple[int, int] = TINY) -> RenderParams:
    """Render settings for the pixel tests: deterministic, seconds on a 2-core CPU."""
    return RenderParams(resolution=resolution, samples=samples, noise_threshold=0.0, denoise=False, seed=7)


def studio(params: SceneParams | None = None, surface: Any = None,
           render: RenderParams | None = None) -> dict[str, Any]:
    """setup_studio_scene in the current context; its parts typed loosely for the tests."""
    return setup_studio_scene(bpy.context, params or SceneParams(), surface=surface, render=render)


def studio_objects(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    return [o for o in scene.objects if tags.is_studio(o)]


def datablock_counts() -> dict[str, int]:
    pools = ("objects", "meshes", "lights", "cameras", "materials", "worlds", "collections", "node_groups")
    return {name: len(getattr(bpy.data, name)) for name in pools}


def render_pixels(scene: bpy.types.Scene, path) -> np.ndarray:
    """Render the scene on the CPU to a PNG, read it back: (height, width, 3) floats in [0, 1],
    row 0 at the bottom (as world_to_camera_view counts)."""
    scene.cycles.device = "CPU"
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(str(path))
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, dtype=np.float32)
        cast(Any, image.pixels).foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    return pixels.reshape(height, width, -1)[..., :3]


def mirror_mask(scene: bpy.types.Scene, surface: bpy.types.Object) -> np.ndarray:
    """Pixels the mirror covers: its evaluated vertices projected into the camera, grown by
    one pixel (the smoothed mesh is far denser than a tiny image)."""
    width, height = scene.render.resolution_x, scene.render.resolution_y
    evaluated = surface.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = evaluated.to_mesh()
    try:
        co = np.empty(len(mesh.vertices) * 3)
        mesh.vertices.foreach_get("co", co)
    finally:
        evaluated.to_mesh_clear()
    matrix = surface.matrix_world
    mask = np.zeros((height, width), dtype=bool)
    for p in co.reshape(-1, 3):
        ndc = world_to_camera_view(scene, scene.camera, matrix @ Vector(p))
        i, j = int(ndc.y * height), int(ndc.x * width)
        if 0 <= i < height and 0 <= j < width:
            mask[i, j] = True
    grown = mask.copy()
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            grown |= np.roll(np.roll(mask, di, axis=0), dj, axis=1)
    return grown


def dominance(img: np.ndarray, channel: int) -> np.ndarray:
    """How much one channel stands above the other two: > 0.15 is a strong, pure colour."""
    others = [c for c in range(3) if c != channel]
    return img[..., channel] - img[..., others].max(axis=-1)


# --- contents ---------------------------------------------------------------------------


def test_studio_scene_contents(clean_scene):
    scene = clean_scene
    made = studio(SceneParams(area_lights=True), render=tiny())
    assert set(made) == {"surface", "collection", "world", "sun", "ground", "red_cylinder", "green_cone",
                         "blue_sphere", "area_left", "area_right", "camera"} | DICING
    if DICING:  # 5.0: a still, hidden camera dices the adaptively subdivided mirror (scene/camera.py)
        dicing = made["dicing_camera"]
        assert scene.cycles.dicing_camera == dicing and dicing.hide_render and dicing != scene.camera
    # No surface was active: a new mirror was built and remembered.
    surface = made["surface"]
    assert tagging.role(surface) == ROLE_SURFACE and scene[STUDIO_SURFACE_KEY] == surface.name
    # Every part is tagged, in the studio collection, and lit/visible (not zebra mode).
    for part, obj in made.items():
        if part in ("surface", "collection", "world"):
            continue
        assert obj.get(ROLE_KEY, "").startswith("STUDIO_"), part
        assert obj.name in made["collection"].objects, part
        assert obj.hide_render == (part == "dicing_camera"), part
    assert scene.world == made["world"] and scene.camera == made["camera"]

    sun = made["sun"]
    assert sun.data.type == "SUN" and sun.data.energy == pytest.approx(SceneParams().sun_strength)
    r, g, b = sun.data.color
    assert r == pytest.approx(1.0) and r > g > b  # shifted towards red (sun_redness 0.3)
    # The lamp shines from where the sky's sun is: its -Z axis points away from the sun.
    lamp_dir = sun.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0))
    expected = -Vector(placement.sun_direction(SceneParams().sun_elevation, SceneParams().sun_rotation).tolist())
    assert lamp_dir.angle(expected) < 1e-5

    ground = made["ground"]
    assert ground.location.z == pytest.approx(0.0, abs=1e-6)  # under the mirror's bottom edge
    ground_nodes = {n.type for n in ground.active_material.node_tree.nodes}
    assert "TEX_NOISE" in ground_nodes

    # The test objects sit in front (+x) of the concave half (y < 0), on the ground.
    for part, channel in (("red_cylinder", 0), ("green_cone", 1), ("blue_sphere", 2)):
        obj = made[part]
        assert obj.location.x > 0.0 and obj.location.y < 0.0 and obj.location.z == pytest.approx(0.0)
        colour = np.array(obj.active_material.diffuse_color[:3])
        assert colour[channel] > 4 * np.delete(colour, channel).max(), part

    for part in ("area_left", "area_right"):
        assert made[part].data.type == "AREA" and made[part].location.x > 0.0

    cycles = scene.cycles
    assert scene.render.engine == "CYCLES"
    assert (scene.render.resolution_x, scene.render.resolution_y) == TINY
    assert cycles.glossy_bounces == RenderParams().glossy_bounces
    assert cycles.max_bounces >= cycles.glossy_bounces + cycles.diffuse_bounces
    assert not cycles.caustics_reflective and not cycles.caustics_refractive
    assert cycles.samples == 8 and not cycles.use_denoising and cycles.seed == 7
    assert not cycles.use_adaptive_sampling


def test_cycles_settings_follow_the_job(clean_scene):
    scene = clean_scene
    studio(SceneParams(caustics=True),
                       render=RenderParams(samples=33, noise_threshold=0.05, denoise=True, seed=3, glossy_bounces=0))
    cycles = scene.cycles
    assert cycles.caustics_reflective and cycles.caustics_refractive
    assert cycles.glossy_bounces >= 1  # never 0: mirror-in-mirror would turn black
    assert cycles.samples == 33 and cycles.seed == 3
    assert cycles.use_adaptive_sampling and cycles.adaptive_threshold == pytest.approx(0.05)
    assert cycles.use_denoising  # Cycles' own denoiser: no compositor needed
    # Without RenderParams (the operator): defaults, but the scene keeps its resolution.
    scene.render.resolution_x, scene.render.resolution_y = 640, 480
    studio(SceneParams())
    assert (scene.render.resolution_x, scene.render.resolution_y) == (640, 480)
    assert cycles.samples == RenderParams().samples


def test_physical_sky_on_this_blender(clean_scene):
    params = SceneParams(sun_elevation=20.0, sun_rotation=170.0)
    made = studio(params, render=tiny())
    sky = sky_node(made["world"])
    assert sky is not None
    expected = "MULTIPLE_SCATTERING" if bpy.app.version >= (5, 0, 0) else "NISHITA"
    assert sky.sky_type == expected == compat.physical_sky_type(sky)
    assert sky.sun_elevation == pytest.approx(math.radians(20.0))
    assert sky.sun_rotation == pytest.approx(math.radians(170.0))
    assert not sky.sun_disc  # the sun lamp is the sun; not counted twice
    assert compat.sky_aerosol_density(sky) == pytest.approx(1.0)
    compat.set_sky_aerosol_density(sky, 2.5)
    assert compat.sky_aerosol_density(sky) == pytest.approx(2.5)
    background = next(n for n in made["world"].node_tree.nodes if n.type == "BACKGROUND")
    assert background.inputs["Strength"].default_value == pytest.approx(params.sky_strength)
    assert background.inputs["Color"].links[0].from_node == sky


# --- idempotence and ownership -----------------------------------------------------------


def test_running_twice_updates_instead_of_duplicating(clean_scene):
    scene = clean_scene
    first = studio(SceneParams(area_lights=True), render=tiny())
    counts = datablock_counts()
    names = sorted(o.name for o in scene.objects)
    second = studio(SceneParams(area_lights=True, sun_elevation=35.0, camera_lens=50.0,
                                                         sun_redness=0.9, ground_noise=0.3), render=tiny())
    assert datablock_counts() == counts
    assert sorted(o.name for o in scene.objects) == names
    assert all(first[k] == second[k] for k in first)  # the same datablocks, updated
    sky = sky_node(second["world"])
    assert sky is not None and sky.sun_elevation == pytest.approx(math.radians(35.0))
    assert second["camera"].data.lens == pytest.approx(50.0)
    assert second["sun"].data.color[2] < 0.3
    # Node trees are rebuilt, not stacked.
    nodes = len(second["ground"].active_material.node_tree.nodes)
    studio(SceneParams(area_lights=True), render=tiny())
    assert len(second["ground"].active_material.node_tree.nodes) == nodes


def test_running_twice_from_another_active_object_reuses_the_surface(clean_scene):
    scene = clean_scene
    made = studio(SceneParams(), render=tiny())
    bpy.context.view_layer.objects.active = made["camera"]
    studio(SceneParams(), render=tiny())
    surfaces = [o for o in scene.objects if tagging.role(o) == ROLE_SURFACE]
    assert surfaces == [made["surface"]]


def test_options_remove_or_hide_parts(clean_scene):
    scene = clean_scene
    full = studio(SceneParams(area_lights=True), render=tiny())
    before = len(scene.objects)
    bare = studio(SceneParams(ground=False, test_objects=False), render=tiny())
    assert set(bare) == {"surface", "collection", "world", "sun", "camera"} | DICING
    assert len(scene.objects) == before - 6  # ground, three test objects, two area lights
    assert bpy.data.meshes.get(full["surface"].data.name) is not None
    assert not [m for m in bpy.data.meshes if tags.is_studio(m) and m.users == 0]  # no orphans left

    zebra = studio(SceneParams(zebra=True), render=tiny())
    assert zebra["world"] != full["world"] and scene.world == zebra["world"]
    for part in ("sun", "ground", "red_cylinder", "green_cone", "blue_sphere"):
        assert zebra[part].hide_render, part  # the stripes are the only light
    assert not zebra["surface"].hide_render and not zebra["camera"].hide_render
    back = studio(SceneParams(), render=tiny())
    assert scene.world == full["world"]
    assert not any(back[p].hide_render for p in ("sun", "ground", "red_cylinder"))


def test_user_objects_and_world_are_left_alone(clean_scene):
    scene = clean_scene
    user_world = bpy.data.worlds.new("User World")
    scene.world = user_world
    mesh = bpy.data.meshes.new("User Cube")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (1, 1, 0)], [], [(0, 1, 2)])
    cube = bpy.data.objects.new("User Cube", mesh)
    scene.collection.objects.link(cube)
    cube.location = (5.0, 6.0, 7.0)
    user_mat = bpy.data.materials.new("User Material")
    mesh.materials.append(user_mat)
    user_nodes = len(compat.ensure_node_tree(user_world).nodes)

    studio(SceneParams(), render=tiny())
    studio(SceneParams(ground=False, test_objects=False), render=tiny())

    assert cube.name in scene.objects and cube.location[:] == (5.0, 6.0, 7.0)
    assert cube.get(ROLE_KEY) is None and cube.hide_render is False
    assert list(mesh.materials) == [user_mat]
    assert bpy.data.worlds.get("User World") == user_world and user_world.get(ROLE_KEY) is None
    assert len(user_world.node_tree.nodes) == user_nodes


def test_setup_around_a_given_surface_follows_its_place(clean_scene):
    surface = studio(SceneParams(), render=tiny())["surface"]
    surface.location = (10.0, -4.0, 0.0)
    surface.rotation_euler = (0.0, 0.0, math.radians(90.0))
    made = studio(SceneParams(), surface=surface, render=tiny())
    # The mirror's local +x (its front) is world +y now: the test objects moved with it.
    local = surface.matrix_world.inverted() @ made["red_cylinder"].location
    assert local.x > 0.0 and local.y < 0.0
    assert made["ground"].location.x == pytest.approx(10.0) and made["ground"].location.y == pytest.approx(-4.0)
    assert (made["camera"].location - surface.location).normalized().y > 0.9


# --- camera -------------------------------------------------------------------------------


@pytest.mark.parametrize("surface_values, resolution, lens", [
    ({}, (96, 54), 35.0),
    ({}, (54, 96), 35.0),  # portrait
    ({}, (200, 200), 85.0),
    (PRESETS["Kistefos-like"], (160, 60), 24.0),  # S-bend in plan
    ({"radius": 0.3, "length": 7.0}, (96, 54), 50.0),
])
def test_camera_sees_the_whole_surface(clean_scene, surface_values, resolution, lens):
    scene = clean_scene
    from scurve_addon import build

    surface = build.build_mirror(bpy.context, SurfaceParams(**surface_values))
    made = studio(SceneParams(camera_lens=lens), surface=surface,
                              render=tiny(resolution=resolution))
    camera = made["camera"]
    assert camera.data.lens == pytest.approx(lens)
    corners = surface_corners(surface, bpy.context.evaluated_depsgraph_get())
    ndc = np.array([world_to_camera_view(scene, camera, Vector(c.tolist()))[:] for c in corners])
    assert (ndc[:, 2] > 0).all()  # in front of the camera
    assert (ndc[:, :2] >= 0.0).all() and (ndc[:, :2] <= 1.0).all(), ndc
    # Framed, not lost in the distance: the box fills most of the frame one way or the other.
    extent = ndc[:, :2].max(axis=0) - ndc[:, :2].min(axis=0)
    assert extent.max() > 0.8
    # From the front: the camera is on the mirror's +x side, looking towards -x.
    view = camera.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0))
    assert camera.location.x > corners[:, 0].max() and view.x < -0.9


def test_fit_camera_is_tight_around_any_points():
    """placement.fit_camera, checked with plain pinhole projection: every point inside the
    frame less its margin, and the tightest one on its edge (the camera is no further back
    than it must be)."""
    rng = np.random.default_rng(3)
    for aspect, lens in ((16 / 9, 35.0), (0.6, 50.0), (2.5, 18.0)):
        points = rng.normal(size=(40, 3)) * (3.0, 1.0, 0.5) + (1.0, -2.0, 1.0)
        forward = placement.camera_forward(8.0)
        location, rotation = placement.fit_camera(points, forward, lens, aspect)
        local = (points - location) @ rotation  # right, up, backward
        depth = -local[:, 2]
        assert (depth > 0).all()
        half_w = placement.CAMERA_SENSOR_WIDTH / 2 / lens * (1 - placement.CAMERA_MARGIN)
        x, y = local[:, 0] / depth / half_w, local[:, 1] / depth / (half_w / aspect)
        assert np.abs(x).max() <= 1 + 1e-9 and np.abs(y).max() <= 1 + 1e-9
        assert max(np.abs(x).max(), np.abs(y).max()) == pytest.approx(1.0)
        assert np.allclose(rotation @ rotation.T, np.eye(3)) and abs(rotation[2, 0]) < 1e-12  # level


def test_sun_colour_runs_from_white_to_red():
    assert placement.sun_color(0.0) == pytest.approx((1.0, 1.0, 1.0))
    reds = [placement.sun_color(t) for t in (0.0, 0.3, 0.7, 1.0)]
    assert all(r == pytest.approx(1.0) for r, _, _ in reds)
    assert all(a[1] > b[1] and a[2] > b[2] for a, b in zip(reds[:-1], reds[1:], strict=True))
    assert placement.sun_color(5.0) == placement.sun_color(1.0)


# --- operator -----------------------------------------------------------------------------


def test_operator_runs_twice_without_duplicates(clean_scene):
    scene = clean_scene
    assert scurve_ops.setup_scene() == {"FINISHED"}
    counts = datablock_counts()
    assert scurve_ops.setup_scene(sun_rotation=150.0, area_lights=False) == {"FINISHED"}
    assert datablock_counts() == counts
    sky = sky_node(scene.world)
    assert sky is not None and sky.sun_rotation == pytest.approx(math.radians(150.0))
    assert len([o for o in scene.objects if tagging.role(o) == ROLE_SURFACE]) == 1
    assert scurve_ops.setup_scene(zebra=True, zebra_stripes=20) == {"FINISHED"}
    assert scene.world.get(ROLE_KEY) == "STUDIO_ZEBRA"


def test_operator_properties_come_from_scene_params(addon):
    rna = scurve_ops.setup_scene.get_rna_type()
    for name, value in SceneParams().__dict__.items():
        prop = rna.properties[name]
        assert prop.default == pytest.approx(value), name
        assert prop.name == SCENE_SPECS[name].label
    assert {"REGISTER", "UNDO"} <= set(addon.registration.SCURVE_OT_setup_scene.bl_options)


def test_operator_refuses_edit_mode(clean_scene):
    assert scurve_ops.build_mirror() == {"FINISHED"}
    bpy.ops.object.mode_set(mode="EDIT")
    try:
        assert not scurve_ops.setup_scene.poll()
    finally:
        bpy.ops.object.mode_set(mode="OBJECT")


# --- real renders -------------------------------------------------------------------------


@pytest.mark.render
def test_sun_lamp_and_sky_sun_agree(clean_scene, tmp_path):
    """placement.sun_direction's convention is the sky texture's on this Blender: a camera
    looking along it sees the sky's sun disc at the centre of the image."""
    scene = clean_scene
    params = SceneParams(sun_elevation=25.0, sun_rotation=140.0, ground=False, test_objects=False)
    made = studio(params, render=tiny(samples=1, resolution=(33, 33)))
    sky = sky_node(made["world"])
    sky.sun_disc = True
    sky.sun_size = math.radians(4.0)
    made["surface"].hide_render = True
    camera = made["camera"]
    camera.data.sensor_fit = "HORIZONTAL"
    camera.data.angle = math.radians(60.0)
    toward_sun = Vector(placement.sun_direction(25.0, 140.0).tolist())
    camera.rotation_euler = toward_sun.to_track_quat("-Z", "Y").to_euler()
    pixels = render_pixels(scene, tmp_path / "sun.png").sum(axis=-1)
    row, col = np.unravel_index(np.argmax(pixels), pixels.shape)
    assert abs(row - 16) <= 2 and abs(col - 16) <= 2, (row, col)


@pytest.mark.render
def test_render_shows_the_test_objects_reflected_in_the_mirror(clean_scene, tmp_path):
    """The red, green and blue objects are hidden from the camera, so strongly coloured
    pixels in the mirror can only be their reflections; a render without them is the
    baseline (the sky is bluish, the sun reddish)."""
    scene = clean_scene
    made = studio(SceneParams(), render=tiny())
    for part in ("red_cylinder", "green_cone", "blue_sphere"):
        made[part].visible_camera = False
    with_objects = render_pixels(scene, tmp_path / "with.png")
    mask = mirror_mask(scene, made["surface"])
    studio(SceneParams(test_objects=False), render=tiny())
    baseline = render_pixels(scene, tmp_path / "without.png")

    # Not blank: a lit, varied picture, and the mirror takes a good part of it.
    assert 0.1 < with_objects.mean() < 0.9 and with_objects.std() > 0.05
    assert 0.2 < mask.mean() < 0.9
    assert with_objects[mask].std() > 0.05

    for channel, name in enumerate(("red", "green", "blue")):
        strong = dominance(with_objects, channel) > 0.15
        gained = dominance(with_objects, channel) - dominance(baseline, channel) > 0.1
        reflected = strong & gained & mask
        assert reflected.sum() >= 3, f"no {name} reflection in the mirror"
        assert (strong & gained & ~mask).sum() <= max(2, reflected.sum() // 3), f"{name} outside the mirror"


@pytest.mark.render
def test_zebra_render_shows_stripes_on_the_mirror(clean_scene, tmp_path):
    scene = clean_scene
    made = studio(SceneParams(zebra=True, zebra_stripes=8), render=tiny(samples=4))
    pixels = render_pixels(scene, tmp_path / "zebra.png").mean(axis=-1)
    mask = mirror_mask(scene, made["surface"])
    light = pixels > 0.5
    assert 0.15 < light[mask].mean() < 0.85  # light and dark both

    def transitions(column: int, where: np.ndarray) -> int:
        rows = np.flatnonzero(where[:, column])
        if len(rows) < 2:
            return 0
        values = light[rows, column]
        return int(np.count_nonzero(values[1:] != values[:-1]))

    width = pixels.shape[1]
    on_mirror = np.array([transitions(j, mask) for j in range(width)])
    # Many crisp alternations down the curved ends of the mirror...
    assert on_mirror.max() >= 6
    assert np.count_nonzero(on_mirror >= 4) >= width // 5
    # ...and light and dark are clean levels, not a grey blur.
    assert np.mean((pixels[mask] < 0.15) | (pixels[mask] > 0.5)) > 0.8
    # The stripes come from the mirror: without it, the same columns see only a few bands...
    made["surface"].hide_render = True
    light = render_pixels(scene, tmp_path / "bare.png").mean(axis=-1) > 0.5
    assert np.array([transitions(j, mask) for j in range(width)]).max() <= 3
    # ...and those bands are placement.zebra_stripe's, evenly spaced in elevation: predict
    # each pixel from its camera ray (pixels right at a band's edge left out).
    camera = made["camera"]
    frame = camera.data.view_frame(scene=scene)  # top-right, bottom-right, bottom-left, top-left
    turn = np.array(camera.matrix_world.to_3x3())
    right, up, corner = np.array(frame[1] - frame[2]), np.array(frame[3] - frame[2]), np.array(frame[2])
    height = light.shape[0]
    fx = (np.arange(width) + 0.5) / width
    fy = (np.arange(height) + 0.5) / height
    rays = corner + fx[None, :, None] * right + fy[:, None, None] * up
    rays = rays @ turn.T
    elevation = np.arcsin(rays[..., 2] / np.linalg.norm(rays, axis=-1))
    phase = (elevation + math.pi / 2) / math.pi * 8
    clear = np.abs(phase - np.round(phase)) > 0.1
    predicted = placement.zebra_stripe(elevation, 8) > 0.5
    assert clear.mean() > 0.5
    assert np.mean(predicted[clear] == light[clear]) > 0.97


def test_reuse_rebuilds_only_the_parts_whose_inputs_changed(clean_scene):
    """Render sessions set the studio up again for every job with reuse on: what did not
    change is left alone (so Cycles' persistent data of it stays valid)."""
    from scurve_addon import build as build_mod

    context = bpy.context
    surface = build_mod.build_mirror(context)
    render = RenderParams(resolution=(64, 36))
    rebuilt: list[str] = []
    setup_studio_scene(context, SceneParams(), surface=surface, render=render, reuse=True, rebuilt=rebuilt)
    assert set(rebuilt) == {"render_settings", "world", "sun", "ground", "test_objects", "camera"}
    rebuilt.clear()
    setup_studio_scene(context, SceneParams(), surface=surface, render=render, reuse=True, rebuilt=rebuilt)
    assert rebuilt == []
    setup_studio_scene(context, SceneParams(sun_elevation=30.0), surface=surface, render=render, reuse=True,
                       rebuilt=rebuilt)
    assert rebuilt == ["world", "sun"]
    rebuilt.clear()
    camera = context.scene.camera.matrix_world.copy()
    build_mod.rebuild_surface(surface, SurfaceParams(radius=1.5))
    setup_studio_scene(context, SceneParams(sun_elevation=30.0), surface=surface, render=render, reuse=True,
                       rebuilt=rebuilt)
    assert set(rebuilt) == {"ground", "test_objects", "camera"}
    assert context.scene.camera.matrix_world != camera  # it frames the bigger mirror
    rebuilt.clear()
    setup_studio_scene(context, SceneParams(sun_elevation=30.0), surface=surface, render=render, rebuilt=rebuilt)
    assert "world" in rebuilt and "camera" in rebuilt  # without reuse: everything again
