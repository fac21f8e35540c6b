"""The leftovers of errs26's sweeps (errs27), each checked against torch 2.13: float16
``add``/``sub`` with ``alpha`` rounded as ATen's loop rounds each element (its vector code
and its scalar tail differ). Torch-free tests hold hand-worked values, types and wording; the
``torch_parity`` ones run the same calls in both libraries."""

import re
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import DECLS
from autograd_core.ops._loops import HALF_BLOCK, scalar_elements


def _bits(t):
    return np.ascontiguousarray(t.detach().numpy()).tobytes()


# ---- 1. float16 add/sub with alpha: ATen's vector code and its scalar tail ---------------------

def test_float16_add_alpha_rounds_its_tail_as_atens_scalar_code():
    # -1.2 + 3 * (1/3): vector code, in float32: -1.2001953 + 0.99975586 = -0.20043945 -> -0.2004;
    # scalar code: 3 * 0.33325195 = 0.99975586 rounds (a float16 tie) to 1.0, -> -0.2002
    n = HALF_BLOCK + 1
    x = ag.full((n,), -1.2, dtype=ag.float16)
    for y in (ag.add(x, ag.tensor(1 / 3), alpha=3), ag.sub(x, ag.tensor(1 / 3), alpha=-3),
              x.clone().add_(ag.tensor(1 / 3), alpha=3)):
        assert y.dtype == ag.float16
        assert y[:-1].tolist() == [-0.200439453125] * (n - 1)
        assert y[-1].item() == -0.2001953125


def test_float16_add_alpha_gradient_of_a_0d_float32_other_is_rounded_in_float16():
    # PyTorch: grad * alpha in float16 (0.7 -> 0.7001953125), summed to the 0-d shape in
    # float16 (2.1005859375, a tie, -> 2.1015625), then cast to float32 (was 3 * 0.7 = 2.1)
    x = ag.ones(3, dtype=ag.float16, requires_grad=True)
    t = ag.tensor(0.25, requires_grad=True)
    ag.add(x, t, alpha=0.7).backward(ag.ones(3, dtype=ag.float16))
    assert t.grad.dtype == ag.float32 and t.grad.item() == 2.1015625
    assert x.grad.tolist() == [1.0] * 3


def test_float16_add_alpha_of_an_integer_tensor_stays_float16():
    y = ag.add(ag.tensor([1.0, 2.0], dtype=ag.float16), ag.tensor([3, 4]), alpha=0.5)
    assert y.dtype == ag.float16 and y.tolist() == [2.5, 4.0]


@pytest.mark.parametrize("shape, strides, expect", [
    ((70,), [(1,), (0,)], [64, 65, 66, 67, 68, 69]),    # a 0-d other: the tail of 70
    ((3, 20), [(20, 1), (20, 1)], list(range(32, 60))),  # coalesced into one row of 60
    ((3, 20), [(20, 1), (1, 0)], list(range(60))),      # a row of 20 is all tail
])
def test_scalar_elements_follow_atens_rows(shape, strides, expect):
    arrays = [np.lib.stride_tricks.as_strided(np.zeros(100, np.float16), shape,
                                              [s * 2 for s in st]) for st in strides]
    mask = scalar_elements(arrays, shape, block=32)
    assert np.flatnonzero(mask).tolist() == expect


def test_scalar_elements_order_a_transposed_input_by_its_memory():
    x = np.zeros((40, 3), np.float16).T  # memory order: rows of 3 in a run of 120
    mask = scalar_elements([x, np.zeros((), np.float16)], x.shape, block=32)
    assert np.flatnonzero(mask.T).tolist() == list(range(96, 120))


