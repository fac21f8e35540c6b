"""A real gradient for a complex output, or a complex gradient for a real output, is refused
as in PyTorch: the cast dropped a cotangent's imaginary part silently (and under create_graph
a real node's rule ran on complex values)."""

import numpy as np
import pytest

import autograd_core as ag

MESSAGE = "both grad_output and output are required to have the same dtype"


def _z():
    return ag.tensor(np.array([1 + 1j, 2j]), requires_grad=True)


@pytest.mark.parametrize("create_graph", [False, True])
def test_complex_cotangent_for_a_real_output_is_refused(create_graph):
    z = _z()
    with pytest.raises(RuntimeError, match=MESSAGE):
        ag.autograd.grad(z.abs(), z, ag.tensor(np.array([1j, 1 + 0j])),
                         create_graph=create_graph)
    with pytest.raises(RuntimeError, match=MESSAGE):
        z.abs().backward(np.array([1j, 1j]))
    assert z.grad is None


def test_real_cotangent_for_a_complex_output_is_refused():
    z = _z()
    with pytest.raises(RuntimeError, match=MESSAGE):
        ag.autograd.grad(z * z, z, ag.ones(2, dtype=ag.float64))


def test_matching_kinds_of_other_precisions_are_cast():
    # as PyTorch: complex64 for complex128, float32 for float64 (closed form: 2 conj(z), z/|z|)
    z = _z()
    (g,) = ag.autograd.grad(z * z, z, ag.ones(2, dtype=ag.complex64))
    np.testing.assert_allclose(g.numpy(), 2 * np.conj([1 + 1j, 2j]))
    (g,) = ag.autograd.grad(z.abs(), z, ag.ones(2, dtype=ag.float32))
    np.testing.assert_allclose(g.numpy(), np.array([1 + 1j, 2j]) / np.abs([1 + 1j, 2j]))
