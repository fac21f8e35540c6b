"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 29: a Fourier neural operator and an S4-style long
convolution, Glow's ActNorm and invertible 1x1 convolutions (slogdet and the LU
parametrisation), MADE/MAF, a rational-quadratic spline flow, a VQ-VAE with an EMA codebook,
BYOL, DINO, Barlow Twins, VICReg, ArcFace/CosFace, Cox proportional hazards, soft-DTW,
Grad-CAM and integrated gradients with module hooks, Deep Dream, a TabNet-style attentive
transformer with sparsemax/entmax, SIREN, a neural Turing machine's addressing, capsules,
A2C with GAE, super-resolution with PixelShuffle and an SSIM loss, RWKV and xLSTM
recurrences, and the parametrisations and inits these use).

Harness and results: /work/progs_runs/progs29/ (RESULTS29.md).
"""
import numpy as np
import pytest

import autograd_core as ag

# lu_factor's packed factors of [[1, 2, 0], [3, 1, 4], [0, 5, 1]] (pivots [2, 3, 3])
_LU = np.array([[3.0, 1.0, 4.0], [0.0, 5.0, 1.0], [1.0 / 3.0, 1.0 / 3.0, -5.0 / 3.0]])
_PIVOT_RANGE = r"pivots passed to lu_unpack must be between 1 and LU\.size\(-2\) inclusive"


@pytest.mark.parametrize("pivots", [[-1, 3, 3], [0, 3, 3], [4, 3, 3], [2, 3]])
def test_lu_unpack_refuses_pivots_outside_one_to_m(pivots):
    """Glow (an invertible 1x1 convolution in its LU parametrisation, whose pivots were made
    elsewhere): ``lu_unpack`` took any pivots, so a 0-based or negative pivot (numpy/SciPy
    style) indexed from the end and gave a silently wrong permutation ``P`` (``[-1, 3, 3]``
    gave a permutation matrix; PyTorch raises), and too large a pivot raised an IndexError.
    Now PyTorch's range check and message; too few pivots raise it too."""
    with pytest.raises(RuntimeError, match=_PIVOT_RANGE):
        ag.lu_unpack(ag.tensor(_LU), ag.tensor(pivots, dtype=ag.int32))


def test_lu_unpack_checks_pivot_dtype_and_lu_rank():
    """Same program: int64 or float pivots were taken as they were (PyTorch only takes
    lu_factor's int32 ones), a 1-D ``LU`` failed with an IndexError."""
    with pytest.raises(RuntimeError, match="LU_pivots is expected to be a contiguous tensor of "
                                           "torch.int32 dtype"):
        ag.lu_unpack(ag.tensor(_LU), ag.tensor([2, 3, 3]))
    P, L, U = ag.lu_unpack(ag.tensor(_LU), ag.tensor([0, 0, 0]), unpack_pivots=False)
    assert P.numel() == 0 and L.shape == (3, 3)  # unchecked when P is not asked for, as PyTorch
    with pytest.raises(RuntimeError, match=r"Expected tensor with 2 or more dimensions. Got "
                                           r"size: \[2\] instead"):
        ag.lu_unpack(ag.tensor([1.0, 2.0]), ag.tensor([1], dtype=ag.int32))


def test_lu_unpack_uses_the_first_k_pivots_and_broadcasts_them():
    """Same program: extra pivots raised an IndexError (PyTorch reads the first
    ``min(m, n)``) and pivots shared by a batch of ``LU`` gave one ``P`` (PyTorch's is
    batched like ``LU``). Hand-worked: swaps (1 3), (2 3) give the rows [3, 1, 2]."""
    expect = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    P = ag.lu_unpack(ag.tensor(_LU), ag.tensor([2, 3, 3, 1], dtype=ag.int32)).P
    np.testing.assert_array_equal(P.numpy(), expect)
    Pb, Lb, Ub = ag.lu_unpack(ag.tensor(np.stack([_LU, _LU])), ag.tensor([2, 3, 3], dtype=ag.int32))
    assert Pb.shape == (2, 3, 3)
    np.testing.assert_allclose((Pb @ Lb @ Ub).numpy()[1], [[1, 2, 0], [3, 1, 4], [0, 5, 1]],
                               atol=1e-15)


