"""Activations on integer and bool tensors as PyTorch's (review10 noticed hardtanh/relu6 of an
int64 tensor gave float32; hardshrink/softshrink/hardsigmoid/hardswish computed where
PyTorch has no integer loop). Worked by hand; the torch test holds the whole table."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def test_hardtanh_and_relu6_keep_integers():
    x = ag.tensor([-3, 0, 1, 7])
    assert F.hardtanh(x).dtype == ag.int64 and F.hardtanh(x).tolist() == [-1, 0, 1, 1]
    assert F.hardtanh(x, -2.7, 2.7).tolist() == [-2, 0, 1, 2]  # bounds cut toward zero
    assert F.relu6(x).tolist() == [0, 0, 1, 6]
    assert F.relu6(ag.tensor([1, 9], dtype=ag.uint8)).dtype == ag.uint8
    with pytest.raises(RuntimeError, match="Bool inputs not supported for hardtanh"):
        F.hardtanh(ag.tensor([True, False]))


@pytest.mark.parametrize("name,kernel", [("hardshrink", "hardshrink_cpu"),
                                         ("softshrink", "softshrink_check"),
                                         ("hardsigmoid", "hardsigmoid_cpu"),
                                         ("hardswish", "hardswish_cpu")])
def test_float_only_activations_refuse_integers(name, kernel):
    with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for \'Long\''):
        getattr(F, name)(ag.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match="'Bool'"):
        getattr(F, name)(ag.tensor([True]))


@pytest.mark.torch_parity
def test_integer_activations_match_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    for dt in ("int64", "int32", "uint8", "bool"):
        a = np.array([0, 1, 3, 7, 9]).astype(dt)
        for name in ("relu", "relu6", "hardtanh", "hardshrink", "softshrink", "hardsigmoid",
                     "hardswish", "threshold"):
            if (dt, name) == ("bool", "relu"):
                continue  # a listed difference (test_edge_inputs_vs_torch's _BOOL): computes
            args = (0.5, 0.0) if name == "threshold" else ()
            outcome = []
            for lib, fn in ((torch, getattr(TF, name)), (ag, getattr(F, name))):
                try:
                    r = fn(lib.tensor(a), *args)
                    outcome.append((str(r.dtype).split(".")[-1], r.tolist()))
                except (RuntimeError, NotImplementedError) as e:
                    outcome.append((type(e).__name__, str(e)))
            assert outcome[0] == outcome[1], (dt, name, outcome)
