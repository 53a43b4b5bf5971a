"""Attribute and global reads in funcgrad that CPython could not specialise,
counted per call of a workload.

CPython 3.11+ rewrites a hot ``LOAD_ATTR``/``LOAD_GLOBAL``/``LOAD_METHOD``
into a specialised form (a slot read, a module-dict read...) after a few
executions. Some reads never specialise and take the generic path every
time, at 2-5x the cost. On CPython 3.11 the ones that matter here are:

- ``np.ndarray``, ``fnp.add``...: reads from a module that defines a
  ``__getattr__`` (NumPy, ``funcgrad.numpy``, ``funcgrad.torch``) are never
  specialised. Bind the name once as a module global.
- ``EAGER.process(...)``, ``_GRAD_ENABLED.get()``: a method call on a name
  bound by an ``import`` statement compiles to an attribute read, which
  builds a bound method on every call. Bind the method once (``record =
  EAGER.process``).
- ``obj.method(*args)``: with star-arguments, the same.
- A class attribute read through an instance (``node.is_leaf``), and reads
  at sites that see several classes (polymorphic nodes).
- NumPy's C-level attributes (``a.shape``, ``a.dtype``): never specialised;
  listed with ``--all`` only, as there is no way around them but not reading
  them.

This script runs one workload's step 30 times (warm-up), traces one more
step opcode by opcode to count how often each instruction in funcgrad's
code runs, and lists the executed instructions still in their generic form,
with their count per call (per operation for the chain)::

    python benchmarks/specialization.py chain --impl facade
    python benchmarks/specialization.py mlp-small           # the functional API
    python benchmarks/specialization.py hvp --impl facade --all

Needs CPython 3.11 or newer (``dis.get_instructions(adaptive=True)``).
"""
from __future__ import annotations

import argparse
import dis
import os
import sys
from collections import Counter
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:  # (run as a script: benchmarks/ is on the path, not the checkout)
    sys.path.insert(0, ROOT)

from benchmarks import workloads  # noqa: E402

# Instructions that have specialised forms, by their generic names.
_FAMILIES = ("LOAD_ATTR", "LOAD_GLOBAL", "LOAD_METHOD", "STORE_ATTR")
# NumPy's C attributes: never specialised, nothing to do but not read them.
_C_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "size", "kind", "base", "flags", "owndata",
                           "writeable", "itemsize", "nbytes", "strides", "real", "imag", "T"})


def _generic(opname: str) -> bool:
    """Whether ``opname`` (as ``dis`` shows a warmed-up instruction) is a
    specialisable instruction still in its generic form."""
    if opname.endswith("_ADAPTIVE"):  # CPython 3.11
        return opname[:-len("_ADAPTIVE")] in _FAMILIES
    return opname in _FAMILIES  # CPython 3.12+: the generic name itself


def unspecialised(step: Callable[[], Any], per: int = 1, warmup: int = 30,
                  package: str = "funcgrad") -> list[tuple[float, str, int, str, str, str]]:
    """``[(count per call, file, line, function, instruction, argument), ...]``
    for the generic instructions ``step`` executes in ``package``'s code,
    most frequent first. ``per`` divides the counts (operations per call)."""
    for _ in range(warmup):
        step()
    counts: Counter = Counter()
    marker = os.sep + package + os.sep

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if marker not in frame.f_code.co_filename:
            return None
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False

        def local(frame: Any, event: str, arg: Any) -> Any:
            if event == "opcode":
                counts[frame.f_code, frame.f_lasti] += 1
            return local
        return local

    sys.settrace(tracer)
    try:
        step()
    finally:
        sys.settrace(None)
    for _ in range(warmup):  # tracing may have reset counters: warm up again
        step()
    by_code: dict = {}
    rows = []
    for (code, offset), n in counts.items():
        if code not in by_code:
            by_code[code] = {i.offset: i for i in dis.get_instructions(code, adaptive=True)}
        ins = by_code[code].get(offset)
        if ins is None or not _generic(ins.opname):
            continue
        path = code.co_filename.split(marker, 1)[-1]
        rows.append((n / per, path, ins.positions.lineno, code.co_name, ins.opname, ins.argrepr))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    return rows


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=workloads.PROBES)
    parser.add_argument("--impl", default="funcgrad", choices=("funcgrad", "facade"),
                        help="the functional API (default) or funcgrad.torch")
    parser.add_argument("--all", action="store_true",
                        help="also list NumPy's C attributes (shape, dtype...)")
    parser.add_argument("--min", type=float, default=0.25,
                        help="hide rows run fewer times per call (default 0.25)")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 11):
        raise SystemExit("needs CPython 3.11 or newer")
    import funcgrad
    libs: dict = {"funcgrad": funcgrad}
    if args.impl == "facade":
        import funcgrad.torch
        libs["facade"] = funcgrad.torch
    case = workloads.probe_case(libs, args.workload)
    per = case.ops
    rows = [r for r in unspecialised(case.impls[args.impl], per)
            if r[0] >= args.min and (args.all or r[5].split()[-1] not in _C_ATTRIBUTES)]
    unit = "operation" if per > 1 else "call"
    print(f"{args.workload} {args.impl}: {len(rows)} generic instructions "
          f"(count per {unit}, file:line function instruction argument)")
    for n, path, line, func, opname, arg in rows:
        print(f"{n:8.2f}  {path}:{line} {func} {opname} {arg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
