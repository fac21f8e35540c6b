"""The architecture the README describes, held by tests: the product's import graph is a DAG,
the Tensor class imports no op, and every op in the table carries what the generic tests need."""

import ast
import inspect
from pathlib import Path

import autograd_core as ag
from autograd_core import node as node_module
from autograd_core.ops import registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd_core", "nn", "optimizers", "bench")


def _module_files():
    files = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
            files[name] = path
    return files


def _imports(name, path, files):
    """Product modules that ``name`` imports anywhere in its file (lazy imports count).
    Imports of a package's ``__init__`` are left out: every submodule import runs it."""
    is_pkg = path.name == "__init__.py"
    out = set()
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = name if is_pkg else name.rpartition(".")[0]
                for _ in range(n.level - 1):
                    base = base.rpartition(".")[0]
                mod = f"{base}.{n.module}" if n.module else base
            else:
                mod = n.module or ""
            targets = [f"{mod}.{a.name}" for a in n.names] + [mod]
        else:
            continue
        for t in targets:
            while t and t not in files:
                t = t.rpartition(".")[0]
            if t and t != name and files[t].name != "__init__.py":
                out.add(t)
    return out


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative enough for
    a few hundred modules)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return comps


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_product_import_graph_has_no_cycle():
    files = _module_files()
    graph = {name: _imports(name, path, files) for name, path in files.items()}
    assert _cycles(graph) == []


def test_tensor_imports_no_op_and_ops_do_not_import_the_engine():
    files = _module_files()
    tensor_deps = _imports("autograd_core.tensor", files["autograd_core.tensor"], files)
    assert tensor_deps <= {"autograd_core.grad_mode"}, tensor_deps
    for name, path in files.items():
        if name.startswith("autograd_core.ops."):
            deps = _imports(name, path, files)
            assert "autograd_core.engine" not in deps and "autograd_core.methods" not in deps


# Ops whose node is exercised by the samples of another declaration, or that cannot be
# finite-differenced generically (a dtype cast), with the reason.
NO_SAMPLE_OK = {
    "view_as": "same node as reshape/view",
    "reshape_as": "same node as reshape/view",
    "expand_as": "same node as expand",
    "to": "a dtype cast: float32 round trips defeat finite differences; tested in test_api",
    "floor_divide": "no derivative: its node's backward raises, as PyTorch's (test_missing16)",
    "heaviside": "no derivative: its node's backward raises, as PyTorch's (test_missing16)",
    "binomial": "random draws, no derivative: backward raises, as PyTorch's (test_missing16)",
    "fake_quantize_per_tensor_affine": "piecewise constant with the straight-through gradient: "
                                       "finite differences cannot check it "
                                       "(test_programs28_regressions)",
    "fake_quantize_per_channel_affine": "as fake_quantize_per_tensor_affine",
}


def test_every_declared_op_has_what_the_generic_tests_need():
    problems = []
    for decl in registry.DECLS.values():
        if decl.node is not None and not decl.samples and decl.name not in NO_SAMPLE_OK:
            problems.append(f"{decl.name}: differentiable (node {decl.node.__name__}) but no Sample")
        if decl.node is not None and not issubclass(decl.node, node_module.Node):
            problems.append(f"{decl.name}: node {decl.node!r} is not a Node")
        for s in decl.samples:
            params = inspect.signature(s.fn).parameters
            if len(params) != s.n_inputs:
                problems.append(f"{s.name}: sample takes {len(params)} tensors, says {s.n_inputs}")
        exported = getattr(ag, decl.name, None)  # the functional form, taking out=
        if decl.function and decl.fn not in (exported, getattr(exported, "__wrapped__", None)):
            problems.append(f"{decl.name}: not exported as autograd_core.{decl.name}")
        if decl.method and getattr(ag.Tensor, decl.method, None) is not decl.fn:
            problems.append(f"{decl.name}: not wired as Tensor.{decl.method}")
        if decl.node is not None and decl.node.backward is node_module.Node.backward:
            problems.append(f"{decl.name}: node has no backward")
    assert not problems, problems


def test_registry_refuses_a_second_declaration_of_a_name():
    import pytest

    with pytest.raises(ValueError, match="declared twice"):
        registry.op("exp")(lambda input: input)
