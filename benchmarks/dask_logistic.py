"""Logistic-regression gradient over Dask arrays on a ``LocalCluster`` (issue 21).

funcgrad's automatic ``grad`` and ``value_and_grad`` of the loss
``sum(logaddexp(0, X @ w) - y * (X @ w))`` against dask-glm's hand-derived
``Logistic.pointwise_gradient`` and a hand-written Dask expression, on the same
cluster and the same persisted data (default: 2,000,000 x 20 float64 in chunks of
100,000 rows on 2 worker processes of one thread each). Every gradient is checked
against the hand-written one before anything is timed; times are wall-clock
medians of interleaved rounds (the work runs in the worker processes), each a
full step: build the graph, compute it on the cluster, gather the result.

Also reported: the tasks per step (after Dask's graph optimisation), the peak
memory each worker holds beyond its share of the data (sampled on the workers),
the client's peak memory (it must never hold a full array), and weak scaling
(1, 2 and 4 worker processes, rows proportional to the workers).

    python benchmarks/dask_logistic.py                 # the issue's sizes (~2 minutes)
    python benchmarks/dask_logistic.py --quick         # tiny sizes, seconds (the smoke test)
    python benchmarks/dask_logistic.py --rows 500000 --scaling 1,2 --json out.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Callable, Dict

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

harness.pin_threads(1)  # (the worker processes inherit it: one BLAS thread each)

import numpy as np  # noqa: E402

TARGETS = {"funcgrad grad": 1.2, "funcgrad value_and_grad": 1.3}
FULL = dict(rows=2_000_000, cols=20, chunk=100_000, reps=7, scaling="1,2,4")
QUICK = dict(rows=200_000, cols=20, chunk=20_000, reps=1, scaling="1,2")


# --- the implementations --------------------------------------------------------------
def logistic_loss(X: Any, y: Any) -> Callable[[Any], Any]:
    """The loss as a user writes it, with plain NumPy (dask-glm's ``loglike``)."""
    def loss(w: Any) -> Any:
        z = X @ w
        return np.sum(np.logaddexp(0, z) - y * z)
    return loss


def implementations(X: Any, y: Any, w: np.ndarray) -> Dict[str, Callable[[], tuple]]:
    """``{name: () -> tuple of lazy Dask arrays}``; the gradient comes last."""
    import dask.array as da
    import funcgrad as fg

    def hand_grad() -> tuple:
        p = 1 / (1 + da.exp(-X.dot(w)))
        return (X.T.dot(p - y),)

    def hand_value_and_grad() -> tuple:
        z = X.dot(w)
        return (da.sum(da.logaddexp(0, z) - y * z), X.T.dot(1 / (1 + da.exp(-z)) - y))

    impls = {"hand-written dask": hand_grad, "hand-written dask value+grad": hand_value_and_grad}
    try:
        from dask_glm.families import Logistic
        impls["dask-glm"] = lambda: (Logistic.pointwise_gradient(w, X, y),)
        impls["dask-glm loss+grad"] = lambda: (Logistic.pointwise_loss(w, X, y),
                                               Logistic.pointwise_gradient(w, X, y))
    except ImportError:
        pass
    loss = logistic_loss(X, y)
    impls["funcgrad grad"] = lambda: (fg.grad(loss)(w),)
    impls["funcgrad value_and_grad"] = lambda: tuple(fg.value_and_grad(loss)(w))
    return impls


# --- the cluster and its data ---------------------------------------------------------
def make_data(rows: int, cols: int, chunk: int, seed: int = 0) -> tuple:
    """X, y generated lazily (on the workers once persisted: the client never holds them)."""
    import dask.array as da
    rng = da.random.default_rng(seed)
    X = rng.normal(size=(rows, cols), chunks=(chunk, cols))
    w_true = np.linspace(-1.0, 1.0, cols)
    p = 1 / (1 + da.exp(-X.dot(w_true)))
    y = (rng.random(rows, chunks=chunk) < p).astype(np.float64)
    return X, y


def start_cluster(workers: int) -> tuple:
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    return cluster, Client(cluster)


def task_count(objs: tuple, data_keys: set) -> int:
    """Tasks in the optimised graph of ``objs``, the persisted data not counted."""
    import dask
    graph = dask.base.collections_to_expr(objs).optimize().__dask_graph__()
    return sum(1 for k in graph if k not in data_keys)


def _data_keys(*arrays: Any) -> set:
    return {k for a in arrays for k in a.__dask_graph__()}


# --- memory, sampled on the workers ---------------------------------------------------
def _sampler_start(dask_worker: Any, interval: float = 0.002) -> int:
    import threading
    import psutil
    proc = psutil.Process()
    state = {"managed": dask_worker.state.nbytes, "rss": proc.memory_info().rss, "stop": False}
    base = dict(state)

    def loop() -> None:
        while not state["stop"]:
            state["managed"] = max(state["managed"], dask_worker.state.nbytes)
            state["rss"] = max(state["rss"], proc.memory_info().rss)
            time.sleep(interval)
    thread = threading.Thread(target=loop, daemon=True)
    dask_worker._funcgrad_memory = (state, base, thread)
    thread.start()
    return base["managed"]


def _sampler_stop(dask_worker: Any) -> dict:
    state, base, thread = dask_worker._funcgrad_memory
    state["stop"] = True
    thread.join()
    return {"share": base["managed"], "managed_peak": state["managed"],
            "rss_base": base["rss"], "rss_peak": state["rss"],
            "memory_limit": dask_worker.memory_manager.memory_limit}


def client_peak(steps: dict) -> int:
    """The most memory the client allocates during one step of any implementation
    (tracemalloc's peak: Python objects and NumPy buffers), untimed."""
    import tracemalloc
    peak = 0
    for step in steps.values():
        tracemalloc.start()
        try:
            step()
            peak = max(peak, tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return peak


# --- one run --------------------------------------------------------------------------
def check(impls: dict, compute: Callable, reference: str = "hand-written dask") -> dict:
    """Each gradient (and value) against the hand-written one; returns the task-free results."""
    ref = compute(impls[reference]())[-1]
    ref_value = compute(impls["hand-written dask value+grad"]())[0]
    for name, fn in impls.items():
        got = compute(fn())
        err = np.max(np.abs(got[-1] - ref)) / np.max(np.abs(ref))
        if not err <= 1e-10:
            raise SystemExit(f"{name}: gradient differs from the hand-written one "
                             f"(max rel. error {err:.2e})")
        if len(got) == 2 and not abs(got[0] - ref_value) <= 1e-10 * abs(ref_value):
            raise SystemExit(f"{name}: loss {got[0]} != {ref_value}")
    return {"gradient norm": float(np.linalg.norm(ref))}


def run_cluster(workers: int, rows: int, cols: int, chunk: int, reps: int,
                names: Any = None, memory: bool = False) -> dict:
    """Times the implementations (all, or ``names``) on a fresh cluster."""
    from distributed import wait
    cluster, client = start_cluster(workers)
    try:
        X, y = make_data(rows, cols, chunk)
        X, y = client.persist([X, y])
        wait([X, y])
        keys = _data_keys(X, y)
        w = np.full(cols, 0.01)
        impls = implementations(X, y, w)

        def compute(objs: tuple) -> list:
            return client.compute(list(objs), sync=True)
        info = check(impls, compute)
        if names is not None:
            impls = {k: v for k, v in impls.items() if k in names}
        steps = {name: (lambda fn=fn: compute(fn())) for name, fn in impls.items()}
        tasks = {name: task_count(fn(), keys) for name, fn in impls.items()}
        if memory:
            out_client = client_peak(steps)
            client.run(_sampler_start)
        stats = harness.measure(steps, reps, min_sample=0, clock="wall")
        out: dict = {"workers": workers, "rows": rows, "cols": cols, "chunk": chunk,
                     "times": {k: v[0] for k, v in stats.items()},
                     "min": {k: v[1] for k, v in stats.items()}, "tasks": tasks, **info}
        if memory:
            out["client_peak"] = out_client
            out["workers_memory"] = list(client.run(_sampler_stop).values())
        out["chunk_bytes"] = chunk * (cols + 1) * 8
        out["data_bytes"] = rows * (cols + 1) * 8
        return out
    finally:
        client.close()
        cluster.close()


# --- the report -----------------------------------------------------------------------
ORDER = ("hand-written dask", "dask-glm", "funcgrad grad", "hand-written dask value+grad",
         "dask-glm loss+grad", "funcgrad value_and_grad")


def render(res: dict) -> str:
    t = res["times"]
    base = t.get("dask-glm", t["hand-written dask"])
    peer = "dask-glm" if "dask-glm" in t else "hand-written dask"
    lines = [f"| implementation | time per step (min) | tasks per step | vs {peer} |",
             "|---|---|---|---|"]
    for name in ORDER:
        if name in t:
            lines.append(f"| {name} | {harness.fmt_time(t[name])} "
                         f"({harness.fmt_time(res['min'][name])}) | {res['tasks'][name]} | "
                         f"{t[name] / base:.2f}x |")
    if "dask-glm" not in t:
        lines.append("| dask-glm | skipped: not installed (`pip install dask-glm`) | | |")
    return "\n".join(lines)


def memory_lines(res: dict) -> list:
    mb, chunk = 1e6, res["chunk_bytes"]
    lines = ["| worker | its share of the data | peak managed beyond it | peak RSS beyond "
             "the start | memory limit |", "|---|---|---|---|---|"]
    for i, m in enumerate(res["workers_memory"]):
        extra = m["managed_peak"] - m["share"]
        rss = m["rss_peak"] - m["rss_base"]
        lines.append(f"| {i} | {m['share'] / mb:.0f} MB ({m['share'] / chunk:.1f} chunks) | "
                     f"{extra / mb:.1f} MB ({extra / chunk:.2f} chunks) | {rss / mb:.0f} MB "
                     f"({rss / chunk:.2f} chunks) | {m['memory_limit'] / 1e9:.1f} GB |")
    return lines


def targets(res: dict) -> list:
    t = res["times"]
    rows = []
    if "dask-glm" in t:
        for name, limit in TARGETS.items():
            r = t[name] / t["dask-glm"]
            rows.append({"target": f"{name} <= {limit}x dask-glm's pointwise_gradient",
                         "measured": f"{r:.2f}x", "status": "MET" if r <= limit else "NOT MET"})
    worst = max((m["managed_peak"] - m["share"]) / res["chunk_bytes"]
                for m in res["workers_memory"])
    rows.append({"target": "no worker holds more than a few (<= 4) chunks beyond its share",
                 "measured": f"{worst:.2f} chunks", "status": "MET" if worst <= 4 else "NOT MET"})
    client, vector = res["client_peak"], res["rows"] * 8
    rows.append({"target": "the client never materialises a full array (its peak allocation "
                           "during a step < one full column, X @ w)",
                 "measured": f"{client / 1e6:.2f} MB (X @ w: {vector / 1e6:.1f} MB, "
                             f"X: {res['rows'] * res['cols'] * 8 / 1e6:.0f} MB)",
                 "status": "MET" if client < vector else "NOT MET"})
    return rows


def main(argv: Any = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds")
    p.add_argument("--rows", type=int, help="rows of X on the 2-worker cluster "
                                            "(default 2,000,000; --quick 200,000)")
    p.add_argument("--cols", type=int)
    p.add_argument("--chunk", type=int, help="rows per chunk (default 100,000)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--reps", type=int)
    p.add_argument("--scaling", help="worker counts for weak scaling, e.g. 1,2,4 ('' to skip)")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args(argv)
    sz = dict(QUICK if args.quick else FULL)
    for key in ("rows", "cols", "chunk", "reps", "scaling"):
        if getattr(args, key) is not None:
            sz[key] = getattr(args, key)
    import dask
    import distributed
    env = harness.environment()
    env["dask"], env["distributed"] = dask.__version__, distributed.__version__
    try:
        import dask_glm
        env["dask-glm"] = getattr(dask_glm, "__version__", "?")
    except ImportError:
        env["dask-glm"] = "not installed"

    def say(text: str) -> None:
        print(text, flush=True)
    say("# Logistic-regression gradient over Dask arrays\n")
    say(f"command: `python {' '.join(sys.argv)}`  \ndate: "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    say("```\n" + json.dumps(env, indent=1, default=str) + "\n```\n")
    report: dict = {"env": env, "sizes": sz}
    main_run = run_cluster(args.workers, sz["rows"], sz["cols"], sz["chunk"], sz["reps"],
                           memory=True)
    report["main"] = main_run
    say(f"## {sz['rows']:,} x {sz['cols']} float64, chunks of {sz['chunk']:,} rows, persisted "
        f"on {args.workers} worker processes (1 thread each)\n")
    say(render(main_run) + "\n")
    say("Memory, sampled on each worker every 2 ms while the steps above ran (managed = the "
        "bytes of the results the worker holds):\n")
    say("\n".join(memory_lines(main_run)) + "\n")
    scaling = [int(k) for k in sz["scaling"].split(",") if k]
    if scaling:
        per_worker = sz["rows"] // args.workers
        names = ("dask-glm", "funcgrad grad", "funcgrad value_and_grad")
        report["scaling"] = [  # (the main run is the point of its own worker count)
            main_run if k == args.workers and per_worker * k == sz["rows"] else
            run_cluster(k, per_worker * k, sz["cols"], sz["chunk"], sz["reps"], names=names)
            for k in scaling]
        say(f"## Weak scaling: {per_worker:,} rows per worker process ({os.cpu_count()} cores "
            "on this machine)\n")
        cols = [n for n in names if n in report["scaling"][0]["times"]]
        say("| workers | rows | " + " | ".join(cols) + " | funcgrad grad vs dask-glm |")
        say("|---|---|" + "---|" * len(cols) + "---|")
        for r in report["scaling"]:
            t = r["times"]
            ratio = (f"{t['funcgrad grad'] / t['dask-glm']:.2f}x" if "dask-glm" in t else "—")
            say(f"| {r['workers']} | {r['rows']:,} | "
                + " | ".join(harness.fmt_time(t[n]) for n in cols) + f" | {ratio} |")
        say("")
    report["targets"] = targets(main_run)
    report["load average at end"] = [round(v, 2) for v in os.getloadavg()]
    say(f"load average at end (1, 5, 15 min): {report['load average at end']}\n")
    say("## Targets (issue 21)\n")
    for t in report["targets"]:
        say(f"- {t['status']}: {t['target']} — measured {t['measured']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    return report


if __name__ == "__main__":
    main()
