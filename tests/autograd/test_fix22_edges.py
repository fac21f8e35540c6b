"""Edge values where tapegrad differed from PyTorch 2.13 (brief fix22): signed zeros of running
sums, numbers beyond a floating dtype written into it, ..."""

import math

import numpy as np
import pytest

import autograd_core as ag


def _signs(t):
    return np.signbit(np.asarray(t.detach().numpy())).tolist()


@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64])
def test_cumsum_starts_from_positive_zero(dtype):
    # ATen's running sum starts from +0: 0 + -0.0 is +0.0 (numpy's starts from the first
    # element, so the first value was -0.0); the gradient, a reverse running sum, too
    x = ag.tensor([-0.0, -0.0, 1.0], dtype=dtype, requires_grad=True)
    y = ag.cumsum(x, 0)
    assert y.tolist() == [0.0, 0.0, 1.0] and _signs(y) == [False, False, False]
    y.backward(ag.tensor([-0.0, -0.0, -0.0], dtype=dtype))
    assert _signs(x.grad) == [False, False, False]
    z = ag.tensor([[-0.0 + 0j, complex(-0.0, -0.0)]], dtype=ag.complex128).cumsum(1).numpy()
    assert np.signbit(z.real).tolist() == [[False, False]]
    assert np.signbit(z.imag).tolist() == [[False, False]]


def test_logcumsumexp_of_negative_zero_and_its_zero_gradient():
    # logaddexp(-inf, -0.0) = -0.0 + log1p(0) = +0.0; the gradient where it is 0 is 0 - 0 = +0
    x = ag.tensor([-0.0, -0.0], dtype=ag.float64, requires_grad=True)
    y = ag.logcumsumexp(x, 0)
    assert y.tolist() == [0.0, math.log(2.0)] and _signs(y) == [False, False]
    x = ag.tensor([math.inf, -math.inf, 2.0], dtype=ag.float64, requires_grad=True)
    ag.logcumsumexp(x, 0).sum().backward()
    g = x.grad.numpy()
    assert math.isnan(g[0]) and g[1:].tolist() == [0.0, 0.0] and not np.signbit(g[1:]).any()


def _mask(n=2):
    return ag.tensor([True] + [False] * (n - 1))


FILLS = {  # PyTorch 2.13 refuses a finite number beyond the dtype at each of these
    "fill_": lambda x, v: x.fill_(v),
    "masked_fill_": lambda x, v: x.masked_fill_(_mask(), v),
    "masked_fill": lambda x, v: x.masked_fill(_mask(), v),
    "index_fill_": lambda x, v: x.index_fill_(0, ag.tensor([0]), v),
    "index_fill": lambda x, v: x.index_fill(0, ag.tensor([0]), v),
    "full": lambda x, v: ag.full((2,), v, dtype=x.dtype),
    "new_full": lambda x, v: x.new_full((2,), v),
}
SETITEMS = {
    "mask": lambda x, v: x.__setitem__(_mask(), v),
    "index": lambda x, v: x.__setitem__(ag.tensor([0]), v),
    "int": lambda x, v: x.__setitem__(0, v),
    "slice": lambda x, v: x.__setitem__(slice(0, 1), v),
}


@pytest.mark.parametrize("how", list(FILLS) + list(SETITEMS))
@pytest.mark.parametrize("dtype, value, name", [
    (ag.float32, 1e40, "float"), (ag.float32, -3.5e38, "float"),
    (ag.float16, 70000.0, "c10::Half"), (ag.float16, 1e40, "c10::Half"),
    (ag.complex64, 1e40, "c10::complex<float>"),
    (ag.complex64, complex(0.0, -1e40), "c10::complex<float>")])
def test_a_number_beyond_a_floating_dtype_is_refused(how, dtype, value, name):
    x = ag.zeros(2, dtype=dtype)
    if how in SETITEMS and dtype == ag.float16:  # PyTorch's x[i] = v of float16 writes inf
        SETITEMS[how](x, value)
        assert x.tolist() == [math.inf, 0.0]
        return
    with pytest.raises(RuntimeError, match=f"^value cannot be converted to type {name} "
                                           "without overflow$"):
        {**FILLS, **SETITEMS}[how](x, value)
    assert x.tolist() == [0.0, 0.0]  # nothing written


