"""The ``python -m funcgrad`` demo: both faces of funcgrad in half a minute.

1. The seed computation ``f(x, y) = x**2 + x*y + (x + y)**2`` at ``x = y = 2``
   (value 24, gradients 14 and 10), with the functional API and with the
   PyTorch-like facade.
2. A second derivative, in both faces.
3. A small classifier trained on a generated *two spirals* data set, with one
   progress line per epoch, the final accuracy and a one-line summary.

Only the core dependencies (NumPy) are needed.

>>> from funcgrad.demo import two_spirals
>>> import numpy as np
>>> x, y = two_spirals(5, rng=np.random.default_rng(0))
>>> x.shape, y.tolist()
((10, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Dict, Optional, Sequence, TextIO, Tuple

import numpy as np

import funcgrad
from funcgrad.tree_util import tree_map

__all__ = ["two_spirals", "seed_function", "main"]


# --- data ---------------------------------------------------------------------
def two_spirals(n_per_class: int, noise: float = 0.03, turns: float = 1.5,
                rng: Optional[np.random.Generator] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals in the plane: float32 points of shape
    ``(2 * n_per_class, 2)`` inside roughly ``[-1, 1]^2`` and int64 labels 0 / 1.

    Each spiral winds ``turns`` times around the origin; class 1 is class 0
    rotated by half a turn. Gaussian ``noise`` is added to every point. Points
    are denser towards the outside (radius ~ sqrt(uniform)), so both the
    tightly wound centre and the outer arms are represented.

    >>> import numpy as np
    >>> x, y = two_spirals(100, noise=0.0, rng=np.random.default_rng(1))
    >>> bool(np.all(np.abs(x) <= 1.0)), int(y.sum())
    (True, 100)
    """
    rng = np.random.default_rng(0) if rng is None else rng
    angle = np.sqrt(rng.uniform(0.02, 1.0, n_per_class)) * turns * 2 * np.pi
    radius = angle / (turns * 2 * np.pi)
    arm = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x = np.concatenate([arm, -arm]) + rng.normal(0.0, noise, (2 * n_per_class, 2))
    y = np.concatenate([np.zeros(n_per_class, np.int64), np.ones(n_per_class, np.int64)])
    return x.astype(np.float32), y


# --- 1 and 2: the seed computation and a second derivative ------------------------
def seed_function(x: Any, y: Any) -> Any:
    """The seeds' example ``x**2 + x*y + (x + y)**2`` (24 at x = y = 2).

    >>> import funcgrad
    >>> funcgrad.value_and_grad(seed_function, argnums=(0, 1))(2.0, 2.0)
    (np.float64(24.0), (np.float64(14.0), np.float64(10.0)))
    """
    a = x ** 2
    b = x * y
    c = (x + y) ** 2
    return a + b + c


def _seed_functional(out: TextIO) -> Tuple[float, float, float]:
    value, (dx, dy) = funcgrad.value_and_grad(seed_function, argnums=(0, 1))(2.0, 2.0)
    print("functional:  value, (df/dx, df/dy) = "
          "funcgrad.value_and_grad(f, argnums=(0, 1))(2.0, 2.0)", file=out)
    print(f"             -> {float(value):g}, ({float(dx):g}, {float(dy):g})", file=out)
    return float(value), float(dx), float(dy)


def _seed_facade(out: TextIO) -> Tuple[float, float, float]:
    import funcgrad.torch as torch

    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(2.0, requires_grad=True)
    f = seed_function(x, y)
    f.backward()
    print("facade:      x = torch.tensor(2.0, requires_grad=True); y likewise; "
          "f = ...; f.backward()", file=out)
    print(f"             f = {f!r}", file=out)
    print(f"             x.grad = {x.grad!r}, y.grad = {y.grad!r}", file=out)
    return float(f.item()), float(x.grad.item()), float(y.grad.item())


def _second_derivatives(out: TextIO) -> Tuple[float, float]:
    import funcgrad.torch as torch

    d2 = funcgrad.grad(funcgrad.grad(seed_function))(2.0, 2.0)
    print("functional:  funcgrad.grad(funcgrad.grad(f))(2.0, 2.0)  # d2f/dx2 = 4", file=out)
    print(f"             -> {float(d2):g}", file=out)
    x = torch.tensor(2.0, requires_grad=True)
    (dfdx,) = torch.autograd.grad(seed_function(x, torch.tensor(2.0)), x, create_graph=True)
    (d2f,) = torch.autograd.grad(dfdx, x)
    print("facade:      torch.autograd.grad(f, x, create_graph=True), then grad again", file=out)
    print(f"             df/dx = {dfdx!r}, d2f/dx2 = {d2f!r}", file=out)
    return float(d2), float(d2f.item())


