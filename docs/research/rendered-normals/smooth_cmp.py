import sys; sys.path.insert(0, 'docs/research/rendered-normals'); sys.path.insert(0, '.')
import numpy as np, proxy, endfit, planopt
from scurve_addon.geometry import shape
from scurve_addon.defaults import SurfaceParams
p = SurfaceParams(profile='SMOOTH')
SH = endfit.section_controls(16, 3.0)
variants = {'endfit k8 fast': endfit.plan_controls(p), 'scipy k12': np.load('scan/plan_smooth_k12_g0.3.npy'),
            'scipy k15': np.load('scan/plan_smooth_k15_g0.4.npy'), 'scipy k8': np.load('scan/plan_smooth_k8_g0.4_eb0.2-0.4-0.6-0.8-0.9.npy')}
for name, CW in variants.items():
    G = shape.combine(CW[:, :2], CW[:, 2:], SH[:, 0], SH[:, 1], p.radius)
    r = proxy.measure_limit(p, G, per_span=6); a = r['all']
    print(f'{name}: med {a["med"]:.4f} p99 {a["p99"]:.4f} max {a["max"]:.4f} | u bands ' + ' '.join(f'{k}:{v["p99"]:.3f}/{v["max"]:.3f}' for k, v in r['u'].items()), flush=True)