@pytest.mark.parametrize("how", list(FILLS) + list(SETITEMS))
def test_inf_nan_and_the_largest_float_still_written(how):
    for value, want in ((math.inf, math.inf), (-math.inf, -math.inf),
                        (float(np.finfo(np.float32).max), float(np.finfo(np.float32).max))):
        x = ag.zeros(2, dtype=ag.float32)
        out = {**FILLS, **SETITEMS}[how](x, value)
        got = (x if out is None else out).tolist()[0]
        assert got == want
    x = ag.zeros(2, dtype=ag.float16)
    out = {**FILLS, **SETITEMS}[how](x, math.nan)
    assert math.isnan((x if out is None else out).tolist()[0])


def test_a_0d_value_tensor_is_range_checked_after_its_own_rounding():
    # masked_fill/index_fill check the value tensor's number: a float64 1e40 is refused in
    # float32; a float32 1e40 is already inf, and is written
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).masked_fill(_mask(), ag.tensor(1e40, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).index_fill(0, ag.tensor([0]), ag.tensor(1e40, dtype=ag.float64))
    assert ag.zeros(2, dtype=ag.float16).masked_fill(_mask(), ag.tensor(1e40)).tolist() == \
        [math.inf, 0.0]


def test_lerp_and_addcmul_check_a_float16_number_in_float32():
    h = ag.zeros(2, dtype=ag.float16)
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).lerp(ag.ones(2), 1e40)
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).addcmul(ag.ones(2), ag.ones(2), value=1e40)
    # 70000 fits float32, their float16 opmath: no error, the float16 result is inf
    assert h.addcmul(h + 1, h + 1, value=70000).tolist() == [math.inf, math.inf]
    assert h.lerp(h + 1, 70000.0).tolist() == [math.inf, math.inf]


def _var_grad(x, **kw):
    x = ag.tensor(x, requires_grad=True, dtype=ag.complex128 if isinstance(x[0], complex)
                  else ag.float64)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        v = ag.var(x, **kw)
    v.sum().backward()
    return v, x.grad


def test_var_without_dof_over_all_elements_has_an_inf_or_nan_gradient_of_one_sign():
    # PyTorch's var_backward: g * (inf, NaN where x == mean), not 2 g (x - mean) / 0
    v, g = _var_grad([1.0, 2.0, 1.5], correction=3)  # the mean is 1.5
    assert v.item() == math.inf
    assert g.tolist()[:2] == [math.inf, math.inf] and math.isnan(g.tolist()[2])
    v, g = _var_grad([1 + 2j, 3 - 1j], correction=2)  # complex: real inf, so inf + 0j
    assert v.item() == math.inf and v.dtype == ag.float64
    assert g.dtype == ag.complex128 and g.tolist() == [complex(math.inf, 0)] * 2


def test_var_over_dims_scales_by_the_negative_dof():
    # over given dims PyTorch keeps 2 / (n - correction) as it is: n = 2, correction 5 gives
    # -2/3 (x - mean); n = 1, correction 2 gives -2 * 0 = -0.0
    v, g = _var_grad([1.0, 4.0], dim=0, correction=5)
    assert v.item() == math.inf
    assert g.tolist() == [(-2 / 3) * -1.5, (-2 / 3) * 1.5]
    v, g = _var_grad([5.0], dim=0, correction=2)
    assert math.isnan(v.item()) and g.tolist() == [0.0] and np.signbit(g.numpy()).all()