# --- 3: the classifier ----------------------------------------------------------------
def _train_facade(data: Tuple[np.ndarray, ...], epochs: int, seed: int, hidden: int, lr: float,
                  batch_size: int, out: TextIO) -> float:
    import funcgrad.torch as torch
    from funcgrad.torch import nn

    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    order_rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                          nn.Linear(hidden, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    x_eval, y_eval = torch.from_numpy(x_test), torch.from_numpy(y_test)
    print(f"model: {model}".replace("\n", "\n       "), file=out)
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        order = order_rng.permutation(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = torch.from_numpy(order[i:i + batch_size])
            loss = loss_fn(model(xt[idx]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(x_eval).argmax(dim=1) == y_eval).float().mean().item()
        _epoch_line(out, epoch, epochs, total / n, acc, time.perf_counter() - start)
    return acc


def _train_functional(data: Tuple[np.ndarray, ...], epochs: int, seed: int, hidden: int,
                      lr: float, batch_size: int, out: TextIO) -> float:
    x_train, y_train, x_test, y_test = data
    rng = np.random.default_rng(seed)
    sizes = [2, hidden, hidden, 2]
    params: Dict[str, np.ndarray] = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1.0 / np.sqrt(fan_in)  # nn.Linear's initialisation
        params[f"w{i}"] = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
        params[f"b{i}"] = rng.uniform(-bound, bound, fan_out).astype(np.float32)

    def logits(p: Dict[str, Any], x: Any) -> Any:
        h = np.tanh(x @ p["w0"] + p["b0"])
        h = np.tanh(h @ p["w1"] + p["b1"])
        return h @ p["w2"] + p["b2"]

    def loss_fn(p: Dict[str, Any], x: Any, y: np.ndarray) -> Any:
        z = logits(p, x)
        z = z - funcgrad.stop_gradient(np.max(funcgrad.stop_gradient(z), axis=1, keepdims=True))
        log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(y)), y])

    print(f"model: MLP {sizes} with tanh, parameters as a dict pytree", file=out)
    step = funcgrad.value_and_grad(loss_fn)
    m = tree_map(np.zeros_like, params)
    v = tree_map(np.zeros_like, params)
    t = 0
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = order[i:i + batch_size]
            loss, grads = step(params, x_train[idx], y_train[idx])
            t += 1
            m = tree_map(lambda m_, g: 0.9 * m_ + 0.1 * g, m, grads)
            v = tree_map(lambda v_, g: 0.999 * v_ + 0.001 * g * g, v, grads)
            c1, c2 = 1 - 0.9 ** t, np.sqrt(1 - 0.999 ** t)
            params = tree_map(
                lambda p, m_, v_: (p - lr / c1 * m_ / (np.sqrt(v_) / c2 + 1e-8)).astype(p.dtype),
                params, m, v)
            total += float(loss) * len(idx)
        acc = float(np.mean(np.argmax(logits(params, x_test), axis=1) == y_test))
        _epoch_line(out, epoch, epochs, total / n, acc, time.perf_counter() - start)
    return acc


