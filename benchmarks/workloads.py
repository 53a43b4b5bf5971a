"""The benchmark workloads, each written for every library measured.

For every workload there is a plain NumPy forward, a hand-written NumPy
backward (the reference gradient and the speed floor), funcgrad's functional
API, funcgrad's PyTorch-like facade, and the peers that are installed
(HIPS autograd, PyTorch, JAX without jit, MyGrad). Each ``*_case`` function
returns a :class:`Case`; every implementation returns its gradients, which
``run.py`` checks against the hand-written ones before timing anything.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

CHAIN_SCALE = 1.1  # the chain alternates y = sin(y) and y = y * CHAIN_SCALE


@dataclass
class Case:
    name: str
    title: str
    reference: Callable[[], list]           # hand-written NumPy backward
    forward: Optional[Callable[[], Any]]    # plain NumPy forward only
    impls: dict = field(default_factory=dict)   # name -> callable returning grads
    skipped: dict = field(default_factory=dict)  # name -> why
    ops: int = 1                            # ops per call (for per-op figures)


# --- libraries ----------------------------------------------------------------
PEERS = ("autograd", "torch", "jax", "mygrad")


def load_libraries(peers: bool = True, facade: bool = True) -> tuple[dict, dict]:
    """``({name: module}, {name: why-skipped})`` for funcgrad, the facade and peers."""
    libs: dict = {}
    skipped: dict = {}
    import funcgrad
    libs["funcgrad"] = funcgrad
    if facade:
        try:
            ft = importlib.import_module("funcgrad.torch")
            if not hasattr(ft, "tensor") or not hasattr(ft, "Tensor"):
                raise ImportError("funcgrad.torch has no Tensor yet")
            libs["facade"] = ft
        except Exception as e:  # noqa: BLE001 - any failure means "not ready"
            skipped["facade"] = f"funcgrad.torch not usable yet ({type(e).__name__}: {e})"
    for name in PEERS if peers else ():
        try:
            mod = importlib.import_module(name)
            if name == "torch":
                mod.set_num_threads(1)
            if name == "jax":
                mod.config.update("jax_enable_x64", True)
            libs[name] = mod
        except Exception as e:  # noqa: BLE001
            skipped[name] = f"not installed ({type(e).__name__}); pip install '.[bench]'"
    return libs, skipped


def versions(libs: dict) -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for name in libs:
        try:
            out[name] = version("funcgrad" if name == "facade" else name)
        except PackageNotFoundError:
            out[name] = getattr(libs[name], "__version__", "?")
    return out


def to_numpy(x: Any) -> np.ndarray:
    """A gradient from any library as a NumPy array."""
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    if hasattr(x, "detach"):                      # torch and the facade
        return np.asarray(x.detach().numpy())
    data = getattr(x, "data", None)               # mygrad
    if isinstance(data, np.ndarray):
        return data
    return np.asarray(x)                          # jax


class _Torchlike:
    """The torch-API code paths, shared by PyTorch and funcgrad's facade."""

    def __init__(self, torch: Any) -> None:
        self.t = torch

    def leaf(self, a: np.ndarray) -> Any:
        return self.t.tensor(a, requires_grad=True)

    def const(self, a: np.ndarray) -> Any:
        return self.t.tensor(a)

    def grads_by_backward(self, loss: Any, params: list) -> list:
        loss.backward()
        return [p.grad for p in params]


# --- 1. chain of operations on one value ----------------------------------------------
def chain(sin: Callable[[Any], Any], y: Any, n: int) -> Any:
    for i in range(n):
        y = sin(y) if i % 2 == 0 else y * CHAIN_SCALE
    return y


def chain_forward(x: np.ndarray, n: int) -> Any:
    return chain(np.sin, x, n)


def chain_backward(x: np.ndarray, n: int, reduce: bool = False) -> list:
    """Hand-written: keep only what the backward reads (sin's inputs), release
    each residual as soon as it is used, accumulate in place."""
    saved = []
    y = x
    for i in range(n):
        if i % 2 == 0:
            saved.append(y)
            y = np.sin(y)
        else:
            y = y * CHAIN_SCALE
    if reduce:
        y.sum()
    del y
    g = np.ones_like(x)
    for i in reversed(range(n)):
        if i % 2 == 0:
            c = np.cos(saved.pop())
            g *= c
            del c
        else:
            g *= CHAIN_SCALE
    return [g]


