"""Last-bit and edge differences from PyTorch 2.13 fixed toward it (the left29 sweep): each
test failed before its fix."""
import numpy as np
import pytest

import autograd_core as ag
import autograd_core.special as S


@pytest.mark.parametrize("x, q", [
    (ag.tensor([2.0, 3.0], dtype=ag.float16), 2.0),
    (2.0, ag.tensor([2.0, 3.0], dtype=ag.float16)),
    (ag.tensor([2.0, 3.0], dtype=ag.float16), ag.tensor([2.0, 3.0], dtype=ag.float16))])
def test_zeta_refuses_float16_as_torch(x, q):
    # ATen's zeta_cpu has no Half loop: torch.special.zeta(half, 2.0) raises this error
    with pytest.raises(NotImplementedError, match=r"^\"zeta_cpu\" not implemented for 'Half'$"):
        S.zeta(x, q)
    # a float32 tensor with a float16 one promotes to float32, which computes (as PyTorch's)
    z = S.zeta(ag.tensor([2.0], dtype=ag.float16), ag.tensor([1.0]))
    assert z.dtype == ag.float32 and abs(z.item() - np.pi ** 2 / 6) < 1e-6
