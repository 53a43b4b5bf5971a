"""Training steps of layer models, ``funcgrad.torch`` side by side with PyTorch
eager (CPU, one thread), interleaved in one process (issue 20 targets):

- ``lenet``: two conv(5x5)+ReLU+max-pool(2) blocks, two linear layers, batch
  64 of 28x28 float32, cross-entropy, SGD step. Target <= 2.5x PyTorch.
- ``lstm``: one-layer LSTM (input 32, hidden 64) over 32 steps, batch 16,
  float32, a linear read-out of the last state, MSE, SGD step. Target <= 2.0x.
  Also timed: the same step written by hand in NumPy (the floor for NumPy code).

Both libraries start from the same weights and data; one step of each is
compared (loss and every gradient) before timing.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/layers.py --reps 11
    python benchmarks/layers.py --quick      # tiny sizes, funcgrad only (smoke test)
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Dict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness  # noqa: E402

harness.pin_threads(1)

import numpy as np  # noqa: E402

TARGETS = {"lenet": 2.5, "lstm": 2.0}


def lenet(torch: Any) -> Any:
    nn = torch.nn

    class LeNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 10)

        def forward(self, x: Any) -> Any:
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.fc2(torch.relu(self.fc1(x.flatten(1))))
    return LeNet()


class LSTMNet:
    def __init__(self, torch: Any, inp: int, hidden: int) -> None:
        self.lstm = torch.nn.LSTM(inp, hidden)
        self.head = torch.nn.Linear(hidden, 1)
        self.params = list(self.lstm.parameters()) + list(self.head.parameters())
        self.named = ([("lstm." + n, p) for n, p in self.lstm.named_parameters()]
                      + [("head." + n, p) for n, p in self.head.named_parameters()])

    def __call__(self, x: Any) -> Any:
        out, (h, _) = self.lstm(x)
        return self.head(h[0])


class NumpyLSTMStep:
    """The LSTM workload written by hand in NumPy (forward, backward through time,
    SGD): the floor any NumPy-based implementation is measured against."""

    def __init__(self, named: list, x: np.ndarray, y: np.ndarray, lr: float = 0.01) -> None:
        self.names = [n for n, _ in named]
        self.params = [p.detach().numpy().copy() for _, p in named]
        self.x, self.y, self.lr = x, y, lr

    @staticmethod
    def _sigmoid(z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-z))

    def grads(self) -> list:
        w_ih, w_hh, b_ih, b_hh, w_o, b_o = self.params
        x, y = self.x, self.y
        steps, batch, _ = x.shape
        hid = w_hh.shape[1]
        xw = x @ w_ih.T + (b_ih + b_hh)
        h = np.zeros((batch, hid), x.dtype)
        c = np.zeros_like(h)
        cache = []
        for t in range(steps):
            gates = xw[t] + h @ w_hh.T
            s = self._sigmoid(gates)
            i, f, o = s[:, :hid], s[:, hid:2 * hid], s[:, 3 * hid:]
            g = np.tanh(gates[:, 2 * hid:3 * hid])
            cache.append((h, c, i, f, g, o))
            c = f * c + i * g
            h = o * np.tanh(c)
            cache[-1] += (np.tanh(c),)
        out = h @ w_o.T + b_o
        diff = out - y
        loss = np.mean(diff * diff)
        d_out = 2 * diff / diff.size
        grads = [None, np.zeros_like(w_hh), None, None, d_out.T @ h, d_out.sum(0)]
        gh, gc = d_out @ w_o, np.zeros_like(h)
        d_xw = np.empty_like(xw)
        for t in range(steps - 1, -1, -1):
            h_prev, c_prev, i, f, g, o, tc = cache[t]
            dc = gc + gh * o * (1 - tc * tc)
            d_gates = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                      dc * i * (1 - g * g), gh * tc * o * (1 - o)], axis=1)
            d_xw[t] = d_gates
            grads[1] += d_gates.T @ h_prev
            gh, gc = d_gates @ w_hh, dc * f
        flat = d_xw.reshape(-1, d_xw.shape[-1])
        grads[0] = flat.T @ x.reshape(-1, x.shape[-1])
        grads[2] = grads[3] = flat.sum(0)
        return [float(loss)] + grads

    def step(self) -> None:
        for p, g in zip(self.params, self.grads()[1:]):
            p -= self.lr * g


def _copy_weights(src: list, dst: list, torch_dst: Any) -> None:
    with torch_dst.no_grad():
        for (_, a), (_, b) in zip(src, dst):
            b.copy_(torch_dst.tensor(a.detach().numpy()))


def build(name: str, torch: Any, quick: bool, compiled: bool = False) -> Dict[str, Any]:
    rng = np.random.default_rng(0)
    if name == "lenet":
        batch, size = (4, 28) if quick else (64, 28)
        model = lenet(torch)
        x = rng.normal(size=(batch, 1, size, size)).astype(np.float32)
        y = rng.integers(0, 10, size=batch)
        named = list(model.named_parameters())
        loss_fn: Callable = lambda out, t: torch.nn.functional.cross_entropy(out, t)
        X, Y = torch.tensor(x), torch.tensor(y)
        forward = model
    else:
        steps, batch, inp, hidden = (4, 2, 8, 16) if quick else (32, 16, 32, 64)
        net = LSTMNet(torch, inp, hidden)
        x = rng.normal(size=(steps, batch, inp)).astype(np.float32)
        y = rng.normal(size=(batch, 1)).astype(np.float32)
        named = net.named
        loss_fn = lambda out, t: torch.nn.functional.mse_loss(out, t)
        X, Y = torch.tensor(x), torch.tensor(y)
        forward = net
    if compiled:  # torch.compile(model): funcgrad.jit's program, forward and backward
        forward = torch.compile(forward)
    params = [p for _, p in named]
    opt = torch.optim.SGD(params, lr=0.01)

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(forward(X), Y)
        loss.backward()
        opt.step()
        return loss

    def grads() -> list:
        opt.zero_grad()
        loss = loss_fn(forward(X), Y)
        loss.backward()
        return [float(loss.item())] + [p.grad.numpy().copy() for p in params]
    return {"step": step, "named": named, "grads": grads, "torch": torch, "data": (x, y)}


def main(argv: Any = None) -> dict:
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="lenet,lstm")
    p.add_argument("--reps", type=int, default=11)
    p.add_argument("--quick", action="store_true", help="tiny sizes, funcgrad only")
    p.add_argument("--clock", default="cpu", choices=("cpu", "wall"))
    args = p.parse_args(argv)
    import funcgrad.torch as ft
    peers = {}
    if not args.quick:
        try:
            import torch as pt
            pt.set_num_threads(1)
            peers["pytorch"] = pt
        except ImportError:
            print("PyTorch is not installed: timing funcgrad only")
    report = {}
    for name in args.only.split(","):
        cases = {"funcgrad": build(name, ft, args.quick),
                 "compiled": build(name, ft, args.quick, compiled=True)}
        for key, lib in peers.items():
            cases[key] = build(name, lib, args.quick)
            src = cases[key]["named"]
            theirs = cases[key]["grads"]()
            for mine_key in ("funcgrad", "compiled"):
                _copy_weights(src, cases[mine_key]["named"], ft)
                mine = cases[mine_key]["grads"]()
                err = max(float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
                          for a, b in zip(mine, theirs))
                if err > 1e-3:
                    raise SystemExit(f"{name}: {mine_key}'s gradients differ from {key}'s "
                                     f"(relative error {err:.2e})")
        if name == "lstm":  # the hand-written NumPy floor, checked like a peer
            floor = NumpyLSTMStep(cases["funcgrad"]["named"], *cases["funcgrad"]["data"])
            mine = cases["funcgrad"]["grads"]()
            err = max(float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
                      for a, b in zip(floor.grads(), mine))
            if err > 1e-3:
                raise SystemExit(f"lstm: the NumPy floor's gradients differ (relative error "
                                 f"{err:.2e})")
            cases["numpy"] = {"step": floor.step}
        impls = {k: c["step"] for k, c in cases.items()}
        res = harness.measure(impls, 1 if args.quick else args.reps,
                              min_sample=0 if args.quick else 0.05, clock=args.clock)
        report[name] = {k: v[0] for k, v in res.items()}
        report[name]["compiled_vs_eager"] = res["compiled"][0] / res["funcgrad"][0]
        line = (f"{name:6s} funcgrad {res['funcgrad'][0] * 1e3:8.2f} ms  torch.compile "
                f"{res['compiled'][0] * 1e3:8.2f} ms ({report[name]['compiled_vs_eager']:.2f}x eager)")
        if "pytorch" in res:
            ratio = res["funcgrad"][0] / res["pytorch"][0]
            report[name]["ratio"] = ratio
            report[name]["compiled_ratio"] = res["compiled"][0] / res["pytorch"][0]
            line += (f"  pytorch {res['pytorch'][0] * 1e3:8.2f} ms  ratio {ratio:.2f}x "
                     f"(target <= {TARGETS[name]}x; compiled "
                     f"{report[name]['compiled_ratio']:.2f}x)")
        if "numpy" in res:
            report[name]["vs_numpy"] = res["funcgrad"][0] / res["numpy"][0]
            line += (f"  hand-written numpy {res['numpy'][0] * 1e3:8.2f} ms "
                     f"(funcgrad {report[name]['vs_numpy']:.2f}x)")
        print(line, flush=True)
    return report


if __name__ == "__main__":
    main()
