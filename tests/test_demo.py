"""``python -m funcgrad``: the README's first command."""
from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess
import sys

import numpy as np

from funcgrad import demo

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _run(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([sys.executable, "-m", "funcgrad", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_help_documents_the_options():
    proc = _run("--help")
    assert proc.returncode == 0
    for option in ("--epochs", "--seed", "--face"):
        assert option in proc.stdout
    assert "two-spirals" in proc.stdout


def test_default_demo_end_to_end():
    proc = _run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "-> 24, (14, 10)" in out
    assert "x.grad = tensor(14.), y.grad = tensor(10.)" in out
    assert "d2f/dx2 = tensor(4.)" in out
    assert re.search(r"w0 gradients \(64, 2, 32\) for 64 examples in one call; max difference "
                     r"from a loop of grad [0-9.e+-]+", out)
    assert "same loss and gradients: True" in out
    assert re.search(r"µs jitted per step \([0-9.]+x faster\)", out)
    epochs = re.findall(r"^epoch +(\d+)/30 ", out, re.M)
    assert epochs == [str(i) for i in range(1, 31)]
    acc = float(re.search(r"final test accuracy: ([0-9.]+)%", out).group(1))
    assert acc >= 90.0
    summary = [line for line in out.splitlines() if line.startswith("summary:")]
    assert len(summary) == 1 and "seed values ok" in summary[0]
    seconds = float(re.search(r"([0-9.]+)s in total", summary[0]).group(1))
    assert seconds < 30.0


def test_functional_face_and_seed_option():
    out = io.StringIO()
    assert demo.main(["--face", "functional", "--epochs", "2", "--seed", "3"], out=out) == 0
    text = out.getvalue()
    assert "value_and_grad" in text and "epoch   2/2" in text
    assert re.search(r"final test accuracy: [0-9.]+%", text)


def test_same_seed_same_run():
    runs = []
    for _ in range(2):
        out = io.StringIO()
        demo.main(["--epochs", "2", "--points", "50", "--seed", "7"], out=out)
        runs.append(re.findall(r"loss ([0-9.]+)", out.getvalue()))
    assert runs[0] == runs[1] and runs[0]


def test_bad_epochs_is_a_usage_error(capsys):
    try:
        demo.main(["--epochs", "0"])
    except SystemExit as e:
        assert e.code == 2
    else:
        raise AssertionError("--epochs 0 was accepted")


def test_two_spirals_shape_balance_and_seed():
    x, y = demo.two_spirals(50, rng=np.random.default_rng(0))
    assert x.shape == (100, 2) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.sum() == 50
    x2, _ = demo.two_spirals(50, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(x, x2)
    # class 1 is class 0 turned by half a turn (before noise)
    clean, labels = demo.two_spirals(20, noise=0.0, rng=np.random.default_rng(1))
    np.testing.assert_allclose(clean[labels == 1], -clean[labels == 0])
    radius = np.hypot(*clean.T)
    assert radius.max() <= 1.0 + 1e-6