def _linear_with_hook(pre, result):
    lin = ag.nn.Linear(2, 2)
    if pre:
        lin.register_full_backward_pre_hook(lambda mod, grad_output: result(grad_output[0]))
    else:
        lin.register_full_backward_hook(lambda mod, grad_input, grad_output:
                                        result(grad_input[0]))
    return lin


@pytest.mark.parametrize("pre", [False, True])
def test_full_backward_hook_replacement_of_another_shape_or_dtype_is_refused(pre):
    """Grad-CAM / guided backprop (module hooks returning a replaced gradient): a full backward
    (pre) hook returning a gradient of another shape had it summed or broadcast onto the
    input's: ``(ones(3, 1, 2),)`` for a ``(1, 2)`` input gave ``x.grad`` 3 (PyTorch raises
    "hook 'hook' has changed the size of value"). A float64 gradient for a float32 input, or
    a list, was taken too. Now PyTorch's errors."""
    for result, err, words in [
            (lambda g: (ag.ones(3, 1, 2),), RuntimeError, "has changed the size of value"),
            (lambda g: (g.double(),), RuntimeError, "has changed the type of value"),
            (lambda g: ([1.0, 2.0],), TypeError, "expected Variable, but hook returned 'list'")]:
        x = ag.ones(1, 2, requires_grad=True)
        with pytest.raises(err, match=words):
            _linear_with_hook(pre, result)(x).sum().backward()


@pytest.mark.parametrize("pre", [False, True])
def test_full_backward_hook_returning_a_bare_tensor_is_read_as_a_sequence(pre):
    """Same programs: a hook returning ``grad * 10`` instead of ``(grad * 10,)`` was taken as
    the one gradient; PyTorch reads the returned Tensor as a sequence of its rows, so it
    raises (the row count is checked, then each row's shape). A tuple is still taken."""
    words = "pre hook returned an invalid number of grad_output" if pre else \
        "hook returned an invalid number of grad_input"
    with pytest.raises(RuntimeError, match=words + ", got 3, but expected 1"):
        _linear_with_hook(pre, lambda g: g * 10)(ag.ones(3, 2, requires_grad=True)).sum().backward()
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        _linear_with_hook(pre, lambda g: g * 10)(ag.ones(1, 2, requires_grad=True)).sum().backward()
    lin = _linear_with_hook(pre, lambda g: (g * 10,))
    with ag.no_grad():
        lin.weight.copy_(ag.tensor([[1.0, 2.0], [3.0, 5.0]]))
    x = ag.ones(3, 2, requires_grad=True)
    lin(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[40.0, 70.0]] * 3)


def test_tensor_hook_changing_the_dtype_is_refused():
    """Found beside the module-hook fix above: ``x.register_hook(lambda g: g.double())`` on a
    float32 leaf left ``x.grad`` float64 (PyTorch raises "hook '<lambda>' has changed the type
    of value (was torch.FloatTensor got torch.DoubleTensor)")."""
    x = ag.ones(2, requires_grad=True)
    x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="has changed the type of value"):
        (x * 2).sum().backward()


@pytest.mark.parametrize("dtype", [ag.int32, ag.uint8, ag.int16, ag.bool])
def test_one_hot_takes_int64_labels_only(dtype):
    """VQ-VAE / ArcFace (``F.one_hot(labels, K)``): int32 or uint8 labels were encoded, where
    PyTorch refuses every index dtype but int64 ("one_hot is only applicable to index tensor
    of type LongTensor."), so a program run here failed under PyTorch. int64 still works."""
    import nn.functional as F

    with pytest.raises(RuntimeError, match="only applicable to index tensor of type LongTensor"):
        F.one_hot(ag.tensor([1, 0]).to(dtype), 3)
    np.testing.assert_array_equal(F.one_hot(ag.tensor([1, 0]), 3).numpy(), [[0, 1, 0], [1, 0, 0]])


