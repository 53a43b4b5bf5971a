"""Argument checks of the transforms (issue 22): a non-callable fails when the
transform is called, with JAX's phrase; a value that is not an array type is
named with its position and type. Generated over every transform, so a new
one that forgets the shared helpers (funcgrad/_validate.py) fails here."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.transforms as tr

NOT_FUNCTION_TAKING = {"stop_gradient", "float0"}
TRANSFORMS = sorted(n for n in tr.__all__ if n not in NOT_FUNCTION_TAKING)


def _call_with(transform, fun):
    """``transform(fun, ...)`` with every other required positional
    parameter filled with a one-argument tuple."""
    params = list(inspect.signature(transform).parameters.values())[1:]
    extra = [(1.0,) for p in params
             if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return transform(fun, *extra)


def test_every_function_taking_transform_is_listed():
    for name in TRANSFORMS:
        first = next(iter(inspect.signature(getattr(tr, name)).parameters))
        assert first in ("fun", "f", "func"), (name, first)


@pytest.mark.parametrize("name", TRANSFORMS)
@pytest.mark.parametrize("bad", [3, "f", None, np.ones(2)], ids=["int", "str", "None", "array"])
def test_transform_refuses_a_non_callable_at_once(name, bad):
    transform = getattr(tr, name)  # (an alias such as jacrev names its original)
    with pytest.raises(TypeError, match=rf"^{transform.__name__}\b.*: Expected a callable value, got "):
        _call_with(transform, bad)


def test_non_callable_message_is_jax_s():
    with pytest.raises(TypeError) as info:
        fg.grad(3)
    assert str(info.value) == "grad: Expected a callable value, got 3"


def test_defvjp_refuses_non_callable_rules():
    f = fg.custom_vjp(lambda x: x)
    with pytest.raises(TypeError, match=r"defvjp \(fwd\): Expected a callable value, got 1"):
        f.defvjp(1, lambda r, g: (g,))
    with pytest.raises(TypeError, match=r"defvjp \(bwd\): Expected a callable value, got 2"):
        f.defvjp(lambda x: (x, None), 2)


def _calls():
    """(name, call taking the bad value as the differentiated argument 1)."""
    f = lambda x, y: np.sum(y) * x  # noqa: E731
    yield "grad", lambda v: fg.grad(f, argnums=1)(1.0, v)
    yield "value_and_grad", lambda v: fg.value_and_grad(f, argnums=1)(1.0, v)
    yield "jacobian", lambda v: fg.jacobian(f, argnums=1)(1.0, v)
    yield "hessian", lambda v: fg.hessian(f, argnums=1)(1.0, v)
    yield "vjp", lambda v: fg.vjp(f, 1.0, v)
    yield "jvp", lambda v: fg.jvp(f, (1.0, v), (1.0, v))


BAD_VALUES = {"str": "abc", "object": object(), "function": np.sin, "bytes": b"ab",
              "nested str": {"a": [1.0, "abc"]}}


@pytest.mark.parametrize("name,call", list(_calls()), ids=[n for n, _ in _calls()])
@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_non_array_argument_is_named(name, call, kind):
    with pytest.raises(TypeError, match=rf"^{name}: argument 1 is not an array type: "
                                        r"Argument .* of type <class '[\w.]+'> is not a valid "
                                        r"funcgrad type\. .*NumPy arrays"):
        call(BAD_VALUES[kind])


def test_grad_of_a_string_says_so():
    with pytest.raises(TypeError, match=r"argument 0 is not an array type: Argument 'abc' "
                                        r"of type <class 'str'>"):
        fg.grad(lambda x: x)("abc")


@pytest.mark.parametrize("x", [1.0, 2, True, 1 + 0j, np.float32(1), np.ones(2), [1.0, 2.0],
                               {"a": (np.ones(1), None)}])
def test_array_types_and_pytrees_of_them_are_accepted(x):
    fg.vjp(lambda v: v, x)
