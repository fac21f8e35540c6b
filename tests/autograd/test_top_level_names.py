"""PyTorch's top-level functions and Tensor methods that programs call, added in one round:
hand-worked values first, then PyTorch parity for each group."""

import numpy as np
import pytest

import autograd_core as ag


# ---- hand-worked values -------------------------------------------------------------------------

def test_storage_offset_and_itemsize_by_hand():
    x = ag.arange(12.0).view(3, 4)  # row-major: element (i, j) at 4 i + j
    assert x.storage_offset() == 0
    assert x[1:, 2:].storage_offset() == 6
    assert x[2].storage_offset() == 8
    assert x.t()[3].storage_offset() == 3
    assert x[1:].detach().storage_offset() == 4
    assert (x.itemsize, ag.zeros(1, dtype=ag.int16).itemsize, ag.zeros(1, dtype=ag.bool).itemsize) \
        == (4, 2, 1)


def test_sum_to_size_by_hand_and_gradient():
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.sum_to_size(3).tolist() == [5.0, 7.0, 9.0]
    assert x.sum_to_size(2, 1).tolist() == [[6.0], [15.0]]
    assert x.sum_to_size((1, 1)).tolist() == [[21.0]]
    assert x.sum_to_size(2, 3) is x
    (x.sum_to_size(2, 1) * ag.tensor([[1.0], [10.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [10.0, 10.0, 10.0]]
    with pytest.raises(RuntimeError, match=r"size \{\[4\]\} is not expandable to size \{\[2, 3\]\}"):
        x.sum_to_size(4)
    with pytest.raises(RuntimeError, match="not expandable"):
        ag.ones(3).sum_to_size(2, 3)


def test_rsub_by_hand():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.rsub(a, ag.tensor([3.0, 3.0]), alpha=2)  # 3 - 2 a
    assert y.tolist() == [1.0, -1.0]
    y.sum().backward()
    assert a.grad.tolist() == [-2.0, -2.0]
    assert ag.rsub(ag.tensor([1.0, 2.0]), 5.0).tolist() == [4.0, 3.0]


def test_promotion_by_hand():
    assert ag.promote_types(ag.uint8, ag.int8) == ag.int16
    assert ag.promote_types(ag.int64, ag.float16) == ag.float16
    assert ag.promote_types(ag.bool, ag.uint8) == ag.uint8
    # a 0-d tensor or a number of the same category does not lift the dtype
    assert ag.result_type(ag.tensor([1], dtype=ag.uint8), 1000) == ag.uint8
    assert ag.result_type(ag.tensor([1.0], dtype=ag.float16), ag.tensor(1.0, dtype=ag.float64)) \
        == ag.float16
    # a higher category does: a Python float gives the default dtype
    assert ag.result_type(ag.tensor([1], dtype=ag.int32), 1.0) == ag.float32
    assert ag.result_type(2, True) == ag.int64
    assert ag.can_cast(ag.int64, ag.uint8) and not ag.can_cast(ag.float16, ag.int64)
    assert not ag.can_cast(ag.int8, ag.bool) and not ag.can_cast(ag.complex64, ag.float64)
    with pytest.raises(TypeError, match="must be torch.dtype"):
        ag.can_cast("float32", ag.float64)


def test_predicates_and_aliases_by_hand():
    z = ag.tensor([1 + 0j, 1 + 1j, 2 - 0j])
    assert ag.isreal(z).tolist() == [True, False, True]
    assert ag.tensor([1.0, float("nan")]).isreal().tolist() == [True, True]
    assert ag.is_same_size(ag.ones(2, 3), ag.zeros(2, 3))
    assert not ag.zeros(2).is_same_size(ag.zeros(2, 1))
    assert not ag.is_neg(-ag.ones(1)) and not ag.ones(1).is_inference()
    assert ag.ones(1).is_signed() and not ag.ones(1, dtype=ag.uint8).is_signed()
    x = ag.tensor([1.0, 2.0, 3.0])
    assert ag.greater(x, 2.0).tolist() == [False, False, True]
    assert x.less_equal(2.0).tolist() == [True, True, False]
    assert ag.not_equal(x, 2.0).tolist() == [True, False, True]
    y = ag.tensor([1.0, 2.0, 3.0])
    assert y.greater_equal_(2.0) is y and y.tolist() == [0.0, 1.0, 1.0]
    w = ag.tensor([-1.5, 2.0])
    assert w.absolute_() is w and w.tolist() == [1.5, 2.0]
    assert ag.absolute(ag.tensor([-3])).tolist() == [3]
    assert ag.scalar_tensor(3).dtype == ag.float32 and ag.scalar_tensor(3).item() == 3.0
    assert ag.detach(x) is not x and ag.detach(x).tolist() == x.tolist()


def test_hardshrink_and_prelu_methods_by_hand():
    x = ag.tensor([-1.0, 0.3, 0.5, 2.0], requires_grad=True)
    y = x.hardshrink()
    assert y.tolist() == [-1.0, 0.0, 0.0, 2.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 1.0]
    assert ag.hardshrink(ag.tensor([0.7]), 1.0).tolist() == [0.0]
    p = ag.tensor([[-2.0, 3.0], [-4.0, -1.0]]).prelu(ag.tensor([0.5, 0.25]))
    assert p.tolist() == [[-1.0, 3.0], [-2.0, -0.25]]
    with pytest.raises(NotImplementedError, match="hardshrink_cpu"):
        ag.tensor([1, 2]).hardshrink()
    with pytest.raises(NotImplementedError, match="prelu_cpu"):
        ag.tensor([1j]).prelu(ag.tensor([0.5]))


def test_split_family_by_hand():
    a = ag.arange(5)
    assert [p.tolist() for p in ag.split_with_sizes(a, [2, 3])] == [[0, 1], [2, 3, 4]]
    assert [p.tolist() for p in a.split_with_sizes((4, 1))] == [[0, 1, 2, 3], [4]]
    assert [p.tolist() for p in ag.unsafe_split(a, 2)] == [[0, 1], [2, 3], [4]]
    assert [p.tolist() for p in a.unsafe_chunk(2)] == [[0, 1, 2], [3, 4]]
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        ag.split_with_sizes(a, 3)


def test_top_level_losses_reduce_with_atens_integers_by_hand():
    x1, x2 = ag.tensor([1.0, 2.0]), ag.tensor([2.0, 0.0])
    t = ag.tensor([1.0, 1.0])
    # max(0, -t (x1 - x2) + margin): [1, 0]
    assert ag.margin_ranking_loss(x1, x2, t).tolist() == [1.0, 0.0]
    assert ag.margin_ranking_loss(x1, x2, t, 0.0, 1).item() == 0.5
    assert ag.margin_ranking_loss(x1, x2, t, 0.5, 2).item() == 1.5
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        ag.margin_ranking_loss(x1, x2, t, 0.0, 3)
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert ag.embedding(w, ag.tensor([2, 0])).tolist() == [[5.0, 6.0], [1.0, 2.0]]


def test_core_does_not_load_nn_for_its_own_names():
    import subprocess
    import sys

    code = ("import sys, autograd_core as ag; ag.rsub(ag.ones(1), 1.0); ag.ones(1).hardshrink(); "
            "assert 'nn' not in sys.modules; ag.dropout; assert 'nn' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- PyTorch parity -----------------------------------------------------------------------------

@pytest.mark.torch_parity
def test_group1_tensor_facts_match_torch():
    torch = pytest.importorskip("torch")
    t = torch.arange(24.0).view(2, 3, 4)
    a = ag.arange(24.0).view(2, 3, 4)
    for f in (lambda x: x, lambda x: x[1], lambda x: x[:, 1:, 2:], lambda x: x.transpose(0, 2)[3],
              lambda x: x[..., 1], lambda x: x.permute(2, 0, 1)[1:, 1]):
        assert f(a).storage_offset() == f(t).storage_offset()
    for name in ("float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool",
                 "complex64", "float16"):
        td, ad = getattr(torch, name), getattr(ag, name)
        assert ag.zeros(1, dtype=ad).itemsize == torch.zeros(1, dtype=td).itemsize
        assert ag.zeros(1, dtype=ad).is_signed() == torch.zeros(1, dtype=td).is_signed()


@pytest.mark.torch_parity
def test_promotion_functions_match_torch():
    torch = pytest.importorskip("torch")
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "complex64", "complex128")
    for n1 in names:
        for n2 in names:
            t1, t2, a1, a2 = getattr(torch, n1), getattr(torch, n2), getattr(ag, n1), getattr(ag, n2)
            assert ag.can_cast(a1, a2) == torch.can_cast(t1, t2), (n1, n2)
            assert str(ag.promote_types(a1, a2)).split(".")[1] == \
                str(torch.promote_types(t1, t2)).split(".")[1], (n1, n2)
            for shape1, shape2 in (((2,), ()), ((), (2,)), ((), ()), ((2,), (2,))):
                got = ag.result_type(ag.zeros(shape1, dtype=a1), ag.zeros(shape2, dtype=a2))
                want = torch.result_type(torch.zeros(shape1, dtype=t1), torch.zeros(shape2, dtype=t2))
                if want == torch.complex32:  # float16 with a 0-d complex: no complex32 here
                    continue
                assert str(got).split(".")[1] == str(want).split(".")[1], (n1, n2, shape1, shape2)
        for number in (True, 3, 2.5, 1j):
            got = ag.result_type(ag.zeros(2, dtype=getattr(ag, n1)), number)
            want = torch.result_type(torch.zeros(2, dtype=getattr(torch, n1)), number)
            if want == torch.complex32:
                continue
            assert str(got).split(".")[1] == str(want).split(".")[1], (n1, number)
    for s in (3, True, 2.5):
        assert ag.scalar_tensor(s).item() == torch.scalar_tensor(s).item()
        assert str(ag.scalar_tensor(s).dtype).split(".")[1] == \
            str(torch.scalar_tensor(s).dtype).split(".")[1]


@pytest.mark.torch_parity
def test_sum_to_size_rsub_and_aliases_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    v = rng.standard_normal((2, 3, 4))
    a = ag.tensor(v, requires_grad=True)
    t = torch.tensor(v, requires_grad=True)
    for size in ((4,), (3, 1), (1, 3, 4), (2, 1, 1), (1,)):
        w = rng.standard_normal(size)
        (a.sum_to_size(*size) * ag.tensor(w)).sum().backward()
        (t.sum_to_size(*size) * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(a.sum_to_size(size).detach().numpy(),
                                   t.sum_to_size(size).detach().numpy(), rtol=1e-12)
        a.grad = t.grad = None
    ai = ag.tensor([[1, 2], [3, 4]], dtype=ag.int8)
    ti = torch.tensor([[1, 2], [3, 4]], dtype=torch.int8)
    assert ai.sum_to_size(2).tolist() == ti.sum_to_size(2).tolist()
    assert str(ai.sum_to_size(2).dtype).split(".")[1] == str(ti.sum_to_size(2).dtype).split(".")[1]
    for other in (5, 2.5, np.array([1.0, -2.0, 0.5, 3.0])):
        o_ag = ag.tensor(other) if isinstance(other, np.ndarray) else other
        o_t = torch.tensor(other) if isinstance(other, np.ndarray) else other
        for alpha in (1, 3):
            np.testing.assert_allclose(ag.rsub(a, o_ag, alpha=alpha).detach().numpy(),
                                       torch.rsub(t, o_t, alpha=alpha).detach().numpy())
    x = rng.standard_normal(6).round(1)
    ax, tx = ag.tensor(x), torch.tensor(x)
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        assert getattr(ag, name)(ax, 0.1).tolist() == getattr(torch, name)(tx, 0.1).tolist()
        assert getattr(ax.clone(), name + "_")(0.1).tolist() == \
            getattr(tx.clone(), name + "_")(0.1).tolist()
    assert ag.absolute(ax).tolist() == torch.absolute(tx).tolist()
    assert ax.clone().absolute_().tolist() == tx.clone().absolute_().tolist()
    m = rng.standard_normal((4, 3))
    assert ag.tensor(m).msort().tolist() == torch.tensor(m).msort().tolist()
    c = np.array([1 + 0j, 2j, -1 + 0j])
    assert ag.isreal(ag.tensor(c)).tolist() == torch.isreal(torch.tensor(c)).tolist()
    for fn in ("unsafe_split", "split_with_sizes"):
        arg = 2 if fn == "unsafe_split" else [1, 4]
        got = getattr(ag, fn)(ag.arange(5), arg)
        want = getattr(torch, fn)(torch.arange(5), arg)
        assert [g.tolist() for g in got] == [w.tolist() for w in want]
    got = ag.arange(7).unsafe_chunk(3)
    assert [g.tolist() for g in got] == [w.tolist() for w in torch.arange(7).unsafe_chunk(3)]


@pytest.mark.torch_parity
def test_hardshrink_prelu_methods_match_torch():
    torch = pytest.importorskip("torch")
    v = np.array([[-1.0, 0.3, -0.5, 2.0], [0.6, -0.7, 1.5, 0.0]])  # (NaN: PyTorch's own paths disagree)
    w = np.array([0.25, -0.5, 2.0, 0.1])
    a, t = ag.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    aw, tw = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya, yt = a.hardshrink(0.55) + a.prelu(aw), t.hardshrink(0.55) + t.prelu(tw)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy())
    g = np.arange(8.0).reshape(2, 4)
    ya.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())
    np.testing.assert_allclose(aw.grad.numpy(), tw.grad.numpy())


@pytest.mark.torch_parity
def test_top_level_nn_names_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)

    def both(*arrays):
        return [ag.tensor(x) for x in arrays], [torch.tensor(x) for x in arrays]

    x, y, z = (rng.standard_normal((3, 4)) for _ in range(3))
    pos = rng.uniform(0.1, 1.0, (3, 4))
    sign = np.array([1.0, -1.0, 1.0])
    b01 = (rng.uniform(size=(3, 4)) > 0.5).astype(float)
    img = rng.standard_normal((2, 4, 3, 3))
    ch = rng.uniform(0.5, 1.5, 4)
    (ax, ay, az, ap, asg, ab, ai, ac), (tx, ty, tz, tp, tsg, tb, ti, tc) = both(
        x, y, z, pos, sign, b01, img, ch)
    cases = [
        ("cosine_similarity", lambda m, a, b, *r: m.cosine_similarity(a, b)),
        ("pairwise_distance", lambda m, a, b, *r: m.pairwise_distance(a, b, 3.0)),
        ("pdist", lambda m, a, *r: m.pdist(a)),
        ("dropout", lambda m, a, *r: m.dropout(a, 0.3, False)),
        ("alpha_dropout", lambda m, a, *r: m.alpha_dropout(a, 0.3, False)),
        ("feature_alpha_dropout", lambda m, a, *r: m.feature_alpha_dropout(a, 0.3, False)),
        ("selu", lambda m, a, *r: m.selu(a)),
        ("celu", lambda m, a, *r: m.celu(a, 0.7)),
        ("prelu", lambda m, a, *r: m.prelu(a, a[0].abs())),
        ("rrelu", lambda m, a, *r: m.rrelu(a, 0.1, 0.3, False)),
        ("threshold", lambda m, a, *r: m.threshold(a, 0.2, -3.0)),
        ("threshold_", lambda m, a, *r: m.threshold_(a.clone(), 0.2, -3.0)),
        ("hardshrink", lambda m, a, *r: m.hardshrink(a, 0.3)),
        ("layer_norm", lambda m, a, *r: m.layer_norm(a, [4], a[0], a[1], 1e-3)),
        ("rms_norm", lambda m, a, *r: m.rms_norm(a, [4], a[0], 1e-3)),
        ("kl_div", lambda m, a, b, c, p, *r: m.kl_div(a, p)),
        ("kl_div", lambda m, a, b, c, p, *r: m.kl_div(a, p, 1)),
        ("kl_div", lambda m, a, b, c, p, *r: m.kl_div(a, b, 2, log_target=True)),
        ("margin_ranking_loss", lambda m, a, b, c, p, s, *r: m.margin_ranking_loss(
            a, b, s[:, None].expand(3, 4), 0.2)),
        ("margin_ranking_loss", lambda m, a, b, c, p, s, *r: m.margin_ranking_loss(
            a, b, s[:, None].expand(3, 4), 0.2, 1)),
        ("hinge_embedding_loss", lambda m, a, b, c, p, s, *r: m.hinge_embedding_loss(
            a, s[:, None].expand(3, 4), 0.5, 2)),
        ("hinge_embedding_loss", lambda m, a, b, c, p, s, *r: m.hinge_embedding_loss(
            a, s[:, None].expand(3, 4))),
        ("triplet_margin_loss", lambda m, a, b, c, *r: m.triplet_margin_loss(a, b, c)),
        ("triplet_margin_loss", lambda m, a, b, c, *r: m.triplet_margin_loss(
            a, b, c, 0.5, 1.0, 1e-6, True, 1)),
        ("cosine_embedding_loss", lambda m, a, b, c, p, s, *r: m.cosine_embedding_loss(
            a, b, s, 0.1)),
        ("cosine_embedding_loss", lambda m, a, b, c, p, s, *r: m.cosine_embedding_loss(
            a, b, s, 0.1, 2)),
        ("poisson_nll_loss", lambda m, a, b, c, p, *r: m.poisson_nll_loss(
            a, p, True, True, 1e-8, 1)),
        ("poisson_nll_loss", lambda m, a, b, c, p, *r: m.poisson_nll_loss(
            p, p, False, False, 1e-8, 0)),
        ("binary_cross_entropy_with_logits", lambda m, a, b, c, p, s, t01, *r:
            m.binary_cross_entropy_with_logits(a, t01)),
        ("binary_cross_entropy_with_logits", lambda m, a, b, c, p, s, t01, *r:
            m.binary_cross_entropy_with_logits(a, t01, p, p[0], 1)),
        ("group_norm", lambda m, *r: m.group_norm(r[-2], 2, r[-1], r[-1], 1e-4)),
        ("batch_norm", lambda m, *r: m.batch_norm(r[-2], r[-1], r[-1] * 0.5, r[-1] * 0.1,
                                                  r[-1], False, 0.1, 1e-5, False)),
        ("batch_norm", lambda m, *r: m.batch_norm(r[-2], r[-1], None, None, None, True, 0.1,
                                                  1e-5, False)),
        ("instance_norm", lambda m, *r: m.instance_norm(r[-2], r[-1], r[-1] * 0.5, None, None,
                                                        True, 0.1, 1e-5, False)),
        ("channel_shuffle", lambda m, *r: m.channel_shuffle(r[-2], 2)),
    ]
    for name, f in cases:
        got = f(ag, ax, ay, az, ap, asg, ab, ai, ac)
        want = f(torch, tx, ty, tz, tp, tsg, tb, ti, tc)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)
    w = rng.standard_normal((5, 3))
    idx = np.array([[0, 4], [2, 2]])
    aw, tw = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ag.embedding(aw, ag.tensor(idx), 2).sum().backward()
    torch.embedding(tw, torch.tensor(idx), 2).sum().backward()
    np.testing.assert_allclose(aw.grad.numpy(), tw.grad.numpy())
    lp = np.log(rng.dirichlet(np.ones(4), size=(6, 2)))
    targets = np.array([[1, 2], [3, 1]])
    for red in (0, 1, 2):
        got = ag.ctc_loss(ag.tensor(lp), ag.tensor(targets), [6, 5], [2, 1], 0, red)
        want = torch.ctc_loss(torch.tensor(lp), torch.tensor(targets), [6, 5], [2, 1], 0, red)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)


