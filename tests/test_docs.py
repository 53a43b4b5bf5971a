"""Every ```python block in README.md and docs/*.md runs as written.

Blocks of one file share a namespace, in order, like a notebook. Use a
```text (or ```pycon) fence for code that is only illustrative.
"""
from __future__ import annotations

import contextlib
import io
import pathlib
import re


import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_python_blocks_run(path):
    blocks = BLOCK.findall(path.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": f"doc_{path.stem}"}
    for k, code in enumerate(blocks):
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(code, f"{path.name}[block {k}]", "exec"), namespace)
            except Exception as e:  # pragma: no cover - the message is the point
                raise AssertionError(f"{path.name}, python block {k} failed: {e!r}\n{code}") from e
