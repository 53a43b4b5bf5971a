"""torch.compile (a documented pass-through until funcgrad's jit covers the
facade): same results and gradients, PyTorch's OptimizedModule shape
(``_orig_mod``, state_dict prefix, attribute forwarding) and argument errors."""
from __future__ import annotations

import doctest

import pytest

import funcgrad.torch as torch
from funcgrad.torch import _compile, nn


def test_compiled_module_and_function_match_eager():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    compiled = torch.compile(model, fullgraph=True, dynamic=False, mode="max-autotune")
    assert isinstance(compiled, nn.Module) and compiled._orig_mod is model
    assert list(compiled.state_dict()) == ["_orig_mod." + k for k in model.state_dict()]
    assert getattr(compiled, "0") is model[0]  # attribute access is forwarded
    x = torch.randn(5, 3)
    assert torch.equal(compiled(x), model(x))
    compiled(x).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    assert all(torch.equal(a, p.grad) for a, p in zip(grads, model.parameters()))
    compiled.eval()
    assert not model.training

    def f(x, scale=2.0):
        return torch.sin(x) * scale
    g = torch.compile(f, backend="eager")
    assert g.__name__ == "f" and torch.equal(g(x, scale=3.0), f(x, scale=3.0))
    assert torch.compile(disable=True)(f) is f


def test_compile_argument_errors():
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast, should be one of: default, "
                                           "lite, reduce-overhead"):
        torch.compile(torch.sin, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        torch.compile(torch.sin, mode="default", options={})
    with pytest.raises(RuntimeError, match="Invalid backend: 'tvm2'"):
        torch.compile(torch.sin, backend="tvm2")
    with pytest.raises(AssertionError, match="A callable function is expected, but <class 'int'> "
                                             "is provided."):
        torch.compile(3)


def test_docstring_examples():
    result = doctest.testmod(_compile, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
