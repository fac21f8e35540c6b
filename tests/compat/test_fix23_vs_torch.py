"""Small differences from PyTorch found by today's reviews (fix23), each checked against it."""

import numpy as np
import pytest

import autograd_core as ag

pytestmark = pytest.mark.torch_parity


def _outcome(fn, lib):
    """``fn(lib)``'s value as numpy (its sign bits kept), or its error's type and message."""
    try:
        r = fn(lib)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return type(exc).__name__, str(exc)
    return np.asarray(r.detach().numpy() if hasattr(r, "detach") else r)


def _assert_same(fn):
    torch = pytest.importorskip("torch")
    ours, theirs = _outcome(fn, ag), _outcome(fn, torch)
    if isinstance(theirs, tuple) or isinstance(ours, tuple):
        assert ours == theirs
    else:
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
        if ours.dtype.kind in "fc":
            np.testing.assert_array_equal(np.signbit(ours.real), np.signbit(theirs.real))


_C = [True, False]


@pytest.mark.parametrize("case", [
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), 1e40),        # float32: refused
    lambda L: L.where(L.tensor(_C), 1e40, L.tensor([1.0, 2.0])),
    lambda L: L.where(L.tensor(_C), 1e40, 2.0),                          # two numbers: float32
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), np.float64(1e40)),
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), 1e40j),
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2], dtype=L.int8), 300),
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2], dtype=L.uint8), 256),
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2]), 2 ** 63),
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), 2 ** 64),     # beyond uint64
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), -2 ** 63 - 1),
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2]), 1e40),             # float32 result
    lambda L: L.clamp(L.tensor([1.0, 2.0]), max=2 ** 64),
    lambda L: L.clamp(L.tensor([1, 2]), max=2 ** 64),
    lambda L: L.clamp(L.tensor([1, 2]), min=-2 ** 64),
])
def test_number_beyond_the_dtype_refused_as_torch(case):
    # numpy wrote inf (1e40 into float32), wrapped 300 into int8 and took ints beyond int64
    # into float tensors; PyTorch refuses each with its words
    _assert_same(case)


@pytest.mark.parametrize("case", [
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]).half(), 1e40),  # float16: inf kept
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), float("inf")),
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), 2 ** 63),
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2], dtype=L.uint8), -1),  # wraps
    lambda L: L.where(L.tensor(_C), L.tensor([1, 2], dtype=L.int8), True),
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), 1j),
    lambda L: L.where(L.tensor(_C), L.tensor([1.0, 2.0]), L.tensor(1e40, dtype=L.float64)),
    lambda L: L.clamp(L.tensor([1.0, 2.0]), max=2 ** 63),
    lambda L: L.clamp(L.tensor([1, 2], dtype=L.uint8), min=-1),
])
def test_number_within_range_still_taken(case):
    _assert_same(case)


_A = [[1.0, 2.0], [3.0, 4.0]]


def _det_into(out_dtype, requires_grad=False, shape=()):
    def run(L):
        A = L.tensor(_A, requires_grad=requires_grad)
        out = L.zeros(shape, dtype=getattr(L, out_dtype))
        r = L.linalg.det(A, out=out)
        assert r is out
        return out
    return run


@pytest.mark.parametrize("case", [
    _det_into("float32"), _det_into("float32", shape=(0,)),
    _det_into("float64"), _det_into("int64"),              # refused: not the det's dtype
    _det_into("float32", requires_grad=True),              # refused in grad mode
    lambda L: L.linalg.det(L.tensor(_A), out=[1.0]),
])
def test_linalg_det_takes_out(case):
    # PyTorch's linalg.det has out= (torch.det has not); ours refused it with TypeError
    _assert_same(case)


def test_torch_det_refuses_out_as_torch():
    _assert_same(lambda L: L.det(L.tensor(_A), out=L.zeros(())))


_H = [[2.0, 1.0], [1.0, 3.0]]


