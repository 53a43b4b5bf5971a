"""Submodules reachable as attributes of ``funcgrad`` (PEP 562), imported
only on first use (issue 22)."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import funcgrad

ROOT = __import__("pathlib").Path(funcgrad.__file__).resolve().parent.parent
PUBLIC = sorted(m.name for m in pkgutil.iter_modules(funcgrad.__path__)
                if not m.name.startswith("_"))


def _fresh(code: str):
    """Run ``code`` in a fresh interpreter (nothing of funcgrad imported yet);
    it prints one JSON value."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def test_every_public_submodule_is_registered():
    # discovered from the package directory, so subpackages added later
    # (scipy, lax, optimizers, ...) are registered without editing a list
    assert sorted(funcgrad._SUBMODULES) == PUBLIC
    assert set(PUBLIC) <= set(dir(funcgrad))


def test_import_funcgrad_imports_no_lazy_submodule():
    loaded = _fresh("import sys, json, funcgrad; "
                    "print(json.dumps(sorted(m for m in sys.modules if m.startswith('funcgrad.'))))")
    for heavy in ("funcgrad.torch", "funcgrad.viz", "funcgrad.testing", "funcgrad.demo"):
        assert heavy not in loaded


# submodules that need an optional extra: the package the extra installs
NEEDS_EXTRA = {"scipy": "scipy"}


def _installed(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None


@pytest.mark.parametrize("name", PUBLIC)
def test_submodule_is_an_attribute_after_import_funcgrad(name):
    extra = NEEDS_EXTRA.get(name)
    if extra is not None and not _installed(extra):
        # without its extra the attribute access names the extra to install
        got = _fresh(f"import json, funcgrad\ntry:\n    funcgrad.{name}\n"
                     f"except ImportError as e:\n    print(json.dumps(str(e)))")
        assert f"pip install funcgrad[{name}]" in got
        return
    got = _fresh(f"import json, funcgrad; m = funcgrad.{name}; "
                 f"print(json.dumps([m.__name__, hasattr(funcgrad, {name!r})]))")
    assert got == [f"funcgrad.{name}", True]


def test_viz_as_the_docs_show():
    got = _fresh("import json, funcgrad, funcgrad.numpy as fnp\n"
                 "pics = []\n"
                 "def f(x):\n"
                 "    y = fnp.sin(x)\n"
                 "    pics.append(funcgrad.viz.to_dot(y))\n"
                 "    return y\n"
                 "funcgrad.grad(f)(1.0)\n"
                 "print(json.dumps(pics[0][:7]))")
    assert got == "digraph"


@pytest.mark.parametrize("name", ["nope", "Torch", "_core_x", "transforms_"])
def test_unknown_name_raises_the_usual_attribute_error(name):
    with pytest.raises(AttributeError) as info:
        getattr(funcgrad, name)
    assert str(info.value) == f"module 'funcgrad' has no attribute {name!r}"
    assert not hasattr(funcgrad, name)