@pytest.mark.torch_parity
@pytest.mark.parametrize("op", ["add", "sub", "add_", "sub_"])
def test_float16_add_alpha_is_bit_equal_to_torch(op):
    torch = pytest.importorskip("torch")
    rs = np.random.RandomState(27)
    views = [((2000,), lambda t: t), ((3, 70), lambda t: t), ((37, 41), lambda t: t.T),
             ((5, 80), lambda t: t[:, 3:70]), ((2, 3, 5, 7), lambda t: t.permute(0, 2, 3, 1))]
    others = [lambda s: np.float32(rs.randn() * 3), lambda s: np.float64(rs.randn() * 300),
              lambda s: np.int64(rs.randint(-9, 9)), lambda s: float(rs.randn()),
              lambda s: (rs.randn(*s[:1], *[1] * (len(s) - 1)) * 9).astype(np.float16),
              lambda s: (rs.randn(*s) * 9).astype(np.float16)]
    for shape, view in views:
        for make in others:
            for alpha in (3, 0.7, 1 / 3, -1.3):
                xa = (rs.randn(*shape) * 30).astype(np.float16)
                oa = make(tuple(view(torch.tensor(xa)).shape))
                out = []
                for lib in (torch, ag):
                    x = view(lib.tensor(xa))
                    o = oa if isinstance(oa, float) else lib.tensor(oa)
                    y = getattr(x.clone(), op)(o, alpha=alpha) if op[-1] == "_" else \
                        getattr(lib, op)(x, o, alpha=alpha)
                    out.append((y.dtype == lib.float16, _bits(y)))
                assert out[0] == out[1], (shape, type(oa), alpha)


@pytest.mark.torch_parity
def test_float16_add_alpha_gradients_are_bit_equal_to_torch():
    torch = pytest.importorskip("torch")
    rs = np.random.RandomState(2)
    for shape in [(2000,), (3, 70), (37,)]:
        for odt in ("float32", "float64", "float16"):
            for alpha in (0.7, -1.3):
                for op in ("add", "sub"):
                    xa = (rs.randn(*shape) * 30).astype(np.float16)
                    oa = np.asarray(rs.randn() * 5, odt)
                    ga = rs.randn(*shape).astype(np.float16)
                    out = []
                    for lib in (torch, ag):
                        x = lib.tensor(xa, requires_grad=True)
                        o = lib.tensor(oa, requires_grad=True)
                        y = getattr(lib, op)(x, o, alpha=alpha)
                        y.backward(lib.tensor(ga))
                        out.append([_bits(v) for v in (y, x.grad, o.grad)])
                    assert out[0] == out[1], (shape, odt, alpha, op)


# ---- 2. a grad-requiring fill value into an integer tensor: PyTorch's refusal ------------------

@pytest.mark.parametrize("call", [
    lambda x, m, v: ag.masked_fill(x, m, v),
    lambda x, m, v: x.masked_fill(m, v),
    lambda x, m, v: ag.index_fill(x, 0, ag.tensor([0, 2]), v),
    lambda x, m, v: x.index_fill(0, ag.tensor([0, 2]), v),
])
def test_functional_fill_of_an_integer_tensor_with_a_grad_value_refuses(call):
    v = ag.tensor(2.5, requires_grad=True)
    m = ag.tensor([True, False, True])
    for x, name, filled in ((ag.tensor([1, 2, 3]), "Long", [2, 2, 2]),
                            (ag.tensor([True, False, True]), "Bool", [True, False, True])):
        with pytest.raises(RuntimeError, match=f"^Autograd not support dtype: {name}$"):
            call(x, m, v)
        with ag.no_grad():  # nothing recorded: the value cast, as PyTorch's
            assert call(x, m, v).tolist() == filled
    assert call(ag.tensor([1.0, 2.0, 3.0]), m, v).requires_grad  # a float tensor records


def test_fill_value_checks_keep_pytorchs_order():
    # a 1-d value is refused for its shape before the dtype (PyTorch's order)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        ag.masked_fill(ag.tensor([1, 2]), ag.tensor([True, False]),
                       ag.tensor([2.5], requires_grad=True))


# ---- 3. masked_fill with a mask larger than the input: broadcast both, as PyTorch ------------