@pytest.mark.parametrize("case", [
    lambda L: L.linalg.matrix_norm(L.tensor(_H).half(), "nuc"),
    lambda L: L.linalg.matrix_norm(L.tensor(_H).half(), 2),
    lambda L: L.linalg.matrix_norm(L.tensor(_H).half(), -2, dtype=L.float32),
    lambda L: L.linalg.norm(L.tensor(_H).half(), "nuc"),
    lambda L: L.norm(L.tensor(_H).half(), "nuc"),
    lambda L: L.norm(L.tensor(_H).half(), "nuc", dim=(0, 1)),
    lambda L: L.linalg.matrix_norm(L.tensor(_H).half(), 1),       # computed in float16
    lambda L: L.linalg.matrix_norm(L.tensor(_H).half(), "fro"),
    lambda L: L.linalg.svdvals(L.tensor(_H).half()),
    lambda L: L.linalg.svd(L.tensor(_H).half()),
    lambda L: L.linalg.cond(L.tensor(_H).half()),
    lambda L: L.linalg.cond(L.tensor(_H).half(), "fro"),
    lambda L: L.linalg.det(L.tensor(_H).half()),
    lambda L: L.linalg.slogdet(L.tensor(_H).half()),
    lambda L: L.logdet(L.tensor(_H).half()),
    lambda L: L.linalg.inv(L.tensor(_H).half()),
    lambda L: L.linalg.inv_ex(L.tensor(_H).half()),
    lambda L: L.linalg.solve(L.tensor(_H).half(), L.tensor(_H).half()),
    lambda L: L.linalg.eigh(L.tensor(_H).half()),
    lambda L: L.linalg.eigvals(L.tensor(_H).half()),
    lambda L: L.linalg.cholesky(L.tensor(_H).half()),
    lambda L: L.linalg.qr(L.tensor(_H).half()),
    lambda L: L.linalg.lu_factor(L.tensor(_H).half()),
    lambda L: L.linalg.pinv(L.zeros(3, 2, 4).half()),
    lambda L: L.linalg.matrix_rank(L.tensor(_H).half()),
    lambda L: L.linalg.lstsq(L.tensor(_H).half(), L.tensor(_H).half()),
])
def test_float16_matrices_as_torch(case):
    # numpy's linalg raised TypeError "array type float16 is unsupported in linalg" (and
    # lu_factor computed in float16); PyTorch refuses each with its own words
    _assert_same(case)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_det_of_singular_matrices_signed_as_torch(dtype):
    # numpy's det is +0.0 for every singular matrix; PyTorch's is the product of its LU's
    # diagonal with the pivots' sign: -0.0 for these (one row swap, or a -0.0 pivot)
    mats = [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 1.0], [0.0, 0.0]], [[-1.0, 2.0], [-2.0, 4.0]],
            [[0.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]], [[-0.0, 0.0], [0.0, 0.0]]]
    _assert_same(lambda L: L.linalg.det(L.tensor(mats, dtype=getattr(L, dtype))))
    _assert_same(lambda L: L.det(L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
                                   dtype=getattr(L, dtype))))


def test_det_gradient_at_a_signed_zero_unchanged():
    # the cofactor matrix (closed form for 2x2: [[d, -c], [-b, a]]), as at +0.0
    A = ag.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    ag.linalg.det(A).backward()
    np.testing.assert_allclose(A.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], rtol=1e-6)


