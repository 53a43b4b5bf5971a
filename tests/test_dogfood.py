"""The suite has teeth: plant wrong gradients, watch the checks fail.

Each test plants one classic mistake (a sign flip, a missing unbroadcast, a
dropped conjugate) for the duration of the test only (pytest's monkeypatch
restores the rule afterwards), then shows that ``check_grads`` and the
registry-driven harness (``tests/numpy/test_registry.py``'s checking
function, run on the same kind of inputs it draws in the suite) both fail.
Each test first runs the same checks unplanted, so the failure is the
plant's doing.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad._core import ops
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads, strategies as fst

from tests.numpy import test_registry as harness
from tests.numpy.specs import Spec, collect

SPECS = collect()


def run_harness(name: str, spec: Spec, examples: int = 25) -> None:
    """Run the registry harness's check for ``name`` on ``examples`` drawn
    inputs (no shrinking: the first failure is raised as it is)."""
    inner = harness.test_values_and_gradients.hypothesis.inner_test

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        inner(name, spec, data)

    check()


def plant(monkeypatch, name: str, *rules) -> None:
    """Replace the VJP rules of registered primitive ``name`` for this test."""
    monkeypatch.setattr(REGISTRY[name].fn, "vjps", tuple(rules))


# --- a sign flip ------------------------------------------------------------------
def test_sign_flip_is_caught(monkeypatch):
    x = np.array([0.3, -1.2, 2.0])
    spec = SPECS["sin"][0]
    check_grads(fnp.sin, (x,), order=2)
    run_harness("sin", spec)

    plant(monkeypatch, "sin", lambda g, ans, x: -g * fnp.cos(x))
    with pytest.raises(AssertionError,
                       match=r"\(order 1\): reverse-mode gradient of argument 0 does not match"):
        check_grads(fnp.sin, (x,))
    with pytest.raises(AssertionError, match="does not match central finite differences"):
        run_harness("sin", spec)


def test_sign_flip_in_a_second_derivative_is_caught_at_order_two(monkeypatch):
    # cos's rule is used when differentiating sin's rule: a wrong cos shows up
    # in sin's second derivative
    x = np.array([0.3, -1.2, 2.0])
    plant(monkeypatch, "cos", lambda g, ans, x: g * fnp.sin(x))
    check_grads(fnp.sin, (x,), order=1)
    with pytest.raises(AssertionError, match="order 2"):
        check_grads(fnp.sin, (x,), order=2)
    with pytest.raises(AssertionError, match="order 2"):
        run_harness("sin", SPECS["sin"][0])


# --- a missing unbroadcast ------------------------------------------------------------
def test_custom_vjp_missing_unbroadcast_is_refused():
    # A primitive's VJP rules may return g * y in the broadcast output shape
    # (the engine sums it back to each primal's shape, ops.fit: see the next
    # test). A custom_vjp's bwd may not: as in JAX, a cotangent of another
    # shape than its primal's is an error, not silently summed (issue 22).
    bare = fg.custom_vjp(lambda a, b: a * b)
    bare.defvjp(lambda a, b: (a * b, (a, b)), lambda res, g: (g * res[1], g * res[0]))
    with pytest.raises(ValueError, match=r"same shape/dtypes.*At output\[0\].*"
                                         r"float64\[2,3\] corresponding to an input of "
                                         r"shape/dtype float64\[2,1\]"):
        check_grads(bare, (np.array([[0.5], [1.5]]), np.array([1.0, -2.0, 3.0])), order=2)


def _fit_without_unbroadcast(ct, primal):
    """The engine's fit with the unbroadcast step left out (casts only)."""
    if not hasattr(ct, "shape"):
        ct = np.asarray(ct)
    if ct.dtype != primal.dtype:
        ct = fnp.real(ct) if np.dtype(ct.dtype).kind == "c" and np.dtype(primal.dtype).kind != "c" else ct
        ct = fnp.astype(ct, primal.dtype)
    return ct


def test_missing_unbroadcast_in_the_engine_is_caught(monkeypatch):
    a, b = np.array([[0.5], [1.5]]), np.array([1.0, -2.0, 3.0])
    check_grads(fnp.multiply, (a, b))
    run_harness("add", SPECS["add"][0])

    monkeypatch.setattr(ops, "fit", _fit_without_unbroadcast)
    with pytest.raises(AssertionError, match=r"gradient of argument 0 has shape \(2, 3\), "
                                             r"expected \(2, 1\)"):
        check_grads(fnp.multiply, (a, b))
    with pytest.raises(AssertionError, match="has shape"):
        run_harness("add", SPECS["add"][0])


# --- a dropped conjugate ------------------------------------------------------------
COMPLEX_UNARY = fst.safe_arrays(dtype=np.complex128, avoid=(0.0,), gap=0.1).map(
    lambda z: ((z,), {}))


def _abs_without_conjugate(g, ans, x):
    safe = fnp.where(ans == 0, 1.0, ans)
    return g * x / safe  # should be g * conj(x) / |x|


@pytest.mark.parametrize("name,bad_rule", [
    ("absolute", _abs_without_conjugate),
    ("conjugate", lambda g, ans, x: g),  # should be conj(g)
], ids=["absolute", "conjugate"])
def test_dropped_conjugate_is_caught(monkeypatch, name, bad_rule):
    # the suite's own specs for these use real inputs, where a conjugate is
    # invisible: the harness is run here on complex inputs
    fn = REGISTRY[name].fn
    z = np.array([0.5 + 1.0j, -2.0 + 0.3j])
    spec = Spec(COMPLEX_UNARY, float32=False)
    check_grads(fn, (z,), order=2)
    run_harness(name, spec)

    plant(monkeypatch, name, bad_rule)
    check_grads(fn, (z.real,))  # real inputs cannot tell
    with pytest.raises(AssertionError, match="reverse-mode gradient of argument 0"):
        check_grads(fn, (z,))
    with pytest.raises(AssertionError, match="does not match central finite differences"):
        run_harness(name, spec)


def test_random_program_properties_catch_a_planted_rule(monkeypatch):
    # the engine-level property tests (tests/testing/test_program_properties.py)
    # have teeth too: with multiply's second rule sign-flipped, random programs
    # over sin / multiply / add fail the finite-difference check
    from tests.testing import test_program_properties as program_tests
    inner = program_tests.test_program_gradients_match_finite_differences.hypothesis.inner_test
    programs = fst.programs(ops=["sin", "multiply", "add"], min_steps=2, max_steps=4)

    @settings(max_examples=30, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], report_multiple_bugs=False)
    @given(programs)
    def check(prog):
        inner(prog)

    check()
    plant(monkeypatch, "multiply", lambda g, ans, x, y: g * y, lambda g, ans, x, y: -g * x)
    with pytest.raises(AssertionError, match="does not match central finite differences"):
        check()


def test_plants_are_gone_after_each_test():
    # runs after the tests above in file order: every rule is the real one again
    for name in ("sin", "cos", "absolute", "conjugate"):
        check_grads(REGISTRY[name].fn, (np.array([0.5 + 1.0j, -2.0 + 0.3j]),), order=2)
    assert ops.fit is fnp._fit
    check_grads(fnp.multiply, (np.array([[0.5], [1.5]]), np.array([1.0, -2.0, 3.0])), order=2)
