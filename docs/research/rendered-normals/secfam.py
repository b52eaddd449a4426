"""Section fit families: interpolation at nodes whose spacing is uniform in the interior and
refined in the k end spans (spacing factors beta_1..beta_k), searched on a grid."""
import math, sys, itertools, time
sys.path.insert(0, '.'); sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from scurve_addon.geometry import bspline
from secopt import Section, BAND


def nodes(n, betas):
    d = np.ones(n)
    k = len(betas)
    d[:k] = betas; d[n - k:] = betas[::-1]
    th = np.concatenate([[0], np.cumsum(d)]); th *= math.pi / th[-1]
    return th


def interp_section(n, betas):
    th = nodes(n, betas)
    return bspline.interpolate(np.stack([np.sin(th), 1 - np.cos(th)], -1)), th


def score(sec, P):
    err, th, rad = sec.errors(P)
    band = (th > BAND) & (th < math.pi - BAND)
    e = np.degrees(err[band])
    return e.max(), np.quantile(e, .99), np.median(e), np.abs(rad).max() * 100


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    sec = Section(n, per_span=16)
    best = []
    grid = [0.15, 0.25, 0.35, 0.5, 0.65, 0.8, 1.0]
    t0 = time.time()
    for k in [1, 2, 3]:
        for betas in itertools.product(grid, repeat=k):
            if any(betas[i] > betas[i + 1] for i in range(k - 1)):
                continue
            P, th = interp_section(n, np.array(betas))
            mx, p99, med, rad = score(sec, P)
            best.append((mx, p99, med, rad, betas, np.degrees(th[1])))
    best.sort(key=lambda r: r[0])
    print(f'n={n}: {len(best)} candidates, {time.time()-t0:.0f}s; best by max:')
    for r in best[:6]:
        print('  max %.4f p99 %.4f med %.5f rad %.4f%%R betas %s theta1 %.2f' % (r[0], r[1], r[2], r[3], r[4], r[5]))
    best.sort(key=lambda r: r[2])
    print('  best by median among max<0.06:')
    for r in [r for r in best if r[0] < 0.06][:4]:
        print('  max %.4f p99 %.4f med %.5f rad %.4f%%R betas %s theta1 %.2f' % (r[0], r[1], r[2], r[3], r[4], r[5]))
