"""The seeds' first training loop: one linear layer, BCE with logits, and a
manual gradient step ``w -= lr * w.grad`` under ``torch.no_grad()``.

This is the "practical example" of the autograd tutorial the facade is built
to run, extended from one update to a short loop so that the loss visibly
falls. Only the core dependencies are needed.

Run:  python examples/seed_bce_logits.py [--steps N]
"""
from __future__ import annotations

import argparse
import sys

import funcgrad.torch as torch


def main(steps: int = 100, learning_rate: float = 0.1) -> float:
    torch.manual_seed(0)

    # 1. Data and parameters (as in the tutorial)
    x = torch.ones(5)                          # input
    y = torch.zeros(3)                         # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)

    first = None
    for step in range(steps):
        # 2. Forward pass
        z = torch.matmul(x, w) + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        if step == 0:
            print(z.grad_fn)                   # <AddBackward0 object at 0x...>
            print(loss.grad_fn)                # <BinaryCrossEntropyWithLogitsBackward0 ...>
            first = loss.item()

        # 3. Backward pass
        loss.backward()
        if step == 0:
            print(w.grad)
            print(b.grad)

        # 4. Parameter update (what an optimizer does for you)
        with torch.no_grad():
            w -= learning_rate * w.grad
            b -= learning_rate * b.grad
            w.grad.zero_()
            b.grad.zero_()
        if step % 20 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")

    final = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.matmul(x, w) + b, y).item()
    print(f"loss {first:.4f} -> {final:.4f}; w.is_leaf={w.is_leaf}, "
          f"w.requires_grad={w.requires_grad}")
    return final / first


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="training steps (default 100)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    args = parser.parse_args()
    ratio = main(args.steps, args.lr)
    if not ratio < 0.5:
        sys.exit(f"the loss fell only to {ratio:.0%} of its initial value")
