"""Write tests/torch/data/optim_reference.json: PyTorch's optimizer trajectories.

Run where PyTorch is installed (CI has none; the JSON is committed):

    python tests/torch/make_optim_reference.py

For every case: the initial parameters (a 2x3 matrix and a 0-d scalar), the
gradients given at each step, and the parameters PyTorch's optimizer
produced after each step; for LBFGS the closure's loss is a fixed function
(``lbfgs_loss``, the same formula in both libraries) and the returned losses
and evaluation counts are recorded too.
"""
from __future__ import annotations

import json
import os

import numpy as np

STEPS = 5
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "optim_reference.json")

CASES = {
    "RMSprop": [dict(lr=0.01), dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True),
                dict(lr=0.02, weight_decay=0.1, maximize=True, eps=1e-3)],
    "Adagrad": [dict(lr=0.1), dict(lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                   initial_accumulator_value=0.2), dict(lr=0.05, maximize=True)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.05),
                 dict(maximize=True)],
    "Adamax": [dict(), dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1),
               dict(lr=0.01, maximize=True, eps=1e-3)],
    "NAdam": [dict(), dict(lr=0.05, momentum_decay=0.01, weight_decay=0.1),
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)],
    "RAdam": [dict(), dict(lr=0.05, betas=(0.5, 0.6)),  # rho_t > 5 from step 2 on
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.5, 0.6)),
              dict(lr=0.01, weight_decay=0.1, maximize=True, betas=(0.6, 0.7))],
}
LBFGS_CASES = [dict(), dict(line_search_fn="strong_wolfe"),
               dict(lr=0.5, history_size=2, max_iter=7),
               dict(line_search_fn="strong_wolfe", history_size=3, max_iter=4, max_eval=6)]


def lbfgs_loss(lib, a, b):
    """Rosenbrock in ``a`` (shape (2,)) plus a quartic in the 0-d ``b``."""
    return (1 - a[0]) ** 2 + 100 * (a[1] - a[0] ** 2) ** 2 + (b - 0.5) ** 4 + b ** 2 + a[0] * b


def _case_data(rng):
    init = [rng.normal(size=(2, 3)), np.asarray(rng.normal())]
    grads = [[rng.normal(size=(2, 3)), np.asarray(rng.normal())] for _ in range(STEPS)]
    return init, grads


def main() -> None:
    import torch
    rng = np.random.default_rng(20)
    out = {"elementwise": [], "lbfgs": []}
    for name, configs in CASES.items():
        for kwargs in configs:
            for dtype in ("float64", "float32"):
                init, grads = _case_data(rng)
                ps = [torch.nn.Parameter(torch.tensor(v, dtype=getattr(torch, dtype)))
                      for v in init]
                opt = getattr(torch.optim, name)(ps, **kwargs)
                traj = []
                for g in grads:
                    for p, gi in zip(ps, g):
                        p.grad = torch.tensor(gi, dtype=p.dtype)
                    opt.step()
                    traj.append([p.detach().numpy().tolist() for p in ps])
                state = {k: (v.tolist() if torch.is_tensor(v) else v)
                         for k, v in opt.state[ps[1]].items()}
                out["elementwise"].append(dict(
                    opt=name, kwargs=kwargs, dtype=dtype,
                    init=[v.tolist() for v in init],
                    grads=[[gi.tolist() for gi in g] for g in grads], traj=traj,
                    state_0d=state))
    for kwargs in LBFGS_CASES:
        a = torch.nn.Parameter(torch.tensor([-1.2, 1.0], dtype=torch.float64))
        b = torch.nn.Parameter(torch.tensor(1.5, dtype=torch.float64))
        opt = torch.optim.LBFGS([a, b], **kwargs)

        def closure():
            opt.zero_grad()
            loss = lbfgs_loss(torch, a, b)
            loss.backward()
            return loss

        steps = []
        for _ in range(3):
            loss = opt.step(closure)
            st = opt.state[a]
            steps.append(dict(loss=float(loss), a=a.detach().tolist(), b=b.item(),
                              func_evals=st["func_evals"], n_iter=st["n_iter"]))
        out["lbfgs"].append(dict(kwargs=kwargs, steps=steps))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(out['elementwise'])} + {len(out['lbfgs'])} cases, torch "
          f"{torch.__version__}")


if __name__ == "__main__":
    main()