def chain_impls(libs: dict, x: np.ndarray, n: int, reduce: bool = False,
                only: Optional[tuple] = None) -> tuple[dict, dict]:
    """Gradient of the chain (summed if ``reduce``) for every library."""
    impls: dict = {}
    skipped: dict = {}
    want = lambda name: name in libs and (only is None or name in only)  # noqa: E731

    if want("funcgrad"):
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp
        if reduce:
            g_f = fg.grad(lambda x: fnp.sum(chain(fnp.sin, x, n)))
        else:
            g_f = fg.grad(lambda x: chain(fnp.sin, x, n))
        impls["funcgrad"] = lambda: [g_f(x)]
        if (only is None or "funcgrad-jit" in only) and n <= 10_000:  # (one line per op)
            g_fj = fg.jit(g_f)
            impls["funcgrad-jit"] = lambda: [g_fj(x)]
    if want("autograd"):
        ag = libs["autograd"]
        anp = importlib.import_module("autograd.numpy")
        if reduce:
            g_a = ag.grad(lambda x: anp.sum(chain(anp.sin, x, n)))
        else:
            g_a = ag.grad(lambda x: chain(anp.sin, x, n))
        xa = float(x) if x.ndim == 0 else x
        impls["autograd"] = lambda: [g_a(xa)]
    for name in ("torch", "facade"):
        if want(name):
            tl = _Torchlike(libs[name])

            def step(tl: _Torchlike = tl) -> list:
                xt = tl.leaf(x)
                y = chain(tl.t.sin, xt, n)
                if reduce:
                    y = y.sum()
                return tl.grads_by_backward(y, [xt])
            impls[name] = step
    if want("jax"):
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        if reduce:
            g_j = jax.grad(lambda x: jnp.sum(chain(jnp.sin, x, n)))
        else:
            g_j = jax.grad(lambda x: chain(jnp.sin, x, n))
        xj = jnp.asarray(x)
        impls["jax"] = lambda: [g_j(xj).block_until_ready()]
        if (only is None or "jax-jit" in only) and n <= 10_000:
            g_jj = jax.jit(g_j)
            impls["jax-jit"] = lambda: [g_jj(xj).block_until_ready()]
    if want("mygrad"):
        mg = libs["mygrad"]

        def step_mg() -> list:
            xm = mg.tensor(x)
            y = chain(mg.sin, xm, n)
            if reduce:
                y = mg.sum(y)
            y.backward()
            return [xm.grad]
        impls["mygrad"] = step_mg
    return impls, skipped


def chain_case(libs: dict, n: int, name: str = "chain", title: str = "",
               only: Optional[tuple] = None) -> Case:
    x = np.array(0.7)
    impls, skipped = chain_impls(libs, x, n, only=only)
    return Case(name, title or f"{n}-op chain on a 0-d float64, gradient",
                lambda: chain_backward(x, n), lambda: chain_forward(x, n), impls, skipped,
                ops=n)


# --- 2. multilayer perceptrons -------------------------------------------------------
def init_mlp(sizes: tuple, dtype: Any, rng: np.random.Generator) -> list:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype))
        params.append((0.1 * rng.standard_normal(fan_out)).astype(dtype))
    return params


def mlp_logits(params: list, X: Any, act: Callable[[Any], Any]) -> Any:
    h = X
    n = len(params) // 2
    for k in range(n):
        h = h @ params[2 * k] + params[2 * k + 1]
        if k < n - 1:
            h = act(h)
    return h


def mse_loss(out: Any, Y: Any) -> Any:
    d = out - Y
    return (d * d).sum() / d.shape[0]


def np_log_softmax(z: Any, xp: Any, stop: Callable[[Any], Any] = lambda v: v) -> Any:
    m = xp.max(stop(z), axis=1, keepdims=True)
    s = z - m
    return s - xp.log(xp.sum(xp.exp(s), axis=1, keepdims=True))


def ce_loss(logp: Any, Yoh: Any) -> Any:
    return -(Yoh * logp).sum() / logp.shape[0]


