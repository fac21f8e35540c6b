"""Issue 12 item 5, against PyTorch 2.13: every new op's forward and gradients, and every new
public name's signature (parameter names, kinds, order, defaults)."""

import ast
import inspect
import re

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import testing

I64 = np.int64

# (name, ours(ag, *inputs), theirs(torch, *inputs), input shapes, input domain)
CASES = [
    ("mm", lambda m, a, b: m.mm(a, b), lambda t, a, b: t.mm(a, b), [(2, 3), (3, 4)], "real"),
    ("bmm", lambda m, a, b: a.bmm(b), lambda t, a, b: a.bmm(b), [(2, 2, 3), (2, 3, 4)], "real"),
    ("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
     lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0), [(4,), (2, 3), (3, 4)], "real"),
    ("einsum_bmm", lambda m, a, b: m.einsum("bij,bjk->bik", a, b),
     lambda t, a, b: t.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 4)], "real"),
    ("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...j", a, b),
     lambda t, a, b: t.einsum("...ij,...j", a, b), [(2, 3, 4), (2, 4)], "real"),
    ("einsum_trace", lambda m, a: m.einsum("ii", a), lambda t, a: t.einsum("ii", a),
     [(3, 3)], "real"),
    ("einsum_diag_outer", lambda m, a, b: m.einsum("ii,j->ij", a, b),
     lambda t, a, b: t.einsum("ii,j->ij", a, b), [(3, 3), (2,)], "real"),
    ("einsum_list", lambda m, a, b: m.einsum("i,i", [a, b]),
     lambda t, a, b: t.einsum("i,i", [a, b]), [(3,), (3,)], "real"),
    ("log10", lambda m, a: a.log10(), lambda t, a: a.log10(), [(2, 3)], "positive"),
    ("log2", lambda m, a: m.log2(a), lambda t, a: t.log2(a), [(2, 3)], "positive"),
    ("exp2", lambda m, a: a.exp2(), lambda t, a: a.exp2(), [(2, 3)], "real"),
    ("split", lambda m, a: m.split(a, 2, dim=1), lambda t, a: t.split(a, 2, dim=1),
     [(2, 5)], "real"),
    ("split_sections", lambda m, a: a.split([1, 3, 1]), lambda t, a: a.split([1, 3, 1]),
     [(5, 2)], "real"),
    ("chunk", lambda m, a: a.chunk(3, -1), lambda t, a: a.chunk(3, -1), [(2, 7)], "real"),
    ("unbind", lambda m, a: m.unbind(a, 1), lambda t, a: t.unbind(a, 1), [(2, 3)], "real"),
    ("tril", lambda m, a: m.tril(a, -1), lambda t, a: t.tril(a, -1), [(2, 3, 4)], "real"),
    ("triu", lambda m, a: a.triu(1), lambda t, a: a.triu(1), [(4, 3)], "real"),
    ("cumsum", lambda m, a: a.cumsum(0), lambda t, a: a.cumsum(0), [(3, 2)], "real"),
    ("pad", lambda m, a: F.pad(a, (1, 2, -1, 0), value=0.5),
     lambda t, a: t.nn.functional.pad(a, (1, 2, -1, 0), value=0.5), [(3, 2)], "real"),
    ("sort", lambda m, a: m.sort(a, dim=0, descending=True),
     lambda t, a: t.sort(a, dim=0, descending=True), [(4, 3)], "distinct"),
    ("topk", lambda m, a: a.topk(2, largest=False), lambda t, a: a.topk(2, largest=False),
     [(3, 4)], "distinct"),
    ("gather", lambda m, a: m.gather(a, 1, m.tensor(np.array([[0, 0], [2, 1]]))),
     lambda t, a: t.gather(a, 1, t.tensor([[0, 0], [2, 1]])), [(2, 3)], "real"),
    ("scatter", lambda m, a, b: a.scatter(0, m.tensor(np.array([[1, 0, 2]])), b),
     lambda t, a, b: a.scatter(0, t.tensor([[1, 0, 2]]), b), [(3, 3), (1, 3)], "real"),
    ("scatter_add", lambda m, a, b: m.scatter_add(a, 1, m.tensor(np.array([[0, 0, 1]])), b),
     lambda t, a, b: t.scatter_add(a, 1, t.tensor([[0, 0, 1]]), b), [(2, 3), (1, 3)], "real"),
    ("index_select", lambda m, a: a.index_select(1, m.tensor(np.array([2, 0, 2]))),
     lambda t, a: a.index_select(1, t.tensor([2, 0, 2])), [(2, 3)], "real"),
    ("masked_fill", lambda m, a, v: a.masked_fill(m.tensor(np.array([True, False, True])),
                                                  v.sum()),
     lambda t, a, v: a.masked_fill(t.tensor([True, False, True]), v.sum()), [(2, 3), (2,)],
     "real"),
    ("index_put_acc", lambda m, a, v: a.index_put((m.tensor(np.array([0, 2, 0])),), v,
                                                  accumulate=True),
     lambda t, a, v: a.index_put((t.tensor([0, 2, 0]),), v, accumulate=True), [(3,), (3,)],
     "real"),
    ("smooth_l1_loss", lambda m, a, b: F.smooth_l1_loss(a, b, beta=0.7),
     lambda t, a, b: t.nn.functional.smooth_l1_loss(a, b, beta=0.7), [(3, 4), (3, 4)], "real"),
    ("huber_loss", lambda m, a, b: F.huber_loss(a, b, delta=0.8, reduction="sum"),
     lambda t, a, b: t.nn.functional.huber_loss(a, b, delta=0.8, reduction="sum"),
     [(3, 4), (3, 4)], "real"),
    ("embedding", lambda m, w: F.embedding(m.tensor(np.array([[0, 2], [2, 3]])), w,
                                           padding_idx=2),
     lambda t, w: t.nn.functional.embedding(t.tensor([[0, 2], [2, 3]]), w, padding_idx=2),
     [(4, 3)], "real"),
]

