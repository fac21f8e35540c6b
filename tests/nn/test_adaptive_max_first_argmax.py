"""adaptive max pooling's window argmax: the first maximum (ties, signed zeros, -inf), the
last NaN, as PyTorch's, through the short-window scan."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.ops.conv import _first_argmax


@pytest.mark.parametrize("length", [1, 2, 25, 64, 65])
def test_first_argmax_equals_numpy(length):
    rng = np.random.default_rng(length)
    v = rng.choice(np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf], np.float32),
                   (12, length, 50))
    assert np.array_equal(_first_argmax(v), np.argmax(v, axis=1))
    w = rng.standard_normal((7, length, 3))
    assert np.array_equal(_first_argmax(w), np.argmax(w, axis=1))


@pytest.mark.torch_parity
@pytest.mark.parametrize("values", ["normal", "ties", "nan"])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_adaptive_max_pool_matches_torch(values, dims):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 11, 13, 6)[:2 + dims]).astype(np.float32)
    if values == "ties":
        x = np.round(x)
    elif values == "nan":
        x[rng.random(x.shape) < 0.05] = np.nan
    name, size = f"adaptive_max_pool{dims}d", (4, 5, 4)[:dims]
    ours = getattr(F, name)(ag.tensor(x), size, return_indices=True)
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
