"""Errors a newcomer hits with the facade: PyTorch's exception type and message
(checked against real PyTorch too when it is installed)."""
from __future__ import annotations

import pytest

import funcgrad.torch as T

# (what is called, exception type, PyTorch 2.13's message)
CASES = [
    ("x.flip(5)", IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("x.split(1, dim=5)", IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("x.repeat(2)", RuntimeError,
     "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"),
    ("x.expand(3)", RuntimeError,
     "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be "
     "greater or equal to the number of dimensions in the tensor (2)"),
    ("x.permute(0, 0)", RuntimeError, "permute(): duplicate dims are not allowed."),
    ("x.flip(0, 0)", RuntimeError, "dim 0 appears multiple times in the list of dims"),
    ("x.sum((1, -1))", RuntimeError, "dim 1 appears multiple times in the list of dims"),
    ("x.flatten(1, 0)", RuntimeError,
     "flatten() has invalid args: start_dim cannot come after end_dim"),
    ("x.size(2)", IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("torch.tensor(1.0).size(0)", IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("torch.tensor(1.0).unbind(0)", IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("torch.stack([x, x], 3)", IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
]


def _run(torch, code):
    x = torch.ones(2, 3)
    with pytest.raises(Exception) as info:
        eval(code, {"torch": torch, "x": x})
    return info.value


@pytest.mark.parametrize("code,exc,message", CASES, ids=[c[0] for c in CASES])
def test_message(code, exc, message):
    e = _run(T, code)
    assert type(e) is exc and str(e) == message


@pytest.mark.parametrize("code,exc,message", CASES, ids=[c[0] for c in CASES])
def test_messages_are_pytorchs(code, exc, message):
    torch = pytest.importorskip("torch")
    e = _run(torch, code)
    assert isinstance(e, exc) and str(e).splitlines()[0] == message


def test_flip_takes_varargs_and_a_sequence():
    x = T.arange(6.0).reshape(2, 3)
    assert x.flip(0, 1).tolist() == x.flip([0, 1]).tolist() == [[5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]
    assert T.flip(x, (1,)).tolist() == [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
