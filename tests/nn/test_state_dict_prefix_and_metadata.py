"""``state_dict``'s keys and ``_metadata`` as PyTorch's: the prefix is used as given (PyTorch
adds no dot: ``prefix="m"`` gives ``"m0.weight"``; the dot was forced, so keys differed) and
the norm layers' metadata version is PyTorch's 2 (it was 1), read by loading code."""

import pytest

import nn


@pytest.mark.torch_parity
@pytest.mark.parametrize("prefix", ["", "m", "m.", "m.."])
def test_state_dict_keys_and_metadata_as_torchs(prefix):
    torch = pytest.importorskip("torch")
    out = []
    for N in (nn, torch.nn):
        m = N.Sequential(N.Linear(2, 2), N.BatchNorm1d(2), N.Sequential(N.InstanceNorm1d(2),
                                                                        N.LayerNorm(2)))
        sd = m.state_dict(prefix=prefix)
        out.append((list(sd), dict(sd._metadata)))
    assert out[0] == out[1]
