"""torch.compile on funcgrad.jit: same results and gradients as eager (one
recorded node whose backward is the staged VJP), parameters as arguments
(optimizer updates seen), re-tracing on new shapes and modes, the eager
fallback with one warning, PyTorch's OptimizedModule shape (``_orig_mod``,
state_dict prefix, attribute forwarding) and argument errors."""
from __future__ import annotations

import doctest
import warnings

import numpy as np
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
    assert torch.allclose(compiled(x), model(x), rtol=1e-6, atol=1e-7)
    assert compiled(x).grad_fn.name() == "CompiledFunctionBackward"
    compiled(x).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    assert all(torch.allclose(a, p.grad, rtol=1e-6, atol=1e-7)
               for a, p in zip(grads, model.parameters()))
    compiled.eval()
    assert not model.training

    def f(x, scale=2.0):
        return torch.sin(x) * scale
    g = torch.compile(f, backend="eager")
    assert g.__name__ == "f" and torch.allclose(g(x, scale=3.0), f(x, scale=3.0))
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


def _lenet(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3),
                         nn.Tanh(), nn.Flatten(), nn.Linear(6 * 4 * 4, 10))


def test_training_through_a_compiled_module_equals_eager():
    eager, staged = _lenet(), _lenet()
    compiled = torch.compile(staged)
    rng = np.random.default_rng(0)
    opts = [torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for m in (eager, staged)]
    for step in range(3):  # the optimizer's updates between calls are seen
        x = torch.tensor(rng.normal(size=(8, 1, 14, 14)).astype(np.float32))
        y = torch.tensor(rng.integers(0, 10, 8))
        losses = []
        for model, opt in zip((eager, compiled), opts):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
        for p, q in zip(eager.parameters(), staged.parameters()):
            np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-6)
        for opt in opts:
            opt.step()
    assert compiled._compiled.traces == 1  # one signature: traced once
    with torch.no_grad():  # inference runs the compiled function itself
        out = compiled(torch.ones(2, 1, 14, 14))
    assert out.grad_fn is None and out.shape == (2, 10)
    assert compiled._compiled.traces == 2  # a new shape: traced again


def test_closures_over_parameters_and_new_shapes():
    model = nn.Linear(3, 2)
    f = torch.compile(lambda x: torch.tanh(model(x)).sum())
    x = torch.randn(4, 3)
    f(x).backward()
    g = model.weight.grad.clone()
    model.zero_grad()
    torch.tanh(model(x)).sum().backward()
    assert torch.allclose(g, model.weight.grad)
    with torch.no_grad():
        model.weight.mul_(2.0)  # (the live parameter is passed on every call)
    assert torch.allclose(f(x), torch.tanh(model(x)).sum())
    assert f(torch.randn(7, 3)).shape == () and f.traces == 2


def test_modes_and_fallback_with_one_warning():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
    compiled = torch.compile(model)
    x = torch.randn(6, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled(x)
        compiled(x)
    assert len(caught) == 1 and "cannot be staged by funcgrad.jit" in str(caught[0].message)
    assert caught[0].filename == __file__  # (points at the caller)
    running = model[1].running_mean.clone()
    assert not torch.equal(running, torch.zeros(3))  # eager training updated the statistics
    model.eval()  # other modes: staged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = compiled(x)
    assert out.grad_fn.name() == "CompiledFunctionBackward"
    assert torch.allclose(out, model(x), rtol=1e-6, atol=1e-7)
    assert torch.equal(model[1].running_mean, running)

    f = torch.compile(lambda t: t * 2 if t.sum() > 0 else -t)
    with pytest.warns(UserWarning, match="ConcretizationError"):
        assert torch.equal(f(torch.ones(2)), torch.full((2,), 2.0))
    assert torch.equal(f(-torch.ones(2)), torch.ones(2))  # eager: both branches