@pytest.mark.parametrize("make, err, words", [
    (lambda: ag.randn(2, -1), RuntimeError, r"Trying to create tensor with negative dimension -1: \[2, -1\]"),
    (lambda: ag.zeros(ag.tensor(-1)), RuntimeError, "negative dimension -1"),
    (lambda: ag.ones(1).new_zeros(-1), RuntimeError, "negative dimension -1"),
    (lambda: ag.zeros(2.5), TypeError, "must be tuple of ints"),
    (lambda: ag.full((2.0,), 1.0), TypeError, "must be tuple of ints"),
    (lambda: ag.cat([]), ValueError, r"torch.cat\(\): expected a non-empty list of Tensors"),
    (lambda: ag.hstack([]), RuntimeError, "hstack expects a non-empty TensorList"),
])
def test_bad_sizes_and_empty_lists_raise_pytorchs_error_types(make, err, words):
    """Mistakes probed beside the programs (a crop count computed negative, a float size from
    ``H / 2``, an empty list of crops): a negative size raised ValueError (PyTorch:
    RuntimeError), a float size ValueError (PyTorch: TypeError), ``cat([])`` RuntimeError
    (PyTorch: ValueError) and ``hstack([])`` an IndexError, so ``except`` clauses written for
    PyTorch missed them."""
    with pytest.raises(err, match=words):
        make()


@pytest.mark.parametrize("sorter, words", [
    ([0, 1, -1], "sorter index out of range"),
    ([0, 1, 3], "sorter index out of range"),
    ([0, 1], r"boundary and sorter must have the same size, but got boundary tensor \[3\]and got "
             r"sorter tensor \[2\]"),
])
def test_searchsorted_checks_its_sorter(sorter, words):
    """Spline flows / NeRF sampling (``searchsorted`` of unsorted knots with ``sorter=``): a
    negative sorter index was taken from the end and a shorter sorter searched a shorter
    sequence (``sorter=[0, 1, -1]`` on ``[0, 1, 2]`` gave 1 for 1.0; PyTorch raises), an index
    past the end raised IndexError, an int32 sorter was taken. Now PyTorch's checks."""
    with pytest.raises(RuntimeError, match=words):
        ag.searchsorted(ag.arange(3.0), ag.tensor([1.0]), sorter=ag.tensor(sorter))
    with pytest.raises(RuntimeError, match="sorter must be a tensor of long dtype but got dtype Int"):
        ag.searchsorted(ag.arange(3.0), ag.tensor([1.0]), sorter=ag.tensor([0, 1, 2], dtype=ag.int32))
    knots = ag.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])  # hand-worked: sorted rows [1 2 3], [0 4 5]
    got = ag.searchsorted(knots, ag.tensor([[2.5], [4.5]]), sorter=ag.argsort(knots, -1))
    np.testing.assert_array_equal(got.numpy(), [[2], [2]])


def test_cdist_refuses_an_unknown_compute_mode():
    """k-means / VQ codebook search (``torch.cdist(z, codebook, compute_mode=...)``): a
    misspelt or None ``compute_mode`` was taken silently (PyTorch: ValueError), so a program
    debugged here failed under PyTorch. The three valid modes still compute."""
    a, b = ag.tensor([[0.0, 0.0]]), ag.tensor([[3.0, 4.0]])
    for mode in ("use_mm_for_euclid_dists", None):
        with pytest.raises(ValueError, match=f"{mode} is not a valid value for compute_mode"):
            ag.cdist(a, b, compute_mode=mode)
    for mode in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                 "donot_use_mm_for_euclid_dist"):
        assert ag.cdist(a, b, compute_mode=mode).item() == 5.0


@pytest.mark.parametrize("make, words", [
    (lambda: ag.tril_indices(3, -1), "col must be non-negative, got-1"),
    (lambda: ag.triu_indices(-2, 3), "row must be non-negative, got-2"),
    (lambda: ag.ones(2).repeat(2, -1), r"negative dimension -2: \[2, -2\]"),
    (lambda: ag.ones(2, 2).tile((2, -1)), r"negative dimension -2: \[4, -2\]"),
])
def test_negative_sizes_of_index_and_repeat_helpers_raise(make, words):
    """Off-diagonal masks (Barlow Twins / VICReg ``triu_indices(n, n, 1)`` with ``n``
    computed) and tiling: ``tril_indices`` of a negative size returned no indices silently
    (PyTorch raises); ``repeat``/``tile`` by a negative count raised numpy's ValueError
    (PyTorch: RuntimeError)."""
    with pytest.raises(RuntimeError, match=words):
        make()


