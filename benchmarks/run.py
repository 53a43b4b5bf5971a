"""funcgrad's benchmark suite: one command, every workload, peers side by side.

    python benchmarks/run.py                 # full run (about 5-10 minutes)
    python benchmarks/run.py --quick         # tiny sizes, seconds (the smoke test)
    python benchmarks/run.py --only chain,mlp-small --json out.json

Every workload is timed in ONE process with interleaved repetitions and
medians, next to a plain NumPy forward and a hand-written NumPy backward;
every implementation's gradient is checked against the hand-written one
before any time is reported. Threads are pinned to 1 before NumPy loads.
See docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import pin_threads  # noqa: E402

pin_threads(1)

import numpy as np  # noqa: E402

from benchmarks import harness, workloads  # noqa: E402

ORDER = ("hand-written", "numpy-fwd", "funcgrad", "funcgrad-jit", "funcgrad-loop", "facade",
         "autograd", "torch", "jax", "jax-jit", "mygrad")

FULL = dict(chain=2000, long_chain=100_000, million=1_000_000, small=(32, 64, 64, 1),
            small_batch=16, large=(784, 1024, 1024, 10), large_batch=256, hvp=200, jvp_batch=128,
            jac=(4, 2000), example_batch=128, mem_size=1_000_000, mem_ops=200, reps=9, long_reps=3)
QUICK = dict(chain=100, long_chain=2000, million=20_000, small=(8, 16, 16, 1),
             small_batch=4, large=(32, 64, 64, 10), large_batch=16, hvp=10, jvp_batch=8,
             jac=(3, 20), example_batch=8, mem_size=20_000, mem_ops=20, reps=3, long_reps=1)

SECTIONS = ("chain", "mlp-small", "mlp-large", "hvp", "jvp", "jacobian", "per-example",
            "first-call", "long-chain", "million", "memory", "leaks")


def check(case: workloads.Case) -> dict:
    """Compare each implementation's gradient with the hand-written one.
    Returns ``{name: error message}`` for those that disagree."""
    ref = [np.asarray(r) for r in case.reference()]
    bad = {}
    for name, fn in list(case.impls.items()):
        try:
            got = [workloads.to_numpy(g) for g in fn()]
            if len(got) != len(ref):
                raise AssertionError(f"{len(got)} gradients, expected {len(ref)}")
            for k, (g, r) in enumerate(zip(got, ref)):
                if g.shape != r.shape:
                    raise AssertionError(f"gradient {k}: shape {g.shape} != {r.shape}")
                if name in ("funcgrad", "facade") and g.dtype != r.dtype:
                    raise AssertionError(f"gradient {k}: dtype {g.dtype} != {r.dtype}")
                tol = 2e-3 if r.dtype == np.float32 else 1e-7
                scale = max(np.max(np.abs(r)), 1e-300)
                err = np.max(np.abs(g - r)) / scale if r.size else 0.0
                if not err <= tol:
                    raise AssertionError(f"gradient {k}: max rel. error {err:.2e} > {tol}")
        except Exception as e:  # noqa: BLE001 - report, do not time
            bad[name] = f"{type(e).__name__}: {e}"
            del case.impls[name]
    return bad


CLOCK = ["wall"]
KEEP_GC = [False]
WARM = [False]


def time_case(case: workloads.Case, reps: int, min_sample: float = 0.005,
              forward: bool = True) -> dict:
    bad = check(case)
    for name in ("funcgrad",):
        if name in bad:
            raise SystemExit(f"[{case.name}] funcgrad's gradient is WRONG: {bad[name]}")
    impls = {"hand-written": case.reference}
    if forward and case.forward is not None:
        impls["numpy-fwd"] = case.forward
    impls.update(case.impls)
    samples: dict = {}
    stats = harness.measure(impls, reps, min_sample, CLOCK[0], KEEP_GC[0], samples, WARM[0])
    times = {name: med for name, (med, _) in stats.items()}
    mins = {name: low for name, (_, low) in stats.items()}
    return {"times": times, "min": mins, "wrong": bad, "skipped": dict(case.skipped), "ops": case.ops,
            "title": case.title, "samples": samples}


def ratios(res: dict) -> dict:
    t = res["times"]
    hw, fg = t.get("hand-written"), t.get("funcgrad")
    out = {}
    for name, v in t.items():
        out[name] = {"vs_hand": v / hw if hw else None, "vs_funcgrad": v / fg if fg else None}
    return out


def render_time_table(res: dict, per_op: bool = False) -> str:
    t = res["times"]
    r = ratios(res)
    head = "| implementation | time per call (min) |" + (" per op |" if per_op else "") + \
        " vs hand-written backward | funcgrad vs it |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name in ORDER:
        if name not in t:
            continue
        fg_vs = (t["funcgrad"] / t[name]) if "funcgrad" in t and name != "funcgrad" else None
        row = f"| {name} | {harness.fmt_time(t[name])} ({harness.fmt_time(res['min'][name])}) |"
        if per_op:
            row += f" {harness.fmt_time(t[name] / res['ops'])} |"
        row += f" {r[name]['vs_hand']:.2f}x |" + (f" {fg_vs:.2f}x |" if fg_vs else " — |")
        lines.append(row)
    for name, why in {**res["skipped"], **{k: "WRONG gradient, not timed: " + v
                                           for k, v in res["wrong"].items()}}.items():
        lines.append(f"| {name} | skipped: {why} |" + (" |" if per_op else "") + " | |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict:
    sz = QUICK if args.quick else FULL
    reps = args.reps or sz["reps"]
    libs, lib_skips = workloads.load_libraries(peers=not args.no_peers,
                                               facade=not args.no_facade)
    env = harness.environment()
    env["libraries"] = workloads.versions(libs)
    env["not measured"] = lib_skips
    env["garbage collector while timing"] = "on" if args.gc else "off (as timeit)"
    env["warm-up call before each sample"] = "yes" if args.warm else "no"
    env["clock"] = args.clock + {"cpu": " (process CPU time)", "thread": " (this thread's CPU time)",
                                 "wall": " (perf_counter)"}[args.clock]
    report: dict = {"env": env, "sizes": sz, "results": {}, "command": " ".join(sys.argv)}
    sections = args.only.split(",") if args.only else list(SECTIONS)
    out = report["results"]

    def say(text: str) -> None:
        print(text, flush=True)

    say("# funcgrad benchmarks\n")
    say(f"command: `python {' '.join(sys.argv)}`  ")
    say(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    say("```\n" + json.dumps(env, indent=1, default=str) + "\n```\n")

    def skip_missing(case: workloads.Case) -> None:
        for name, why in lib_skips.items():
            case.skipped.setdefault(name, why)

    if "chain" in sections:
        case = workloads.chain_case(libs, sz["chain"])
        skip_missing(case)
        out["chain"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["chain"], per_op=True) + "\n")
    if "mlp-small" in sections:
        s = sz["small"]
        case = workloads.mlp_case(libs, s, sz["small_batch"], np.float64, "tanh-mse",
                                  "mlp-small", f"MLP {'-'.join(map(str, s))} tanh, batch "
                                  f"{sz['small_batch']}, float64, loss+grad")
        skip_missing(case)
        out["mlp-small"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["mlp-small"]) + "\n")
    if "mlp-large" in sections:
        s = sz["large"]
        case = workloads.mlp_case(libs, s, sz["large_batch"], np.float32, "relu-ce",
                                  "mlp-large", f"MLP {'-'.join(map(str, s))} relu + softmax "
                                  f"CE, batch {sz['large_batch']}, float32, loss+grad")
        skip_missing(case)
        out["mlp-large"] = time_case(case, reps, min_sample=0.02)
        say(f"## {case.title}\n\n" + render_time_table(out["mlp-large"]) + "\n")
    if "hvp" in sections:
        case = workloads.hvp_case(libs, sz["hvp"])
        skip_missing(case)
        out["hvp"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["hvp"]) + "\n")
    if "jvp" in sections:
        case = workloads.jvp_case(libs, sz["small"], sz["jvp_batch"])
        skip_missing(case)
        out["jvp"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["jvp"]) + "\n")
    if "jacobian" in sections:
        case = workloads.tall_jacobian_case(libs, *sz["jac"])
        skip_missing(case)
        out["jacobian"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["jacobian"]) + "\n")
    if "per-example" in sections:
        case = workloads.per_example_case(libs, sz["small"], sz["example_batch"])
        skip_missing(case)
        out["per-example"] = time_case(case, reps)
        say(f"## {case.title}\n\n" + render_time_table(out["per-example"]) + "\n")
    if "first-call" in sections:
        case = workloads.first_call_case(libs, sz["small"], sz["small_batch"])
        skip_missing(case)
        out["first-call"] = time_case(case, reps, min_sample=0.02, forward=False)
        say(f"## {case.title}\n\n" + render_time_table(out["first-call"]) + "\n")
    if "long-chain" in sections:
        n = sz["long_chain"]
        only = None if args.slow_peers else ("funcgrad", "facade", "autograd", "torch",
                                             "mygrad")
        case = workloads.chain_case(libs, n, "long-chain", only=only)
        skip_missing(case)
        if "jax" in libs and not args.slow_peers:
            case.skipped["jax"] = "eager JAX takes ~0.2 ms per op here; pass --slow-peers"
        out["long-chain"] = time_case(case, sz["long_reps"], min_sample=0)
        say(f"## {case.title}\n\n" + render_time_table(out["long-chain"], per_op=True) + "\n")
    if "million" in sections:
        n = sz["million"]
        case = workloads.chain_case(libs, n, "million", only=("funcgrad", "facade"))
        case.skipped["peers"] = "only funcgrad is run at this length"
        out["million"] = time_case(case, sz["long_reps"], min_sample=0, forward=False)
        say(f"## {case.title}\n\n" + render_time_table(out["million"], per_op=True) + "\n")
        if "chain" in out:
            per_small = out["chain"]["times"]["funcgrad"] / out["chain"]["ops"]
            per_big = out["million"]["times"]["funcgrad"] / n
            out["million"]["per_op_vs_chain"] = per_big / per_small
            say(f"per-op cost vs the {sz['chain']}-op chain: {per_big / per_small:.2f}x\n")
    if "memory" in sections:
        out["memory"] = memory_section(libs, lib_skips, sz, say)
    if "leaks" in sections:
        out["leaks"] = leaks_section(libs, sz, say)
    report["load average at end"] = [round(v, 2) for v in os.getloadavg()]
    say(f"load average at end (1, 5, 15 min): {report['load average at end']} "
        "(the benchmark itself counts for about 1; more means other processes shared "
        "the CPU: expect noise)\n")
    report["targets"] = targets(out)
    say("## Targets (issues 7, 17, 18)\n")
    for t in report["targets"]:
        say(f"- {t['status']}: {t['target']} — measured {t['measured']}")
    return report


def memory_section(libs: dict, lib_skips: dict, sz: dict, say) -> dict:
    size, nops = sz["mem_size"], sz["mem_ops"]
    res: dict = {}
    names = ["numpy-fwd", "hand-written"] + [n for n in ORDER[2:] if n in libs]
    for name in names:
        res[name] = harness.child_memory("chain", name, size, nops)
    mb = 1e6
    say(f"## {nops} elementwise ops on a {size}-element float64 array: peak memory of the "
        "gradient (fresh child process each)\n")
    say("| implementation | peak RSS over start | tracemalloc peak (NumPy buffers) | "
        "RSS vs hand-written |\n|---|---|---|---|")
    hw = res.get("hand-written", {}).get("rss_peak_over_base")
    for name, r in res.items():
        if "error" in r:
            say(f"| {name} | failed: {r['error']} | | |")
            continue
        rss, tm = r["rss_peak_over_base"], r["tracemalloc_peak"]
        tm_txt = f"{tm / mb:.0f} MB" if name not in ("torch", "jax") else "n/a (own allocator)"
        say(f"| {name} | {rss / mb:.0f} MB | {tm_txt} | "
            f"{rss / hw if hw else float('nan'):.2f}x |")
    for name, why in lib_skips.items():
        say(f"| {name} | skipped: {why} | | |")
    say("")
    return res


def leaks_section(libs: dict, sz: dict, say) -> dict:
    res = {}
    case = workloads.mlp_case(libs, sz["small"], sz["small_batch"], np.float64, "tanh-mse",
                              "leak", "")
    chain = workloads.chain_case(libs, sz["chain"])
    for name in ("funcgrad", "facade"):
        if name in case.impls:
            res[f"{name} mlp-small"] = workloads.leak_check(case.impls[name])
            res[f"{name} chain"] = workloads.leak_check(chain.impls[name])
    say("## Leak loop (20 repetitions after 50 warm-up calls; growth from rep 5 to 20)\n")
    say("| workload | allocated blocks per call | resident memory | objects freed only "
        "by the cycle collector |\n|---|---|---|---|")
    for name, r in res.items():
        say(f"| {name} | {r['blocks_per_call']:+.1f} | {r['rss_growth'] / 1e3:+.0f} kB | "
            f"{r['cyclic_garbage']} |")
    say("")
    return res


def targets(out: dict) -> list:
    rows = []

    def add(target: str, ok: bool, measured: str) -> None:
        rows.append({"target": target, "status": "MET" if ok else "NOT MET",
                     "measured": measured})

    def ratio(sec: str, a: str, b: str):
        t = out.get(sec, {}).get("times", {})
        return t[a] / t[b] if a in t and b in t else None

    for sec, peer, limit, what in (
            ("chain", "autograd", 0.4, "per-op overhead (0-d chain) <= 0.4x HIPS autograd"),
            ("chain", "torch", 1.0, "per-op overhead (0-d chain) <= 1.0x PyTorch eager"),
            ("mlp-small", "torch", 1.0, "small MLP step <= 1.0x PyTorch eager"),
            ("mlp-large", "hand-written", 1.15,
             "large MLP step <= 1.15x the hand-written NumPy backward"),
            ("hvp", "torch", 1.0, "Hessian-vector product <= 1.0x PyTorch double backward"),
            ("jvp", "hand-written", 2.5,
             "jvp of the MLP loss <= 2.5x the hand-written forward-mode pass (issue 17)"),
            ("jacobian", "hand-written", 10.0,
             "tall Jacobian R^4 -> R^2000 by jacfwd <= 10x the hand-written one (issue 17)"),
            ("per-example", "hand-written", 2.0,
             "per-example gradients (vmap of grad) <= 2.0x the hand-written batched ones "
             "(issue 17)")):
        r = ratio(sec, "funcgrad", peer)
        if r is not None:
            add(what, r <= limit, f"{r:.2f}x")
    for sec, limit in (("chain", 2.0), ("mlp-small", 1.3), ("mlp-large", 1.05), ("hvp", 1.5),
                       ("per-example", 1.3)):
        r = ratio(sec, "funcgrad-jit", "hand-written")
        if r is not None:
            add(f"jit ({sec}) <= {limit}x the hand-written backward (issue 18)", r <= limit,
                f"{r:.2f}x")
    t = out.get("first-call", {}).get("times", {}).get("funcgrad-jit")
    if t is not None:
        add("first call (trace + compile) of the small-MLP jit(value_and_grad) <= 20 ms "
            "(issue 18)", t <= 0.02, f"{t * 1e3:.1f} ms")
    mem = out.get("memory", {})
    if "funcgrad" in mem and "hand-written" in mem and "error" not in mem["funcgrad"]:
        r = mem["funcgrad"]["rss_peak_over_base"] / mem["hand-written"]["rss_peak_over_base"]
        r2 = mem["funcgrad"]["tracemalloc_peak"] / mem["hand-written"]["tracemalloc_peak"]
        add("deep-chain gradient peak memory <= 1.1x the hand-written backward's",
            r <= 1.1 and r2 <= 1.1, f"{r:.2f}x (RSS), {r2:.2f}x (tracemalloc)")
    if "million" in out and "per_op_vs_chain" in out["million"]:
        r = out["million"]["per_op_vs_chain"]
        add("10^6-op chain succeeds, per-op cost within 1.2x of the short chain", r <= 1.2,
            f"{r:.2f}x")
    for sec in ("chain", "mlp-small", "mlp-large", "hvp"):
        r = ratio(sec, "facade", "funcgrad")
        if r is not None:
            add(f"facade within 1.2x of the functional API ({sec})", r <= 1.2, f"{r:.2f}x")
    leaks = out.get("leaks", {})
    for name, r in leaks.items():
        # A leaked graph would add at least a block per recorded operation on
        # every call (>= 20 for the small MLP, >= 2000 for the chain); a few
        # blocks come and go with interpreter internals.
        add(f"no growth over 20 repetitions ({name})",
            r["blocks_per_call"] < 5 and r["rss_growth"] < 1e6 and r["cyclic_garbage"] == 0,
            f"{r['blocks_per_call']:+.1f} blocks/call, {r['rss_growth'] / 1e3:+.0f} kB RSS, "
            f"{r['cyclic_garbage']} cyclic objects")
    return rows


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    p.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    p.add_argument("--reps", type=int, help="repetitions per implementation")
    p.add_argument("--no-peers", action="store_true", help="skip autograd/torch/jax/mygrad")
    p.add_argument("--no-facade", action="store_true", help="skip funcgrad.torch")
    p.add_argument("--slow-peers", action="store_true",
                   help="also run eager JAX on the 100,000-op chain")
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--gc", action="store_true",
                   help="keep the garbage collector on while timing (default: off, as timeit)")
    p.add_argument("--clock", choices=("wall", "cpu", "thread"), default="wall",
                   help="time source: wall (perf_counter), this process's CPU time (for a "
                        "machine shared with other work), or the calling thread's CPU time "
                        "(which misses work JAX does on its own threads)")
    p.add_argument("--warm", action="store_true",
                   help="one untimed call before each sample (the speed a loop reaches; "
                        "default: none, a sample carries its cold start)")
    args = p.parse_args(argv)
    CLOCK[0] = args.clock
    KEEP_GC[0] = args.gc
    WARM[0] = args.warm
    report = run(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    return report


if __name__ == "__main__":
    main()
