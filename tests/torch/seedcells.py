"""Extract and run the code cells of the seed tutorials (standard library only).

The seeds come in three layouts:

* Markdown with fenced ```` ```python ```` cells (seed 000);
* exported notebooks, where ``In [n]:`` starts a cell and the cell's output
  follows its code after a blank line (seeds 001, 003, 004);
* fenced ```` ``` ```` blocks where code lines and the printed output are
  interleaved (seed 002).

:func:`cells` returns the code of every cell, in order. :func:`run_cells`
runs them like a notebook in one namespace: stdout is captured, the value of
a final expression is displayed with ``repr``, an exception ends the cell
with a ``ErrorType: message`` line, and warnings are recorded. This module
imports no torch: the test runs it with ``funcgrad.torch``, and the expected
outputs were produced by running it with PyTorch 2.x.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import warnings
from typing import Any, Optional

# A copy of shared/seeds/ lives next to this file, so the acceptance test
# runs in any checkout; FUNCGRAD_SEEDS points elsewhere if wanted.
SEED_DIR = os.environ.get("FUNCGRAD_SEEDS",
                          os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds"))


def seed_path(prefix: str) -> str:
    for name in sorted(os.listdir(SEED_DIR)):
        if name.startswith(prefix):
            return os.path.join(SEED_DIR, name)
    raise FileNotFoundError(prefix)


def _parses(src: str) -> bool:
    try:
        ast.parse(src)
    except SyntaxError:
        return False
    return True


def _looks_like_output(block: str) -> bool:
    """Printed values (``True``, ``tensor(...)``, ``None``) and Markdown
    headings (``#### Step 3``) parse as Python but end a cell's code."""
    lines = [ln for ln in block.splitlines() if ln.strip()]
    if lines and lines[0].startswith("##"):
        return True
    return bool(lines) and all(_is_output_line(ln) for ln in lines)


def _notebook_cells(text: str) -> list[str]:
    parts = re.split(r"^In \[\d+\]:\s*$", text, flags=re.M)[1:]
    cells = []
    for part in parts:
        blocks = re.split(r"\n\s*\n", part.strip("\n"))
        code: list[str] = []
        for block in blocks:
            candidate = "\n\n".join(code + [block])
            if _looks_like_output(block) or not _parses(candidate):
                break
            code.append(block)
        cells.append("\n\n".join(code))
    return cells


def _is_output_line(line: str) -> bool:
    s = line.strip()
    return s in ("True", "False", "None") or s.startswith("tensor(") or (
        line[:1].isspace() and s.startswith("["))


def _interleaved_cells(text: str) -> list[str]:
    cells = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.M | re.S):
        code = [ln for ln in block.splitlines() if not _is_output_line(ln)]
        cells.append("\n".join(code).strip("\n"))
    return cells


def _fenced_python_cells(text: str) -> list[str]:
    return [c.strip("\n") for c in re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)]


def cells(prefix: str) -> list[str]:
    """The code cells of the seed whose file name starts with ``prefix``."""
    with open(seed_path(prefix), encoding="utf-8") as f:
        # Non-breaking spaces pasted into code would be a SyntaxError.
        text = f.read().replace("\u00a0", " ")
    if "```python" in text:
        return _fenced_python_cells(text)
    if re.search(r"^In \[\d+\]:", text, flags=re.M):
        return _notebook_cells(text)
    return _interleaved_cells(text)


def facade_source(code: str) -> str:
    """``import torch`` -> ``import funcgrad.torch as torch`` (and ``from torch.x``)."""
    code = re.sub(r"^(\s*)import torch\s*$", r"\1import funcgrad.torch as torch", code, flags=re.M)
    return re.sub(r"^(\s*)from torch\.", r"\1from funcgrad.torch.", code, flags=re.M)


def run_cell(code: str, ns: dict) -> tuple[str, list]:
    """Run one cell in ``ns`` like a notebook; returns (stdout, warnings)."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            tree = ast.parse(code)
            last: Optional[ast.expr] = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = tree.body.pop().value
            exec(compile(tree, "<cell>", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last), "<cell>", "eval"), ns)
                if value is not None:
                    print(repr(value))
        except Exception as e:  # noqa: BLE001 - a notebook shows every error
            print(f"{type(e).__name__}: {e}")
    found = [(w.category.__name__, str(w.message)) for w in caught]
    return out.getvalue(), found


def run_statements(code: str, ns: dict) -> tuple[str, list]:
    """Run a cell one top-level statement at a time, going on after an
    error (as when the lines are typed into a REPL)."""
    out, found = [], []
    for stmt in ast.parse(code).body:
        o, w = run_cell(ast.get_source_segment(code, stmt) or "", ns)
        out.append(o)
        found.extend(w)
    return "".join(out), found


def run_cells(codes: list[str], ns: Optional[dict] = None) -> list[tuple[str, list]]:
    ns = {} if ns is None else ns
    return [run_cell(c, ns) for c in codes]


def normalize(text: str, numbers: bool = False) -> str:
    """Hide object addresses (and with ``numbers=True`` every number and the
    padding around it), for outputs that depend on memory or on random data."""
    text = re.sub(r"0x[0-9a-f]+", "0x...", text)
    if numbers:
        text = re.sub(r"-?\d+\.\d*(e[+-]\d+)?", "#", text)
        text = re.sub(r" +", " ", text)
    return text
