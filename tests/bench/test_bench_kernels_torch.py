"""The kernels suite's PyTorch counterparts (``bench.kernels``): every kernel of the table has
one, and on the same arrays it computes what the kernel computes. (With torch installed,
``tapegrad-bench kernels`` crashed on ``elu_backward``, whose ATen signature the naming
convention got wrong, and timed nothing for ``logsigmoid_backward``, which ATen spells
``log_sigmoid_backward``.)"""

import numpy as np
import pytest

from bench import kernels as bk

pytestmark = pytest.mark.torch_parity


@pytest.mark.parametrize("name, label, params", bk.discover(), ids=lambda v: str(v))
def test_every_kernel_has_a_torch_counterpart_computing_the_same(name, label, params):
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    case = bk.Case(name, params, 1000)
    fn = case.torch_fn(torch)
    assert fn is not None, f"{name} ({label}) has no PyTorch counterpart in bench.kernels"
    theirs = np.asarray(fn())
    ours = np.asarray(case.numba(*case.args))
    assert theirs.dtype == ours.dtype and theirs.shape == ours.shape
    # (float32 roundings apart: a wrong counterpart is off by the size of the values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=f"{name} ({label})")