def test_complex_var_without_dof_is_the_sum_of_the_parts_variances():
    # PyTorch's complex var is var(x.real) + var(x.imag): with no dof, a constant part is
    # 0 / 0 = NaN, which the sum keeps (|x - mean|^2 / 0 gave inf)
    x = ag.tensor([1.0, 2.0, 4.5], dtype=ag.complex128)
    with pytest.warns(UserWarning):
        assert math.isnan(ag.var(x, correction=3).item())
    with pytest.warns(UserWarning):
        s, m = ag.std_mean(ag.tensor([[1 + 1j, 2 + 1j]]), dim=1, correction=2)
    assert math.isnan(s.item()) and m.item() == 1.5 + 1j
    with pytest.warns(UserWarning):
        assert ag.var(ag.tensor([1 + 2j, 3 - 1j]), correction=2).item() == math.inf


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_var_family_without_dof_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    import warnings
    cases = [([1.0, 2.0, 4.5], {"correction": 3}), ([1.0, 2.0, 4.5], {"correction": 5}),
             ([[1.0, 2.0], [0.25, 3.0]], {"dim": 0, "correction": 3}),
             ([[1 + 2j, 2.0], [0.25j, 3.0]], {"dim": 1, "correction": 2}),
             ([[1 + 2j, 2 - 1j], [0.25j, 3.0]], {"correction": 4}), ([5.0], {"correction": 2})]
    for x, kw in cases:
        if isinstance(x[0], list) and any(isinstance(v, complex) for v in x[0] + x[1]) \
                and not dtype.startswith("complex"):
            continue
        got = []
        for m in (torch, ag):
            t = m.tensor(x, dtype=getattr(m, dtype), requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = getattr(m, name)(t, **kw)
            outs = out if isinstance(out, tuple) else (out,)
            total = sum((o.real if o.is_complex() else o).sum() for o in outs)
            (grad,) = m.autograd.grad(total, t)
            got.append([o.detach().numpy() for o in outs] + [grad.numpy()])
        for want, have in zip(*got):
            assert have.dtype == want.dtype, (x, kw)
            np.testing.assert_array_equal(have, want, err_msg=f"{x} {kw}")


def _norm_calls():
    import nn.functional as F

    def bn(x, w, b, training):  # running statistics of the parameters' dtype
        c, dt = x.shape[1], (b if w is None else w).dtype
        return F.batch_norm(x, ag.zeros(c, dtype=dt), ag.ones(c, dtype=dt), w, b,
                            training=training)
    return {
        "layer_norm": (lambda x, w, b: F.layer_norm(x, (3,), w, b), 3),
        "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), 4),
        "batch_norm_train": (lambda x, w, b: bn(x, w, b, True), 4),
        "batch_norm_eval": (lambda x, w, b: bn(x, w, b, False), 4),
        "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), 4),
    }


@pytest.mark.parametrize("name", ["layer_norm", "group_norm", "batch_norm_train",
                                  "batch_norm_eval", "instance_norm"])
@pytest.mark.parametrize("xdt, wdt, bdt, message", [
    # mixed (the first parameter's dtype is not the input's): the parameters must be float32
    # and the input float16
    (ag.float32, ag.float64, ag.float64, "mixed dtype (CPU): expect parameter to have scalar "
                                         "type of Float"),
    (ag.float32, ag.float16, None, "mixed dtype (CPU): expect parameter to have scalar type "
                                   "of Float"),
    (ag.float64, ag.float32, ag.float32, "mixed dtype (CPU): all inputs must share same "
                                         "datatype."),
    (ag.float64, None, ag.float32, "mixed dtype (CPU): all inputs must share same datatype."),
    # not mixed: every parameter must have the input's dtype
    (ag.float32, ag.float32, ag.float64, "expected scalar type Float but found Double"),
    (ag.float16, ag.float16, ag.float32, "expected scalar type Half but found Float")])
def test_norms_refuse_parameters_of_another_dtype_as_pytorch(name, xdt, wdt, bdt, message):
    fn, c = _norm_calls()[name]
    x = ag.ones(2, 4, 3).to(xdt)
    w = None if wdt is None else ag.ones(c, dtype=wdt)
    b = None if bdt is None else ag.zeros(c, dtype=bdt)
    with pytest.raises(RuntimeError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
                       + "$"):
        fn(x, w, b)


@pytest.mark.parametrize("name", ["layer_norm", "group_norm", "batch_norm_train",
                                  "batch_norm_eval", "instance_norm"])
def test_norms_still_take_float32_parameters_on_float16_input(name):
    fn, c = _norm_calls()[name]
    x = ag.tensor([[[0.0, 1.0, 2.0]] * 4, [[3.0, 1.0, 2.5]] * 4], dtype=ag.float16)
    y = fn(x, ag.ones(c), ag.zeros(c))
    assert y.dtype == ag.float16
    assert fn(x, None, ag.zeros(c)).dtype == ag.float16


PROD_CASES = [  # (self, src, index, dim): zeros in self, one zero / no zero of src per place
    ([2.0, 3.0, 4.0], [1.5, 2.0, -1.0, 0.5], [0, 0, 2, 1], 0),
    ([2.0, 0.0, 4.0], [1.5, 2.0, -1.0, 0.5], [0, 1, 1, 2], 0),
    ([2.0, 3.0, 4.0], [0.0, 2.0, 0.0, 0.5], [0, 0, 1, 1], 0),
    ([0.0, 3.0, 4.0], [0.0, 2.0, 3.0, 0.5], [0, 1, 0, 1], 0),
    ([[1.0, 2.0], [3.0, 0.0]], [[0.5, 0.0, 2.0], [3.0, 1.5, -2.0]], [[0, 1, 1], [1, 1, 0]], 1)]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("case", PROD_CASES)
def test_scatter_reduce_prod_gradgradcheck(case, include_self):
    # double backward raised NotImplementedError under a requires-grad g, and with a constant
    # g the first gradients came out of create_graph detached (not differentiable again)
    sv, xv, idx, dim = case
    index = ag.tensor(idx)

    def f(s, x):
        return s.scatter_reduce(dim, index, x, "prod", include_self=include_self)
    s = ag.tensor(sv, dtype=ag.float64, requires_grad=True)
    x = ag.tensor(xv, dtype=ag.float64, requires_grad=True)
    assert ag.autograd.gradcheck(f, (s, x))
    assert ag.autograd.gradgradcheck(f, (s, x))
    gs, gx = ag.autograd.grad(f(s, x).sum(), (s, x), create_graph=True)
    assert gs.requires_grad and gx.requires_grad


def test_scatter_reduce_prod_two_zeros_at_a_place_refuse_differentiating_again():
    # PyTorch's: the first gradient is right (0 for both zeros), its derivative refused
    s = ag.tensor([2.0, 3.0], dtype=ag.float64, requires_grad=True)
    x = ag.tensor([0.0, 0.0, 1.0], dtype=ag.float64, requires_grad=True)
    y = s.scatter_reduce(0, ag.tensor([0, 0, 1]), x, "prod")
    gs, gx = ag.autograd.grad(y.sum(), (s, x), create_graph=True)
    assert gs.tolist() == [0.0, 1.0] and gx.tolist() == [0.0, 0.0, 3.0]
    assert ag.autograd.grad(gs.sum(), x)[0].tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(RuntimeError, match="Double backward is unsupported for src when >1 "
                                           "zeros in src are scattered to the same position"):
        ag.autograd.grad(gx.sum(), (s, x))


@pytest.mark.torch_parity
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("case", PROD_CASES)
def test_scatter_reduce_prod_double_backward_matches_torch(case, include_self):
    torch = pytest.importorskip("torch")
    sv, xv, idx, dim = case
    got = []
    for m in (torch, ag):
        s = m.tensor(sv, dtype=m.float64, requires_grad=True)
        x = m.tensor(xv, dtype=m.float64, requires_grad=True)
        y = s.scatter_reduce(dim, m.tensor(idx), x, "prod", include_self=include_self)
        w = m.tensor(np.linspace(0.3, 1.7, y.numel()).reshape(y.shape), dtype=m.float64)
        gs, gx = m.autograd.grad((y * w).sum(), (s, x), create_graph=True)
        v = m.tensor(np.linspace(-1, 1, gs.numel()).reshape(gs.shape), dtype=m.float64)
        u = m.tensor(np.linspace(0.5, -0.7, gx.numel()).reshape(gx.shape), dtype=m.float64)
        second = m.autograd.grad((gs * v).sum() + (gx * u).sum(), (s, x))
        got.append([t.detach().numpy() for t in (y, gs, gx, *second)])
    for want, have in zip(*got):
        np.testing.assert_allclose(have, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call", [
    lambda x, out, **kw: ag.norm(x, 2, 1, out=out, **kw),
    lambda x, out, **kw: ag.linalg.vector_norm(x, 2, 1, out=out, **kw)])
