"""Jacobians of complex functions are refused as in PyTorch: rows of vector-Jacobian products
are not a complex function's Jacobian (conj(2z) for z**2; only the real part of x * (1 + 2j)
for a real x), and tapegrad returned those rows as the Jacobian."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd.functional import hessian, jacobian


def _z():
    return ag.tensor(np.array([1 + 1j, 2 - 0.5j]))


def _x():
    return ag.tensor([1.0, -2.0], dtype=ag.float64)


FUNC = [
    ("jacrev_complex_input", lambda: ag.func.jacrev(lambda z: z * z)(_z()),
     "jacrev: Expected all inputs to be real"),
    ("jacfwd_complex_input", lambda: ag.func.jacfwd(lambda z: z * z)(_z()),
     "jacfwd: Expected all inputs to be real"),
    ("jacrev_complex_output", lambda: ag.func.jacrev(lambda x: x * (1 + 2j))(_x()),
     "jacrev: Expected all outputs to be real"),
    ("jacfwd_complex_output", lambda: ag.func.jacfwd(lambda x: x * (1 + 2j))(_x()),
     "jacfwd: Expected all outputs to be real"),
    ("func_hessian_complex_input", lambda: ag.func.hessian(lambda z: (z * z).abs().sum())(_z()),
     "jacfwd: Expected all inputs to be real"),
    ("jacobian_complex_output", lambda: jacobian(lambda z: z * z, _z()),
     "grad can be implicitly created only for real scalar outputs"),
    ("jacobian_real_input_complex_output", lambda: jacobian(lambda x: x * (1 + 2j), _x()),
     "grad can be implicitly created only for real scalar outputs"),
    ("hessian_complex_input", lambda: hessian(lambda z: (z * z).abs().sum(), _z()),
     "grad can be implicitly created only for real scalar outputs"),
]


@pytest.mark.parametrize("name,call,message", FUNC, ids=[f[0] for f in FUNC])
def test_jacobians_of_complex_functions_are_refused(name, call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_jacobian_of_a_real_output_of_complex_inputs_is_its_gradients():
    # as PyTorch: row k is the gradient of the real |z_k|, z_k / |z_k| (closed form)
    z = np.array([3 + 4j, -1 + 0j])
    jac = jacobian(lambda t: t.abs(), ag.tensor(z))
    np.testing.assert_allclose(jac.numpy(), np.diag(z / np.abs(z)))


def test_real_jacobians_are_unchanged():
    np.testing.assert_allclose(ag.func.jacrev(lambda x: x * x)(_x()).numpy(),
                               np.diag([2.0, -4.0]))
