"""``out=`` only where PyTorch takes it: every public function of the op table takes ``out=``
exactly when PyTorch 2.13's namesake does (its Python signature, or for a C function the
overloads its binding lists in ``torch/_C/_VariableFunctions.pyi``); elsewhere it is refused
with PyTorch's ``TypeError``, before anything is computed."""

import ast
import inspect
import os
import re
import warnings

import pytest

import autograd_core as ag
from autograd_core.ops import registry

FUNCTIONS = registry.functions()


def _torch_out_signatures(torch):
    """``{name: [whether each overload takes out=]}`` of torch's C functions."""
    path = os.path.join(os.path.dirname(torch.__file__), "_C", "_VariableFunctions.pyi")
    found: dict = {}
    with open(path) as f:
        for node in ast.parse(f.read()).body:
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args + node.args.kwonlyargs]
                found.setdefault(node.name, []).append("out" in names)
    return found


def _torch_takes_out(torch, name, stubs):
    """True/False for torch.<name> (or torch.nn.functional's, for names torch lacks), None
    when neither its signature nor the stubs say."""
    fn = getattr(torch, name, None)
    if fn is None:
        fn = getattr(torch.nn.functional, name, None)
        if fn is None:
            return None
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a C function: its overloads, from the stubs
        if fn is getattr(torch, name, None) and name in stubs:
            return any(stubs[name])
        return None


def _refuses_out(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # chain_matmul's deprecation
            fn(out=ag.empty(0))
    except TypeError as e:
        return "unexpected keyword argument 'out'" in str(e)
    except Exception:  # noqa: BLE001 - it took out= and failed on the missing inputs
        return False
    return False


@pytest.mark.torch_parity
def test_out_is_taken_exactly_where_torch_takes_it():
    torch = pytest.importorskip("torch")
    stubs = _torch_out_signatures(torch)
    compared, wrong = 0, []
    for name, fn in sorted(FUNCTIONS.items()):
        theirs = _torch_takes_out(torch, name, stubs)
        if theirs is None:
            continue
        compared += 1
        if _refuses_out(fn) == theirs:
            wrong.append(f"{name}: torch {'takes' if theirs else 'refuses'} out=")
    assert wrong == []
    assert compared > 300


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, args", [
    ("isnan", lambda L: (L.ones(2),)), ("relu", lambda L: (L.ones(2),)),
    ("clone", lambda L: (L.ones(2),)), ("det", lambda L: (L.eye(2),)),
    ("reshape", lambda L: (L.ones(2), (2, 1))), ("transpose", lambda L: (L.ones(2, 2), 0, 1)),
    ("swapaxes", lambda L: (L.ones(2, 2), 0, 1)), ("flatten", lambda L: (L.ones(2, 2),)),
    ("isfinite", lambda L: (L.ones(2),)), ("trace", lambda L: (L.eye(2),)),
    ("einsum", lambda L: ("ij->i", L.ones(2, 2))), ("roll", lambda L: (L.ones(2), 1)),
])
def test_out_refused_with_torchs_words(name, args):
    # ag.isnan(x, out=y) wrote into y where torch.isnan raises: a program relying on the
    # refusal, or ported from one of ours, behaved differently
    torch = pytest.importorskip("torch")
    message = re.escape(f"{name}() got an unexpected keyword argument 'out'")
    with pytest.raises(TypeError, match=rf"^{message}$"):
        getattr(torch, name)(*args(torch), out=torch.empty(2))
    out = ag.zeros(2)
    with pytest.raises(TypeError, match=rf"^{message}$"):
        getattr(ag, name)(*args(ag), out=out)
    assert out.tolist() == [0.0, 0.0]


def test_refusing_names_are_public_functions():
    assert registry._NO_OUT <= set(FUNCTIONS)
    assert all(_refuses_out(FUNCTIONS[name]) for name in registry._NO_OUT)


def test_alias_may_take_out_where_its_op_does_not():
    # conj has no out variant in PyTorch; its alias conj_physical has one
    x = ag.tensor([1 + 2j])
    out = ag.zeros(1, dtype=ag.complex64)
    assert ag.conj_physical(x, out=out) is out and out.tolist() == [1 - 2j]
    with pytest.raises(RuntimeError, match="^Found dtype ComplexDouble but expected "
                                           "ComplexFloat$"):  # its own dtype only, as PyTorch's
        ag.conj_physical(x, out=ag.zeros(1, dtype=ag.complex128))
    with pytest.raises(TypeError, match=r"^conj\(\) got an unexpected keyword argument 'out'$"):
        ag.conj(x, out=out)


@pytest.mark.parametrize("call", [
    lambda x, out: x.exp(out=out), lambda x, out: x.neg(out=out),
    lambda x, out: x.sqrt(out=out), lambda x, out: x.relu(out=out),
    lambda x, out: x.sigmoid(out=out)])
def test_methods_refuse_out(call):
    # x.exp(out=t) reached the node's internal out= (the array form a captured step replays
    # into): it overwrote t's memory behind its version counter and returned another tensor;
    # x.relu(out=t) failed inside the kernel. PyTorch's methods take no out=
    x = ag.tensor([1.0, 4.0])
    out = ag.zeros(2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
        call(x, out)
    assert out.tolist() == [0.0, 0.0]


def test_kernel_activation_of_nn_functional_refuses_out():
    import nn.functional as F

    out = ag.zeros(2)
    with pytest.raises(TypeError, match=r"^silu\(\) got an unexpected keyword argument 'out'$"):
        F.silu(ag.tensor([1.0, 4.0]), out=out)
    assert out.tolist() == [0.0, 0.0]