# ops without gradients: (name, ours, theirs), on fixed values
VALUE_CASES = [
    ("argsort", lambda m, a: a.argsort(descending=True), lambda t, a: a.argsort(
        descending=True, stable=True)),
    ("all", lambda m, a: m.all(a > 0, dim=1), lambda t, a: t.all(a > 0, dim=1)),
    ("any", lambda m, a: (a > 1).any(0, keepdim=True), lambda t, a: (a > 1).any(0, keepdim=True)),
    ("isclose", lambda m, a: m.isclose(a, a + 1e-6), lambda t, a: t.isclose(a, a + 1e-6)),
    ("allclose", lambda m, a: a.allclose(a * (1 + 2e-5)), lambda t, a: a.allclose(
        a * (1 + 2e-5))),
    ("nelement", lambda m, a: a.nelement(), lambda t, a: a.nelement()),
    ("one_hot", lambda m, a: F.one_hot(m.tensor(np.array([0, 3, 1]))),
     lambda t, a: t.nn.functional.one_hot(t.tensor([0, 3, 1]))),
]


def _values(shape, domain, rng):
    if domain == "positive":
        return rng.uniform(0.2, 2.0, shape)
    if domain == "distinct":
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.37 - 1.0).reshape(shape)
    return rng.standard_normal(shape)


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_forward_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs, shapes, domain = case
    rng = np.random.default_rng(3)
    arrays = [_values(s, domain, rng) for s in shapes]
    mine = [ag.tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, routs = _flat(ours(ag, *mine)), _flat(theirs(torch, *ref))
    assert len(outs) == len(routs), name
    loss, rloss = 0.0, 0.0
    for o, r in zip(outs, routs):
        np.testing.assert_allclose(o.data, r.detach().numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=name)
        assert o.shape == tuple(r.shape)
        if r.dtype.is_floating_point:
            w = rng.standard_normal(tuple(r.shape))
            loss = loss + (o * ag.tensor(w)).sum()
            rloss = rloss + (r * torch.tensor(w)).sum()
        else:
            assert o.dtype == np.int64 and r.dtype == torch.int64
    loss.backward()
    rloss.backward()
    for t, r in zip(mine, ref):
        want = np.zeros(r.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(t.shape) if t.grad is None else t.grad.data
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", VALUE_CASES, ids=lambda c: c[0])
def test_values_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs = case
    a = np.array([[3.0, -1.0, 3.0, 0.5], [2.0, 2.0, -4.0, 1.0]])
    got, want = ours(ag, ag.tensor(a)), theirs(torch, torch.tensor(a))
    if isinstance(want, torch.Tensor):
        np.testing.assert_array_equal(got.data, want.numpy(), err_msg=name)
        assert got.data.dtype == want.numpy().dtype
    else:
        assert got == want and type(got) is type(want)


# ---- signatures --------------------------------------------------------------------------

# Documented exceptions: no op here takes ``out=`` (results are always new tensors); topk's
# documented ``dim=None`` means the last dim, which is what ``dim=-1`` says.
NO_OUT = "out"
DOC_FIXES = {"topk": {"dim": -1}}


def _params(sig):
    return [(p.name, p.kind, p.default) for p in sig.parameters.values() if p.name != NO_OUT]


def _doc_signature(doc_line):
    """A signature from a PyTorch docstring's first line, ``name(params) -> type``."""
    m = re.match(r"\s*\w+\((.*)\)\s*$", doc_line.split(" -> ")[0])
    tree = ast.parse(f"def f({m.group(1)}): pass")
    return inspect.signature(_compile(tree))


def _compile(tree):
    ns = {"Tensor": object, "Optional": _Any(), "List": _Any(), "Tuple": _Any()}
    exec(compile(tree, "<doc>", "exec"), ns)  # noqa: S102 - a def built from a docstring
    return ns["f"]


class _Any:
    def __getitem__(self, item):
        return object


def _torch_signature(obj, name):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        sig = _doc_signature(obj.__doc__.strip().splitlines()[0])
    fixes = DOC_FIXES.get(name)
    if fixes:
        sig = sig.replace(parameters=[p.replace(default=fixes.get(p.name, p.default))
                                      for p in sig.parameters.values()])
    return sig


def _method_params(sig):
    params = _params(sig)
    return params[1:] if params and params[0][0] in ("self", "input", "tensor") else params


# Functions whose PyTorch docstring does not give the full signature (several overloads):
# the one written here is PyTorch's documented overload with ``dim``.
HAND_WRITTEN = {
    "all": "all(input, dim=None, keepdim=False)",
    "any": "any(input, dim=None, keepdim=False)",
    "masked_fill": "masked_fill(input, mask, value)",
    "index_put": "index_put(input, indices, values, accumulate=False)",
    "scatter": "scatter(input, dim, index, src, *, reduce=None)",
    "unbind": "unbind(input, dim=0)",
}

# Tensor.bmm's documented argument is ``batch2`` (torch.bmm's is ``mat2``); one function serves
# both here, with the function's name.
METHOD_ARG_NAMES = {"bmm": {"batch2": "mat2"}}

FUNCTIONS = ["mm", "bmm", "addmm", "einsum", "log10", "log2", "exp2", "split", "chunk",
             "unbind", "tril", "triu", "topk", "sort", "argsort", "cumsum", "gather", "scatter",
             "scatter_add", "index_select", "masked_fill", "index_put", "all", "any",
             "allclose", "isclose"]
METHODS = ["mm", "bmm", "addmm", "log10", "log2", "exp2", "split", "chunk", "unbind", "tril",
           "triu", "topk", "sort", "argsort", "cumsum", "gather", "scatter", "scatter_add",
           "index_select", "masked_fill", "index_put", "all", "any", "allclose", "isclose",
           "nelement", "masked_fill_", "index_put_", "scatter_", "scatter_add_"]
NN_FUNCTIONS = ["pad", "smooth_l1_loss", "huber_loss", "embedding", "one_hot"]
MODULES = ["SmoothL1Loss", "HuberLoss", "Embedding"]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    if name in HAND_WRITTEN:
        want = _doc_signature(HAND_WRITTEN[name])
    else:
        want = _torch_signature(getattr(torch, name), name)
    assert _params(inspect.signature(getattr(ag, name))) == _params(want), name


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", METHODS)
def test_method_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    ref = getattr(torch.Tensor, name)
    if name in ("all", "any"):
        want = _doc_signature(f"{name}(dim=None, keepdim=False)")
    elif name == "scatter_":
        want = _doc_signature("scatter_(dim, index, src, *, reduce=None)")
    else:
        want = _torch_signature(ref, name)
    # Tensor methods' docstrings leave out some keyword-only arguments the methods take
    # (argsort's stable, gather's sparse_grad, scatter's reduce) and list cumsum's keyword-only
    # dtype as positional: compare names and defaults in order, past those.
    want = [(n, d) for n, _, d in _method_params(want)]
    names = {n for n, _ in want}
    got = [(n, d) for n, k, d in _method_params(inspect.signature(getattr(ag.Tensor, name)))
           if k != inspect.Parameter.KEYWORD_ONLY or n in names]
    if name in METHOD_ARG_NAMES:
        want = [(METHOD_ARG_NAMES[name].get(n, n), d) for n, d in want]
    assert got == want, name


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", NN_FUNCTIONS)
def test_nn_functional_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    want = _torch_signature(getattr(torch.nn.functional, name), name)
    assert _params(inspect.signature(getattr(F, name))) == _params(want), name


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", MODULES)
def test_module_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    for attr in ("__init__", "forward"):
        want = inspect.signature(getattr(getattr(torch.nn, name), attr))
        got = inspect.signature(getattr(getattr(nn, name), attr))
        assert _params(got) == _params(want), (name, attr)


@pytest.mark.torch_parity
def test_assert_close_signature_equals_torch():
    torch_testing = pytest.importorskip("torch.testing")
    want = inspect.signature(torch_testing.assert_close)
    assert _params(inspect.signature(testing.assert_close)) == _params(want)


@pytest.mark.torch_parity
def test_assert_close_messages_equal_torch():
    torch = pytest.importorskip("torch")
    torch_testing = pytest.importorskip("torch.testing")
    pairs = [([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], np.float32), ([1, 2], [1, 3], np.int64),
             ([0.0, 1.0], [0.0, 2.0], np.float32), ([1.0, 2.0], [1.0, 2.1], np.float64)]
    for a, e, dt in pairs:
        with pytest.raises(AssertionError) as mine:
            testing.assert_close(ag.tensor(np.array(a, dt)), ag.tensor(np.array(e, dt)))
        with pytest.raises(AssertionError) as theirs:
            torch_testing.assert_close(torch.tensor(np.array(a, dt)), torch.tensor(np.array(e, dt)))
        assert str(mine.value) == str(theirs.value)
    for a, e in [(1.0, 1.5), (1, 2)]:
        with pytest.raises(AssertionError) as mine:
            testing.assert_close(a, e)
        with pytest.raises(AssertionError) as theirs:
            torch_testing.assert_close(a, e)
        assert str(mine.value) == str(theirs.value)
