"""Every script in examples/ runs to completion as a subprocess.

A script declares optional imports it cannot run without in a comment line
``# requires: module[, module]``; it is skipped (with the reason) only when
one of them is missing. The digits examples must reach their accuracy here,
with their default settings (the conv net 98%); the character LSTM must beat
its unigram baseline (the script exits non-zero otherwise).
"""
from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
REQUIRES = re.compile(r"^# requires: (.+)$", re.M)
ACCURACY = re.compile(r"held-out test accuracy: ([0-9.]+)%")


def _env() -> dict:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _run(args, cwd, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=_env())


def _requirements(script: pathlib.Path) -> list:
    m = REQUIRES.search(script.read_text(encoding="utf-8"))
    return [name.strip() for name in m.group(1).split(",")] if m else []


def test_examples_exist():
    names = {p.name for p in EXAMPLES}
    assert {"train_digits.py", "train_digits_functional.py", "seed_bce_logits.py",
            "digits_convnet.py", "char_lstm.py"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    for module in _requirements(script):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{script.name} needs the optional module {module!r}: "
                        "pip install 'funcgrad[examples]'")
    proc = _run([str(script)], cwd=tmp_path)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    if script.name == "digits_convnet.py":
        assert float(ACCURACY.findall(proc.stdout)[-1]) >= 98.0, proc.stdout[-2000:]
    if script.name == "char_lstm.py":
        assert "of the baseline" in proc.stdout and "sample:" in proc.stdout
    if script.name.startswith("train_digits"):
        found = ACCURACY.findall(proc.stdout)
        assert found, proc.stdout[-2000:]
        assert float(found[-1]) >= 97.0
        if importlib.util.find_spec("matplotlib") is not None:
            assert list(tmp_path.glob("*.png")), "no loss-curve PNG was saved"


_BLOCK = ("import sys, runpy\n"
          "for name in {blocked!r}: sys.modules[name] = None\n"
          "sys.argv = [{path!r}] + {argv!r}\n"
          "runpy.run_path({path!r}, run_name='__main__')\n")


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="needs scikit-learn")
def test_digits_example_runs_without_tqdm_and_matplotlib(tmp_path):
    path = str(ROOT / "examples" / "train_digits_functional.py")
    code = _BLOCK.format(blocked=["tqdm", "matplotlib"], path=path, argv=[])
    proc = _run(["-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "matplotlib is not installed" in proc.stdout
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("name", ["train_digits.py", "train_digits_functional.py"])
def test_digits_examples_explain_a_missing_scikit_learn(name, tmp_path):
    path = str(ROOT / "examples" / name)
    proc = _run(["-c", _BLOCK.format(blocked=["sklearn"], path=path, argv=[])], cwd=tmp_path)
    assert proc.returncode != 0
    assert "pip install 'funcgrad[examples]'" in proc.stderr
    assert "scikit-learn" in proc.stderr
    assert "Traceback" not in proc.stderr