def test_lazy_top_level_names_resolve_to_their_functions():
    import inspect

    import nn.functional as F
    from nn import _toplevel

    for name in _toplevel.SAME_AS_F:
        assert getattr(ag, name) is getattr(F, name), name
    own = [n for n, f in vars(_toplevel).items()
           if inspect.isfunction(f) and f.__module__ == _toplevel.__name__ and n[0] != "_"]
    assert len(own) == 29
    for name in own:
        assert getattr(ag, name) is getattr(_toplevel, name), name


def test_sub_and_rsub_refuse_a_float_alpha_for_integers():
    # PyTorch: "For integral input tensors, argument alpha must not be a floating point number."
    # (sub computed 3 - 2.0 * 1 = 1.0 in float before; rsub inherited it)
    a, b = ag.tensor([1, 2]), ag.tensor([3, 4])
    for call in (lambda: ag.sub(b, a, alpha=2.0), lambda: ag.rsub(a, b, alpha=2.0)):
        with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
            call()
    assert ag.rsub(a, b, alpha=2).tolist() == [1, 0]
    assert ag.sub(ag.tensor([1.0]), ag.tensor([2.0]), alpha=0.5).tolist() == [0.0]


def test_add_checks_alpha_against_the_result_dtype_as_pytorch():
    # add(int, int, alpha=2.5) computed [8.5, 12.0] in float; bool + bool with alpha=2 gave an
    # int64 [2]; PyTorch refuses the first and computes the second in bool (a or (alpha and b))
    a, b = ag.tensor([1, 2]), ag.tensor([3, 4])
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        ag.add(a, b, alpha=2.5)
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        a.add_(b, alpha=2.5)
    assert a.tolist() == [1, 2]  # refused before the write
    with pytest.raises(RuntimeError, match="^Boolean alpha only supported for Boolean results"):
        ag.add(ag.tensor([1.0]), ag.tensor([1.0]), alpha=True)
    with pytest.raises(RuntimeError, match="alpha must not be a complex number"):
        ag.add(ag.tensor([1.0]), ag.tensor([1.0]), alpha=1j)
    t, f = ag.tensor([True, False]), ag.tensor([False, False])
    r = ag.add(f, t, alpha=2)
    assert r.dtype == ag.bool and r.tolist() == [True, False]
    assert ag.add(f, t, alpha=0).tolist() == [False, False]
    assert ag.add(a, b, alpha=3).tolist() == [10, 14]
    assert ag.add(ag.tensor([1j]), ag.tensor([1j]), alpha=1j).tolist() == [-1 + 1j]


def test_sub_with_alpha_refuses_a_bool_operand_as_without():
    # alpha * other made ints of a bool tensor before Sub's refusal could see it, so
    # sub(x, mask, alpha=2) computed x - 2 * mask where PyTorch refuses (as it does for x - mask)
    f, m, i = ag.tensor([1.0, 2.0]), ag.tensor([True, False]), ag.tensor([1, 2])
    for a, b in ((f, m), (i, m), (m, f)):
        with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
            ag.sub(a, b, alpha=2)
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        ag.rsub(m, i, alpha=2)
    with pytest.raises(RuntimeError, match="with two bool tensors is not supported"):
        ag.sub(m, m, alpha=True)
    # a complex alpha with integers: PyTorch's integral words come first
    with pytest.raises(RuntimeError, match="^For integral input tensors, argument alpha must "
                                           "not be a floating point number.$"):
        ag.add(i, i, alpha=1j)
