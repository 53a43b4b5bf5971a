"""Instructions per call of a workload, counted by valgrind (deterministic).

Timings on a shared machine move by 10-30% from run to run; the number of
machine instructions a gradient executes does not. This script runs one
workload under ``valgrind --tool=callgrind`` twice, with one warm-up call
and with ``reps`` more, and reports the difference divided by ``reps`` (so
start-up, imports and first-call caches cancel out). Hash randomisation, address-space
randomisation and BLAS threads are switched off, so two runs of the same
tree usually agree to the instruction (the worst seen: 0.8% per call, under
pytest): an A/B of an engine change is one command per tree, with nothing
to average away.

    python benchmarks/instructions.py chain              # per operation of the 2000-op chain
    python benchmarks/instructions.py hvp --reps 50      # per Hessian-vector product
    python benchmarks/instructions.py chain --impl facade              # funcgrad.torch's step
    python benchmarks/instructions.py chain --tree /tmp/old-checkout   # the same for another tree

Different trees allocate differently, which moves the addresses hash
tables see; expect differences of up to 1% per call that come from layout
rather than code. For an A/B, measure `git archive` copies of both trees
(`--tree`) with ``--layouts 3`` (each layout shifts the process's memory
by padding the environment) and compare the means. On 2026-11-23 the
checkout measured in place read 8% high on the small MLP while a copy of
the same files read normally; the cause was not found.

    mkdir -p /tmp/a /tmp/b && git archive HEAD~1 funcgrad | tar -x -C /tmp/a \
        && git archive HEAD funcgrad | tar -x -C /tmp/b
    python benchmarks/instructions.py mlp-small --impl facade --layouts 3 --tree /tmp/a
    python benchmarks/instructions.py mlp-small --impl facade --layouts 3 --tree /tmp/b

Instructions are a proxy for time, not a substitute: they ignore cache
misses and memory traffic (and NumPy's kernels run their generic code under
valgrind). Use them to compare Python-level overhead; report times from
``benchmarks/run.py``. Needs valgrind and setarch (util-linux) on PATH.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKLOADS = {
    # name: (calls' unit, ops per call)
    "chain": ("operation", 2000),
    "hvp": ("call", 1),
    "mlp-small": ("call", 1),
}

_CHILD = r'''
import gc, sys
sys.path.insert(0, {tree!r})
sys.path.insert(1, {root!r})
import numpy as np
import funcgrad
from benchmarks import workloads
libs = {{"funcgrad": funcgrad}}
if {impl!r} == "facade":
    import funcgrad.torch
    libs["facade"] = funcgrad.torch
step = workloads.probe_case(libs, {name!r}).impls[{impl!r}]
step()
gc.disable()
for _ in range({calls}):
    step()
'''


def count(name: str, calls: int, tree: str, impl: str = "funcgrad", layout: int = 0) -> int:
    """Instructions callgrind counts for the whole child process (one warm-up
    call of ``impl``'s step, then ``calls`` more); ``layout`` pads the
    environment by that many 64-byte blocks, which moves the heap."""
    code = _CHILD.format(tree=tree, root=ROOT, name=name, calls=calls, impl=impl)
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", FUNCGRAD_LAYOUT_PAD="x" * (64 * layout))
    cmd = ["setarch", "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           sys.executable, "-c", code]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--impl", default="funcgrad", choices=("funcgrad", "facade"),
                        help="the functional API (default) or funcgrad.torch")
    parser.add_argument("--reps", type=int, default=5, help="extra calls counted (default 5)")
    parser.add_argument("--layouts", type=int, default=1,
                        help="memory layouts to average over (default 1; 3 for an A/B)")
    parser.add_argument("--tree", default=ROOT,
                        help="directory holding the funcgrad package to measure (default: this "
                             "checkout)")
    args = parser.parse_args(argv)
    for tool in ("valgrind", "setarch"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    unit, ops = WORKLOADS[args.workload]
    pers = []
    for layout in range(max(1, args.layouts)):
        base = count(args.workload, 0, args.tree, args.impl, layout)
        more = count(args.workload, args.reps, args.tree, args.impl, layout)
        pers.append((more - base) / (args.reps * ops))
    per = sum(pers) / len(pers)
    spread = f" (layouts: {', '.join(f'{p:,.0f}' for p in pers)})" if len(pers) > 1 else ""
    print(f"{args.workload} {args.impl} ({args.tree}): {per:,.0f} instructions per {unit}"
          f"{spread}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