@pytest.mark.parametrize("n", [1, 5, 16, 17, 40, 257, 1000, 4100])
@pytest.mark.parametrize("mode", ["plain", "weight", "ignore", "weight_ignore"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_loss_reduced_bit_for_bit_as_torch(n, mode, reduction):
    # ATen sums nll_loss's terms in its 8-level cascade (flushes every 16th, 256th, ...
    # index, ignored indices skipping theirs) and divides by the same cascade of the
    # weights; the gradient is w * -(g / total); ours summed pairwise and scaled w / total * g
    torch = pytest.importorskip("torch")
    import nn.functional as F
    rng = np.random.default_rng(n)
    C = 5
    logp = torch.log_softmax(torch.tensor(rng.standard_normal((n, C)), dtype=torch.float32), 1)
    y = rng.integers(0, C, n)
    y[::16] = np.where(rng.random(y[::16].size) < 0.3, 2, y[::16])  # ignored at flush indices
    w = rng.random(C).astype(np.float32)
    kw_t, kw_a = {"reduction": reduction}, {"reduction": reduction}
    if "weight" in mode:
        kw_t["weight"], kw_a["weight"] = torch.tensor(w), ag.tensor(w)
    if "ignore" in mode:
        kw_t["ignore_index"] = kw_a["ignore_index"] = 2
    a = logp.clone().requires_grad_()
    theirs = torch.nn.functional.nll_loss(a, torch.tensor(y), **kw_t)
    theirs.backward()
    b = ag.tensor(logp.numpy(), requires_grad=True)
    ours = F.nll_loss(b, ag.tensor(y), **kw_a)
    ours.backward()
    assert ours.item() == theirs.item()
    assert b.grad.numpy().tobytes() == a.grad.numpy().tobytes()


@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_cross_entropy_mean_reduced_as_torch(ignore_index):
    # equal logits: every per-sample term is log(C) * w[y] in both, so the mean shows the
    # reduction alone (ATen's cascade sums over the cascade sum of the weights)
    torch = pytest.importorskip("torch")
    import nn.functional as F
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, 3000)
    w = rng.random(3).astype(np.float32)
    theirs = torch.nn.functional.cross_entropy(torch.zeros(3000, 3), torch.tensor(y),
                                               weight=torch.tensor(w), ignore_index=ignore_index)
    ours = F.cross_entropy(ag.zeros(3000, 3), ag.tensor(y), weight=ag.tensor(w),
                           ignore_index=ignore_index)
    assert ours.item() == theirs.item()


_NAN = float("nan")


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("values, q, kw", [
    ([1.0, _NAN, 3.0, 2.0], 0.5, {}),
    ([1.0, _NAN, 3.0, 2.0], 0.3, {"interpolation": "lower"}),
    ([1.0, _NAN, 3.0, 2.0], 0.5, {"interpolation": "midpoint"}),
    ([_NAN, _NAN, 1.0], 0.5, {}),                                     # the last NaN
    ([[1.0, _NAN, 3.0], [4.0, 5.0, 6.0]], 0.5, {"dim": 1}),
    ([[_NAN, _NAN, _NAN], [1.0, _NAN, 2.0]], 0.7, {"dim": 1}),        # all NaN: the first
    ([[_NAN, _NAN, _NAN], [1.0, _NAN, 2.0]], 0.7, {"dim": 1, "interpolation": "higher"}),
    ([1.0, _NAN, 3.0, 2.0], [0.2, 0.9], {}),
])
def test_quantile_gradient_reaches_the_nan_as_torch(fn, values, q, kw):
    # PyTorch ranks a slice holding NaN at its last sorted element (a NaN), which the result
    # is: the gradient goes there; ours wrote NaN over the result, a zero gradient
    torch = pytest.importorskip("torch")
    grads = []
    for L in (ag, torch):
        x = L.tensor(values, requires_grad=True)
        y = getattr(L, fn)(x, L.tensor(q) if isinstance(q, list) else q, **kw)
        y.sum().backward()
        grads.append((np.asarray(y.detach().numpy()), x.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


@pytest.mark.parametrize("mode, shape, size", [
    ("linear", (1, 2, 5), (8,)), ("bilinear", (1, 2, 5, 5), (8, 7)),
    ("bilinear", (1, 2, 5, 5), (5, 7)), ("trilinear", (1, 1, 3, 3, 3), (4, 5, 6))])
def test_interpolate_result_node_named_as_torch(mode, shape, size):
    # the last per-dim pass carries the name of PyTorch's single node (was LinearAlongBackward0)
    torch = pytest.importorskip("torch")
    import nn.functional as F
    names = []
    for L, FF in ((ag, F), (torch, torch.nn.functional)):
        x = L.rand(shape, requires_grad=True)
        y = FF.interpolate(x, size=size, mode=mode, align_corners=False)
        names.append(y.grad_fn.name())
    assert names[0] == names[1]
    if sum(a != b for a, b in zip(shape[2:], size)) == 1:  # one pass: the same edges too
        x = ag.rand(shape, requires_grad=True)
        y = F.interpolate(x, size=size, mode=mode, align_corners=False)
        assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad"]