def mlp_forward(params: list, X: np.ndarray, Y: np.ndarray, kind: str) -> Any:
    if kind == "tanh-mse":
        return mse_loss(mlp_logits(params, X, np.tanh), Y)
    z = mlp_logits(params, X, lambda v: np.maximum(v, 0))
    return ce_loss(np_log_softmax(z, np), Y)


def mlp_backward(params: list, X: np.ndarray, Y: np.ndarray, kind: str) -> list:
    """Hand-written backward pass of :func:`mlp_forward`."""
    n = len(params) // 2
    hs = [X]
    zs = []
    h = X
    for k in range(n):
        z = h @ params[2 * k] + params[2 * k + 1]
        zs.append(z)
        if k < n - 1:
            h = np.tanh(z) if kind == "tanh-mse" else np.maximum(z, 0)
            hs.append(h)
    z = zs[-1]
    B = X.shape[0]
    if kind == "tanh-mse":
        g = (2.0 / B) * (z - Y)
    else:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        e -= Y
        e *= 1.0 / B
        g = e
    g = g.astype(z.dtype, copy=False)
    grads = [None] * len(params)
    for k in reversed(range(n)):
        grads[2 * k] = hs[k].T @ g
        grads[2 * k + 1] = g.sum(axis=0)
        if k > 0:
            g = g @ params[2 * k].T
            if kind == "tanh-mse":
                g *= 1 - hs[k] * hs[k]
            else:
                g *= zs[k - 1] > 0
    return grads


def mlp_case(libs: dict, sizes: tuple, batch: int, dtype: Any, kind: str, name: str,
             title: str) -> Case:
    rng = np.random.default_rng(0)
    params = init_mlp(sizes, dtype, rng)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    if kind == "tanh-mse":
        Y = rng.standard_normal((batch, sizes[-1])).astype(dtype)
    else:
        Y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], batch)]
    case = Case(name, title, lambda: mlp_backward(params, X, Y, kind),
                lambda: mlp_forward(params, X, Y, kind))

    if "funcgrad" in libs:
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp

        def loss_f(ps: list) -> Any:
            if kind == "tanh-mse":
                return mse_loss(mlp_logits(ps, X, fnp.tanh), Y)
            z = mlp_logits(ps, X, lambda v: fnp.maximum(v, 0))
            return ce_loss(np_log_softmax(z, fnp, fg.stop_gradient), Y)
        g_f = fg.value_and_grad(loss_f)
        case.impls["funcgrad"] = lambda: g_f(params)[1]
        g_fj = fg.jit(g_f)
        case.impls["funcgrad-jit"] = lambda: g_fj(params)[1]
    if "autograd" in libs:
        ag = libs["autograd"]
        anp = importlib.import_module("autograd.numpy")
        lse = importlib.import_module("autograd.scipy.special").logsumexp

        def loss_a(ps: list) -> Any:
            if kind == "tanh-mse":
                return mse_loss(mlp_logits(ps, X, anp.tanh), Y)
            z = mlp_logits(ps, X, lambda v: anp.maximum(v, 0))
            return ce_loss(z - lse(z, axis=1, keepdims=True), Y)
        g_a = ag.value_and_grad(loss_a)
        case.impls["autograd"] = lambda: g_a(list(params))[1]
    for lib in ("torch", "facade"):
        if lib in libs:
            tl = _Torchlike(libs[lib])

            def step(tl: _Torchlike = tl) -> list:
                t = tl.t
                ps = [tl.leaf(p) for p in params]
                Xt, Yt = tl.const(X), tl.const(Y)
                if kind == "tanh-mse":
                    loss = mse_loss(mlp_logits(ps, Xt, t.tanh), Yt)
                else:
                    z = mlp_logits(ps, Xt, t.relu)
                    loss = ce_loss(t.log_softmax(z, dim=1), Yt)
                return tl.grads_by_backward(loss, ps)
            case.impls[lib] = step
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)

        def loss_j(ps: list) -> Any:
            if kind == "tanh-mse":
                return mse_loss(mlp_logits(ps, Xj, jnp.tanh), Yj)
            z = mlp_logits(ps, Xj, jax.nn.relu)
            return ce_loss(jax.nn.log_softmax(z, axis=1), Yj)
        g_j = jax.value_and_grad(loss_j)
        pj = [jnp.asarray(p) for p in params]
        case.impls["jax"] = lambda: [g.block_until_ready() for g in g_j(pj)[1]]
        g_jj = jax.jit(g_j)
        case.impls["jax-jit"] = lambda: [g.block_until_ready() for g in g_jj(pj)[1]]
    if "mygrad" in libs:
        mg = libs["mygrad"]
        nnet = importlib.import_module("mygrad.nnet")

        def step_mg() -> list:
            ps = [mg.tensor(p) for p in params]
            if kind == "tanh-mse":
                loss = mse_loss(mlp_logits(ps, X, mg.tanh), Y)
            else:
                z = mlp_logits(ps, X, nnet.relu)
                loss = ce_loss(nnet.logsoftmax(z, axis=1), Y)
            loss.backward()
            return [p.grad for p in ps]
        case.impls["mygrad"] = step_mg
    return case


