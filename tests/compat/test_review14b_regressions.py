"""Regressions found reviewing round 14's additions (ScalarPow, special out=, ...)."""

import cmath
import math

import numpy as np
import pytest

import autograd_core as ag


def test_negative_real_base_to_complex_exponent_gradient_is_log_of_the_complex_base():
    # d/dz (-2) ** z = (-2) ** z * log(-2), log(-2) = log 2 + i pi (was NaN: a real log)
    z = ag.tensor([1.0, 0.5 + 0.25j], dtype=ag.complex128, requires_grad=True)
    y = (-2.0) ** z
    g = ag.tensor([1.0 + 0.5j, -0.75 + 2.0j], dtype=ag.complex128)
    (grad,) = ag.autograd.grad(y, z, g)
    log_base = math.log(2.0) + 1j * math.pi
    for k, zk in enumerate((1.0, 0.5 + 0.25j)):
        want = g.numpy()[k] * cmath.exp(zk * log_base).conjugate() * log_base.conjugate()
        assert grad.numpy()[k] == pytest.approx(want, rel=1e-12)
    # the tensor-base form too: a float64 base tensor of -2
    b = ag.tensor([-2.0, -2.0], dtype=ag.float64)
    (grad2,) = ag.autograd.grad(b ** z, z, g)
    np.testing.assert_allclose(grad2.numpy(), grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["int8", "int64"])
def test_bool_base_to_negative_integer_powers(dtype):
    # True ** -1 = 1, False ** -1 = 0 (integer power rules); numpy refused (ValueError,
    # reported as a broadcast error)
    x = ag.tensor([0, 1, 2, -1, -2], dtype=getattr(ag, dtype))
    assert (True ** x).tolist() == [1, 1, 1, 1, 1]
    assert (False ** x).tolist() == [1, 0, 0, 0, 0]
    assert ag.pow(False, x).dtype == getattr(ag, dtype)


def test_special_functions_take_out():
    # torch.special's functions take out= (all but softmax/log_softmax); ours refused it
    x = ag.tensor([0.25, 1.5], dtype=ag.float64)
    out = ag.empty(2, dtype=ag.float64)
    assert ag.special.erfcx(x, out=out) is out
    want = [math.exp(v * v) * math.erfc(v) for v in (0.25, 1.5)]
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-13)
    out32 = ag.empty(2)  # cast to out's dtype
    ag.special.gammaln(x, out=out32)
    np.testing.assert_allclose(out32.numpy(), [math.lgamma(0.25), math.lgamma(1.5)], rtol=1e-6)
    assert out32.dtype == ag.float32
    ag.special.expit(x, out=out)
    np.testing.assert_allclose(out.numpy(), [1 / (1 + math.exp(-v)) for v in (0.25, 1.5)])
    ag.special.ndtr(x, out=out)
    np.testing.assert_allclose(out.numpy(), [0.5 * math.erfc(-v / math.sqrt(2)) for v in (0.25, 1.5)])
    with pytest.raises(TypeError, match="unexpected keyword argument 'out'"):
        ag.special.softmax(x, 0, out=out)


def test_special_out_refused_with_grad_only_where_differentiable():
    x = ag.tensor([0.25, 1.5], dtype=ag.float64, requires_grad=True)
    out = ag.empty(2, dtype=ag.float64)
    with pytest.raises(RuntimeError, match=r"special_erfcx\(\): functions with out=\.\.\. "
                                           "arguments don't support automatic differentiation"):
        ag.special.erfcx(x, out=out)
    # not differentiable (as PyTorch's): written, out not requiring grad
    ag.special.bessel_j0(x, out=out)
    np.testing.assert_allclose(out.numpy(), ag.special.bessel_j0(x.detach()).numpy())
    assert not out.requires_grad
    ag.special.chebyshev_polynomial_t(x, 3, out=out)  # T3 = 4x^3 - 3x
    np.testing.assert_allclose(out.numpy(), [4 * v ** 3 - 3 * v for v in (0.25, 1.5)])


