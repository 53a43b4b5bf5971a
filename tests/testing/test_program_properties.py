"""Engine-level properties over random programs of registered primitives
(funcgrad.testing.strategies.programs): gradients match finite differences,
forward and reverse mode agree, VJPs are linear, Hessians are symmetric."""
from __future__ import annotations

import numpy as np
from hypothesis import Phase, find, given, settings

import funcgrad as fg
from funcgrad.testing import (assert_hessian_symmetric, assert_vjp_jvp_consistent,
                              assert_vjp_linear, check_grads, strategies as fst)

REAL = fst.programs(min_steps=3, max_steps=6)
COMPLEX = fst.programs(min_steps=2, max_steps=4, dtype=np.complex128)


@given(REAL)
def test_program_gradients_match_finite_differences(prog):
    check_grads(prog, prog.args, order=2, modes=("rev", "fwd"))


@given(COMPLEX)
def test_complex_program_gradients_match_finite_differences(prog):
    check_grads(prog, prog.args, order=1, modes=("rev", "fwd"))


@given(REAL)
def test_program_vjp_and_jvp_agree(prog):
    assert_vjp_jvp_consistent(prog, prog.args)
    assert_vjp_linear(prog, prog.args)


@given(COMPLEX)
def test_complex_program_vjp_and_jvp_agree(prog):
    assert_vjp_jvp_consistent(prog, prog.args)


@given(REAL)
def test_program_hessians_are_symmetric(prog):
    assert_hessian_symmetric(prog.scalar, prog.args)


@given(REAL)
def test_grad_equals_vjp_of_one(prog):
    g = fg.grad(prog.scalar, argnums=tuple(range(prog.num_inputs)))(*prog.args)
    out, f_vjp = fg.vjp(prog, *prog.args)
    ones = np.ones(np.shape(out), np.asarray(out).dtype)
    for a, b in zip(g, f_vjp(ones)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- the generator really produces what the properties need ---------------------
FIND = settings(database=None, max_examples=500, phases=[Phase.generate])


def test_programs_reach_broadcasting_reductions_and_matmul():
    def broadcasting(p):
        return any(len(s.inputs) == 2 and np.shape(p.args[0]) != np.shape(p.args[-1])
                   for s in p.steps) and p.num_inputs == 2
    assert broadcasting(find(REAL, broadcasting, settings=FIND))
    reduced = find(REAL, lambda p: any(s.op in ("sum", "mean") and dict(s.params)["axis"] is not None
                                       for s in p.steps), settings=FIND)
    assert any(s.op in ("sum", "mean") for s in reduced.steps)
    assert any(s.op == "matmul" for s in find(REAL, lambda p: any(s.op == "matmul" for s in p.steps),
                                               settings=FIND).steps)


def test_program_source_runs_as_python():
    import funcgrad.numpy as fnp
    prog = find(REAL, lambda p: len(p.steps) >= 3, settings=FIND)
    namespace = dict(vars(fnp))
    exec(str(prog), namespace)
    np.testing.assert_allclose(namespace["program"](*prog.args), prog(*prog.args))


def test_programs_restricted_to_named_ops():
    prog = find(fst.programs(ops=["sin", "multiply"]), lambda p: len(p.steps) >= 2, settings=FIND)
    assert {s.op for s in prog.steps} <= {"sin", "multiply"}


def test_program_errors():
    import pytest
    with pytest.raises(ValueError, match="no program recipe"):
        find(fst.programs(ops=["not_a_function"]), lambda p: True, settings=FIND)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        fst.Program(1, ())(1.0, 2.0)


@given(REAL)
def test_program_gradients_agree_between_functional_and_facade(prog):
    from funcgrad.testing import assert_functional_facade_agree
    assert_functional_facade_agree(prog, prog.args)
