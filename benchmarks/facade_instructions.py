"""Instructions per call of a workload's facade (or functional) step, by
callgrind: benchmarks/instructions.py for ``funcgrad.torch``.

    python benchmarks/facade_instructions.py chain                 # facade, per operation
    python benchmarks/facade_instructions.py hvp --impl funcgrad   # the functional API
    python benchmarks/facade_instructions.py chain --tree /tmp/old-checkout

Deterministic (hash and address randomisation off), so an A/B of a facade
change is one command per tree. A proxy for time (no cache misses); report
times from ``benchmarks/run.py``. Needs valgrind and setarch.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = {"chain": ("operation", 2000), "hvp": ("call", 1), "mlp-small": ("call", 1)}

_CHILD = r'''
import gc, sys
sys.path.insert(0, {tree!r})
sys.path.insert(1, {root!r})
import numpy as np
import funcgrad, funcgrad.torch
from benchmarks import workloads
libs = {{"funcgrad": funcgrad, "facade": funcgrad.torch}}
name = {name!r}
if name == "chain":
    case = workloads.chain_case(libs, 2000)
elif name == "hvp":
    case = workloads.hvp_case(libs, 200)
else:
    case = workloads.mlp_case(libs, (32, 64, 64, 1), 16, np.float64, "tanh-mse", "mlp-small", "")
step = case.impls[{impl!r}]
step(); step()
gc.disable()
for _ in range({calls}):
    step()
'''


def count(name: str, impl: str, calls: int, tree: str) -> int:
    code = _CHILD.format(tree=tree, root=ROOT, name=name, impl=impl, calls=calls)
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    cmd = ["setarch", "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           sys.executable, "-c", code]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=sorted(WORKLOADS))
    p.add_argument("--impl", default="facade", choices=("facade", "funcgrad"))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--tree", default=ROOT)
    args = p.parse_args()
    unit, ops = WORKLOADS[args.workload]
    base = count(args.workload, args.impl, 0, args.tree)
    more = count(args.workload, args.impl, args.reps, args.tree)
    print(f"{args.workload} {args.impl} ({args.tree}): "
          f"{(more - base) / (args.reps * ops):,.0f} instructions per {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