# --- 3. Hessian-vector product by grad-of-grad ---------------------------------------
def hvp_case(libs: dict, n: int) -> Case:
    """``H v`` for ``f(x) = sum(tanh(W x)^2)``."""
    rng = np.random.default_rng(1)
    W = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal(n)
    v = rng.standard_normal(n)

    def forward() -> Any:
        t = np.tanh(W @ x)
        return (t * t).sum()

    def reference() -> list:
        t = np.tanh(W @ x)
        s = 1 - t * t
        return [W.T @ ((2 - 6 * t * t) * s * (W @ v))]

    case = Case("hvp", f"Hessian-vector product, sum(tanh(W x)^2), n={n}", reference, forward)
    if "funcgrad" in libs:
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp

        def f(x: Any) -> Any:
            t = fnp.tanh(W @ x)
            return fnp.sum(t * t)
        hvp_f = fg.grad(lambda x: fnp.sum(fg.grad(f)(x) * v))
        case.impls["funcgrad"] = lambda: [hvp_f(x)]
        hvp_fj = fg.jit(hvp_f)
        case.impls["funcgrad-jit"] = lambda: [hvp_fj(x)]
    if "autograd" in libs:
        ag = libs["autograd"]
        anp = importlib.import_module("autograd.numpy")

        def fa(x: Any) -> Any:
            t = anp.tanh(anp.dot(W, x))
            return anp.sum(t * t)
        hvp_a = ag.grad(lambda x: anp.sum(ag.grad(fa)(x) * v))
        case.impls["autograd"] = lambda: [hvp_a(x)]
    for lib in ("torch", "facade"):
        if lib in libs:
            tl = _Torchlike(libs[lib])
            Wt, vt = tl.const(W), tl.const(v)

            def step(tl: _Torchlike = tl, Wt: Any = Wt, vt: Any = vt) -> list:
                t_ = tl.t
                xt = tl.leaf(x)
                th = t_.tanh(Wt @ xt)
                y = (th * th).sum()
                g, = t_.autograd.grad(y, xt, create_graph=True)
                hv, = t_.autograd.grad((g * vt).sum(), xt)
                return [hv]
            case.impls[lib] = step
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Wj, vj, xj = jnp.asarray(W), jnp.asarray(v), jnp.asarray(x)

        def fj(x: Any) -> Any:
            t = jnp.tanh(Wj @ x)
            return jnp.sum(t * t)
        hvp_j = jax.grad(lambda x: jnp.sum(jax.grad(fj)(x) * vj))
        case.impls["jax"] = lambda: [hvp_j(xj).block_until_ready()]
        hvp_jj = jax.jit(hvp_j)
        case.impls["jax-jit"] = lambda: [hvp_jj(xj).block_until_ready()]
    if "mygrad" in libs:
        case.skipped["mygrad"] = "n/a: MyGrad has no higher-order derivatives"
    return case


# --- 3b. forward mode: jvp of the MLP loss along a parameter direction --------------
def mlp_jvp_reference(params: list, tangents: list, X: np.ndarray, Y: np.ndarray) -> list:
    """Hand-written forward-mode pass of the tanh-MSE loss: ``[loss, dloss]``."""
    n = len(params) // 2
    h, dh = X, None
    for k in range(n):
        W, b, dW, db = params[2 * k], params[2 * k + 1], tangents[2 * k], tangents[2 * k + 1]
        z = h @ W + b
        dz = h @ dW + db if dh is None else dh @ W + h @ dW + db
        if k < n - 1:
            h = np.tanh(z)
            dh = (1 - h * h) * dz
    d = z - Y
    B = X.shape[0]
    return [(d * d).sum() / B, 2.0 * (d * dz).sum() / B]