def test_masked_fill_broadcasts_input_and_mask_with_gradients():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = ag.tensor(9.0, requires_grad=True)
    m = ag.tensor([[True, False, True], [False, False, True]])
    y = ag.masked_fill(x, m, v)
    assert y.shape == (2, 3) and y.tolist() == [[9.0, 2.0, 9.0], [1.0, 2.0, 9.0]]
    assert x.masked_fill(m, 0.5).tolist() == [[0.5, 2.0, 0.5], [1.0, 2.0, 0.5]]
    y.backward(ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert x.grad.tolist() == [4.0, 7.0, 0.0] and v.grad.item() == 10.0  # 1 + 3 + 6
    x64 = ag.tensor([[0.3], [-1.2]], dtype=ag.float64, requires_grad=True)
    v64 = ag.tensor(0.7, dtype=ag.float64, requires_grad=True)
    m3 = ag.tensor([[True, False, False], [False, True, True]])
    assert ag.gradcheck(lambda a, b: ag.masked_fill(a, m3, b) * ag.arange(6.0).reshape(2, 3),
                        (x64, v64))


@pytest.mark.parametrize("call, message", [
    (lambda: ag.ones(3).masked_fill_(ag.ones(2, 3, dtype=ag.bool), 0.5),
     "output with shape [3] doesn't match the broadcast shape [2, 3]"),
    (lambda: ag.masked_fill(ag.ones(3), ag.ones(2, dtype=ag.bool), 0.5),
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    (lambda: ag.ones(3).masked_fill_(ag.ones(2, dtype=ag.bool), 0.5),
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    (lambda: ag.masked_fill(ag.ones(3), ag.ones(2), 0.5),  # the shape before the dtype
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    (lambda: ag.ones(3).masked_fill_(ag.ones(2), 0.5),  # in place: the dtype first
     "masked_fill_ only supports boolean masks, but got mask with dtype float"),
])
def test_masked_fill_shape_refusals_are_pytorchs(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value).startswith(message)


@pytest.mark.torch_parity
def test_fill_refusals_and_broadcasts_match_torch():
    torch = pytest.importorskip("torch")

    def calls(L):
        v = L.tensor(2.5, requires_grad=True)
        return [
            lambda: L.masked_fill(L.tensor([1, 2, 3]), L.tensor([True, False, True]), v),
            lambda: L.index_fill(L.tensor([True, False]), 0, L.tensor([1]), v),
            lambda: L.masked_fill(L.ones(2, 1), L.ones(2, 3, dtype=L.bool), 0.5),
            lambda: L.ones(2, 1).masked_fill_(L.ones(2, 3, dtype=L.bool), 0.5),
            lambda: L.masked_fill(L.ones(3), L.ones(2), 0.5),
            lambda: L.ones(3).masked_fill_(L.ones(2, dtype=L.bool), 0.5),
            lambda: L.ones(3).masked_fill_(L.ones(2), 0.5),
        ]

    def outcome(call):
        try:
            r = call()
        except RuntimeError as e:
            return re.sub(r" \(\w+: shapes .*\)$", "", str(e))  # tapegrad's own suffix
        return tuple(r.shape), r.tolist()

    assert [outcome(c) for c in calls(ag)] == [outcome(c) for c in calls(torch)]


# ---- 4. bad dtypes and shapes that do not broadcast: PyTorch reports the shapes first ---------

MISMATCH = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"


@pytest.mark.parametrize("call", [
    lambda a, b: ag.gcd(a, b), lambda a, b: ag.lcm(a, b), lambda a, b: ag.bitwise_and(a, b),
    lambda a, b: ag.bitwise_or(a, b), lambda a, b: ag.bitwise_xor(a, b),
    lambda a, b: ag.bitwise_left_shift(a, b), lambda a, b: ag.bitwise_right_shift(a, b),
    lambda a, b: a & b, lambda a, b: a << b, lambda a, b: a.gcd_(b), lambda a, b: a.bitwise_or_(b),
    lambda a, b: ag.lt(a.to(ag.complex64), b), lambda a, b: ag.remainder(a.to(ag.complex64), b),
    lambda a, b: ag.clamp_min(a.to(ag.complex64), b),
])
def test_integer_ops_of_floats_report_the_shapes_first(call):
    with pytest.raises(RuntimeError, match=re.escape(MISMATCH)):
        call(ag.ones(2, 3), ag.ones(2, 4))


def test_ops_that_check_the_dtype_first_still_do():
    with pytest.raises(NotImplementedError, match="clamp is not supported for complex types"):
        ag.clamp(ag.ones(2, 3, dtype=ag.complex64), ag.ones(2, 4), ag.ones(2, 4))
    with pytest.raises(ValueError, match="for count, got: ComplexFloat$"):
        ag.binomial(ag.ones(2, 3, dtype=ag.complex64), ag.ones(2, 4))
    with pytest.raises(NotImplementedError, match="\"logaddexp2_cpu\" not implemented for "
                                                  "'ComplexFloat'"):
        ag.logaddexp2(ag.ones(2, dtype=ag.complex64), ag.ones(2, dtype=ag.complex64))
    with pytest.raises(NotImplementedError, match="\"gcd_cpu\" not implemented for 'Float'"):
        ag.gcd(ag.ones(2, 3), ag.ones(2, 3))  # shapes that broadcast: the dtype's refusal


@pytest.mark.torch_parity
def test_elementwise_refusals_of_bad_dtypes_and_shapes_match_torch():
    torch = pytest.importorskip("torch")
    from test_errs26_regressions import ELEMENTWISE, _torch_fn, _working_call

    def outcome(fn, lib, n, dt):
        try:
            fn(*[lib.ones(s, dtype=getattr(lib, dt)) for s in [(2, 3), (2, 4), (2, 3)][:n]])
        except Exception as e:  # noqa: BLE001 - comparing what each library raises
            kind = type(e).__name__.replace("BroadcastError", "RuntimeError")  # (its subclass)
            return kind, str(e).split(" (")[0][:60]
        return "answered"

    wrong = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ELEMENTWISE:
            tfn = _torch_fn(torch, name)
            if tfn is None:
                continue
            n, _ = _working_call(DECLS[name].fn)
            for dt in ("complex64", "float32", "bool", "int64"):
                theirs, ours = outcome(tfn, torch, n, dt), outcome(DECLS[name].fn, ag, n, dt)
                if theirs != ours:
                    wrong.append((name, dt, theirs, ours))
    assert not wrong, wrong


# ---- 5. cummax/cummin record PyTorch's nodes ----------------------------------------------------

@pytest.mark.parametrize("fn, name", [(ag.cummax, "CummaxBackward0"), (ag.cummin, "CumminBackward0")])
def test_cummax_and_cummin_nodes_have_pytorchs_names(fn, name):
    x = ag.tensor([1.0, 3.0, 2.0, 0.5], requires_grad=True)
    y = fn(x, 0).values
    assert y.grad_fn.name() == name and len(y.grad_fn.next_functions) == 1
    y.backward(ag.tensor([1.0, 2.0, 4.0, 8.0]))
    # cummax: indices [0, 1, 1, 1] -> [1, 14, 0, 0]; cummin: [0, 0, 0, 3] -> [7, 0, 0, 8]
    assert x.grad.tolist() == ([1.0, 14.0, 0.0, 0.0] if fn is ag.cummax else [7.0, 0.0, 0.0, 8.0])
    x0 = ag.tensor(2.0, requires_grad=True)
    y0 = fn(x0, 0).values
    assert y0.grad_fn.name() == name  # a 0-d input too (was CloneBackward0)
    (y0 * 3).backward()
    assert x0.grad.item() == 3.0


# ---- 6. a failed BatchNorm call counts nothing (a kept difference, DIFFERENCES.md) -------------

def test_batch_norm_refusal_leaves_num_batches_tracked():
    import nn

    bn = nn.BatchNorm1d(3, momentum=None)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(ag.randn(1, 3))
    assert bn.num_batches_tracked.item() == 0  # PyTorch 2.13's module has counted it: 1
    bn(ag.tensor([[0.0, 2.0, 4.0], [2.0, 4.0, 8.0]]))
    assert bn.num_batches_tracked.item() == 1
    assert bn.running_mean.tolist() == [1.0, 3.0, 6.0]  # momentum=None: the first batch's mean


@pytest.mark.torch_parity
def test_batch_norm_refusal_still_counts_in_torch():
    """The difference the test above keeps: if PyTorch stops counting a failed call, take the
    DIFFERENCES.md entry out."""
    torch = pytest.importorskip("torch")
    bn = torch.nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(torch.randn(1, 3))
    assert bn.num_batches_tracked.item() == 1


# ---- 7. batch_norm's and pad's size errors in PyTorch's words ------------------------------------

PAD_SIZES = ("\nSupported combinations for non-constant padding:\n"
             "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
             "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
             "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _norm_calls(L, F):
    x = L.ones(4, 3, 5)
    return [
        lambda: F.batch_norm(L.ones(1, 3), None, None, training=True),
        lambda: L.nn.BatchNorm1d(3)(L.ones(1, 3)),
        lambda: F.batch_norm(x, L.zeros(3, 1), L.ones(3), training=True),
        lambda: F.batch_norm(x, L.zeros(3), L.ones(1, 3)),
        lambda: F.batch_norm(x, L.zeros(2, 2), L.ones(3)),
        lambda: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"),
        lambda: F.pad(x, (1, 2, 3)),
        lambda: F.pad(x, (1,) * 8),
    ]


def test_norm_and_pad_size_errors_are_pytorchs():
    import nn.functional as F

    expect = [
        (ValueError, "Expected more than 1 value per channel when training, got input size "
                     "autograd_core.Size([1, 3])"),
        (ValueError, "Expected more than 1 value per channel when training, got input size "
                     "autograd_core.Size([1, 3])"),
        (RuntimeError, "TensorAccessor expected 1 dims but tensor has 2"),  # was "... 3 not 3"
        (RuntimeError, "TensorAccessor expected 1 dims but tensor has 2"),
        (RuntimeError, "running_mean should contain 3 elements not 4"),
        (NotImplementedError, "Padding size 6 is not supported for 3D input tensor." + PAD_SIZES),
        (RuntimeError, "Padding length must be divisible by 2"),
        (RuntimeError, "Padding length should be less than or equal to two times the input "
                       "dimension but got padding length 8 and input of dimension 3"),
    ]
    for call, (kind, message) in zip(_norm_calls(ag, F), expect):
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == message


@pytest.mark.torch_parity
def test_norm_and_pad_size_errors_match_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    def outcome(call):
        with pytest.raises(Exception) as info:
            call()
        return type(info.value).__name__, str(info.value).replace("autograd_core.", "torch.")

    ours = [outcome(c) for c in _norm_calls(ag, F)]
    assert ours == [outcome(c) for c in _norm_calls(torch, torch.nn.functional)]


# ---- 8. names programs used ----------------------------------------------------------------------

def test_sparse_addmm_scales_and_reaches_the_sparse_values():
    a = ag.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2), requires_grad=True)
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    m = ag.ones(2, 2, requires_grad=True)
    y = ag.sparse.addmm(m, a, w, beta=0.5, alpha=2.0)  # a @ w = [[6, 8], [3, 6]]
    assert y.tolist() == [[12.5, 16.5], [6.5, 12.5]]
    y.sum().backward()
    # d/da[i, k] = alpha * sum_j w[k, j]: a[0, 1] -> 2 * 7, a[1, 0] -> 2 * 3
    assert a.grad.is_sparse and a.grad.to_dense().tolist() == [[0.0, 14.0], [6.0, 0.0]]
    assert w.grad.tolist() == [[6.0, 6.0], [4.0, 4.0]] and m.grad.tolist() == [[0.5] * 2] * 2
    assert ag.sparse.addmm(ag.ones(2), a, w).tolist() == [[7.0, 9.0], [4.0, 7.0]]  # broadcast


def test_sparse_spdiags_places_columns_of_each_diagonal():
    d = ag.arange(8.0).reshape(2, 4)
    s = ag.sparse.spdiags(d, ag.tensor([1, -2]), (3, 5))
    assert s.is_sparse and not s.is_coalesced()
    assert s.to_dense().tolist() == [[0, 1, 0, 0, 0], [0, 0, 2, 0, 0], [4, 0, 0, 3, 0]]
    assert ag.sparse.spdiags(ag.arange(4.0), ag.tensor([0]), (3, 5))._indices().tolist() == \
        [[0, 1, 2], [0, 1, 2]]
    for args, message in [((d, ag.tensor([0, 0]), (3, 3)), "Offset tensor contains duplicate values"),
                          ((d, ag.tensor([0]), (3, 3)), "Number of diagonals (2) does not match "
                                                       "the number of offsets (1)"),
                          ((d, ag.tensor([0.0, 1.0]), (3, 3)), "Offset Tensor must have dtype "
                                                              "Long but got Float")]:
        with pytest.raises(RuntimeError, match=re.escape(message)):
            ag.sparse.spdiags(*args)


def test_amp_is_autocast_available_says_no_here():
    assert ag.amp.is_autocast_available("cpu") is False  # a kept difference (DIFFERENCES.md)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        ag.amp.is_autocast_available("foo")
    with pytest.raises(TypeError, match="must be str, not int"):
        ag.amp.is_autocast_available(3)


def test_checkpoint_error_for_a_recomputation_of_another_shape():
    from autograd_core.utils.checkpoint import CheckpointError, checkpoint

    runs = []

    def f(x):
        runs.append(1)
        return (x * 2)[: 3 if len(runs) == 1 else 2].exp()

    y = checkpoint(f, ag.randn(4, requires_grad=True), use_reentrant=False)
    with pytest.raises(CheckpointError, match="Recomputed values for the following tensors have "
                                              "different metadata"):
        y.sum().backward()
    assert issubclass(CheckpointError, RuntimeError)


def test_parametrize_transfer_and_type_before():
    import nn
    from nn.utils import parametrize

    a = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    b = parametrize.transfer_parametrizations_and_params(a, nn.Linear(3, 2))
    assert type(b).__name__ == "ParametrizedLinear"
    assert parametrize.type_before_parametrizations(b) is nn.Linear
    assert parametrize.type_before_parametrizations(nn.Linear(3, 2)) is nn.Linear
    for k in ("original0", "original1"):
        assert getattr(b.parametrizations.weight, k) is getattr(a.parametrizations.weight, k)
    assert np.array_equal(b.weight.detach().numpy(), a.weight.detach().numpy())
    c = parametrize.transfer_parametrizations_and_params(a, nn.Identity(), "weight")
    assert np.array_equal(c.weight.detach().numpy(), a.weight.detach().numpy())  # made first
    assert parametrize.transfer_parametrizations_and_params(nn.Linear(3, 2), b) is b


@pytest.mark.torch_parity
def test_missing_names_match_torch():
    torch = pytest.importorskip("torch")
    rs = np.random.RandomState(8)
    ind, vals = np.array([[0, 1, 2, 2], [1, 0, 2, 0]]), rs.randn(4)
    mat, dense, diags = rs.randn(3, 2), rs.randn(3, 2), rs.randn(3, 4)
    out = []
    for lib in (torch, ag):
        a = lib.sparse_coo_tensor(lib.tensor(ind), lib.tensor(vals), (3, 3), requires_grad=True,
                                  check_invariants=True)
        w = lib.tensor(dense, requires_grad=True)
        y = lib.sparse.addmm(lib.tensor(mat), a, w, beta=0.3, alpha=-1.7)
        y.backward(lib.tensor(np.arange(6.0).reshape(3, 2)))
        s = lib.sparse.spdiags(lib.tensor(diags), lib.tensor([0, -1, 2]), (4, 5))
        out.append([y.detach().numpy(), a.grad.to_dense().numpy(), w.grad.numpy(),
                    s._indices().numpy(), s._values().detach().numpy()])
    for p, q in zip(*out):
        np.testing.assert_allclose(q, p, rtol=1e-12, atol=1e-14)


# ---- float64 into float16: through float32, as PyTorch's casts (found on the way) -------------

NEAR_TIE = 21.0546875 - 2.0 ** -30  # just below the float16 midpoint of 21.046875 and 21.0625


def _casts(L, v):
    """float64 values made float16 by each path that casts (``v`` a float64 array)."""
    t = L.tensor(v)
    return {
        "to": lambda: t.to(L.float16), "half": lambda: t.half(),
        "tensor_list": lambda: L.tensor(v.tolist(), dtype=L.float16),
        "tensor_array": lambda: L.tensor(v, dtype=L.float16),
        "as_tensor": lambda: L.as_tensor(v, dtype=L.float16),
        "copy_": lambda: L.zeros(len(v), dtype=L.float16).copy_(t),
        "setitem": lambda: (lambda z: (z.__setitem__(slice(None), t), z)[1])(
            L.zeros(len(v), dtype=L.float16)),
        "add_": lambda: L.zeros(len(v), dtype=L.float16).add_(t),
        "fill_": lambda: L.zeros(2, dtype=L.float16).fill_(float(v[0])),
        "masked_fill": lambda: L.zeros(2, dtype=L.float16).masked_fill(
            L.tensor([True, True]), float(v[0])),
    }


def test_float64_to_float16_rounds_through_float32():
    # float32 rounds NEAR_TIE onto the midpoint, which rounds to even (21.0625); numpy's one
    # rounding gave 21.046875
    for name, call in _casts(ag, np.array([NEAR_TIE, 1.0])).items():
        assert call().tolist()[0] == 21.0625, name


@pytest.mark.torch_parity
def test_float64_to_float16_casts_are_bit_equal_to_torch():
    torch = pytest.importorskip("torch")
    h = np.random.RandomState(16).randn(2000).astype(np.float16)
    mid = (h.astype(np.float64) + np.nextafter(h, np.float16(np.inf)).astype(np.float64)) / 2
    v = mid - np.abs(mid) * 2.0 ** -30  # each just below a float16 midpoint
    theirs, ours = _casts(torch, v), _casts(ag, v)
    for name in theirs:
        assert _bits(ours[name]()) == _bits(theirs[name]()), name
