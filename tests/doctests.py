"""Running a module's docstring examples on every supported NumPy.

The examples are written with NumPy 2's scalar reprs (NEP 51:
``np.float64(0.25)``, ``np.True_``); NumPy 1.x prints the bare value
(``0.25``, ``True``). On NumPy 1.x the expected output is compared in both
spellings, so the examples run, unchanged, on NumPy 1.26 as well.
"""
from __future__ import annotations

import doctest
import re
from types import ModuleType

import numpy as np

NEP51 = int(np.__version__.split(".")[0]) >= 2
_SCALAR = re.compile(r"np\.(?:float\d*|int\d*|uint\d*|complex\d*|bool|intp|longdouble|half|"
                     r"single|double|str_|bytes_)\(([^()]*)\)")
_BOOL = re.compile(r"np\.(True|False)_")


def legacy_repr(want: str) -> list:
    """``want`` as NumPy 1.x prints it (complex scalars with or without parentheses)."""
    bare = _BOOL.sub(r"\1", want)
    return [_SCALAR.sub(r"\1", bare), _SCALAR.sub(r"(\1)", bare)]


class _Checker(doctest.OutputChecker):
    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        return not NEP51 and any(super(_Checker, self).check_output(w, got, optionflags)
                                 for w in legacy_repr(want))


def run(module: ModuleType, optionflags: int = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        ) -> doctest.TestResults:
    """``doctest.testmod(module)`` with NumPy 1.x's scalar reprs accepted too."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(checker=_Checker(), optionflags=optionflags)
    for test in finder.find(module, module.__name__, globs=None, extraglobs=None):
        runner.run(test)
    runner.summarize(verbose=False)
    return doctest.TestResults(runner.failures, runner.tries)


def test_legacy_repr():
    assert "0.25" in legacy_repr("np.float64(0.25)")
    assert "(3+0j)" in legacy_repr("np.complex128(3+0j)")
    assert legacy_repr("np.True_")[0] == "True"
