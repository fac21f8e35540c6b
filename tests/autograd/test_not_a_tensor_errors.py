"""A number, a list or a numpy scalar where an op takes a Tensor gets PyTorch's TypeError naming
the op and the argument. Before, the op failed inside: ``ag.exp(2.0)`` raised
"AttributeError: 'float' object has no attribute 'dtype'", ``ag.sum([1, 2])`` "'list' object
has no attribute 'shape'", and ``ag.zeros_like(2.0)``, ``ag.max(array)``,
``ag.hstack([1.0])``, ``ag.fft.fft([1.0])`` likewise (a sweep of every public op given a float
found 130 such errors). What runs is unchanged: the type is asked only after the op failed
with an AttributeError (a numpy array, which many ops take, still works)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops import registry

CASES = [  # (the call, written for ag and run for torch too; PyTorch 2.13's message)
    ("ag.exp(2.0)", "exp(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.log(3)", "log(): argument 'input' (position 1) must be Tensor, not int"),
    ("ag.sqrt(4)", "sqrt(): argument 'input' (position 1) must be Tensor, not int"),
    ("ag.abs(-2)", "abs(): argument 'input' (position 1) must be Tensor, not int"),
    ("ag.sigmoid(2.0)", "sigmoid(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.exp([1.0, 2.0])", "exp(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.sum([1, 2])", "sum(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.mean([1.0, 2.0])", "mean(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.max(np.ones(3))", "max(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.argmax(np.ones(3))", "argmax(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.flatten(np.ones((2, 2)))", "flatten(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.reshape(np.ones(4), (2, 2))", "reshape(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.transpose(np.ones((2, 2)), 0, 1)", "transpose(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.unsqueeze(np.ones(3), 0)", "unsqueeze(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("ag.vdot(2, ag.ones(2))", "vdot(): argument 'input' (position 1) must be Tensor, not int"),
    ("ag.hypot(2, ag.ones(2))", "hypot(): argument 'input' (position 1) must be Tensor, not int"),
    ("ag.zeros_like(2.0)", "zeros_like(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.ones_like([1.0])", "ones_like(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.rand_like(2.0)", "rand_like(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.randn_like(2.0)", "randn_like(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.full_like(2.0, 1)", "full_like(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.empty_like(2.0)", "empty_like(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.fft.fft([1.0])", "fft_fft(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.fft.rfft2(2.0)", "fft_rfft2(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.fft.fftshift(2.0)",
     "fft_fftshift(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.hstack([1.0, 2.0])", "expected Tensor as element 0 in argument 0, but got float"),
    ("ag.vstack([ag.ones(2), 2.0])", "expected Tensor as element 1 in argument 0, but got float"),
    ("ag.cat([ag.ones(2), [1.0]])", "expected Tensor as element 1 in argument 0, but got list"),
    ("ag.meshgrid(1.0)", "expected Tensor as element 0 in argument 0, but got float"),
    ("ag.broadcast_tensors(ag.ones(2), [1.0])", "expected Tensor as element 1 in argument 0, but got list"),
]


@pytest.mark.parametrize("k", range(len(CASES)))
def test_a_non_tensor_argument_is_named_with_pytorchs_typeerror(k):
    call, message = CASES[k]
    with pytest.raises(TypeError) as info:
        eval(call, {"ag": ag, "np": np})
    assert str(info.value) == message


@pytest.mark.torch_parity
def test_the_messages_are_pytorchs():
    torch = pytest.importorskip("torch")
    for call, message in CASES:
        with pytest.raises(TypeError) as info:
            eval(call.replace("ag.", "torch."), {"torch": torch, "np": np})
        assert str(info.value) == message, call


def test_no_public_op_fails_inside_on_a_number():
    """Every functional form of the op table given a float or a list where it wants a Tensor
    raises a TypeError of PyTorch's kind (or computes, where it takes numbers), never an
    AttributeError from inside: a new op is covered without a test edit."""
    leaks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn in sorted(registry.functions().items()):
            for args in ((2.0,), ([1.0, 2.0],)):
                try:
                    fn(*args)
                except AttributeError as e:
                    leaks.append(f"{name}{args}: {e}")
                except Exception:  # noqa: S110 (TypeError, RuntimeError...: the op's refusal)
                    pass
    assert not leaks, leaks


def test_a_list_given_to_a_linear_layer_is_named_as_pytorch_names_it():
    import nn

    layer = nn.Linear(3, 2)
    for call in (lambda: layer([[1.0, 2.0, 3.0]]), lambda: nn.functional.linear(
            [[1.0, 2.0, 3.0]], layer.weight)):
        with pytest.raises(TypeError, match=r"^linear\(\): argument 'input' \(position 1\) must "
                                            r"be Tensor, not list$"):
            call()
    with pytest.raises(TypeError, match="argument 'weight' .position 2. must be Tensor, not list"):
        nn.functional.linear(ag.ones(1, 3), [[1.0, 2.0, 3.0]])
