"""Timing, environment and memory helpers for the benchmark suite.

Timing: every implementation of a workload is timed in the same process,
repetitions interleaved (rep 1 of every implementation, then rep 2, ...,
with the order rotated each round) so that drift in clock speed or cache
state hits all of them alike; the reported figure is the median.

Memory: each implementation runs once in a fresh child process, which
reports its peak RSS above the RSS it had just before the gradient call,
and (for NumPy-backed code) tracemalloc's peak.
"""
from __future__ import annotations

import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Optional

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_threads(n: int = 1) -> None:
    """Pin every BLAS/OpenMP pool to ``n`` threads. Call before NumPy loads."""
    for var in THREAD_VARS:
        os.environ[var] = str(n)
    # JAX (XLA:CPU) reads these at import.
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def environment() -> dict:
    """What the figures depend on: versions, threads, BLAS."""
    import numpy as np
    info: dict = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "numpy": np.__version__,
        "threads": {v: os.environ.get(v) for v in THREAD_VARS[:3]},
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "load average at start (1, 5, 15 min)": [round(v, 2) for v in os.getloadavg()],
    }
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads",
                                   "threading_layer", "architecture")}
            for p in threadpool_info()
        ]
    except ImportError:
        try:
            cfg = np.show_config(mode="dicts")
            info["blas"] = cfg.get("Build Dependencies", {}).get("blas")
        except Exception as e:  # noqa: BLE001 - best effort report
            info["blas"] = f"unknown ({e})"
    return info


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time, "thread": time.thread_time}


def _run_n(fn: Callable[[], Any], number: int, clock: Callable[[], float]) -> float:
    t0 = clock()
    for _ in range(number):
        fn()
    return (clock() - t0) / number


def measure(impls: dict, reps: int, min_sample: float = 0.005, clock: str = "wall",
            keep_gc: bool = False, samples: Optional[dict] = None, warm: bool = False) -> dict:
    """Median seconds per call of each zero-argument callable in ``impls``
    (``{name: (median, min)}``). ``samples``, if given, receives every
    sample: ``{name: [seconds per call, ...]}`` in round order, and under
    ``"order"`` the names in the order each round ran them.

    Two warm-up calls each, then ``number`` is chosen per implementation
    from the second so that a sample lasts at least ``min_sample`` seconds;
    ``reps`` rounds follow, each timing every implementation once, in an
    order rotated per round.
    The garbage collector is off while a sample runs (as in ``timeit``)
    unless ``keep_gc``: graphs built of Python objects (funcgrad, autograd,
    MyGrad) pay for its collections, PyTorch's C++ graph does not.
    ``clock="cpu"`` counts the process's CPU time instead of wall time: on a
    machine shared with other work, time spent descheduled is not counted.
    It includes the CPU time of every thread of the process, background
    threads of a library that ran before too. ``clock="thread"`` counts the
    calling thread's only: immune to those, but it misses the work a
    library does on its own threads (JAX's runtime). ``warm=True`` runs
    one untimed call right before each sample: the sample then measures the
    speed a loop reaches, without the cold start after the previous
    implementation's sample and ``gc.collect()`` (which a one-call sample
    carries whole).
    """
    tick = CLOCKS[clock]
    names = list(impls)
    numbers = {}
    for name in names:
        # Sized by a second call: a first call can be many times slower (lazy
        # set-up: PyTorch's first double backward took 5.5 ms against 0.14 ms
        # later), and sizing by it made such samples one or a few calls long,
        # mostly the cold start each sample begins with.
        _run_n(impls[name], 1, time.perf_counter)
        t = _run_n(impls[name], 1, time.perf_counter)
        numbers[name] = max(1, math.ceil(min_sample / max(t, 1e-9)))
    taken: dict = {name: [] for name in names}
    order = []
    for r in range(reps):
        k = r % len(names)
        order.append(names[k:] + names[:k])
        for name in order[-1]:
            gc.collect()
            if not keep_gc:
                gc.disable()
            try:
                if warm:
                    impls[name]()
                taken[name].append(_run_n(impls[name], numbers[name], tick))
            finally:
                gc.enable()
    if samples is not None:
        samples.update(taken, order=order)
    return {name: (statistics.median(s), min(s)) for name, s in taken.items()}


# --- memory in a child process ------------------------------------------------
def current_rss() -> int:
    """Resident set size of this process now, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> None:
    """Reset the kernel's high-water mark (VmHWM) to the current RSS, so the
    peak measured next excludes what start-up and imports used."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # then peak_rss() includes start-up: an over-estimate for everyone


def peak_rss() -> int:
    """Peak resident set size since the last :func:`reset_peak_rss`, in bytes."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child_memory(workload: str, impl: str, size: int, nops: int,
                 timeout: float = 600) -> dict:
    """Run ``benchmarks.workloads.memory_child`` in a fresh interpreter."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import sys, json; sys.path.insert(0, %r); "
            "from benchmarks.workloads import memory_child; "
            "print(json.dumps(memory_child(%r, %r, %d, %d)))"
            % (root, workload, impl, size, nops))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=os.environ.copy())
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_time(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.2f} s"
