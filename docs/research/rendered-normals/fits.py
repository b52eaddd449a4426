"""Control grids from the optimised 1-D factors (for proxy and render hooks: fit=fits:NAME)."""
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE); sys.path.insert(0, '.')
import numpy as np
from scurve_addon.geometry import shape, bspline, surface

SEC = {16: 'scan/sec_n16_k7_g0.15_eb0.35-0.55-0.75-0.9_p4.npy', 24: 'scan/sec_kist_rad.npy'}
PLAN = {'SMOOTH': 'scan/plan_smooth_k12_g0.3.npy', 'KIST': 'scan/plan_kist_k8_g0.4.npy'}


def _grid(p, SH=None, CW=None):
    G0, u, th = getattr(surface, "control_grid_original", surface.control_grid)(p)
    if SH is None:  # current section fit
        SH = bspline.interpolate(np.stack(shape.section_terms(th), -1))
    if CW is None:
        c, w = shape.plan_terms(u, p.length, p.profile, p.s_bend)
        CW = bspline.interpolate(np.concatenate([c, w], -1))
    return shape.combine(CW[:, :2], CW[:, 2:], SH[:, 0], SH[:, 1], p.radius), u, th


def load(path):
    return np.load(os.path.join(HERE, path))


def sec_only(p):
    return _grid(p, SH=load(SEC[p.arc_segments]))


def plan_only(p):
    key = 'KIST' if p.s_bend else 'SMOOTH'
    return _grid(p, CW=load(PLAN[key]))


def both(p):
    key = 'KIST' if p.s_bend else 'SMOOTH'
    CW = load(PLAN[key]) if p.profile == 'SMOOTH' else None
    return _grid(p, SH=load(SEC[p.arc_segments]), CW=CW)
