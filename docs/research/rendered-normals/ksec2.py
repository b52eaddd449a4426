import sys, math, time; sys.path.insert(0, 'docs/research/rendered-normals')
import numpy as np
from secopt import Section, BAND, assemble
from scipy.optimize import least_squares
n = int(sys.argv[1]); lr = float(sys.argv[2]); init = sys.argv[3]; out = sys.argv[4]; w_rad = float(sys.argv[5])
P0 = np.load(init); k = (n - 1) // 2
sec = Section(n, lr, per_span=12, us=np.linspace(0.02, 1, 14))
def res(x):
    P = assemble(P0, x, k); err, th, rad = sec.errors(P)
    m = (th > BAND) & (th < math.pi - BAND)
    e = np.where(m[:, None], err / 1e-3, 0.02 * err / 1e-3) ** 2
    return np.concatenate([e.ravel() / math.sqrt(e.size), w_rad * (rad / 1e-4) ** 2 / math.sqrt(rad.size)])
t0 = time.time()
x = least_squares(res, P0[1:k + 1].ravel(), method='lm', xtol=1e-12, ftol=1e-12, max_nfev=3000).x
P = assemble(P0, x, k)
if n % 2 == 0: pass
np.save(out, P)
print(Section(n, lr, per_span=24).report(P, f'n={n} w_rad={w_rad}'), f'{time.time()-t0:.0f}s')