@pytest.mark.torch_parity
def test_special_out_vs_torch():
    torch = pytest.importorskip("torch")
    v = np.array([[0.3, -1.2, 2.5], [4.0, 0.7, -0.1]], dtype=np.float32)
    for name in ("erf", "i1e", "log_ndtr", "entr", "airy_ai", "psi", "multigammaln"):
        args = (v + 3, 2) if name == "multigammaln" else (v,)
        t_out = torch.empty(2, 3, dtype=torch.float64)
        getattr(torch.special, name)(torch.tensor(args[0]), *args[1:], out=t_out)
        o_out = ag.empty(2, 3, dtype=ag.float64)
        assert getattr(ag.special, name)(ag.tensor(args[0]), *args[1:], out=o_out) is o_out
        np.testing.assert_allclose(o_out.numpy(), t_out.numpy(), rtol=2e-6, atol=1e-7,
                                   err_msg=name)


def _add_one(t):
    with ag.no_grad():
        t.add_(1.0)


def test_share_memory_of_a_view_moves_the_memory_its_base_reads():
    # PyTorch moves the whole storage: the base is shared too and the view's writes reach it
    # (the view was rebound alone: base.add_ and view.add_ then missed each other)
    base = ag.zeros(2, 3)
    row = base[1]
    assert row.share_memory_() is row
    assert base.is_shared() and row.is_shared()
    row.add_(1.0)
    base[1, 2] = 5.0
    assert base.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 5.0]]
    assert row.tolist() == [1.0, 1.0, 5.0]
    # a child process given the base writes where the parent's view reads
    import autograd_core.multiprocessing as mp

    p = mp.get_context("fork").Process(target=_add_one, args=(base,))
    p.start()
    p.join()
    assert p.exitcode == 0
    assert row.tolist() == [2.0, 2.0, 6.0]


def test_share_memory_keeps_the_layout():
    # a transposed tensor keeps its strides (it was made contiguous), as PyTorch's
    x = ag.arange(6.0).reshape(2, 3).t()
    x.share_memory_()
    assert x.stride() == (1, 3) and not x.is_contiguous()
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


@pytest.mark.parametrize("mode, shape, pad, message", [
    ("reflect", (1, 3), (-3, 0), "input (W: 3) is too small. Calculated output W: 0"),
    ("replicate", (1, 3), (-1, -3), "input (W: 3) is too small. Calculated output W: -1"),
    ("reflect", (1, 3, 3), (0, -3, 0, -3),
     "input (H: 3, W: 3) is too small. Calculated output H: 0 W: 0"),
    ("replicate", (1, 3, 3), (0, -3, 0, -3),
     "input (H: 3, W: 3 ) is too small. Calculated output H: 0 W: 0"),
    ("reflect", (1, 2, 3, 3), (0, -3, 0, -3, -2, 0),
     "input (D: 2 H: 3, W: 3) is too small. Calculated output D: 0 H: 0 W: 0"),
    ("replicate", (1, 3, 3), (-4, 0, 0, 0),
     "Trying to create tensor with negative dimension -1: [1, 3, -1]"),
    ("circular", (4, 3), (-3, -1), "Negative padding value is resulting in an empty dimension"),
])
def test_pad_refuses_negative_pads_that_leave_nothing(mode, shape, pad, message):
    # PyTorch's errors (hand-copied from torch 2.13); an empty tensor came back instead
    import nn.functional as F

    with pytest.raises(RuntimeError) as info:
        F.pad(ag.ones(*shape), pad, mode=mode)
    assert str(info.value) == message


def test_pad_keeps_empty_results_pytorch_gives():
    import nn.functional as F

    # one padded size 0 but not all: PyTorch returns the empty tensor
    assert tuple(F.pad(ag.ones(1, 3, 3), (0, -3, 0, 0), mode="reflect").shape) == (1, 3, 0)
    assert tuple(F.pad(ag.ones(1, 3), (-3, 0), mode="circular").shape) == (1, 0)


@pytest.mark.parametrize("args, dtype, want", [
    # PyTorch's integer kernel truncates start, end and step first (hand-worked)
    ((0, 5, 1.5), "int64", [0, 1, 2, 3, 4, 5]),  # step 1 (was 0, 1, 3, 4: 1.5 steps rounded)
    ((0.5, 3), "int32", [0, 1, 2, 3]),  # start 0, 4 values (was 3)
    ((-0.5, 2.7), "int64", [0, 1, 2]),  # start 0, end 2 (was 0, 0, 1, 2)
    ((2 ** 60, 2 ** 60 + 2), "int64", [2 ** 60, 2 ** 60 + 1, 2 ** 60 + 2]),  # no float rounding
])
def test_range_with_an_integer_dtype_truncates_its_numbers(args, dtype, want):
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        r = ag.range(*args, dtype=getattr(ag, dtype))
    assert r.tolist() == want and r.dtype == getattr(ag, dtype)


