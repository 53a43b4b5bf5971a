"""DataLoader: one epoch over a 60,000 x 784 TensorDataset (MNIST-sized), batch 64, shuffled.

Times a full pass of ``funcgrad.torch.utils.data.DataLoader`` next to
PyTorch's (when installed, 1 thread) on the same float32 data, interleaved in
one process (``harness.measure``), and prints seconds per epoch and the ratio
funcgrad / PyTorch (issue 20's target: <= 1.0). A hand-written NumPy loop
(permute, then fancy-index each batch) is the floor.

    python benchmarks/dataloader.py [--reps 5] [--rows 60000] [--workers 0]
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

harness.pin_threads(1)

import numpy as np  # noqa: E402


def cases(rows: int, batch_size: int = 64, workers: int = 0) -> dict:
    import funcgrad.torch as ft
    rng = np.random.default_rng(0)
    X = rng.random((rows, 784), dtype=np.float32)
    y = rng.integers(0, 10, rows)

    def epoch(loader):
        def run():
            n = 0
            for xb, yb in loader:
                n += len(yb)
            assert n == rows
        return run

    def numpy_floor():
        perm = rng.permutation(rows)
        for i in range(0, rows, batch_size):
            idx = perm[i:i + batch_size]
            X[idx], y[idx]

    fds = ft.utils.data.TensorDataset(ft.from_numpy(X), ft.from_numpy(y))
    impls = {"numpy (floor)": numpy_floor,
             "funcgrad": epoch(ft.utils.data.DataLoader(fds, batch_size=batch_size,
                                                         shuffle=True, num_workers=workers))}
    try:
        import torch
    except ImportError:
        return impls
    torch.set_num_threads(1)
    tds = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    impls["torch"] = epoch(torch.utils.data.DataLoader(tds, batch_size=batch_size,
                                                       shuffle=True, num_workers=workers))
    return impls


def main(argv=None) -> dict:
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--rows", type=int, default=60000)
    p.add_argument("--workers", type=int, default=0)
    args = p.parse_args(argv)
    impls = cases(args.rows, workers=args.workers)
    res = harness.measure(impls, args.reps, min_sample=0.0, clock="wall")
    for name, (med, low) in res.items():
        print(f"{name:14s} {med:8.3f} s/epoch (min {low:.3f})")
    if "torch" in res:
        print(f"funcgrad / torch: {res['funcgrad'][0] / res['torch'][0]:.2f} (median), "
              f"{res['funcgrad'][1] / res['torch'][1]:.2f} (min)")
    return res


if __name__ == "__main__":
    main()
