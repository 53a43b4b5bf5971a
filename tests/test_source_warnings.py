"""funcgrad's own source compiles without warnings.

An invalid escape sequence in a docstring (``"\\ "``) is a
``DeprecationWarning`` (Python 3.11) or ``SyntaxWarning`` (3.12+) raised once,
when the module is first compiled, and then hidden by the bytecode cache: so
each file is compiled afresh here with every warning turned into an error.
(Run-time deprecation warnings raised from funcgrad's modules are errors
too: the ``filterwarnings`` entry in pyproject.toml.)
"""
import pathlib
import warnings

import pytest

import funcgrad

SOURCES = sorted(pathlib.Path(funcgrad.__file__).parent.rglob("*.py"))


def test_sources_found():
    assert any(p.name == "_graph.py" for p in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(SOURCES[0].parents[0]).as_posix())
def test_compiles_without_warnings(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)


def test_invalid_escape_is_caught():
    with warnings.catch_warnings(), pytest.raises((DeprecationWarning, SyntaxWarning, SyntaxError)):
        warnings.simplefilter("error")
        compile('"""a ``Tensor``\\ s"""', "<docstring>", "exec", dont_inherit=True)
