"""Facade / functional time ratios on the issue-7 workloads, in one process.

A helper for work on ``funcgrad.torch``'s overhead: only funcgrad and the
facade are timed (interleaved, process CPU time by default), with more
repetitions than ``run.py`` uses, and the ratio of medians and of minima is
printed per workload.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python benchmarks/facade_ratio.py --reps 21 --only chain,mlp-small,hvp
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

harness.pin_threads(1)

import numpy as np  # noqa: E402

from benchmarks import workloads  # noqa: E402


def cases(libs: dict, names: list) -> dict:
    out = {}
    for name in names:
        if name == "chain":
            out[name] = workloads.chain_case(libs, 2000)
        elif name == "mlp-small":
            out[name] = workloads.mlp_case(libs, (32, 64, 64, 1), 16, np.float64, "tanh-mse",
                                           name, name)
        elif name == "mlp-large":
            out[name] = workloads.mlp_case(libs, (784, 1024, 1024, 10), 256, np.float32,
                                           "relu-ce", name, name)
        elif name == "hvp":
            out[name] = workloads.hvp_case(libs, 200)
        else:
            raise SystemExit(f"unknown workload {name}")
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="chain,mlp-small,mlp-large,hvp")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--clock", default="cpu", choices=("cpu", "wall"))
    args = p.parse_args()
    libs, _ = workloads.load_libraries(peers=False, facade=True)
    for name, case in cases(libs, args.only.split(",")).items():
        impls = {k: case.impls[k] for k in ("funcgrad", "facade")}
        for fn in impls.values():  # as run.py's gradient check: one call each first
            fn()
        ms = 0.02 if name == "mlp-large" else 0.005
        res = harness.measure(impls, args.reps, min_sample=ms, clock=args.clock)
        (fm, fmin), (tm, tmin) = res["funcgrad"], res["facade"]
        print(f"{name:10s} funcgrad {fm * 1e6:10.1f} us ({fmin * 1e6:10.1f})  "
              f"facade {tm * 1e6:10.1f} us ({tmin * 1e6:10.1f})  "
              f"ratio {tm / fm:.3f}x ({tmin / fmin:.3f}x)", flush=True)


if __name__ == "__main__":
    main()
