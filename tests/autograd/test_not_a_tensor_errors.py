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


#: a leak found by the namespace sweep, fixed, and PyTorch 2.13's message for it
LEAKS = [
    ("ag.exp_(2.0)", "exp_(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.relu_([1.0])", "relu_(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.addmv_(2.0, ag.ones(2), ag.ones(2))",
     "addmv_(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.detach(2.0)", "detach(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.detach_([1.0])", "detach_(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.zero_(2.0)", "zero_(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.numel([1.0])", "numel(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.get_device(2.0)", "get_device(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.is_signed(2.0)", "is_signed(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.to_dlpack(2.0)", "_to_dlpack(): argument 'data' (position 1) must be Tensor, not float"),
    ("ag.lu_unpack(2.0, ag.ones(2))",
     "lu_unpack(): argument 'LU_data' (position 1) must be Tensor, not float"),
    ("ag.spmm([1.0], ag.ones(2, 2))", "mm(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.rrelu_([1.0])", "rrelu_(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.feature_dropout(2.0, 0.5, True)",
     "feature_dropout(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.gru_cell(2.0, ag.ones(2, 2), ag.ones(2, 2), ag.ones(2, 2))",
     "gru_cell(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.linalg.vecdot(2.0, ag.ones(2))",
     "linalg_vecdot(): argument 'x' (position 1) must be Tensor, not float"),
    ("ag.linalg.vander([1.0])", "linalg_vander(): argument 'x' (position 1) must be Tensor, not list"),
    ("ag.linalg.householder_product(2.0, ag.ones(2))",
     "linalg_householder_product(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.linalg.diagonal(2.0)", "linalg_diagonal(): argument 'A' (position 1) must be Tensor, not float"),
    ("ag.linalg.tensorinv([1.0])",
     "linalg_tensorinv(): argument 'input' (position 1) must be Tensor, not list"),
    ("ag.linalg.tensorsolve(2.0, ag.ones(2))",
     "linalg_tensorsolve(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.linalg.multi_dot([ag.ones(2, 2), 2.0])",
     "expected Tensor as element 1 in argument 0, but got float"),
    ("ag.special.softmax(2.0, 0)",
     "special_softmax(): argument 'input' (position 1) must be Tensor, not float"),
    ("ag.special.log_softmax([1.0], 0)",
     "special_log_softmax(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.pixel_shuffle(2.0, 2)", "pixel_shuffle(): argument 'input' (position 1) must be Tensor, not float"),
    ("F.pixel_unshuffle([1.0], 2)",
     "pixel_unshuffle(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.channel_shuffle(2.0, 2)",
     "channel_shuffle(): argument 'input' (position 1) must be Tensor, not float"),
    ("F.bilinear(2.0, ag.ones(2), ag.ones(1, 2, 2))",
     "bilinear(): argument 'input1' (position 1) must be Tensor, not float"),
    ("F.rrelu([1.0])", "rrelu(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.elu_(2.0)", "elu_(): argument 'input' (position 1) must be Tensor, not float"),
    ("F.relu([1.0], inplace=True)", "relu_(): argument 'input' (position 1) must be Tensor, not list"),
]


@pytest.mark.parametrize("k", range(len(CASES) + len(LEAKS)))
def test_a_non_tensor_argument_is_named_with_pytorchs_typeerror(k):
    import nn.functional as F

    call, message = (CASES + LEAKS)[k]
    with pytest.raises(TypeError) as info:
        eval(call, {"ag": ag, "np": np, "F": F})
    assert str(info.value) == message


@pytest.mark.torch_parity
def test_the_messages_are_pytorchs():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    for call, message in CASES + LEAKS:
        with pytest.raises(TypeError) as info:
            eval(call.replace("ag.", "torch."), {"torch": torch, "np": np, "F": TF})
        assert str(info.value) == message, call


#: functions left out of the sweep: they set global state (a number is a valid seed or
#: precision) or read files; and those PyTorch's own Python fails inside of with an
#: AttributeError too (``torch.svd_lowrank(2.0)``: "'float' object has no attribute 'shape'")
_SWEEP_SKIPS = ("set_", "manual_seed", "seed", "use_deterministic", "load", "save", "compile",
                "svd_lowrank", "lp_pool", "local_response_norm", "max_unpool",
                "multi_head_attention_forward")


def test_no_public_function_fails_inside_on_a_number():
    """Every public function of ``autograd_core``, its ``linalg``, ``special`` and ``fft``, and
    ``nn.functional``, given a float or a list where its first argument goes (and tensors or
    small ints after it, as many as it needs), raises PyTorch's kind of error or computes,
    never an AttributeError from inside: a new function is covered without a test edit."""
    import nn.functional as F

    x = ag.ones(2, 2)
    fills = ((), (x,), (x, x), (2,), (x, x, x), (2, 2), ((2,),), (x, x, x, x))
    leaks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for prefix, module in (("ag.", ag), ("ag.linalg.", ag.linalg),
                               ("ag.special.", ag.special), ("ag.fft.", ag.fft), ("F.", F)):
            for name in (*module.__all__, *getattr(module, "_LAZY_NAMES", ())):
                fn = getattr(module, name, None)  # (None: a lazy module, viz)
                if not callable(fn) or isinstance(fn, type) or name.startswith(_SWEEP_SKIPS):
                    continue
                for first, rest in ((a, r) for a in (2.0, [1.0, 2.0]) for r in fills):
                    try:
                        fn(first, *rest)
                    except AttributeError as e:
                        leaks.append(f"{prefix}{name}({first}, *{len(rest)} more): {e}")
                    except TypeError as e:  # too few arguments: try the next filling
                        if "argument" in str(e) and "must be" not in str(e) and \
                                "expected Tensor" not in str(e):
                            continue
                    except Exception:  # noqa: S110 (RuntimeError...: the function's refusal)
                        pass
                    break
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