def test_norm_out_takes_the_norms_dtype_and_is_resized(call):
    # out= raised TypeError ("not supported") / was not a keyword of vector_norm
    x = ag.tensor([[3.0, -4.0, 0.0], [1.0, 0.0, 0.0]])
    out = ag.empty(0)
    assert call(x, out) is out
    assert out.tolist() == [5.0, 1.0]
    out = ag.empty(0, dtype=ag.float64)  # the norm's dtype given by dtype=
    assert call(x, out, dtype=ag.float64).tolist() == [5.0, 1.0] and out.dtype == ag.float64
    z = ag.tensor([[3j, 4.0, 0.0], [0.0, 1j, 0.0]], dtype=ag.complex64)
    out = ag.empty(2)  # a complex input's norm is real
    assert call(z, out).tolist() == [5.0, 1.0] and out.dtype == ag.float32
    for dt, name in ((ag.float64, "double"), (ag.complex64, "c10::complex<float>"),
                     (ag.int64, "long int"), (ag.float16, "c10::Half")):
        out = ag.zeros(2, dtype=dt)
        with pytest.raises(RuntimeError, match=f"^Expected out tensor to have dtype float, but "
                                               f"got {name.replace('<', '.').replace('>', '.')}"
                                               " instead$"):
            call(x, out)
        assert out.tolist() == [0, 0]  # nothing written
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        call(x.requires_grad_(), ag.empty(2))


