"""Issue 12's signature test, as a sweep: every public callable of tapegrad's modules that has a
namesake in the matching PyTorch module takes PyTorch's parameters, in PyTorch's order, with
PyTorch's kinds and defaults. Ours may add parameters after PyTorch's, each with a default (the
documented options, e.g. the lectures' optimizer forms); anything else is listed in DIFFERS with
the reason. PyTorch callables whose signature Python cannot see (C functions taking
``*args, **kwargs``) are left to the per-name tests."""

import importlib
import inspect

import pytest

PAIRS = [("autograd_core", "torch"), ("autograd_core.linalg", "torch.linalg"),
         ("autograd_core.autograd", "torch.autograd"),
         ("autograd_core.autograd.functional", "torch.autograd.functional"),
         ("nn", "torch.nn"), ("nn.functional", "torch.nn.functional"), ("nn.init", "torch.nn.init"),
         ("optimizers", "torch.optim"), ("optimizers.lr_scheduler", "torch.optim.lr_scheduler"),
         ("optimizers.swa_utils", "torch.optim.swa_utils"),
         ("autograd_core.special", "torch.special"), ("autograd_core.sparse", "torch.sparse"),
         ("autograd_core.fft", "torch.fft"),
         ("nn.data", "torch.utils.data"), ("autograd_core.func", "torch.func"),
         ("nn.utils.stateless", "torch.nn.utils.stateless"), ("nn.utils", "torch.nn.utils"),
         ("nn.utils.rnn", "torch.nn.utils.rnn"), ("nn.utils.prune", "torch.nn.utils.prune"),
         ("nn.utils.parametrizations", "torch.nn.utils.parametrizations"),
         ("autograd_core.utils.checkpoint", "torch.utils.checkpoint"),
         ("autograd_core.multiprocessing", "torch.multiprocessing"),
         ("autograd_core.random", "torch.random"), ("nn.utils.init", "torch.nn.utils.init")]

# name -> why its parameters differ from PyTorch's (also in autograd_core/DIFFERENCES.md)
DIFFERS = {
    "autograd_core.save": "data-only files: no pickle_module / pickle_protocol",
    "autograd_core.load": "data-only files: no pickle_module / mmap; weights_only=True is the "
                          "only behaviour",
    "nn.data.random_split": "generator=None means the default generator (PyTorch writes the "
                            "default generator object itself as the default)",
}


def _params(sig):
    return [p for p in sig.parameters.values() if p.name != "self"]


def _opaque(sig):
    return all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in _params(sig))


def _signature(obj):
    try:
        return inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return None


def _same_param(a, b):
    """``a`` (ours) accepts what ``b`` (PyTorch's) accepts: same name, kind (or ours also by
    keyword where PyTorch's is positional-only) and default."""
    kind_ok = a.kind == b.kind or (b.kind == b.POSITIONAL_ONLY and a.kind == a.POSITIONAL_OR_KEYWORD)
    if a.name != b.name or not kind_ok:
        return False
    if (a.default is a.empty) != (b.default is b.empty):
        return False
    if a.default is a.empty:
        return True
    if callable(a.default) and callable(b.default):  # F.relu against torch's F.relu
        return getattr(a.default, "__name__", None) == getattr(b.default, "__name__", "")
    try:
        return a.default is b.default or bool(a.default == b.default) and \
            type(a.default) in (type(b.default), int, float)
    except Exception:
        return False


def mismatch(ours, theirs):
    """Why ``ours`` does not take ``theirs``'s parameters (None when it does)."""
    a, b = _params(ours), _params(theirs)
    for i, q in enumerate(b):
        if i >= len(a):
            return f"missing {q}"
        if not _same_param(a[i], q):
            return f"parameter {i}: ours {a[i]}, PyTorch's {q}"
    for p in a[len(b):]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            return f"an extra parameter without a default: {p}"
    return None


def _pairs():
    torch = pytest.importorskip("torch")
    assert torch
    for ours_name, theirs_name in PAIRS:
        ours, theirs = importlib.import_module(ours_name), importlib.import_module(theirs_name)
        names = getattr(ours, "__all__", None) or [n for n in vars(ours) if not n.startswith("_")]
        for n in names:
            o, t = getattr(ours, n, None), getattr(theirs, n, None)
            if not (callable(o) and callable(t)):
                continue
            so, st = _signature(o), _signature(t)
            if so is None or st is None or _opaque(st):
                continue
            yield f"{ours_name}.{n}", so, st


@pytest.mark.torch_parity
def test_every_namesake_takes_pytorchs_parameters():
    checked, wrong = 0, []
    for name, so, st in _pairs():
        checked += 1
        why = mismatch(so, st)
        if why and name not in DIFFERS:
            wrong.append(f"{name}: {why}\n    ours:    {so}\n    PyTorch: {st}")
    assert checked > 150  # the sweep found the modules' names
    assert not wrong, "\n".join(wrong)


@pytest.mark.torch_parity
def test_the_listed_differences_still_differ():
    """An entry of DIFFERS that has become equal must leave the list."""
    listed = {name: mismatch(so, st) for name, so, st in _pairs() if name in DIFFERS}
    assert set(listed) == set(DIFFERS)
    assert all(listed.values()), [n for n, why in listed.items() if not why]


def test_the_comparison_can_fail():
    def torch_like(input, weight=None, *, reduction="mean"):
        pass

    def renamed(x, weight=None, *, reduction="mean"):
        pass

    def other_default(input, weight=None, *, reduction="sum"):
        pass

    def positional(input, weight=None, reduction="mean"):
        pass

    def extra_required(input, weight=None, *, reduction="mean", scale):
        pass

    def extra_option(input, weight=None, *, reduction="mean", lecture=False):
        pass

    ref = inspect.signature(torch_like)
    assert mismatch(inspect.signature(torch_like), ref) is None
    assert mismatch(inspect.signature(extra_option), ref) is None
    for bad in (renamed, other_default, positional, extra_required):
        assert mismatch(inspect.signature(bad), ref), bad.__name__