def jvp_case(libs: dict, sizes: tuple, batch: int) -> Case:
    rng = np.random.default_rng(2)
    params = init_mlp(sizes, np.float64, rng)
    tangents = [rng.standard_normal(p.shape) for p in params]
    X = rng.standard_normal((batch, sizes[0]))
    Y = rng.standard_normal((batch, sizes[-1]))
    case = Case("jvp", f"jvp of the MLP {'-'.join(map(str, sizes))} tanh MSE loss along a "
                f"parameter direction, batch {batch}, float64",
                lambda: mlp_jvp_reference(params, tangents, X, Y),
                lambda: mlp_forward(params, X, Y, "tanh-mse"))
    if "funcgrad" in libs:
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp
        loss_f = lambda ps: mse_loss(mlp_logits(ps, X, fnp.tanh), Y)  # noqa: E731
        case.impls["funcgrad"] = lambda: list(fg.jvp(loss_f, (params,), (tangents,)))
    if "torch" in libs:
        torch = libs["torch"]
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        pt = tuple(torch.from_numpy(p) for p in params)
        tt = tuple(torch.from_numpy(t) for t in tangents)
        loss_t = lambda *ps: mse_loss(mlp_logits(list(ps), Xt, torch.tanh), Yt)  # noqa: E731
        case.impls["torch"] = lambda: list(torch.func.jvp(loss_t, pt, tt))
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        pj, tj = [jnp.asarray(p) for p in params], [jnp.asarray(t) for t in tangents]
        loss_j = lambda ps: mse_loss(mlp_logits(ps, Xj, jnp.tanh), Yj)  # noqa: E731
        jvp_j = lambda ps, ts: jax.jvp(loss_j, (ps,), (ts,))  # noqa: E731
        jitted = jax.jit(jvp_j)
        case.impls["jax"] = lambda: [r.block_until_ready() for r in jvp_j(pj, tj)]
        case.impls["jax-jit"] = lambda: [r.block_until_ready() for r in jitted(pj, tj)]
    return case


def tall_jacobian_case(libs: dict, n_in: int, n_out: int) -> Case:
    """The Jacobian of ``f(x) = sin(A x) + (B x)^2``, ``R^n_in -> R^n_out``: forward mode
    (one batched pass over the ``n_in`` input directions) against the hand-written
    ``cos(A x) A + 2 (B x) B``."""
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((n_out, n_in)), rng.standard_normal((n_out, n_in))
    x = rng.standard_normal(n_in)

    def reference() -> list:
        return [np.cos(A @ x)[:, None] * A + (2 * (B @ x))[:, None] * B]

    case = Case("jacobian", f"Jacobian of sin(A x) + (B x)^2, R^{n_in} -> R^{n_out}", reference,
                lambda: np.sin(A @ x) + (B @ x) ** 2)
    if "funcgrad" in libs and hasattr(libs["funcgrad"], "jacfwd"):
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp
        jac_f = fg.jacfwd(lambda x: fnp.sin(A @ x) + (B @ x) ** 2)
        case.impls["funcgrad"] = lambda: [jac_f(x)]
    if "torch" in libs:
        torch = libs["torch"]
        At, Bt, xt = torch.from_numpy(A), torch.from_numpy(B), torch.from_numpy(x)
        jac_t = torch.func.jacfwd(lambda x: torch.sin(At @ x) + (Bt @ x) ** 2)
        case.impls["torch"] = lambda: [jac_t(xt)]
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Aj, Bj, xj = jnp.asarray(A), jnp.asarray(B), jnp.asarray(x)
        jac_j = jax.jacfwd(lambda x: jnp.sin(Aj @ x) + (Bj @ x) ** 2)
        jitted = jax.jit(jac_j)
        case.impls["jax"] = lambda: [jac_j(xj).block_until_ready()]
        case.impls["jax-jit"] = lambda: [jitted(xj).block_until_ready()]
    return case


# --- per-example gradients (vmap of grad) -----------------------------------------------
def example_loss(params: list, x: Any, y: Any, tanh: Callable[[Any], Any]) -> Any:
    """One example's squared error of the tanh MLP (``x`` 1-d)."""
    d = mlp_logits(params, x, tanh) - y
    return (d * d).sum()


