"""Layer and container constructors refuse bad arguments before allocating anything, with the
layer and argument named and PyTorch's exception type where PyTorch raises one (issue 11,
item 9). Where PyTorch silently accepts a value that can only fail later (a string slope,
``p=nan``, ``GroupNorm(0, 4)``'s ZeroDivisionError), we refuse it with TypeError/ValueError."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn

# (constructor call, exception type, text the message must contain)
BAD = [
    ("nn.Linear(2.5, 3)", TypeError, "Linear: in_features must be an int, got float 2.5"),
    ("nn.Linear('2', 3)", TypeError, "in_features must be an int, got str"),
    ("nn.Linear(True, 3)", TypeError, "in_features must be an int, got bool"),
    ("nn.Linear(2, None)", TypeError, "out_features must be an int, got NoneType"),
    ("nn.Linear(-1, 3)", RuntimeError, "in_features must be non-negative, got -1"),
    ("nn.Linear(2, -3)", RuntimeError, "out_features must be non-negative, got -3"),
    ("nn.Dropout(p=1.5)", ValueError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    ("nn.Dropout(p=-0.1)", ValueError, "between 0 and 1, but got -0.1"),
    ("nn.Dropout(p=math.nan)", ValueError, "between 0 and 1, but got nan"),
    ("nn.Dropout(p='a')", TypeError, "Dropout: dropout probability has to be a real number"),
    ("nn.Dropout(p=None)", TypeError, "has to be a real number, got NoneType"),
    ("nn.BatchNorm1d(0)", ValueError, "BatchNorm1d: num_features must be positive, got 0"),
    ("nn.BatchNorm1d(-1)", RuntimeError, "num_features must be non-negative, got -1"),
    ("nn.BatchNorm1d(2.5)", TypeError, "BatchNorm1d: num_features must be an int, got float"),
    ("nn.BatchNorm1d(3, eps=-1)", ValueError, "BatchNorm1d: eps must be non-negative"),
    ("nn.BatchNorm1d(3, momentum='a')", TypeError,
     "BatchNorm1d: momentum must be a real number or None"),
    ("nn.LayerNorm(-2)", RuntimeError, "LayerNorm: normalized_shape must be non-negative"),
    ("nn.LayerNorm((2, -1))", RuntimeError, "normalized_shape[1] must be non-negative, got -1"),
    ("nn.LayerNorm(2.5)", TypeError,
     "LayerNorm: normalized_shape must be an int or a sequence of ints, got float"),
    ("nn.LayerNorm('ab')", TypeError, "normalized_shape must be an int or a sequence of ints"),
    ("nn.LayerNorm(None)", TypeError, "normalized_shape must be an int or a sequence of ints"),
    ("nn.LayerNorm([[2]])", TypeError, "normalized_shape[0] must be an int, got list"),
    ("nn.LayerNorm((2, 2.0))", TypeError, "normalized_shape[1] must be an int, got float"),
    ("nn.LayerNorm(4, eps=float('nan'))", ValueError, "LayerNorm: eps must be non-negative"),
    ("nn.LeakyReLU('a')", TypeError, "LeakyReLU: negative_slope must be a real number, got str"),
    ("nn.LeakyReLU(None)", TypeError, "negative_slope must be a real number, got NoneType"),
    ("nn.LeakyReLU(True)", TypeError, "negative_slope must be a real number, got bool"),
    ("nn.GroupNorm(0, 4)", ValueError, "GroupNorm: num_groups must be positive, got 0"),
    ("nn.GroupNorm(-2, 4)", RuntimeError, "num_groups must be non-negative, got -2"),
    ("nn.GroupNorm(3, 4)", ValueError, "num_channels (4) must be divisible by num_groups (3)"),
    ("nn.GroupNorm(2, 4.0)", TypeError, "GroupNorm: num_channels must be an int, got float"),
    ("nn.GELU('bad')", ValueError, "GELU: approximate argument must be either 'none' or 'tanh'"),
    ("nn.Softplus('a')", TypeError, "Softplus: beta must be a real number"),
    ("nn.Softplus(1, threshold=None)", TypeError, "Softplus: threshold must be a real number"),
    ("nn.Softmax(dim=1.5)", TypeError, "Softmax: dim must be an int or None, got float"),
    ("nn.LogSoftmax(dim='a')", TypeError, "LogSoftmax: dim must be an int or None, got str"),
    ("nn.Flatten(1.5)", TypeError, "Flatten: start_dim must be an int, got float"),
    ("nn.Sequential(3)", TypeError, "int is not a Module subclass"),
    ("nn.ModuleList([3])", TypeError, "int is not a Module subclass"),
    ("nn.ModuleList(3)", TypeError,
     "ModuleList.extend should be called with an iterable, but got int"),
    ("nn.ModuleDict(3)", TypeError,
     "ModuleDict.update should be called with an iterable of key/value pairs, but got int"),
    ("nn.ModuleDict([('a', nn.ReLU(), 1)])", ValueError,
     "ModuleDict update sequence element #0 has length 3; 2 is required"),
    ("nn.ModuleDict({'a': 3})", TypeError, "int is not a Module subclass"),
]


@pytest.mark.parametrize("call,exc,text", BAD, ids=[c for c, _, _ in BAD])
def test_bad_constructor_argument_is_a_clear_error(call, exc, text):
    with pytest.raises(exc) as info:
        eval(call, {"nn": nn, "math": math})
    assert text in str(info.value)


GOOD = [
    ("nn.Linear(0, 3)", lambda m: m.weight.shape == (3, 0)),
    ("nn.Linear(np.int64(2), np.int32(3))",
     lambda m: type(m.in_features) is int and m.weight.shape == (3, 2)),
    ("nn.Dropout(p=1)", lambda m: m.p == 1),
    ("nn.Dropout(p=0)", lambda m: m.p == 0),
    ("nn.LayerNorm(0)", lambda m: m.normalized_shape == (0,)),
    ("nn.LayerNorm([])", lambda m: m.normalized_shape == ()),
    ("nn.LayerNorm(np.int64(4))", lambda m: m.normalized_shape == (4,)),
    ("nn.LayerNorm([2, np.int64(3)])", lambda m: m.weight.shape == (2, 3)),
    ("nn.LeakyReLU(1)", lambda m: m.negative_slope == 1),
    ("nn.LeakyReLU(ag.tensor(0.25))", lambda m: m.negative_slope == 0.25),
    ("nn.BatchNorm1d(3, momentum=None)", lambda m: m.momentum is None),
    ("nn.GroupNorm(2, 0)", lambda m: m.num_channels == 0),
    ("nn.GELU('tanh')", lambda m: m.approximate == "tanh"),
    ("nn.Softmax(dim=np.int64(1))", lambda m: m.dim == 1),
    ("nn.ModuleDict([('a', nn.ReLU())])", lambda m: list(m.keys()) == ["a"]),
]


@pytest.mark.parametrize("call,check", GOOD, ids=[c for c, _ in GOOD])
def test_valid_edge_arguments_are_accepted(call, check):
    assert check(eval(call, {"nn": nn, "np": np, "ag": ag}))


def test_failed_extend_changes_nothing():
    seq = nn.Sequential(nn.ReLU())
    ml = nn.ModuleList([nn.ReLU()])
    md = nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        seq.extend([nn.Tanh(), 3])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        ml.extend([nn.Tanh(), 3])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        md.update({"b": nn.Tanh(), "c": 3})
    assert len(seq) == 1 and len(ml) == 1 and list(md.keys()) == ["a"]


@pytest.mark.torch_parity
def test_exception_types_match_pytorch_where_pytorch_raises():
    """Every call PyTorch 2.13 refuses, we refuse with the same exception type (GroupNorm(0, 4)
    excepted: PyTorch's ZeroDivisionError is an accident of its implementation)."""
    torch = pytest.importorskip("torch")
    checked = 0
    for call, exc, _ in BAD:
        if call.startswith("nn.GroupNorm(0"):
            continue
        try:
            eval(call, {"nn": torch.nn, "math": math})
        except Exception as texc:  # noqa: BLE001 - compared below
            assert isinstance(texc, exc), f"{call}: torch raises {type(texc).__name__}"
            checked += 1
    assert checked >= 20