@pytest.mark.parametrize("x, y, name", [([float("nan")], [1.0], "input"),
                                        ([0.5], [float("nan")], "target"),
                                        ([0.5], [-0.1], "target"),
                                        ([0.5], [1.5], "target")])
def test_binary_cross_entropy_checks_target_range_and_nan(x, y, name):
    """VQ-VAE / super-resolution decoders with a sigmoid output and ``F.binary_cross_entropy``
    (probed with the mistakes such programs make): a NaN input (a diverged model) gave a NaN
    loss where PyTorch raises, and a target outside [0, 1] (e.g. unnormalised pixels in
    [0, 2]) gave a silently wrong loss: 0.6931 for input 0.5, target 1.5 (PyTorch raises
    "all elements of target should be between 0 and 1"). A soft target in [0, 1] still works:
    ``-(0.25 log 0.5 + 0.75 log 0.5) = log 2``."""
    import nn.functional as F

    with pytest.raises(RuntimeError, match=f"all elements of {name} should be between 0 and 1"):
        F.binary_cross_entropy(ag.tensor(x), ag.tensor(y))
    got = F.binary_cross_entropy(ag.tensor([0.5], dtype=ag.float64), ag.tensor([0.25], dtype=ag.float64))
    assert got.item() == pytest.approx(np.log(2.0), rel=1e-15)


def test_unique_keeps_each_nan():
    """Probing NaN inputs of these programs' ops (a codebook-usage count by ``unique`` after
    a diverged step): numpy's ``unique`` merged the NaNs, so ``unique([nan, 1, nan, 1, 2])``
    gave ``[1, 2, nan]`` with counts ``[2, 1, 2]``; PyTorch's keeps each NaN (NaN != NaN):
    ``[1, 2, nan, nan]``, counts ``[2, 1, 1, 1]``, inverse ``[2, 0, 3, 0, 1]``."""
    nan = float("nan")
    values, inverse, counts = ag.unique(ag.tensor([nan, 1.0, nan, 1.0, 2.0]),
                                        return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), [1.0, 2.0, nan, nan])
    np.testing.assert_array_equal(inverse.numpy(), [2, 0, 3, 0, 1])
    np.testing.assert_array_equal(counts.numpy(), [2, 1, 1, 1])


@pytest.mark.parametrize("fn", ["dropout", "alpha_dropout", "dropout2d", "feature_alpha_dropout"])
def test_functional_dropout_refuses_a_nan_probability(fn):
    """Probing NaN values in these programs (a drop rate computed from a schedule): a NaN
    ``p`` passed the range check (``p < 0 or p > 1`` is False for NaN) and the output was
    all NaN; PyTorch's Python check lets it through too but its kernel raises a RuntimeError,
    even with ``training=False``. ``p`` out of [0, 1] is still PyTorch's ValueError."""
    import nn.functional as F

    with pytest.raises(RuntimeError, match="dropout probability has to be between 0 and 1, "
                                           "but got nan"):
        getattr(F, fn)(ag.ones(1, 2, 2, 2), p=float("nan"))
    with pytest.raises(RuntimeError, match="but got nan"):
        getattr(F, fn)(ag.ones(1, 2, 2, 2), p=float("nan"), training=False)
    with pytest.raises(ValueError, match="but got 1.5"):
        getattr(F, fn)(ag.ones(1, 2, 2, 2), p=1.5)


def test_index_add_and_index_copy_refuse_a_2d_index_with_an_index_error():
    """VQ-VAE EMA codebook update (``embed_sum.index_add_(0, idx, flat)`` with ``idx`` left
    as ``(B, HW)``): the refusal was a RuntimeError where PyTorch raises IndexError with its
    own messages; ``index_fill_`` keeps PyTorch's RuntimeError."""
    idx = ag.tensor([[0, 1]])
    with pytest.raises(IndexError, match=r"index_add_\(\): Index is supposed to be a vector, "
                                         r"but got dim: 2 with type: Long and size: \[1, 2\]"):
        ag.zeros(3, 2).index_add_(0, idx, ag.ones(2, 2))
    with pytest.raises(IndexError, match=r"index_copy_\(\): Index should have dimension 1 or 0"):
        ag.zeros(3, 2).index_copy_(0, idx, ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="Index has to be a vector/scalar"):
        ag.zeros(3, 2).index_fill_(0, idx, 1.0)