@pytest.mark.parametrize("args, kw, error, message", [
    ((0, float("inf")), {}, RuntimeError, "unsupported range: 0 -> inf"),
    ((0, 1, float("nan")), {}, RuntimeError, "step must be nonzero"),
    ((0, 1, 0.5), {"dtype": "int64"}, RuntimeError, "step must be nonzero"),  # step truncated to 0
    ((0, 1), {"dtype": "bool"}, NotImplementedError, "\"range_cpu\" not implemented for 'Bool'"),
])
def test_range_refusals(args, kw, error, message):
    kw = {k: getattr(ag, v) for k, v in kw.items()}
    with pytest.warns(UserWarning), pytest.raises(error) as info:
        ag.range(*args, **kw)
    assert str(info.value) == message


def test_load_state_dict_error_lists_missing_keys_first():
    # PyTorch's message: missing keys, unexpected keys, then size mismatches (the unexpected
    # keys came first); a program comparing the text (or a reader) sees PyTorch's
    import nn

    m = nn.Linear(2, 1)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict({"weight": ag.ones(1, 2), "x": ag.ones(1)})
    assert str(info.value) == ('Error(s) in loading state_dict for Linear:\n\tMissing key(s) in '
                               'state_dict: "bias". \n\tUnexpected key(s) in state_dict: "x". ')


def test_causal_bias_with_is_causal_is_pytorch_s_value_error():
    import nn.functional as F
    from nn.attention.bias import causal_lower_right

    q, k = ag.ones(1, 2, 4), ag.ones(1, 3, 4)
    with pytest.raises(ValueError, match="^CausalBias should not be used with causal=True$"):
        F.scaled_dot_product_attention(q, k, k, attn_mask=causal_lower_right(2, 3),
                                       is_causal=True)


def test_grad_and_backward_refuse_empty_inputs():
    # PyTorch raises; grad returned () and backward accumulated nothing, silently
    x = ag.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"^`inputs` argument to `grad\(\)` cannot be empty\.$"):
        ag.autograd.grad(y, [])
    with pytest.raises(RuntimeError, match=r"^`inputs` argument to `backward\(\)` cannot be "):
        y.backward(inputs=[])
    with pytest.raises(RuntimeError, match=r"^`inputs` argument to `backward\(\)` cannot be "):
        ag.autograd.backward(y, inputs=())
    y.backward()  # the graph is intact
    assert x.grad.tolist() == [2.0, 2.0]


def test_compiled_module_attributes_are_the_original_s():
    # PyTorch's OptimizedModule sets (and deletes) attributes on the original, whose forward
    # reads them, and its training flag is the original's; ours kept both on the wrapper
    import nn

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = 1.0

        def forward(self, x):
            return x * self.scale

    m = Scaled()
    c = ag.compile(m)
    c.scale = 3.0
    assert m.scale == 3.0 and c(ag.ones(2)).tolist() == [3.0, 3.0]
    c.extra = 1
    assert m.extra == 1
    del c.extra
    assert not hasattr(m, "extra")
    m.eval()
    assert c.training is False
    c.train()
    assert m.training is True and c.training is True
    m2 = nn.Linear(2, 1).eval()
    assert ag.compile(m2).training is False


def test_integer_tensor_with_an_out_of_range_python_int_wraps():
    # PyTorch casts the number to the tensor's dtype as C does (two's complement): uint8 [1, 2]
    # + -2 is [255, 0]; numpy 2 raised OverflowError
    x = ag.tensor([1, 2], dtype=ag.uint8)
    assert (x + -2).tolist() == [255, 0]
    assert (-2 - x).tolist() == [253, 252]  # 254 - x
    assert (x * -2).tolist() == [254, 252]
    assert ((-2) ** x).tolist() == [254, 4]  # 254, 254 ** 2 = 64516 = 4 (mod 256)
    y = ag.tensor([1, 2], dtype=ag.int8)
    assert (y + 300).tolist() == [45, 46]  # 300 = 44 (mod 256)
    with pytest.raises(OverflowError, match="int too big to convert"):
        ag.tensor([1], dtype=ag.int64) + 2 ** 64


