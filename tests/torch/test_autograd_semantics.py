"""PyTorch's autograd semantics in the facade, one by one.

Error phrases and values were checked against PyTorch 2.x (torch 2.13).
"""
from __future__ import annotations

import gc
import threading
import warnings
import weakref

import numpy as np
import pytest

import funcgrad
import funcgrad.torch as torch
from funcgrad.torch.autograd import Function, Variable


def t(*a, **k):
    return torch.tensor(*a, **k)


# --- requires_grad ----------------------------------------------------------------
def test_requires_grad_only_on_float_and_complex():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype "
                                           "can require gradients"):
        t([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require "
                                           "gradients"):
        t([1, 2]).requires_grad_()
    assert t([1 + 1j], requires_grad=True).requires_grad
    assert t([1.0], dtype=torch.float16, requires_grad=True).requires_grad


def test_requires_grad_flag_only_changes_on_leaves():
    x = t([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables"):
        y.requires_grad = False
    y.requires_grad_()  # True on a non-leaf is allowed (a no-op)
    x.requires_grad = False
    assert not (x + 1).requires_grad and x.is_leaf and x.grad_fn is None


def test_factories_honour_requires_grad_under_no_grad():
    with torch.no_grad():
        w = torch.randn(3, requires_grad=True)
        z = torch.zeros(2, requires_grad=True)
        y = w * 2
    assert w.requires_grad and z.requires_grad and w.is_leaf
    assert not y.requires_grad


# --- .grad ---------------------------------------------------------------------------
def test_grad_accumulates_and_can_be_reset():
    x = t(2.0, requires_grad=True)
    f = x ** 2
    f.backward(retain_graph=True)
    g = x.grad
    f.backward(retain_graph=True)
    assert x.grad is g and x.grad.item() == 8.0  # accumulated in place
    x.grad.zero_()
    f.backward(retain_graph=True)
    assert x.grad.item() == 4.0
    x.grad = None
    f.backward()
    assert x.grad.item() == 4.0


def test_grad_of_two_leaves_do_not_alias():
    x, y = t(1.0, requires_grad=True), t(1.0, requires_grad=True)
    (x + y).backward()
    x.grad.zero_()
    assert y.grad.item() == 1.0


def test_non_leaf_grad_warns_and_is_none():
    x = t(1.0, requires_grad=True)
    y = x + 1
    (y ** 2).backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf "
                                         "Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad():
    x = t(1.0, requires_grad=True)
    y = x + 1
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y ** 2).backward(retain_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.item() == 4.0
    x.retain_grad()  # a leaf: no-op


def test_grad_assignment_checks():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[2\]' to "
                                           r"a tensor of size '\[3\]'"):
        x.grad = torch.ones(2)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'double'"):
        x.grad = torch.ones(3, dtype=torch.float64)
    x.grad = torch.zeros(3)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_gradients_keep_float32():
    x = torch.ones(2, requires_grad=True)
    (x * np.float64(3.0)).sum().backward()
    assert x.grad.dtype == torch.float32
    d = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (d * d).sum().backward()
    assert d.grad.dtype == torch.float64


# --- backward ---------------------------------------------------------------------------
def test_implicit_gradient_only_for_one_element():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        (x * 2).backward()
    (x * 2).backward(torch.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    y = torch.ones(1, 1, requires_grad=True)
    (y * 3).backward()  # numel() == 1, any shape
    assert y.grad.tolist() == [[3.0]]


def test_backward_errors():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does "
                                           "not have a grad_fn"):
        torch.ones(3).sum().backward()
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of "
                                           r"torch.Size\(\[2\]\) and output\[0\] has a shape of "
                                           r"torch.Size\(\[3\]\)."):
        (x * 2).backward(torch.ones(2))


def test_second_backward_raises_only_when_saved_values_are_needed():
    x = t(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    z = x + 1  # add saves nothing: a second backward works, as in PyTorch
    z.backward()
    z.backward()
    assert x.grad.item() == 4.0 + 2.0


def test_retain_graph_keeps_saved_values_and_default_releases_them():
    x = torch.randn(1000, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    saved = weakref.ref(node.out)
    s = y.sum()
    s.backward(retain_graph=True)
    assert node.args is not None and saved() is not None
    s.backward()
    del y
    gc.collect()
    assert node.args is None and saved() is None


def test_graph_memory_freed_by_refcount():
    x = torch.randn(100, requires_grad=True)
    h = (x * 2).exp()
    node_ref = weakref.ref(h.grad_fn)
    loss = h.sum()
    del h
    loss.backward()
    del loss
    assert node_ref() is None  # no reference cycles: freed without gc


def test_backward_inputs_restricts_accumulation():
    a, b = t(1.0, requires_grad=True), t(2.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_double_backward_nodes_of_tanh_and_sigmoid_are_named_as_in_pytorch():
    # PyTorch records tanh's and sigmoid's gradient as one op each
    # (tanh_backward, sigmoid_backward); so does the facade.
    x = torch.tensor([0.5, -0.2], requires_grad=True)
    for fn, name, want in [(torch.tanh, "TanhBackwardBackward0", [-0.7269, 0.3794]),
                           (torch.sigmoid, "SigmoidBackwardBackward0", [-0.0576, 0.0247])]:
        g, = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
        assert type(g.grad_fn).__name__ == name
        h, = torch.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(h.numpy(), want, atol=1e-4)


def test_autograd_backward_function():
    x = torch.ones(2, requires_grad=True)
    torch.autograd.backward([x * 2, x * 3], [torch.ones(2), torch.ones(2)])
    assert x.grad.tolist() == [5.0, 5.0]


# --- autograd.grad ------------------------------------------------------------------------
def test_autograd_grad_basics_and_higher_order():
    x = t(2.0, requires_grad=True)
    g, = torch.autograd.grad(x ** 3, x, create_graph=True)
    assert repr(g) == "tensor(12., grad_fn=<MulBackward0>)"
    gg, = torch.autograd.grad(g, x, create_graph=True)
    ggg, = torch.autograd.grad(gg, x)
    assert (gg.item(), ggg.item()) == (12.0, 6.0)
    assert x.grad is None  # autograd.grad does not accumulate


def test_create_graph_gradients_of_constants_are_as_in_pytorch():
    """Under create_graph the seed, and what shape-only rules make of it, is a
    constant: sum's gradient is the seed expanded (a read-only view, as
    PyTorch's expand), and .grad accumulates constants out of place."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    g, = torch.autograd.grad(x.sum(), x, create_graph=True)
    assert g.tolist() == [1.0] * 3 and g.grad_fn is None and not g.requires_grad
    assert not g.is_contiguous()
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        g.add_(1)
    g, = torch.autograd.grad((x.reshape(3, 1) * 2).sum(), x, create_graph=True)
    assert g.tolist() == [2.0] * 3 and g.grad_fn is None
    (x * 2).sum().backward(create_graph=True)
    first = x.grad
    (x * 3).sum().backward(create_graph=True)
    assert first.tolist() == [2.0] * 3 and x.grad.tolist() == [5.0] * 3  # a new tensor
    x.grad = None
    (x ** 2).sum().backward(create_graph=True)
    x.sum().backward(create_graph=True)
    assert x.grad.tolist() == [3.0, 5.0, 7.0] and type(x.grad.grad_fn).__name__ == "AddBackward0"


def test_autograd_grad_errors_and_unused():
    x = torch.ones(3, requires_grad=True)
    u = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not "
                                           "have been used in the graph. Set allow_unused=True"):
        torch.autograd.grad((x * 2).sum(), [x, u])
    gx, gu = torch.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)
    assert gu is None and gx.tolist() == [2.0] * 3
    _, gu = torch.autograd.grad((x * 2).sum(), [x, u], allow_unused=True,
                                materialize_grads=True)
    assert gu.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require "
                                           "grad"):
        torch.autograd.grad((x * 2).sum(), [torch.ones(2)])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.autograd.grad(torch.ones(2).sum(), [x])
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        torch.autograd.grad(x * 2, x, grad_outputs=torch.ones(2))


def test_autograd_grad_non_leaf_input():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    z = (y ** 2).sum()
    gy, = torch.autograd.grad(z, y)
    assert gy.tolist() == [6.0, 6.0]


# --- in place -------------------------------------------------------------------------------
def test_leaf_in_place_rules():
    w = t(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        w -= 1
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        torch.ones(3, requires_grad=True)[0].add_(1)
    with torch.no_grad():
        w -= 0.5
    assert w.item() == 0.5 and w.is_leaf and w.requires_grad and w._version == 1


def test_modified_saved_tensor_raises_at_backward():
    a = torch.ones(3, requires_grad=True)
    y = a.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation "
                                           r"has been modified by an inplace operation: "
                                           r"\[torch.FloatTensor \[3\]\], which is output 0 of Exp, "
                                           r"is at version 1; expected version 0 instead. Hint:"):
        y.sum().backward()
    b = torch.ones(3)
    z = a * b
    b.add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[3\]\] is at version 1; "
                                           r"expected version 0 instead"):
        z.sum().backward()


def test_in_place_on_non_leaf_rebases_history():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.mul_(3)
    assert y.grad_fn.name() == "MulBackward0" and y._version == 1
    y += x
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    z = x * 1
    z[0] = 10.0
    assert type(z.grad_fn).__name__ == "CopySlices"
    z.sum().backward()
    assert x.grad.tolist() == [4.0, 5.0]


def test_in_place_type_check():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        torch.tensor([1, 2]).add_(1.5)


def test_detach_shares_data_and_version_counter_data_does_not():
    x = torch.ones(2, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad
    d.add_(1)
    assert x.tolist() == [2.0, 2.0] and x._version == 1
    x.data.mul_(2)
    assert x.tolist() == [4.0, 4.0] and x._version == 1
    x.data = torch.zeros(2)
    assert x.tolist() == [0.0, 0.0] and x.requires_grad


# --- grad mode -----------------------------------------------------------------------------
def test_grad_mode_managers_and_decorators():
    x = t(1.0, requires_grad=True)
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert not (x + 1).requires_grad
        with torch.enable_grad():
            assert (x + 1).requires_grad

    @torch.no_grad()
    def f(v):
        return v + 1

    @torch.no_grad
    def g(v):
        return v + 1

    assert not f(x).requires_grad and not g(x).requires_grad
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    assert not torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    with torch.inference_mode():
        assert not (x * 2).requires_grad and torch.is_inference_mode_enabled()
    with torch.inference_mode(False):
        assert (x * 2).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with torch.no_grad():
        th = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        th.start()
        th.join()
    assert seen == [True]


def test_no_grad_decorates_generators():
    @torch.no_grad()
    def gen():
        yield torch.is_grad_enabled()
        yield torch.is_grad_enabled()

    assert list(gen()) == [False, False] and torch.is_grad_enabled()


# --- hooks and conversions ------------------------------------------------------------------
def test_register_hook_modifies_gradient_and_can_be_removed():
    x = torch.ones(2, requires_grad=True)
    seen = []
    h1 = x.register_hook(lambda g: g * 2)
    y = x * 3
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0] and seen == [[1.0, 1.0]]
    h1.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't "
                                           "require gradient"):
        torch.ones(1).register_hook(lambda g: g)


def test_item_numpy_tolist():
    x = torch.tensor([1.5, 2.5], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."):
        x.numpy()
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to "
                                           "Scalar"):
        x.item()
    assert x[0].item() == 1.5 and x.tolist() == [1.5, 2.5]
    a = x.detach().numpy()
    a[0] = 9  # shares memory
    assert x[0].item() == 9.0
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python "
                                         "scalars"):
        float(x)
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(torch.ones(2))
    assert f"{torch.tensor(2.5)}|{torch.tensor(2.5):.2f}|{torch.tensor([1.0])}" == \
        "2.5|2.50|tensor([1.])"


def test_clone_keeps_graph_and_copies_data():
    x = torch.ones(2, requires_grad=True)
    c = x.clone()
    assert repr(c) == "tensor([1., 1.], grad_fn=<CloneBackward0>)"
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    d = torch.ones(2)
    e = d.clone()
    e.add_(1)
    assert d.tolist() == [1.0, 1.0]


# --- Function, Variable --------------------------------------------------------------------
class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y


def test_function_basics():
    x = torch.zeros(2, requires_grad=True)
    y = Exp.apply(x)
    assert repr(y) == "tensor([1., 1.], grad_fn=<ExpBackward>)"
    assert y.grad_fn.name() == "ExpBackward"
    assert y.grad_fn.next_functions[0][0] is not None
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_function_ctx_api():
    class Mul(Function):
        @staticmethod
        def forward(ctx, a, k):
            ctx.k = k
            ctx.save_for_backward(a)
            assert ctx.needs_input_grad == (True, False)
            out = a * k
            idx = torch.tensor([0])
            ctx.mark_non_differentiable(idx)
            return out, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            a, = ctx.saved_tensors
            return g * ctx.k, None

    a = torch.ones(2, requires_grad=True)
    out, idx = Mul.apply(a, 3.0)
    assert not idx.requires_grad
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_function_errors():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, z):
            return x * z

        @staticmethod
        def backward(ctx, g):
            return g

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"function BadBackward returned an incorrect number of "
                                           r"gradients \(expected 2, got 1\)"):
        Bad.apply(x, x).sum().backward()

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g[:1]

    with pytest.raises(RuntimeError, match=r"Function BadShapeBackward returned an invalid "
                                           r"gradient at index 0 - got \[1\] but expected shape "
                                           r"compatible with \[2\]"):
        BadShape.apply(x).sum().backward()

    class Saver(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x

    a = x * 1
    out = Saver.apply(a)
    a.add_(1)
    with pytest.raises(RuntimeError, match="which is output 0 of Add, is at version 1"):
        out.sum().backward()


def test_function_mark_dirty_materialize_and_once_differentiable():
    class AddOne(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            ctx.set_materialize_grads(False)
            return x

        @staticmethod
        @torch.autograd.once_differentiable
        def backward(ctx, g):
            return g

    base = torch.ones(2, requires_grad=True)
    x = base * 1
    y = AddOne.apply(x)
    assert y is x and x.grad_fn.name() == "AddOneBackward"
    y.sum().backward()
    assert base.grad.tolist() == [1.0, 1.0]


def test_function_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = torch.tensor(3.0, requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.item() == 6.0
    # the same Function inside a functional transform (the traced path)
    g = funcgrad.grad(lambda v: Square.apply(v).sum())(torch.tensor([1.5, -2.0]))
    assert g.tolist() == [3.0, -4.0]


def test_variable_is_a_tensor():
    v = Variable(torch.Tensor([[1.0, 2.0], [2.0, 3.0]]), requires_grad=True)
    assert v.requires_grad and v.is_leaf and isinstance(torch.ones(1), Variable)
    assert type(v) is torch.Tensor


# --- anomaly detection, gradcheck ------------------------------------------------------------
def test_detect_anomaly_names_node_and_forward_line():
    x = torch.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning) as rec:
        with torch.autograd.detect_anomaly():
            y = torch.sqrt(x) * 0
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values "
                                                   "in its 0th output."):
                y.sum().backward()
    texts = [str(w.message) for w in rec]
    assert any(m.startswith("Anomaly Detection has been enabled") for m in texts)
    trace = [m for m in texts if m.startswith("Error detected in SqrtBackward0")]
    assert trace and "y = torch.sqrt(x) * 0" in trace[0]
    assert not torch.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_plain_call():
    torch.autograd.set_detect_anomaly(True)
    try:
        assert torch.autograd.is_anomaly_enabled()
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.autograd.is_anomaly_enabled()


def test_gradcheck_and_gradgradcheck():
    x = torch.tensor([0.3, 1.2], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: (v.sin() * v ** 2).sum(), (x,))
    assert torch.autograd.gradgradcheck(lambda v: (v.sin() * v ** 2).sum(), (x,))

    class Wrong(Function):
        @staticmethod
        def forward(ctx, v):
            return v * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(torch.autograd.GradcheckError,
                       match="Jacobian mismatch for output 0 with respect to input 0"):
        torch.autograd.gradcheck(Wrong.apply, (x,))
    assert torch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


# --- complex convention -------------------------------------------------------------------
def test_complex_gradient_is_pytorch_convention():
    z = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    (z * z.conj()).real.sum().backward()
    assert z.grad.tolist() == [2 + 2j, 4 - 2j]  # 2z; JAX's convention gives conj: 2 conj(z)
    w = torch.tensor(1 + 2j, requires_grad=True)
    g, = torch.autograd.grad(w.abs(), w)
    assert np.allclose(g.item(), (1 + 2j) / np.sqrt(5))


# --- functional transforms over facade tensors ---------------------------------------------
def test_funcgrad_grad_of_facade_code_returns_tensor():
    w = torch.tensor([1.0, 2.0])

    def loss(v):
        return (v * v).sum() + torch.sin(v).sum()

    g = funcgrad.grad(loss)(w)
    assert isinstance(g, torch.Tensor) and g.dtype == torch.float32
    assert np.allclose(g.tolist(), 2 * np.array([1.0, 2.0]) + np.cos([1.0, 2.0]), atol=1e-6)
    h = funcgrad.grad(lambda v: funcgrad.grad(loss)(v).sum())(w)
    assert np.allclose(h.tolist(), 2 - np.sin([1.0, 2.0]), atol=1e-6)


def test_funcgrad_over_tensor_methods_and_errors():
    w = torch.tensor([1.0, -2.0])
    g = funcgrad.grad(lambda v: v.relu().mean() + v.abs().max())(w)
    assert g.tolist() == [0.5, -1.0]
    with pytest.raises(TypeError, match="Cannot convert a traced value"):
        funcgrad.grad(lambda v: v.sum().item())(w)


def test_engine_fit_accepts_tensor_primals():
    from funcgrad._core import ops
    t = torch.ones(3)
    r = ops.fit(np.ones((2, 3)), t)
    assert r.dtype == np.float32 and r.tolist() == [2.0, 2.0, 2.0]
    r = ops.fit(torch.ones(2, 3, dtype=torch.float64), t)
    assert isinstance(r, torch.Tensor) and r.dtype == torch.float32
    assert np.dtype(torch.float32) == np.float32


def test_dtype_objects():
    assert repr(torch.float32) == "torch.float32" and torch.float is torch.float32
    assert torch.float64.is_floating_point and torch.complex64.is_complex
    assert not torch.int64.is_floating_point and torch.double is torch.float64
    assert torch.tensor([1.0]).dtype is torch.float32
    assert torch.tensor(np.array([1.0])).dtype is torch.float64
    assert torch.tensor([True]).dtype is torch.bool and torch.tensor([1j]).dtype is torch.complex64


def test_backward_inputs_accepts_non_leaf_tensors():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    (y * y).sum().backward(inputs=[y])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [4.0, 4.0]
    assert x.grad is None


def test_grad_mode_decorator_forms():
    @torch.set_grad_enabled(False)
    def f():
        return torch.is_grad_enabled()

    @torch.inference_mode()
    def g():
        return torch.is_grad_enabled()

    @torch.inference_mode
    def h():
        return torch.is_grad_enabled()

    @torch.enable_grad()
    def k():
        return torch.is_grad_enabled()

    assert torch.is_grad_enabled() and f() is False and torch.is_grad_enabled()
    assert g() is False and h() is False
    with torch.no_grad():
        assert k() is True


def test_products_save_only_what_their_gradients_need():
    x = torch.ones(3, requires_grad=True)
    c = torch.ones(3)
    y = (x * c).sum()
    with torch.no_grad():
        x.add_(1)  # x is not needed for x's gradient: no error, as in PyTorch
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    y = (x * c).sum()
    c.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_custom_function_inside_funcgrad_grad_uses_its_backward():
    class ClipGrad(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.k).clamp(-1, 1), None

    x = torch.tensor([0.1, 2.0])
    g = funcgrad.grad(lambda v: ClipGrad.apply(v, 3.0).sum())(x)
    assert isinstance(g, torch.Tensor) and g.tolist() == [1.0, 1.0]
    g = funcgrad.grad(lambda v: (ClipGrad.apply(v, 0.5) ** 2).sum())(x)
    assert np.allclose(g.tolist(), [0.05, 1.0])


def test_broadcast_errors_are_pytorch_runtime_errors():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(4\) at non-singleton dimension 1"):
        torch.ones(2, 3) + torch.ones(4)
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        torch.ones(2) @ torch.ones(3)
    assert torch.cat([torch.ones(2), torch.ones(3)]).shape == (5,)


def test_index_errors_in_pytorch_words():
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 3"):
        torch.ones(2, 3)[0, 7]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 1"):
        torch.ones(3)[1, 2]


def test_node_hooks():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    c = a * b
    seen = []
    c.grad_fn.register_hook(lambda gi, go: seen.append((gi, go)) or (gi[0] * 0, gi[1]))
    c.backward()
    assert a.grad.item() == 0.0 and b.grad.item() == 2.0
    (gi, go), = seen
    assert [t.item() for t in gi] == [3.0, 2.0] and go[0].item() == 1.0
    w = torch.ones(2, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.tolist()))
    (w * 2).sum().backward()
    assert calls == [[2.0, 2.0]]


def test_create_graph_passes_run_node_hooks_and_anomaly_checks():
    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    y = x * x
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2, gi[1] * 2))
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 6.0] and g.grad_fn is not None  # 2 * (x + x)
    w = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection"):
        anomaly = torch.autograd.detect_anomaly()
    with anomaly, pytest.warns(UserWarning, match="Error detected in SqrtBackward0"):
        with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values"):
            torch.autograd.grad((w.sqrt() * 0).sum(), w, create_graph=True)


def test_backward_in_several_threads_at_once():
    results = {}

    def work(k):
        x = torch.tensor(float(k), requires_grad=True)
        for _ in range(50):
            y = (x * x * k).sum()
            g, = torch.autograd.grad(y, x, create_graph=(k % 2 == 0))
        results[k] = g.item()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == {k: 2.0 * k * k for k in range(1, 5)}


def test_backward_and_grad_count_their_grad_outputs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad_tensors has 2 entries but there are 1 tensors"):
        torch.autograd.backward([y], [torch.ones(2), torch.ones(2)])
    with pytest.raises(RuntimeError, match="grad requires one grad_output per output: got 0 "
                                           "grad_outputs and 1 outputs"):
        torch.autograd.grad([y], [x], grad_outputs=[])
    g, = torch.autograd.grad([y], [x], grad_outputs=[torch.ones(2)])
    assert g.tolist() == [2.0, 2.0] and x.grad is None
