"""funcgrad changes no interpreter-wide state that other code observes
(issue 22): the cyclic garbage collector's switch, NumPy's error state.

Both were once changed for speed: the engine switched the collector off while
it recorded and swept (another thread then saw ``gc.isenabled()`` False, and
a ``gc.disable()`` of its own was undone), and the facade wrote NumPy's
private error-state variable. These tests hold the engine to the caller's
state in this thread and in others."""
from __future__ import annotations

import gc
import pathlib
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp

PACKAGE = pathlib.Path(fg.__file__).resolve().parent


@pytest.fixture
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def _functional_step(x):
    return fg.grad(lambda v: fnp.sum(fnp.tanh(v * 1.5) ** 2))(x)


def _facade_step(x):
    import funcgrad.torch as T
    t = T.tensor(x, requires_grad=True)
    (t * 1.5).tanh().pow(2).sum().backward()
    return t.grad


STEPS = {"grad": _functional_step, "facade": _facade_step,
         "vjp": lambda x: fg.vjp(lambda v: fnp.sin(v) * v, x)[1](np.ones_like(x)),
         "hessian": lambda x: fg.hessian(lambda v: fnp.sum(fnp.sin(v)))(x[:3])}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("enabled", [True, False])
def test_collector_is_as_the_caller_left_it_inside_and_after(step, enabled, collector_restored):
    seen = []
    (gc.enable if enabled else gc.disable)()

    def f(v):
        seen.append(gc.isenabled())
        return fnp.sum(fnp.sin(v))

    fg.grad(f)(np.linspace(0.0, 1.0, 5))
    STEPS[step](np.linspace(0.0, 1.0, 5))
    assert seen == [enabled] and gc.isenabled() is enabled


@pytest.mark.parametrize("step", ["grad", "facade"])
def test_another_thread_never_sees_the_collector_switched(step, collector_restored):
    gc.enable()
    stop = threading.Event()
    observed = []

    def watch():
        while not stop.is_set():
            observed.append(gc.isenabled())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        x = np.linspace(-1.0, 1.0, 8)
        for _ in range(300):
            STEPS[step](x)
    finally:
        stop.set()
        watcher.join()
    assert observed and all(observed)


@pytest.mark.parametrize("step", ["grad", "facade"])
def test_a_gc_disable_in_another_thread_is_never_undone(step, collector_restored):
    # the old engine re-enabled a collector that another thread had turned
    # off while a gradient was being taken (about 10% of trials)
    for _ in range(30):
        gc.enable()
        started, done = threading.Event(), threading.Event()

        def train():
            started.set()
            for _ in range(20):
                STEPS[step](np.linspace(-1.0, 1.0, 8))
            done.set()

        worker = threading.Thread(target=train)
        worker.start()
        started.wait()
        gc.disable()
        worker.join()
        assert done.is_set() and not gc.isenabled()


# Calls that change interpreter- or NumPy-wide state; funcgrad's sources may
# make none of them (np.seterr only inside contextvars.Context.run, whose
# effect the facade checks is local: funcgrad/torch/_graph.py).
FORBIDDEN = re.compile(r"\bgc\.(disable|enable|freeze|unfreeze|set_threshold|set_debug)\s*\("
                       r"|\bsys\.(setrecursionlimit|setswitchinterval)\s*\("
                       r"|\bnp\.(set_printoptions|setbufsize)\s*\("
                       r"|_extobj_contextvar|numpy\._core\._ufunc_config")


def test_no_source_file_changes_process_wide_state():
    offenders = [f"{p.relative_to(PACKAGE)}:{i}: {line.strip()}"
                 for p in sorted(PACKAGE.rglob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if FORBIDDEN.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_numpy_error_state_is_the_caller_s_around_facade_work():
    import funcgrad.torch as T
    with np.errstate(divide="raise", invalid="warn", over="ignore"):
        before = np.geterr()
        x = T.tensor([0.0, 1.0], requires_grad=True)
        y = (T.tensor([1.0, 1.0]) / x).sum()  # inf, no error: PyTorch's behaviour
        y.backward()
        assert np.geterr() == before
        with pytest.raises(FloatingPointError):
            np.array([1.0]) / np.array([0.0])  # the caller's state still applies to NumPy


def test_another_thread_s_numpy_error_state_is_left_alone():
    import funcgrad.torch as T
    seen = []

    def other():
        with np.errstate(all="raise"):
            for _ in range(200):
                seen.append(np.geterr()["divide"])

    t = threading.Thread(target=other)
    t.start()
    for _ in range(200):
        x = T.tensor([0.0, 2.0], requires_grad=True)
        (1.0 / x).sum().backward()
    t.join()
    assert set(seen) == {"raise"}


def test_importing_the_facade_leaves_numpy_s_error_state_alone():
    code = ("import numpy as np; np.seterr(all='raise'); before = np.geterr(); "
            "import funcgrad.torch as T; x = T.tensor([0.0], requires_grad=True); "
            "(1.0 / x).sum().backward(); assert np.geterr() == before, np.geterr(); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True,
                         text=True)
    assert out.stdout.strip() == "ok", out.stderr