def test_nuclear_norm_out_names_matrix_norm():
    x = ag.tensor([[3.0, 0.0], [0.0, 4.0]])
    out = ag.empty(())
    assert ag.norm(x, "nuc", out=out) is out and out.item() == 7.0
    with pytest.raises(RuntimeError, match="^linalg.matrix_norm expected out tensor dtype Float "
                                           "but got: Double$"):
        ag.norm(x, "nuc", out=ag.empty((), dtype=ag.float64))


def test_tensor_split_pieces_are_one_node_named_as_pytorchs_slices():
    # a node per piece made backward O(pieces x size) (1000 pieces of 1e6 elements: ~0.7 s,
    # now ~0.02 s); the pieces keep PyTorch's SliceBackward0 name
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    for pieces in (x.tensor_split(3, dim=1), ag.tensor_split(x, [1, 3], 0),
                   ag.tensor_split(x, ag.tensor([3, 1]), 1)):
        assert {id(p.grad_fn) for p in pieces} == {id(pieces[0].grad_fn)}
        assert {p.grad_fn.name() for p in pieces} == {"SliceBackward0"}
        assert all(p._base is x for p in pieces)


@pytest.mark.parametrize("used, signs", [((0,), [True, True, True, False, False]),
                                         ((0, 2), [False] * 5)])
def test_tensor_split_negative_zero_gradients(used, signs):
    # PyTorch sums each used piece's zero-padded gradient: with one piece its -0.0 stays,
    # with two every element is added to the other's +0.0
    x = ag.zeros(5, dtype=ag.float64, requires_grad=True)
    pieces = ag.tensor_split(x, 3)  # sizes 2, 2, 1
    loss = sum((pieces[i] * -0.0).sum() for i in used)
    loss.backward()
    assert x.grad.tolist() == [0.0] * 5
    assert np.signbit(x.grad.numpy()).tolist() == [s and i < 2 for i, s in enumerate(signs)]


def test_tensor_split_overlapping_pieces_and_in_place_writes():
    # indices going back give overlapping pieces: [0:3], [3:3], [1:5]; their gradients add
    x = ag.arange(5.0, dtype=ag.float64).requires_grad_()
    a, b, c = ag.tensor_split(x * 1.0, [3, 1])
    assert (a.shape, b.shape, c.shape) == ((3,), (0,), (4,))
    (a.sum() * 2 + (c * c).sum()).backward()
    assert x.grad.tolist() == [2.0, 2.0 + 2.0, 2.0 + 4.0, 6.0, 8.0]
    # a piece is an ordinary view (PyTorch's slices): it can be changed in place
    x.grad = None
    y = x * 1.0
    p, q = ag.tensor_split(y, 2)
    p.mul_(3.0)
    (y * ag.arange(5.0, dtype=ag.float64)).sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 6.0, 3.0, 4.0]


