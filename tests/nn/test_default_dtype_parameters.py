"""Modules make their parameters and buffers in the default dtype (``ag.set_default_dtype``),
as PyTorch's do: nn.PReLU made float32 slopes under a float64 default, so a float64 model got a
float32 parameter."""

import numpy as np
import pytest

import autograd_core as ag
import nn

MODULES = ["Linear(3, 4)", "Conv2d(1, 2, 3)", "Conv1d(1, 2, 3)", "ConvTranspose2d(1, 2, 3)",
           "BatchNorm1d(3)", "BatchNorm2d(3)", "LayerNorm(3)", "GroupNorm(1, 3)",
           "InstanceNorm1d(3, affine=True)", "Embedding(5, 3)", "Bilinear(2, 3, 4)", "PReLU()",
           "RNN(3, 4)", "GRU(3, 4)", "LSTM(3, 4)", "MultiheadAttention(4, 2)"]


@pytest.fixture
def default_float64():
    ag.set_default_dtype(ag.float64)
    yield
    ag.set_default_dtype(ag.float32)


def test_prelu_follows_the_default_dtype(default_float64):
    assert nn.PReLU().weight.dtype == np.float64
    assert nn.PReLU(dtype=ag.float32).weight.dtype == np.float32
    ag.set_default_dtype(ag.float32)
    assert nn.PReLU(3).weight.dtype == np.float32


@pytest.mark.parametrize("spec", MODULES)
def test_floating_state_is_in_the_default_dtype(spec, default_float64):
    state = eval("nn." + spec).state_dict()  # noqa: S307 - the module list above
    floating = {str(v.dtype) for v in state.values() if v.dtype.kind == "f"}
    assert floating == {str(ag.float64)}, spec


@pytest.mark.torch_parity
@pytest.mark.parametrize("spec", MODULES)
def test_state_dtypes_equal_torch_under_a_float64_default(spec, default_float64):
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        theirs = eval("torch.nn." + spec).state_dict()  # noqa: S307 - the module list above
    finally:
        torch.set_default_dtype(previous)
    ours = eval("nn." + spec).state_dict()  # noqa: S307
    assert sorted(ours) == sorted(theirs)
    for k in ours:
        assert str(ours[k].dtype).split(".")[-1] == str(theirs[k].dtype).split(".")[-1], k
