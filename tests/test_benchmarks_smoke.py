"""The benchmark harness runs end to end on tiny sizes (funcgrad only, no
peers), and every gradient it checks is right. Full runs: benchmarks/run.py."""
from __future__ import annotations

import os
import sys
from typing import Any

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

run = pytest.importorskip("benchmarks.run")


def test_quick_run_checks_gradients_and_reports(capsys: pytest.CaptureFixture) -> None:
    report = run.main(["--quick", "--no-peers", "--reps", "1",
                       "--only", "chain,mlp-small,mlp-large,hvp,memory,leaks"])
    res = report["results"]
    for sec in ("chain", "mlp-small", "mlp-large", "hvp"):
        times = res[sec]["times"]
        assert {"hand-written", "numpy-fwd", "funcgrad"} <= set(times), sec
        assert all(t > 0 for t in times.values())
        assert "funcgrad" not in res[sec]["wrong"]
    assert "error" not in res["memory"]["funcgrad"], res["memory"]["funcgrad"]
    assert res["memory"]["hand-written"]["tracemalloc_peak"] > 0
    assert all(r["cyclic_garbage"] == 0 for r in res["leaks"].values())
    out = capsys.readouterr().out
    assert "## Targets (issues 7, 17, 18)" in out and "funcgrad" in out


def test_warm_samples_run_one_untimed_call_first() -> None:
    """``measure(warm=True)`` calls each implementation once more per round,
    outside the timed part; the samples then time warm calls only."""
    from benchmarks import harness
    calls = {"a": 0, "b": 0}

    def impl(name: str) -> Any:
        def f() -> None:
            calls[name] += 1
        return f
    impls = {"a": impl("a"), "b": impl("b")}
    samples: dict = {}
    harness.measure(impls, 3, min_sample=0, samples=samples)
    assert calls == {"a": 5, "b": 5}  # the two calls that size a sample, 3 samples
    calls.update(a=0, b=0)
    harness.measure(impls, 3, min_sample=0, samples=samples, warm=True)
    assert calls == {"a": 8, "b": 8} and len(samples["a"]) == 3


def test_a_slow_first_call_does_not_shorten_the_samples() -> None:
    """Samples are sized by a second call: an implementation whose first
    call is slow (lazy set-up) still gets samples of ``min_sample``."""
    from benchmarks import harness
    import time
    calls = []

    def slow_first() -> None:
        calls.append(1)
        time.sleep(0.02 if len(calls) == 1 else 0.0005)
    samples: dict = {}
    harness.measure({"f": slow_first}, 1, min_sample=0.005, samples=samples)
    assert len(calls) - 2 >= 5  # the sample ran ~10 calls of 0.5 ms, not 1
    report = run.main(["--quick", "--no-peers", "--reps", "1", "--only", "chain", "--warm"])
    assert report["env"]["warm-up call before each sample"] == "yes"


def test_a_wrong_gradient_is_caught() -> None:
    from benchmarks import workloads
    import numpy as np
    libs, _ = workloads.load_libraries(peers=False, facade=False)
    case = workloads.chain_case(libs, 10)
    case.impls["broken"] = lambda: [np.array(0.123)]
    bad = run.check(case)
    assert "broken" in bad and "funcgrad" not in bad
    assert "broken" not in case.impls


@pytest.mark.skipif(not all(map(__import__("shutil").which, ("valgrind", "setarch"))),
                    reason="benchmarks/instructions.py needs valgrind and setarch")
def test_instruction_counts_are_reproducible_and_plausible() -> None:
    from benchmarks import instructions
    one, two, one_again = (instructions.count("hvp", calls, ROOT) for calls in (0, 1, 0))
    # what makes the counts usable for an A/B (timings move by 10-30%)
    assert abs(one - one_again) <= 0.002 * one
    assert 1e4 < two - one < 1e8  # one Hessian-vector product


