"""Numpy proxy: the exact Catmull-Clark limit surface (bicubic uniform B-spline, open boundary
with kept corners = phantom end points 2x0-x1) of a control net, its normals, vs the analytic
surface. Also the level-n mesh proxy (limit positions at 2^-n knot steps, smooth-shaded
triangles interpolating vertex normals) to estimate the discretisation error."""
import math, sys, importlib
sys.path.insert(0, '.')
import numpy as np
from scurve_addon.geometry import surface as gsurf, shape
from stats import normal_errors


def basis_matrix(n, t, deriv=0):
    """(len(t), n) matrix: limit curve (or its d/dt) of n control points at knot params t."""
    t = np.clip(np.asarray(t, float), 0, n - 1)
    k = np.minimum(np.floor(t).astype(int), n - 2)
    tau = t - k
    if deriv == 0:
        w = np.stack([(1 - tau) ** 3, 3 * tau**3 - 6 * tau**2 + 4, -3 * tau**3 + 3 * tau**2 + 3 * tau + 1, tau**3], -1) / 6
    elif deriv == 1:
        w = np.stack([-(1 - tau) ** 2, 3 * tau**2 - 4 * tau, -3 * tau**2 + 2 * tau + 1, tau**2], -1) / 2
    else:
        w = np.stack([1 - tau, 3 * tau - 2, -3 * tau + 1, tau], -1)
    M = np.zeros((len(t), n + 2))
    rows = np.arange(len(t))
    for m in range(4):
        np.add.at(M, (rows, k + m), w[:, m])
    # padded index j -> control j-1; phantom 0 = 2x0 - x1, phantom n+1 = 2x_{n-1} - x_{n-2}
    out = M[:, 1:n + 1].copy()
    out[:, 0] += 2 * M[:, 0]; out[:, 1] -= M[:, 0]
    out[:, n - 1] += 2 * M[:, n + 1]; out[:, n - 2] -= M[:, n + 1]
    return out


def limit_eval(G, a, b):
    """G (nt, nu, 3) control grid; a (knot params along u, cols), b (along theta, rows).
    Returns Q, Q_a, Q_b each (len(b), len(a), 3)."""
    nt, nu = G.shape[:2]
    Bu, Du = basis_matrix(nu, a), basis_matrix(nu, a, 1)
    Bt, Dt = basis_matrix(nt, b), basis_matrix(nt, b, 1)
    Q = np.einsum('it,tuk,ju->ijk', Bt, G, Bu)
    Qa = np.einsum('it,tuk,ju->ijk', Bt, G, Du)
    Qb = np.einsum('it,tuk,ju->ijk', Dt, G, Bu)
    return Q, Qa, Qb


def grid_for(p, fitname=''):
    if not fitname:
        return gsurf.control_grid(p)[0]
    mod, fn = fitname.split(':')
    return getattr(importlib.import_module(mod), fn)(p)[0]


def measure_limit(p, G, per_span=12, weighted=True):
    """Normal error of the exact limit surface, sampled uniformly in knot space and weighted by
    projected area on the camera plane (YZ) so quantiles mimic an orthographic +X render."""
    nt, nu = G.shape[:2]
    a = (np.arange((nu - 1) * per_span) + 0.5) / per_span
    b = (np.arange((nt - 1) * per_span) + 0.5) / per_span
    Q, Qa, Qb = limit_eval(G, a, b)
    n = np.cross(Qa, Qb)
    w = np.abs(n[..., 0]).ravel() if weighted else None
    return normal_errors(p, Q.reshape(-1, 3), n.reshape(-1, 3), w)


def measure_mesh(p, G, level=3, per_face=4, vnormals='limit'):
    """Proxy of the rendered level-`level` mesh: vertices at limit positions of the 2^-level grid,
    vertex normals = exact limit normals ('limit') or angle-weighted face normals ('faces'),
    Phong-interpolated across the two triangles of each quad (diagonal v0-v2 as Blender/Cycles)."""
    nt, nu = G.shape[:2]
    s = 2 ** level
    a = np.arange((nu - 1) * s + 1) / s
    b = np.arange((nt - 1) * s + 1) / s
    V, Va, Vb = limit_eval(G, a, b)
    VN = np.cross(Va, Vb)
    VN /= np.linalg.norm(VN, axis=-1, keepdims=True)
    # barycentric samples inside each quad (f x f grid of points), split by triangle
    f = per_face
    g = (np.arange(f) + 0.5) / f
    X, Y = np.meshgrid(g, g, indexing='xy')  # x along u (cols), y along theta (rows)
    X, Y = X.ravel(), Y.ravel()
    v00, v10, v11, v01 = V[:-1, :-1], V[:-1, 1:], V[1:, 1:], V[1:, :-1]  # (i,j),(i,j+1),(i+1,j+1),(i+1,j)
    n00, n10, n11, n01 = VN[:-1, :-1], VN[:-1, 1:], VN[1:, 1:], VN[1:, :-1]
    pts, nrm = [], []
    for x, y in zip(X, Y):
        if x >= y:  # triangle v00, v10, v11
            w0, w1, w2 = 1 - x, x - y, y
            P_ = w0 * v00 + w1 * v10 + w2 * v11; N_ = w0 * n00 + w1 * n10 + w2 * n11
        else:  # triangle v00, v11, v01
            w0, w1, w2 = 1 - y, x, y - x
            P_ = w0 * v00 + w1 * v11 + w2 * v01; N_ = w0 * n00 + w1 * n11 + w2 * n01
        pts.append(P_.reshape(-1, 3)); nrm.append(N_.reshape(-1, 3))
    pts, nrm = np.concatenate(pts), np.concatenate(nrm)
    # weight: projected area of the (planar-ish) faces ~ |n_x| of the interpolated normal
    w = np.abs(nrm[:, 0] / np.linalg.norm(nrm, axis=1))
    return normal_errors(p, pts, nrm, w)


if __name__ == '__main__':
    from scurve_addon.defaults import SurfaceParams
    from stats import fmt
    import time
    for name, p in [('default', SurfaceParams()), ('smooth', SurfaceParams(profile='SMOOTH')),
                    ('kistefos', SurfaceParams(radius=1.05, length=4.6, arc_segments=24, rows=32, profile='SMOOTH', s_bend=0.8))]:
        G = grid_for(p)
        t0 = time.time()
        print(fmt(measure_limit(p, G), f'{name} limit'), f'{time.time()-t0:.1f}s')