def test_tensor_split_gradgradcheck():
    x = ag.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.75, -0.5, 3.0]], dtype=ag.float64,
                  requires_grad=True)

    def f(t):
        a, b, c = ag.tensor_split(t, [1, 3], dim=1)
        d, e = ag.tensor_split(t, [3, 1], dim=1)[::2]
        return (a * a).sum() + (c ** 3).sum() + (d * e.sum()).sum()
    assert ag.autograd.gradcheck(f, (x,))
    assert ag.autograd.gradgradcheck(f, (x,))


@pytest.mark.torch_parity
@pytest.mark.parametrize("ios, dim", [(3, 0), (7, 1), ([1, 4], 1), ([3, 1], 1), ([2, 10], 0),
                                      ([-2], 1)])
@pytest.mark.parametrize("used", ["all", "first", "last_two"])
def test_tensor_split_values_and_gradient_bits_match_torch(ios, dim, used):
    torch = pytest.importorskip("torch")
    base = np.random.default_rng(0).standard_normal((4, 7))
    got = []
    for m in (torch, ag):
        x = m.tensor(base, dtype=m.float32, requires_grad=True)
        pieces = m.tensor_split(x, ios, dim)
        k = len(pieces)
        which = {"all": range(k), "first": [0], "last_two": range(max(k - 2, 0), k)}[used]
        loss = 0
        for i in which:
            p = pieces[i]
            w = np.where(np.arange(p.numel()).reshape(p.shape) % 2 == 0, -0.0, 1.5)
            loss = loss + (p * m.tensor(w, dtype=m.float32)).sum()
        (g,) = m.autograd.grad(loss, x)
        got.append(([p.detach().numpy() for p in pieces], g.numpy()))
    (want_p, want_g), (have_p, have_g) = got
    assert [p.shape for p in have_p] == [p.shape for p in want_p]
    for a, b in zip(have_p, want_p):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(have_g, want_g)
    np.testing.assert_array_equal(np.signbit(have_g), np.signbit(want_g))


@pytest.mark.parametrize("interpolation", ["lower", "higher", "nearest"])
def test_quantile_picking_an_element_keeps_infinities_and_negative_zero(interpolation):
    # a + 0 * (b - a) gave NaN where a or b is infinite and +0.0 for -0.0; PyTorch picks the
    # element
    inf = math.inf
    for values, q, want in (([-inf, -inf], 0.5, -inf), ([inf, inf], 0.3, inf),
                            ([-inf, 1.0], 0.0, -inf), ([1.0, inf], 1.0, inf)):
        got = ag.quantile(ag.tensor(values), q, interpolation=interpolation).item()
        assert got == want
    got = ag.nanquantile(ag.tensor([-0.0, math.nan]), 0.5, interpolation=interpolation)
    assert got.item() == 0.0 and np.signbit(got.numpy())


def test_quantile_linear_and_midpoint_as_pytorchs_lerp():
    # lerp(a, b, w) = b - (b - a) * (1 - w) for w >= 0.5: [1, inf] at 0.5 is inf - inf = NaN,
    # [-inf, 1] at 0.5 is -inf; -0.0 stays -0.0 between two of them
    assert math.isnan(ag.quantile(ag.tensor([1.0, math.inf]), 0.5).item())
    assert ag.quantile(ag.tensor([-math.inf, 1.0]), 0.5).item() == -math.inf
    assert ag.quantile(ag.tensor([-math.inf, 1.0]), 0.3, interpolation="midpoint").item() == \
        -math.inf
    got = ag.quantile(ag.tensor([-0.0, -0.0, 1.0]), 0.3)
    assert got.item() == 0.0 and np.signbit(got.numpy())
    # float32 ranks in float32: 0.77 * 3 = 2.31 rounded there, weight f32(2.31) - 2
    x = ag.tensor([1.0, -0.0, 0.0, 3.0])
    w = np.float32(np.float32(0.77) * np.float32(3)) - np.float32(2)
    want = np.float32(3) - np.float32(2) * (np.float32(1) - w)
    assert ag.quantile(x, 0.77).item() == float(want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "nearest", "midpoint"])