def test_profiler_activities_as_pytorch_without_an_accelerator():
    from autograd_core.profiler import ProfilerActivity, profile

    # PyTorch's enum numbers (CUDA was 3, MTIA 2, HPU 4)
    assert [(a.name, a.value) for a in ProfilerActivity] == [
        ("CPU", 0), ("XPU", 1), ("MTIA", 4), ("CUDA", 2), ("HPU", 3), ("PrivateUse1", 5)]
    with pytest.raises(AssertionError, match="^No valid profiler activities found$"):
        profile(activities=[])
    p = profile(activities=[ProfilerActivity.CUDA])  # accepted, then nothing to profile
    with pytest.warns(UserWarning, match="CUDA is not available, disabling CUDA profiling"):
        with pytest.raises(AssertionError, match="^No activities specified for the profiler$"):
            p.__enter__()
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]):
            pass


def test_bool_to_a_bool_tensor_power_is_refused():
    # PyTorch has no bool pow kernel: True ** b and b ** b raise (ours gave int8 via numpy);
    # b ** True (a bool tensor to a Python bool) stays bool, as PyTorch's
    b = ag.tensor([True, False, True])
    for f in (lambda: True ** b, lambda: b ** b, lambda: ag.pow(False, b)):
        with pytest.raises(NotImplementedError, match="^\"pow\" not implemented for 'Bool'$"):
            f()
    assert (b ** True).tolist() == [True, False, True] and (b ** True).dtype == ag.bool


def test_module_compile_checks_torch_compile_s_arguments():
    # PyTorch's Module.compile passes its arguments to torch.compile, which refuses these;
    # ours accepted anything (a typo'd keyword went unnoticed)
    import nn

    m = nn.Linear(2, 1)
    assert m.compile(mode="max-autotune", fullgraph=True, backend="inductor") is None
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'fulgraph'"):
        m.compile(fulgraph=True)
    with pytest.raises(RuntimeError, match="^Unrecognized mode=fast, should be one of: "):
        m.compile(mode="fast")
    with pytest.raises(RuntimeError, match="^Either mode or options can be specified"):
        m.compile(mode="default", options={})


@pytest.mark.torch_parity
def test_view_write_and_scatter_node_names_vs_torch():
    # an in-place change of a view recorded _PutAtBackward0, and so did select/slice/
    # diagonal_scatter; PyTorch's names are CopySlices and <Op>ScatterBackward0
    torch = pytest.importorskip("torch")

    def names(lib):
        x = lib.ones(3, 3, requires_grad=True) * 1
        out = [lib.diagonal_scatter(x, lib.zeros(3)).grad_fn.name(),
               lib.select_scatter(x, lib.zeros(3), 0, 0).grad_fn.name(),
               lib.slice_scatter(x, lib.zeros(1, 3), 0, 0, 1).grad_fn.name()]
        x[0].mul_(2)
        out.append(x.grad_fn.name())
        y = lib.ones(3, 3, requires_grad=True) * 1
        y.t().add_(1)
        out.append(y.grad_fn.name())
        return out

    assert names(ag) == names(torch)


@pytest.mark.parametrize("mode, kernel", [("reflect", "reflection"), ("replicate", "replication")])
def test_pad_of_a_bool_tensor_is_refused_as_pytorch(mode, kernel):
    # PyTorch's reflection/replication kernels have no bool loop; ours padded (now through
    # edge_pad's slices); circular (a composite in PyTorch) pads bools
    import nn.functional as F

    with pytest.raises(NotImplementedError, match=f"^\"{kernel}_pad2d\" not implemented for 'Bool'$"):
        F.pad(ag.zeros(1, 2, 3, dtype=ag.bool), (1, 1, 1, 1), mode=mode)
    b = ag.tensor([[[True, False]]])
    assert F.pad(b, (1, 1), mode="circular").tolist() == [[[False, True, False, True]]]