def _transforms(seed: int, out: TextIO) -> bool:
    """Per-example gradients with ``vmap(grad(...))`` and a training step
    staged once with ``jit(value_and_grad(...))``, each checked against the
    plain version."""
    rng = np.random.default_rng(seed)
    sizes = [2, 32, 32, 2]
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"w{i}"] = rng.normal(0, 1 / np.sqrt(fan_in), (fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    x, y = two_spirals(32, rng=rng)

    def logits(p: Dict[str, Any], x: Any) -> Any:
        h = np.tanh(x @ p["w0"] + p["b0"])
        h = np.tanh(h @ p["w1"] + p["b1"])
        return h @ p["w2"] + p["b2"]

    def example_loss(p: Dict[str, Any], xi: Any, yi: Any) -> Any:
        z = logits(p, xi)
        return np.log(np.sum(np.exp(z))) - np.sum(z * yi)   # cross-entropy, one-hot yi

    def batch_loss(p: Dict[str, Any], x: Any, y: Any) -> Any:
        z = logits(p, x)
        return np.mean(np.log(np.sum(np.exp(z), axis=1)) - np.sum(z * y, axis=1))

    onehot = np.eye(2)[y]
    per_example = funcgrad.vmap(funcgrad.grad(example_loss), in_axes=(None, 0, 0))
    g = per_example(params, x, onehot)
    looped = [funcgrad.grad(example_loss)(params, x[i], onehot[i]) for i in range(len(x))]
    diff = max(float(np.max(np.abs(g[k] - np.stack([l[k] for l in looped])))) for k in g)
    print("per-example: funcgrad.vmap(funcgrad.grad(loss), in_axes=(None, 0, 0))", file=out)
    print(f"             -> w0 gradients {g['w0'].shape} for {len(x)} examples in one "
          f"call; max difference from a loop of grad {diff:.1e}", file=out)

    eager = funcgrad.value_and_grad(batch_loss)
    staged = funcgrad.jit(funcgrad.value_and_grad(batch_loss))
    (v1, g1), (v2, g2) = eager(params, x, onehot), staged(params, x, onehot)
    same = bool(np.isclose(v1, v2)) and all(np.allclose(g1[k], g2[k]) for k in g1)

    def best(fn: Any) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(20):
                fn(params, x, onehot)
            times.append((time.perf_counter() - start) / 20)
        return min(times)
    t_eager, t_jit = best(eager), best(staged)
    print("jit:         funcgrad.jit(funcgrad.value_and_grad(loss)), traced once, replayed",
          file=out)
    print(f"             -> same loss and gradients: {same}; {t_eager * 1e6:.0f} µs eager, "
          f"{t_jit * 1e6:.0f} µs jitted per step ({t_eager / t_jit:.1f}x faster)", file=out)
    return diff < 1e-10 and same


def _epoch_line(out: TextIO, epoch: int, epochs: int, loss: float, acc: float,
                seconds: float) -> None:
    width = 20
    done = width * epoch // epochs
    print(f"epoch {epoch:3d}/{epochs} [{'=' * done}{' ' * (width - done)}] "
          f"loss {loss:.4f}  test accuracy {acc:6.1%}  ({seconds:.2f}s)", file=out, flush=True)


# --- entry point ------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m funcgrad",
        description="funcgrad demo: the seed computation (x = y = 2 -> 24, 14, 10) in the "
                    "functional and the PyTorch-like faces, a second derivative, then a small "
                    "classifier trained on a generated two-spirals data set. Needs only NumPy.")
    parser.add_argument("--epochs", type=int, default=30,
                        help="training epochs for the classifier (default: 30)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed for the data, the initial weights and the "
                             "mini-batch order (default: 0)")
    parser.add_argument("--face", choices=("torch", "functional"), default="torch",
                        help="train the classifier with the facade (nn.Module + Adam, the "
                             "default) or in functional style (value_and_grad + tree_map)")
    parser.add_argument("--points", type=int, default=200,
                        help="points per spiral in the training set (default: 200)")
    parser.add_argument("--hidden", type=int, default=32,
                        help="width of the two hidden layers (default: 32)")
    parser.add_argument("--lr", type=float, default=0.02,
                        help="Adam learning rate (default: 0.02)")
    return parser


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    """Run the demo; returns the process exit status (0 on success).

    >>> import io
    >>> main(["--epochs", "1", "--points", "20"], out=io.StringIO())
    0
    """
    args = _parser().parse_args(argv)
    if args.epochs < 1:
        _parser().error("--epochs must be at least 1")
    started = time.perf_counter()
    print(f"funcgrad {funcgrad.__version__} demo (numpy {np.__version__})", file=out)
    print("\n1. The seed computation: f(x, y) = x**2 + x*y + (x + y)**2 at x = y = 2",
          file=out)
    fun = _seed_functional(out)
    fac = _seed_facade(out)
    ok = np.allclose(fun, (24, 14, 10)) and np.allclose(fac, (24, 14, 10))
    print("\n2. A second derivative: d2f/dx2 = 2 + 2 = 4", file=out)
    second = _second_derivatives(out)
    ok = ok and np.allclose(second, 4.0)
    print("\n3. Transforms: per-example gradients (vmap) and a jitted training step", file=out)
    ok = _transforms(args.seed, out) and ok
    print(f"\n4. A classifier on two spirals ({2 * args.points} training points, "
          f"{args.face} face)", file=out)
    rng = np.random.default_rng(args.seed)
    x_train, y_train = two_spirals(args.points, rng=rng)
    x_test, y_test = two_spirals(args.points, rng=rng)
    data = (x_train, y_train, x_test, y_test)
    train = _train_facade if args.face == "torch" else _train_functional
    acc = train(data, args.epochs, args.seed, args.hidden, args.lr, 40, out)
    elapsed = time.perf_counter() - started
    print(f"\nfinal test accuracy: {acc:.1%}", file=out)
    status = "ok" if ok else "MISMATCH"
    print(f"summary: seed values {status} (24, 14, 10; d2f/dx2 = 4; vmap and jit agree), "
          f"two-spirals accuracy "
          f"{acc:.1%} after {args.epochs} epochs, {elapsed:.1f}s in total", file=out)
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