def test_quantile_edge_values_and_gradients_match_torch(dtype, interpolation):
    torch = pytest.importorskip("torch")
    inf = math.inf
    rows = [[-inf, -inf], [inf, inf], [-inf, inf], [1.0, inf], [-inf, 1.0], [-0.0, -0.0],
            [0.1, 0.7, 0.3, 0.9, 0.25], [1.0, -0.0, 0.0, 3.0]]
    for values in rows:
        for q in (0.0, 0.3, 0.5, 0.77, 1.0):
            got = []
            for m in (torch, ag):
                x = m.tensor(values, dtype=getattr(m, dtype), requires_grad=True)
                y = m.quantile(x, q, interpolation=interpolation)
                y.backward()
                got.append((y.detach().numpy(), x.grad.numpy()))
            (ty, tg), (ay, ag_) = got
            np.testing.assert_array_equal(ay, ty, err_msg=f"{values} {q}")
            assert np.signbit(ay) == np.signbit(ty) or np.isnan(ty)
            np.testing.assert_array_equal(ag_, tg, err_msg=f"{values} {q}")


EMPTY = ag.zeros(0, 3)


@pytest.mark.parametrize("call, kind, message", [
    (lambda: EMPTY.amax(), RuntimeError, "amax(): Expected reduction dim to be specified for "
     "input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda: EMPTY.max(), RuntimeError, "max(): Expected reduction dim to be specified for "
     "input.numel() == 0. Specify the reduction dim with the 'dim' argument."),
    (lambda: ag.amax(EMPTY, (1, 0)), IndexError,
     "amax(): Expected reduction dim 0 to have non-zero size."),
    (lambda: ag.amin(EMPTY, -2), IndexError,
     "amin(): Expected reduction dim -2 to have non-zero size."),
    (lambda: ag.max(EMPTY, -2), IndexError,
     "max(): Expected reduction dim 0 to have non-zero size."),
    (lambda: ag.argmax(EMPTY, -2), IndexError,
     "argmax(): Expected reduction dim 0 to have non-zero size."),
    (lambda: ag.argmin(EMPTY), IndexError,
     "argmin(): Expected reduction dim to be specified for input.numel() == 0."),
    (lambda: ag.kthvalue(EMPTY, 1, -2), IndexError,
     "kthvalue(): Expected reduction dim 0 to have non-zero size."),
    (lambda: ag.nanmedian(EMPTY, 0), IndexError,
     "median(): Expected reduction dim 0 to have non-zero size."),
    (lambda: ag.nanquantile(ag.zeros(3), 2.0), RuntimeError,
     "quantile() q must be in the range [0, 1] but got 2"),
    (lambda: ag.nanquantile(EMPTY, 0.5), RuntimeError, "quantile() input tensor must be "
     "non-empty")])
def test_reductions_over_empty_dims_raise_pytorchs_errors(call, kind, message):
    # argmax/argmin raised numpy's ValueError, amax/amin/kthvalue a RuntimeError, max/min
    # their own words
    with pytest.raises(kind) as info:
        call()
    assert str(info.value) == message


def test_scalar_tensor_and_clamp_check_the_number_against_the_dtype():
    # PyTorch refuses; here scalar_tensor(1e40) was inf, clamp(max=1e40) clamped to inf
    for call, name in ((lambda: ag.scalar_tensor(1e40), "float"),
                       (lambda: ag.scalar_tensor(300, dtype=ag.uint8), "uint8_t"),
                       (lambda: ag.zeros(2).clamp(1e40), "float"),
                       (lambda: ag.zeros(2, dtype=ag.float16).clamp(min=-70000.0), "c10::Half")):
        with pytest.raises(RuntimeError, match=f"to type {name} without overflow"):
            call()
    x = ag.zeros(2)
    with pytest.raises(RuntimeError, match="without overflow"):
        x.clamp_(max=-1e40)
    assert x.tolist() == [0.0, 0.0]
    # still taken: PyTorch's scalar_tensor of float16 writes inf, and infinities are in range
    assert ag.scalar_tensor(70000, dtype=ag.float16).item() == math.inf
    assert ag.scalar_tensor(-1, dtype=ag.uint8).item() == 255
    assert ag.zeros(2).clamp(-math.inf, math.inf).tolist() == [0.0, 0.0]
