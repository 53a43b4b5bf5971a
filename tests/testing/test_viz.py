"""funcgrad.viz: DOT text of backward graphs, and rendering with or without Graphviz."""
from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
import types

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad import viz


def parse(dot: str) -> tuple[dict, set]:
    """{node id: (label, fillcolor)} and {(from, to)} of a DOT text from viz."""
    assert dot.startswith("digraph funcgrad {") and dot.rstrip().endswith("}")
    nodes = {}
    for m in re.finditer(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"(?:, fillcolor=(\w+))?\];$', dot, re.M):
        nodes[m.group(1)] = (m.group(2).replace("\\n", "\n"), m.group(3))
    edges = set(re.findall(r"^  (n\d+) -> (n\d+);$", dot, re.M))
    return nodes, edges


def by_label(nodes: dict) -> dict:
    return {label.split("\n")[0]: (nid, label, color) for nid, (label, color) in nodes.items()}


def test_graph_of_names_inputs_ops_shapes_and_edges():
    dot = viz.graph_of(lambda x, y: fnp.sum(fnp.sin(x) * y), np.ones((2, 3)), np.float32(2.0))
    nodes, edges = parse(dot)
    named = by_label(nodes)
    assert set(named) == {"x", "y", "sin", "multiply", "sum"}
    assert named["x"][1] == "x\n(2, 3) float64" and named["x"][2] == viz.LEAF_COLOR
    assert named["y"][1] == "y\n() float32" and named["y"][2] == viz.LEAF_COLOR
    assert named["sin"][1] == "sin\n(2, 3) float64" and named["sin"][2] is None
    assert named["sum"][1] == "sum\n() float64" and named["sum"][2] == viz.OUTPUT_COLOR
    ids = {k: v[0] for k, v in named.items()}
    assert edges == {(ids["x"], ids["sin"]), (ids["sin"], ids["multiply"]),
                     (ids["y"], ids["multiply"]), (ids["multiply"], ids["sum"])}


def test_graph_of_pytrees_constants_and_several_outputs():
    def f(params, x, n, scale=2.0):
        h = fnp.tanh(x @ params["w"]) * scale
        return {"h": h, "norm": fnp.sum(h ** n)}

    dot = viz.graph_of(f, {"w": np.ones((3, 2))}, np.ones((4, 3)), 2, scale=0.5)
    nodes, edges = parse(dot)
    named = by_label(nodes)
    assert "params['w']" in named and "x" in named and "n" not in named
    outputs = {label.split("\n")[0] for label, color in nodes.values() if color == viz.OUTPUT_COLOR}
    assert outputs == {"multiply", "sum"}
    assert len(edges) == len(nodes) - 1  # x, w -> matmul -> tanh -> multiply -> power -> sum


def test_graph_of_shared_subexpressions_are_drawn_once():
    nodes, edges = parse(viz.graph_of(lambda x: fnp.exp(x) * fnp.exp(x) + x, np.array(1.0)))
    labels = sorted(label.split("\n")[0] for label, _ in nodes.values())
    assert labels == ["add", "exp", "exp", "multiply", "x"]
    assert len(edges) == 6


def test_to_dot_inside_a_transform_and_custom_vjp():
    pictures = []
    clipped = fg.custom_vjp(lambda x: x * 1.0)
    clipped.defvjp(lambda x: (x * 1.0, None), lambda res, g: (fnp.clip(g, -1, 1),))

    def f(x):
        y = clipped(fnp.square(x))
        pictures.append(viz.to_dot([y, x]))
        return fnp.sum(y)

    fg.grad(f)(np.array([0.5, 2.0]))
    nodes, edges = parse(pictures[0])
    names = {label.split("\n")[0]: color for label, color in nodes.values()}
    assert names == {"custom_vjp": viz.OUTPUT_COLOR, "square": None, "input": viz.LEAF_COLOR}
    assert len(edges) == 2


def test_to_dot_of_a_deep_chain_needs_no_recursion():
    def f(x):
        for _ in range(3000):
            x = fnp.sin(x)
        return x
    nodes, edges = parse(viz.graph_of(f, np.array(0.1)))
    assert len(nodes) == 3001 and len(edges) == 3000


def test_to_dot_rejects_untraced_values():
    with pytest.raises(TypeError, match="expected a traced value.*graph_of"):
        viz.to_dot(np.ones(3))
    with pytest.raises(ValueError, match="nothing to draw"):
        viz.to_dot([])
    with pytest.raises(ValueError, match="does not depend on any floating-point input"):
        viz.graph_of(lambda n: n * 2, np.array([1, 2]))


def test_facade_graph_uses_grad_fn_names():
    import funcgrad.torch as torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = (x * y).sin().sum()
    nodes, edges = parse(viz.to_dot(z))
    names = sorted(label.split("\n")[0] for label, _ in nodes.values())
    assert names == ["AccumulateGrad", "AccumulateGrad", "MulBackward0", "SinBackward0",
                     "SumBackward0"]
    leaves = [label for label, color in nodes.values() if color == viz.LEAF_COLOR]
    assert sorted(leaves) == ["AccumulateGrad\n() float32", "AccumulateGrad\n(2,) float32"]
    named = by_label(nodes)
    assert named["SumBackward0"][1:] == ("SumBackward0\n() float32", viz.OUTPUT_COLOR)
    assert named["MulBackward0"][1] == "MulBackward0\n(2,) float32"
    assert len(edges) == 4
    # a leaf alone, and a tensor without a graph
    assert parse(viz.to_dot(x))[0] == {"n0": ("AccumulateGrad\n(2,) float32", viz.LEAF_COLOR)}
    with pytest.raises(ValueError, match="no backward graph"):
        viz.to_dot(torch.tensor([1.0]))


# --- render ---------------------------------------------------------------------------
DOT = viz.graph_of(fnp.sin, np.array(1.0))


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError


def test_render_without_graphviz_says_what_to_install(no_graphviz, tmp_path):
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.render(DOT, tmp_path / "g.svg")
    msg = str(info.value)
    assert "apt-get install graphviz" in msg and "brew install graphviz" in msg
    assert "to_dot" in msg and not (tmp_path / "g.svg").exists()


def test_render_with_the_dot_program(tmp_path, monkeypatch):
    # a stand-in `dot` on PATH records how it was called
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "dot"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import sys
        args = sys.argv[1:]
        text = sys.stdin.read()
        out = args[args.index("-o") + 1]
        with open(out, "w") as f:
            f.write("<svg>" + " ".join(args[:1]) + "|" + text + "</svg>")
        """))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    out = viz.render(DOT, tmp_path / "g.svg")
    assert out == tmp_path / "g.svg"
    assert out.read_text() == f"<svg>-Tsvg|{DOT}</svg>"
    # a traced value is converted with to_dot first
    pictures = []
    fg.grad(lambda x: pictures.append(viz.render(fnp.cos(x), tmp_path / "c.png", "png"))
            or fnp.sin(x))(1.0)
    assert (tmp_path / "c.png").read_text().startswith("<svg>-Tpng|digraph funcgrad {")


def test_render_reports_dot_failures(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "dot"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('syntax error in line 1')\nsys.exit(1)\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    with pytest.raises(RuntimeError, match="exit code 1.*syntax error in line 1"):
        viz.render("not dot", tmp_path / "g.svg")


def fake_graphviz_package(works: bool) -> types.ModuleType:
    mod = types.ModuleType("graphviz")

    class ExecutableNotFound(RuntimeError):
        pass

    class Source:
        def __init__(self, text):
            self.text = text

        def pipe(self, format):
            if not works:
                raise ExecutableNotFound("failed to execute 'dot'")
            return f"<{format}>{self.text}".encode()

    mod.ExecutableNotFound = ExecutableNotFound
    mod.Source = Source
    return mod


def test_render_with_the_graphviz_package(no_graphviz, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", fake_graphviz_package(works=True))
    out = viz.render(DOT, tmp_path / "g.pdf", format="pdf")
    assert out.read_bytes() == f"<pdf>{DOT}".encode()


def test_graphviz_package_without_its_program_is_the_same_clear_error(no_graphviz, monkeypatch,
                                                                      tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", fake_graphviz_package(works=False))
    with pytest.raises(viz.GraphvizNotFoundError, match="install Graphviz|Install Graphviz"):
        viz.render(DOT, tmp_path / "g.svg")


def test_render_rejects_unknown_formats(tmp_path):
    with pytest.raises(ValueError, match="svg, png, pdf"):
        viz.render(DOT, tmp_path / "g.gif", format="gif")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed here")
def test_render_with_real_graphviz(tmp_path):
    out = viz.render(DOT, tmp_path / "g.svg")
    assert "<svg" in out.read_text()
