"""Measure the rendered normal error of the mirror (team issue #15).

Usage: python3 measure.py [--py PYTHON] [--npz FILE] key=value ...
  keys as render_passes.py: profile, s_bend, arc_segments, rows, radius, length, level, adaptive,
  res, fit (module:function), boundary, pixel_size. Runs render_passes.py under `nice -n 19`
  with the given Blender python (default 5.0 wheel), then prints median/p99/max overall, per
  theta band and per |u| band (med/p99/max), and the position error, plus the numpy proxy
  (exact limit surface of the same control net) for comparison.
"""
import sys, os, json, subprocess, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE); sys.path.insert(0, '.')
import numpy as np
from stats import normal_errors, fmt
from scurve_addon.defaults import SurfaceParams

argv = sys.argv[1:]
py = '/work/main/.venv/bin/python'
npz = None
if '--py' in argv:
    i = argv.index('--py'); py = argv[i + 1]; del argv[i:i + 2]
if '--npz' in argv:
    i = argv.index('--npz'); npz = argv[i + 1]; del argv[i:i + 2]
args = dict(a.split('=', 1) for a in argv)
if npz is None or not os.path.exists(npz):
    tag = '_'.join(f'{k}{v}' for k, v in sorted(args.items())).replace(':', '-').replace('/', '-') or 'default'
    npz = npz or os.path.join(HERE, 'renders', f'{os.path.basename(os.path.dirname(os.path.dirname(py)))}_{tag}.npz')
    os.makedirs(os.path.dirname(npz), exist_ok=True)
    t0 = time.time()
    r = subprocess.run(['nice', '-n', '19', py, os.path.join(HERE, 'render_passes.py'), npz[:-4]] + argv,
                       capture_output=True, text=True, cwd=HERE)
    if r.returncode:
        print(r.stdout[-2000:], r.stderr[-3000:]); sys.exit(1)
    print(r.stdout.strip().splitlines()[-1], f'(wall {time.time() - t0:.1f}s)')
d = np.load(npz)
N, P = d['N'].reshape(-1, 3).astype(float), d['P'].reshape(-1, 3).astype(float)
hit = np.linalg.norm(N, axis=1) > 0.5
p = SurfaceParams(radius=float(args.get('radius', 1)), length=float(args.get('length', 3)),
                  arc_segments=int(args.get('arc_segments', 16)), rows=int(args.get('rows', 16)),
                  profile=args.get('profile', 'LINEAR'), s_bend=float(args.get('s_bend', 0)),
                  render_levels=int(args.get('level', 3)))
res = normal_errors(p, P[hit], N[hit])
print(fmt(res, f"RENDER {args}"))
json.dump(res, open(npz[:-4] + '.json', 'w'), indent=1)
if int(args.get('proxy', 1)):
    import proxy
    fitname = args.get('fit', '')
    G = proxy.grid_for(p, fitname)
    pr = proxy.measure_limit(p, G)
    print(fmt(pr, 'PROXY (exact limit surface, pixel-area weighted)'))