@pytest.mark.skipif(sys.version_info < (3, 11), reason="needs CPython 3.11's adaptive dis")
def test_specialization_probe_lists_generic_reads(tmp_path, monkeypatch) -> None:
    """A read from a module with a ``__getattr__`` (NumPy) stays generic; a
    read from one without (``math``) is specialised and not listed."""
    from benchmarks import specialization
    pkg = tmp_path / "probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "hot.py").write_text(
        "import math\nimport numpy as np\n\n"
        "def step():\n"
        "    for _ in range(10):\n"
        "        math.pi\n"
        "        np.ndarray\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from probe_pkg import hot
    rows = specialization.unspecialised(hot.step, per=10, package="probe_pkg")
    assert [(n, path, line, arg) for n, path, line, _, _, arg in rows] == \
        [(1.0, "hot.py", 7, "ndarray")]
    assert specialization.main(["chain", "--impl", "facade", "--min", "100"]) == 0


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="CPython 3.11's specialisation rules")
def test_facade_recording_path_reads_names_at_full_speed() -> None:
    """The facade's per-operation path binds NumPy names, funcgrad.numpy's
    primitives and methods of imported objects as module globals (see
    docs/internals.md): none of them may come back as a generic read."""
    import funcgrad
    import funcgrad.torch
    from benchmarks import specialization, workloads
    libs = {"funcgrad": funcgrad, "facade": funcgrad.torch}
    case = workloads.probe_case(libs, "chain")
    rows = specialization.unspecialised(case.impls["facade"], per=case.ops, warmup=3)
    banned = {"ndarray", "asarray", "process", "get", "run", "add", "subtract", "multiply",
              "divide", "matmul"}
    slow = [r for r in rows if r[1].startswith("torch") and r[0] >= 0.5
            and r[5].split()[-1] in banned]
    assert not slow, slow


def test_per_operation_functions_make_no_cells() -> None:
    """A local that a nested function or generator reads is a cell: CPython
    creates it on every call of the function, even when the nested code never
    runs, and reads it indirectly. The facade's ``process`` had three
    (2.7% of a 0-d operation's instructions; docs/internals.md). No function
    that runs for every operation of the chain, in either API, may have one."""
    import funcgrad
    import funcgrad.torch
    from benchmarks import workloads
    case = workloads.probe_case({"funcgrad": funcgrad, "facade": funcgrad.torch}, "chain")
    for impl in ("funcgrad", "facade"):
        calls: dict = {}

        def count(frame: Any, event: str, arg: Any) -> None:
            if event == "call":
                calls[frame.f_code] = calls.get(frame.f_code, 0) + 1

        sys.setprofile(count)
        try:
            case.impls[impl]()
        finally:
            sys.setprofile(None)
        hot = [c for c, n in calls.items() if n >= case.ops // 2
               and os.sep + "funcgrad" + os.sep in c.co_filename]
        assert len(hot) >= 4, (impl, hot)  # the probe saw the per-operation path
        with_cells = [(c.co_name, c.co_firstlineno, c.co_cellvars) for c in hot if c.co_cellvars]
        assert with_cells == [], impl


def test_layer_benchmarks_run_and_the_numpy_floor_matches_funcgrad() -> None:
    """benchmarks/layers.py --quick: both workloads run; the hand-written NumPy
    LSTM step's gradients equal funcgrad's (checked inside, before timing)."""
    layers = pytest.importorskip("benchmarks.layers")
    report = layers.main(["--quick"])
    assert set(report) == {"lenet", "lstm"}
    assert report["lstm"]["funcgrad"] > 0 and report["lstm"]["vs_numpy"] > 0


def test_dask_logistic_benchmark_checks_gradients_memory_and_scaling() -> None:
    """benchmarks/dask_logistic.py --quick on 2-worker and 1-worker LocalClusters:
    every gradient is checked before timing (a wrong one exits), the workers
    hold at most a few chunks beyond their share, the client materialises no
    full array, and funcgrad's gradient graph has no more tasks than
    dask-glm's hand-written one (than the hand-written Dask one without dask-glm)."""
    pytest.importorskip("distributed")
    bench = pytest.importorskip("benchmarks.dask_logistic")
    report = bench.main(["--quick"])
    main = report["main"]
    assert all(t > 0 for t in main["times"].values())
    peer = "dask-glm" if "dask-glm" in main["tasks"] else "hand-written dask"
    assert main["tasks"]["funcgrad grad"] <= main["tasks"][peer]
    memory = {t["target"].split(" (")[0]: t["status"] for t in report["targets"]
              if "chunks" in t["target"] or "client" in t["target"]}
    assert set(memory.values()) == {"MET"}, report["targets"]
    assert [r["workers"] for r in report["scaling"]] == [1, 2]
    assert report["scaling"][0]["rows"] * 2 == report["scaling"][1]["rows"]
