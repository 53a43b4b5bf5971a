"""Training steps of layer models, ``funcgrad.torch`` side by side with PyTorch
eager (CPU, one thread), interleaved in one process (issue 20 targets):

- ``lenet``: two conv(5x5)+ReLU+max-pool(2) blocks, two linear layers, batch
  64 of 28x28 float32, cross-entropy, SGD step. Target <= 2.5x PyTorch.
- ``lstm``: one-layer LSTM (input 32, hidden 64) over 32 steps, batch 16,
  float32, a linear read-out of the last state, MSE, SGD step. Target <= 2.0x.

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


def _copy_weights(src: list, dst: list, torch_dst: Any) -> None:
    with torch_dst.no_grad():
        for (_, a), (_, b) in zip(src, dst):
            b.copy_(torch_dst.tensor(a.detach().numpy()))


def build(name: str, torch: Any, quick: bool) -> Dict[str, Any]:
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
    return {"step": step, "named": named, "grads": grads, "torch": torch}


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
        cases = {"funcgrad": build(name, ft, args.quick)}
        for key, lib in peers.items():
            cases[key] = build(name, lib, args.quick)
            src = cases[key]["named"]
            _copy_weights(src, cases["funcgrad"]["named"], ft)
            mine, theirs = cases["funcgrad"]["grads"](), cases[key]["grads"]()
            err = max(float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
                      for a, b in zip(mine, theirs))
            if err > 1e-3:
                raise SystemExit(f"{name}: funcgrad's gradients differ from {key}'s "
                                 f"(relative error {err:.2e})")
        impls = {k: c["step"] for k, c in cases.items()}
        res = harness.measure(impls, 1 if args.quick else args.reps,
                              min_sample=0 if args.quick else 0.05, clock=args.clock)
        report[name] = {k: v[0] for k, v in res.items()}
        line = f"{name:6s} funcgrad {res['funcgrad'][0] * 1e3:8.2f} ms"
        if "pytorch" in res:
            ratio = res["funcgrad"][0] / res["pytorch"][0]
            report[name]["ratio"] = ratio
            line += (f"  pytorch {res['pytorch'][0] * 1e3:8.2f} ms  ratio {ratio:.2f}x "
                     f"(target <= {TARGETS[name]}x)")
        print(line, flush=True)
    return report


if __name__ == "__main__":
    main()