def per_example_reference(params: list, X: np.ndarray, Y: np.ndarray) -> list:
    """Hand-written batched per-example gradients of :func:`example_loss`:
    one forward pass over the batch, then outer products per example."""
    n = len(params) // 2
    hs, h = [X], X
    for k in range(n):
        z = h @ params[2 * k] + params[2 * k + 1]
        if k < n - 1:
            h = np.tanh(z)
            hs.append(h)
        else:
            h = z
    dz = 2.0 * (h - Y)
    grads: list = [None] * (2 * n)
    for k in range(n - 1, -1, -1):
        grads[2 * k] = hs[k][:, :, None] * dz[:, None, :]
        grads[2 * k + 1] = dz
        if k:
            dz = (dz @ params[2 * k].T) * (1.0 - hs[k] * hs[k])
    return grads


def per_example_case(libs: dict, sizes: tuple, batch: int) -> Case:
    rng = np.random.default_rng(3)
    params = init_mlp(sizes, np.float64, rng)
    X = rng.standard_normal((batch, sizes[0]))
    Y = rng.standard_normal((batch, sizes[-1]))
    case = Case("per-example", f"per-example gradients, MLP {'-'.join(map(str, sizes))} tanh, "
                f"batch {batch}, float64",
                lambda: per_example_reference(params, X, Y), None)
    if "funcgrad" in libs:
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp
        g = fg.grad(lambda ps, x, y: example_loss(ps, x, y, fnp.tanh))
        batched = fg.vmap(g, in_axes=(None, 0, 0))
        case.impls["funcgrad"] = lambda: batched(params, X, Y)
        batched_j = fg.jit(batched)
        case.impls["funcgrad-jit"] = lambda: batched_j(params, X, Y)
        case.impls["funcgrad-loop"] = lambda: [np.stack(t) for t in zip(
            *[g(params, X[i], Y[i]) for i in range(batch)])]
    if "torch" in libs:
        torch = libs["torch"]
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        pt = [torch.from_numpy(p) for p in params]
        gt = torch.func.vmap(torch.func.grad(lambda ps, x, y: example_loss(ps, x, y, torch.tanh)),
                             in_dims=(None, 0, 0))
        case.impls["torch"] = lambda: gt(pt, Xt, Yt)
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        pj = [jnp.asarray(p) for p in params]
        gj = jax.vmap(jax.grad(lambda ps, x, y: example_loss(ps, x, y, jnp.tanh)),
                      in_axes=(None, 0, 0))
        jitted = jax.jit(gj)
        case.impls["jax"] = lambda: [r.block_until_ready() for r in gj(pj, Xj, Yj)]
        case.impls["jax-jit"] = lambda: [r.block_until_ready() for r in jitted(pj, Xj, Yj)]
    return case


# --- 3e. jit's first call: trace, optimise and compile the small-MLP gradient ------------
def first_call_case(libs: dict, sizes: tuple, batch: int) -> Case:
    """Each call jits a new function and calls it once: ``jit(value_and_grad(loss))``
    of the small tanh-MSE MLP, traced, optimised and compiled (JAX: traced,
    lowered and compiled by XLA). The hand-written backward is the yardstick
    only; what counts here is the time itself (issue 18: <= 20 ms)."""
    rng = np.random.default_rng(0)
    params = init_mlp(sizes, np.float64, rng)
    X = rng.standard_normal((batch, sizes[0]))
    Y = rng.standard_normal((batch, sizes[-1]))
    case = Case("first-call", f"first call of jit(value_and_grad(loss)), MLP "
                f"{'-'.join(map(str, sizes))} tanh, batch {batch}: trace + compile",
                lambda: mlp_backward(params, X, Y, "tanh-mse"), None)
    if "funcgrad" in libs:
        fg = libs["funcgrad"]
        import funcgrad.numpy as fnp

        def first_f() -> list:
            def loss_f(ps: list) -> Any:  # a new function: nothing cached
                return mse_loss(mlp_logits(ps, X, fnp.tanh), Y)
            return fg.jit(fg.value_and_grad(loss_f))(params)[1]
        case.impls["funcgrad-jit"] = first_f
    if "jax" in libs:
        jax = libs["jax"]
        jnp = importlib.import_module("jax.numpy")
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        pj = [jnp.asarray(p) for p in params]

        def first_j() -> list:
            def loss_j(ps: list) -> Any:
                return mse_loss(mlp_logits(ps, Xj, jnp.tanh), Yj)
            return [g.block_until_ready() for g in jax.jit(jax.value_and_grad(loss_j))(pj)[1]]
        case.impls["jax-jit"] = first_j
    return case


