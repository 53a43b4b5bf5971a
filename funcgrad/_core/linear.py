"""A linear program recorded from symbolic tangents: what ``linearize`` replays.

:class:`LinearProgram` opens a :class:`LinearTrace` whose boxes stand for
the input tangents (their values are zeros of the right shape and dtype, so
that rules can read shapes and dtypes). Run under a JVP trace with these
boxes as tangents, a function's tangent computation is recorded here as
equations ``(primitive, arguments, parameters) -> variables``; the primal
values the rules read are constants of the equations. Calling the program
replays the equations with ``bind`` on new tangents: the primal computation
is not run again, and outer traces see the replayed operations.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from .primitive import Box, Primitive, bind
from .trace import Trace, _escaped, _levels, ops


class _Var:
    """A variable of a linear program (an input tangent or an equation's result)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class LinearTrace(Trace):
    """Records the primitives applied to its boxes into ``program``."""

    __slots__ = ("program",)

    def __init__(self, level: int, program: Optional["LinearProgram"]) -> None:
        Trace.__init__(self, level)
        self.program = program

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        if not self.alive:
            raise _escaped()
        vals = list(args)
        template = list(args)
        for i, a in enumerate(args):
            if isinstance(a, Box) and a._trace is self:
                vals[i] = a._value
                template[i] = a._node
        out = bind(prim, vals, params)  # on the stand-in values: shapes and dtypes
        program = self.program
        if prim.multiple_results:
            outs = [program.new_var() for _ in out]
            program.equations.append((prim, template, params, outs))
            return tuple(self.box(o, v) for o, v in zip(out, outs))
        var = program.new_var()
        program.equations.append((prim, template, params, var))
        return self.box(out, var)


class LinearProgram:
    """Input tangent variables, equations, output variables; call it on tangents."""

    def __init__(self, primals: Sequence[Any]) -> None:
        """One input per primal (``None``: an input with no tangent)."""
        self.trace = LinearTrace(next(_levels), self)
        self.count = 0
        self.equations: list = []
        self.input_vars: list = []
        self.inputs: list = []  # the boxes to use as tangents
        self.zeros: list = []  # an input's zero tangent, for a call that gives none
        for p in primals:
            var = zeros = box = None
            if p is not None:
                var, zeros = self.new_var(), ops.zeros_like(p)
                box = self.trace.box(zeros, var)
            self.input_vars.append(var)
            self.zeros.append(zeros)
            self.inputs.append(box)
        self.outputs: list = []

    def new_var(self) -> _Var:
        self.count += 1
        return _Var(self.count - 1)

    def close(self) -> None:
        """Stop recording (and drop the trace's link back: no reference cycle)."""
        self.trace.alive = False
        self.trace.program = None
        self.inputs = []

    def set_outputs(self, tangents: Sequence[Any], primals: Sequence[Any]) -> None:
        """Output ``k`` is ``tangents[k]``: a box of this program, ``None``
        (zero), or a value no input reaches (a constant of the program)."""
        outs = []
        for t, o in zip(tangents, primals):
            if isinstance(t, Box) and t._trace is self.trace:
                outs.append(t._node)
            else:
                outs.append(t)
        self.outputs = outs

    def __call__(self, tangents: Sequence[Optional[Any]]) -> list:
        """The output tangents (``None`` for zero) for these input tangents."""
        env: list = [None] * self.count
        for var, t, zeros in zip(self.input_vars, tangents, self.zeros):
            if var is not None:
                env[var.index] = zeros if t is None else t
        for prim, template, params, out in self.equations:
            args = list(template)
            for i, a in enumerate(template):
                if type(a) is _Var:
                    args[i] = env[a.index]
            result = bind(prim, args, params)
            if type(out) is list:
                for v, r in zip(out, result):
                    env[v.index] = r
            else:
                env[out.index] = result
        return [env[o.index] if type(o) is _Var else o for o in self.outputs]
