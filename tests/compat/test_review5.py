"""Regressions found by review5 (silent wrong values in the last session's additions: forward-mode
AD, complex gradients and optimizers, sparse embedding gradients, optimizer hooks, the
operators' one-frame path), each reduced to the inputs that showed it, against a hand-worked
value and (torch_parity) against torch."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import forward_ad as fwAD


# ---- forward AD: tangents are computed lazily, at unpack_dual --------------------------------
def test_forward_ad_tangent_modified_in_place_after_use_is_refused():
    # PyTorch's tangent of d * 3 is 3 * v as v was when d * 3 ran; tapegrad computes it at
    # unpack_dual, from v's values then: 30 * v_old here, silently. Now it refuses.
    v = ag.tensor([1.0, 1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(ag.tensor([1.0, 2.0]), v)
        y = d * 3
        v.mul_(10)
        assert fwAD.unpack_dual(d).tangent is v  # the dual's own tangent: as given, as PyTorch
        with pytest.raises(RuntimeError, match="tangent given to make_dual was modified by an "
                                               "inplace operation"):
            fwAD.unpack_dual(y)


def test_forward_ad_tangent_ignores_gradient_hooks():
    # forward-mode tangents do not go through backward hooks (PyTorch never calls them); the
    # tangents here are computed by reverse passes, which ran a hook registered on an
    # intermediate tensor (a gradient-reversal hook negated the tangent) and wrote .grad of
    # a tensor that retains its gradient
    x, v = ag.tensor([0.5, 2.0]), ag.tensor([1.0, -1.0])
    calls = []
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        h = d * 2
        h.register_hook(lambda g: (calls.append(1), -g)[1])
        k = d.exp()
        k.retain_grad()
        d.register_hook(lambda g: g * 0)
        y = h.sin() + k
        tangent = fwAD.unpack_dual(y).tangent
    expected = np.cos(2 * x.numpy()) * 2 * v.numpy() + np.exp(x.numpy()) * v.numpy()
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-6)
    assert calls == [] and k.grad is None


# ---- clip_grad_value_ of a complex gradient -----------------------------------------------------
def test_clip_grad_value_refuses_complex_gradients_before_clipping():
    # np.clip on complex numbers kept [0.5+0j, 0.5+0j] of the gradient [2+2j, 4-2j]: the
    # imaginary parts dropped silently. PyTorch refuses (clamp has no complex form).
    import nn

    w = ag.tensor([1 + 1j, 2 - 1j], dtype=ag.complex128, requires_grad=True)
    r = ag.tensor([3.0], requires_grad=True)
    ((w.abs() ** 2).sum() + (r * 4).sum()).backward()
    with pytest.raises(NotImplementedError, match="^clamp is not supported for complex types$"):
        nn.utils.clip_grad_value_([r, w], 0.5)
    assert w.grad.tolist() == [2 + 2j, 4 - 2j] and r.grad.tolist() == [4.0]  # nothing clipped


@pytest.mark.torch_parity
def test_clip_grad_value_complex_error_matches_torch():
    torch = pytest.importorskip("torch")
    w = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    (w.abs() ** 2).sum().backward()
    for foreach in (None, False):
        with pytest.raises(NotImplementedError, match="^clamp is not supported for complex types$"):
            torch.nn.utils.clip_grad_value_([w], 0.5, foreach=foreach)