# --- 4. peak memory of a deep elementwise chain (child process) -----------------------
PROBES = ("chain", "hvp", "mlp-small")


def probe_case(libs: dict, name: str) -> Case:
    """The small cases the instruction and specialisation probes run
    (``benchmarks/instructions.py``, ``benchmarks/specialization.py``): the
    2000-op chain, the n=200 HVP and the small MLP."""
    if name == "chain":
        return chain_case(libs, 2000)
    if name == "hvp":
        return hvp_case(libs, 200)
    if name == "mlp-small":
        return mlp_case(libs, (32, 64, 64, 1), 16, np.float64, "tanh-mse", "mlp-small", "")
    raise ValueError(f"no probe case {name!r}; one of {PROBES}")


def memory_child(workload: str, impl: str, size: int, nops: int) -> dict:
    """Run in a fresh process: peak memory of one gradient of the summed
    ``nops``-op chain on a ``size``-element float64 array."""
    import tracemalloc
    from benchmarks.harness import current_rss, peak_rss, reset_peak_rss
    assert workload == "chain"
    rng = np.random.default_rng(2)
    x = rng.standard_normal(size)
    if impl in ("numpy-fwd", "hand-written"):
        fn = ((lambda: [chain_forward(x, nops).sum()]) if impl == "numpy-fwd"
              else (lambda: chain_backward(x, nops, reduce=True)))
    else:
        libs, skipped = load_libraries(peers=impl in PEERS, facade=impl == "facade")
        if impl not in libs:
            return {"error": skipped.get(impl, "unknown implementation")}
        impls, _ = chain_impls(libs, x, nops, reduce=True, only=(impl,))
        fn = impls[impl]
    # Warm up on a small input so one-time imports and caches are not counted.
    small = memory_warmup(impl, nops)
    if small is not None:
        small()
    base = current_rss()
    reset_peak_rss()
    tracemalloc.start()
    result = fn()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = peak_rss()
    del result
    return {"rss_peak_over_base": max(0, peak - base), "tracemalloc_peak": traced_peak}


def memory_warmup(impl: str, nops: int) -> Optional[Callable[[], Any]]:
    x = np.ones(8)
    if impl in ("numpy-fwd", "hand-written"):
        return None
    libs, _ = load_libraries(peers=impl in PEERS, facade=impl == "facade")
    if impl not in libs:
        return None
    impls, _ = chain_impls(libs, x, nops, reduce=True, only=(impl,))
    return impls[impl]


# --- 5. leaks: the graph is freed by reference counting --------------------------------
def leak_check(step: Callable[[], Any], reps: int = 20, warmup: int = 50) -> dict:
    """Memory after each of ``reps`` calls, once ``warmup`` calls have filled
    caches and free lists; and how many objects the cycle collector had to
    free after one call (0: the graph is freed by reference counting alone).

    Growth is counted in Python's allocated memory blocks
    (``sys.getallocatedblocks``, read after ``gc.collect()``, which also
    empties the interpreter's free lists, so that their filling up is not
    mistaken for a leak; a leaked graph would add at least one block per
    recorded operation on every call) and in resident memory.
    """
    import gc
    import sys
    from benchmarks.harness import current_rss
    for _ in range(warmup):
        step()
    gc.collect()
    gc.disable()
    try:
        step()
        cyclic = gc.collect()
    finally:
        gc.enable()
    blocks = np.zeros(reps, np.int64)  # not lists: storing Python ints allocates blocks
    rss = np.zeros(reps, np.int64)
    for k in range(reps):
        step()
        gc.collect()
        blocks[k] = sys.getallocatedblocks()
        rss[k] = current_rss()
    first = min(4, reps - 1)
    return {"blocks_per_call": float(blocks[-1] - blocks[first]) / max(1, reps - 1 - first),
            "rss_growth": int(rss[-1] - rss[first]), "cyclic_garbage": cyclic}
