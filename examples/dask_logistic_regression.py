"""Logistic regression on data that outgrows a worker: funcgrad over Dask arrays.

The data set is generated lazily, chunk by chunk, on a ``LocalCluster`` of two
worker processes; it is never persisted, so each step streams over it and at the
large size it is several times larger than one worker's memory limit. The loss is
written once with plain NumPy; ``funcgrad.value_and_grad`` returns the loss and
the gradient as lazy Dask arrays of one graph, which the cluster computes (the
progress bar is Dask's, ``distributed.progress``). The parameters (20 numbers)
are all the client ever holds.

Run:  python examples/dask_logistic_regression.py                  # 200,000 rows, seconds
      python examples/dask_logistic_regression.py --rows 20000000  # 3.4 GB, > 1 GiB per worker
"""
# requires: distributed
from __future__ import annotations

import argparse

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, progress

import funcgrad
from funcgrad import optimizers as optim

FEATURES = 20
TRUE_W = np.linspace(-1.0, 1.0, FEATURES)


def make_data(rows: int, chunk: int, seed: int) -> tuple:
    """Features and labels from a known logistic model, as lazy Dask arrays."""
    rng = da.random.default_rng(seed)
    X = rng.normal(size=(rows, FEATURES), chunks=(chunk, FEATURES))
    p = 1 / (1 + np.exp(-(X @ TRUE_W)))
    y = (rng.random(rows, chunks=chunk) < p).astype(np.float64)
    return X, y


def mean_loss(w: np.ndarray, X, y):
    """Mean logistic loss, written with plain NumPy (works on NumPy and Dask arrays)."""
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="training rows")
    parser.add_argument("--chunk", type=int, default=None,
                        help="rows per chunk (default: rows / 10, at most 100,000)")
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--memory-limit", default="1GiB", help="per worker")
    args = parser.parse_args(argv)
    chunk = args.chunk or min(100_000, max(1, args.rows // 10))

    X, y = make_data(args.rows, chunk, seed=0)
    X_test, y_test = make_data(max(chunk, args.rows // 10), chunk, seed=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=args.memory_limit,
                      dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        limit = next(iter(client.scheduler_info()["workers"].values()))["memory_limit"]
        size = X.nbytes + y.nbytes
        print(f"training data: {args.rows:,} x {FEATURES} float64, {size / 1e9:.2f} GB in "
              f"{X.numblocks[0]} chunks of {chunk:,} rows, generated lazily"
              + (f"; memory limit per worker: {limit / 2**30:.2f} GiB "
                 f"(the data is {size / limit:.2f}x that)" if limit else ""))

        step = funcgrad.value_and_grad(mean_loss)
        opt = optim.adam(optim.exponential_decay(0.2, 5, 0.5))
        w = np.zeros(FEATURES)
        state = opt.init(w)
        for it in range(args.steps):
            loss, grad = step(w, X, y)                 # lazy: one graph, nothing computed yet
            futures = client.compute([loss, grad])     # the cluster runs it
            progress(futures)
            loss, grad = client.gather(futures)
            print(f"  step {it:2d}  loss {loss:.5f}")
            updates, state = opt.update(grad, state, w)
            w = optim.apply_updates(w, updates)
        hits = [np.mean((X_test @ v > 0) == (y_test == 1)) for v in (w, TRUE_W)]
        accuracy, best = (float(a) for a in client.compute(hits, sync=True))
    print(f"held-out accuracy: {100 * accuracy:.1f}% (the true model's: {100 * best:.1f}%)")
    assert accuracy > best - 0.02, (accuracy, best)
    return accuracy


if __name__ == "__main__":
    main()
