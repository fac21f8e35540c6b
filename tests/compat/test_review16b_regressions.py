"""Regressions found by review16b (foreach ops, norms' dtype=, ...), each checked against PyTorch."""

import numpy as np
import pytest

import autograd_core as ag

pytestmark = pytest.mark.torch_parity


def _lists(lib, dtype):
    return [lib.tensor([1.5, 0.25], dtype=dtype), lib.tensor(3.25, dtype=dtype)]


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name", ["_foreach_add", "_foreach_sub", "_foreach_pow",
                                  "_foreach_maximum", "_foreach_minimum", "_foreach_clamp_min"])
@pytest.mark.parametrize("dt", ["float32", "int32"])
def test_foreach_zero_dim_tensor_scalar_is_a_number(name, dt):
    # PyTorch's Number overload reads a 0-d Tensor as its number: a 0-d entry keeps its dtype
    # (float32 + 0-d float64 is float32 there; ours promoted it to float64 by tensor rules)
    torch = pytest.importorskip("torch")
    wide = {"float32": ("float64", 0.5), "int32": ("int64", 2)}[dt]
    ours = getattr(ag, name)(_lists(ag, getattr(ag, dt)), ag.tensor(wide[1], dtype=getattr(ag, wide[0])))
    theirs = getattr(torch, name)(_lists(torch, getattr(torch, dt)),
                                  torch.tensor(wide[1], dtype=getattr(torch, wide[0])))
    _assert_same(ours, theirs)


def test_foreach_mul_and_add_alpha_take_the_tensor_overload():
    torch = pytest.importorskip("torch")
    for lib_args in [("_foreach_mul", {}), ("_foreach_add", {"alpha": 2})]:
        name, kw = lib_args
        ours = getattr(ag, name)(_lists(ag, ag.float32), ag.tensor(0.5, dtype=ag.float64), **kw)
        theirs = getattr(torch, name)(_lists(torch, torch.float32),
                                      torch.tensor(0.5, dtype=torch.float64), **kw)
        _assert_same(ours, theirs)


def test_foreach_maximum_inplace_refuses_float_into_int():
    # copy_ truncated silently: [1, 5] max_ 2.5 became [2, 5]; PyTorch refuses the cast
    for other in (2.5, [ag.tensor([2.5, 2.5]), ag.tensor(1.5)]):
        xs = [ag.tensor([1, 5]), ag.tensor(3)]
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                               "output type Long"):
            ag._foreach_maximum_(xs, other)
        assert xs[0].tolist() == [1, 5]
    xs = [ag.tensor([1.0, 5.0])]
    ag._foreach_minimum_(xs, [ag.tensor([2, 2])])  # int into float is allowed
    assert xs[0].tolist() == [1.0, 2.0]


def test_foreach_refusals_in_pytorch_words():
    xs = [ag.ones(2), ag.ones(3)]
    with pytest.raises(TypeError, match="_foreach_add_\\(\\) received an invalid combination"):
        ag._foreach_add_(xs, 2.0, alpha=2)  # the Number overload has no alpha
    with pytest.raises(TypeError, match="_foreach_sub\\(\\) received an invalid combination"):
        ag._foreach_sub(xs, ag.tensor(1.0), alpha=2)
    with pytest.raises(RuntimeError, match="scalar tensor expected to be 0 dim but it has 1 "
                                           "dimensions and 2 elements."):
        ag._foreach_mul(xs, ag.tensor([1.0, 2.0]))  # broadcast silently before
    with pytest.raises(TypeError, match="received an invalid combination"):
        ag._foreach_maximum(xs, ag.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Expected packed scalar Tensor to be of dimension 1. "
                                           "Got 0 instead."):
        ag._foreach_addcmul(xs, xs, xs, ag.tensor(2.0))
    with pytest.raises(RuntimeError, match="Expected length of scalars to match input of length "
                                           "2 but got 3 instead."):
        ag._foreach_addcdiv(xs, xs, xs, ag.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="_foreach_max cannot compute the maximum of an empty"):
        ag._foreach_max([ag.ones(2), ag.ones(0)])
    with pytest.raises(TypeError, match="argument 'src' \\(position 2\\) must be tuple of "
                                        "Tensors, not Tensor"):
        ag._foreach_copy_(xs, ag.zeros(1))  # every tensor was filled from the one
    assert xs[0].tolist() == [1.0, 1.0]


def test_load_state_dict_post_hook_edits_are_seen_by_strict():
    # PyTorch decides strict=True's key errors after the post-hooks, which may edit the lists in
    # place (its docs: the checks are affected by the hooks' modifications); ours raised first
    import nn

    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seen = []

    def drop_extra(mod, incompatible):
        seen.append((type(mod).__name__, list(incompatible.unexpected_keys)))
        incompatible.unexpected_keys.remove("0.extra")

    m[0].register_load_state_dict_post_hook(lambda mod, inc: seen.append("child"))
    handle = m.register_load_state_dict_post_hook(drop_extra)
    sd = dict(m.state_dict())
    sd["0.weight"] = ag.ones(2, 2)
    sd["0.extra"] = ag.zeros(1)
    result = m.load_state_dict(sd, strict=True)
    assert seen == ["child", ("Sequential", ["0.extra"])]  # children's hooks first
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert m[0].weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    handle.remove()
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "0.extra"'):
        m.load_state_dict(sd, strict=True)


def test_compile_refuses_an_unknown_backend_name():
    # torch.compile raises InvalidBackend (a RuntimeError) for a name it has no backend for, even
    # with disable=True; a typo such as backend="inducter" was accepted silently
    import nn

    for kwargs in ({}, {"disable": True}):
        with pytest.raises(RuntimeError, match="Invalid backend: 'inducter', see "
                                               "`torch._dynamo.list_backends\\(\\)`"):
            ag.compile(nn.Linear(2, 2), backend="inducter", **kwargs)
    for name in ("inductor", "eager", "aot_eager", "cudagraphs"):
        assert type(ag.compile(nn.Linear(2, 2), backend=name)).__name__ == "OptimizedModule"
    with pytest.raises(RuntimeError, match="Invalid backend"):
        nn.Linear(2, 2).compile(backend="nope")


def test_compiled_module_passes_len_on():
    # PyTorch's OptimizedModule.__len__ is the original's: len(torch.compile(Sequential)) works
    import nn

    assert len(ag.compile(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))) == 2
    with pytest.raises(TypeError, match="^Linear does not support len\\(\\)$"):
        len(ag.compile(nn.Linear(2, 2)))


def test_foreach_lerp_refuses_one_tensor_weight():
    # PyTorch's overloads take a number, a list of numbers or a list of Tensors as the weight;
    # one Tensor was broadcast against every entry
    xs = [ag.zeros(2), ag.zeros(3)]
    ys = [ag.ones(2), ag.ones(3)]
    with pytest.raises(TypeError, match="_foreach_lerp_\\(\\) received an invalid combination"):
        ag._foreach_lerp_(xs, ys, ag.tensor(0.5))
    assert xs[0].tolist() == [0.0, 0.0]
    assert ag._foreach_lerp(xs, ys, [ag.tensor(0.25), ag.tensor(0.5)])[1].tolist() == [0.5] * 3


def test_private_state_dict_hook_may_return_a_new_dict():
    # PyTorch's _register_state_dict_hook (older libraries' form): a returned dict becomes the
    # root module's state_dict; a child's returned value is dropped by its parent
    import nn

    m = nn.Sequential(nn.Linear(1, 1))
    m[0]._register_state_dict_hook(lambda mod, sd, prefix, meta: sd.pop(prefix + "bias"))
    assert list(m.state_dict()) == ["0.weight"]
    m._register_state_dict_hook(lambda mod, sd, prefix, meta: {"only": 1})
    assert m.state_dict() == {"only": 1}
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: {})
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        m.state_dict()


def test_load_state_dict_post_hook_returning_a_value_is_an_assertion_error():
    import nn

    m = nn.Linear(1, 1)
    m.register_load_state_dict_post_hook(lambda mod, incompatible: 1)
    with pytest.raises(AssertionError, match="are not expected to return new values"):
        m.load_state_dict(m.state_dict())


@pytest.mark.parametrize("qdtype", ["float64", "float16"])
def test_sdpa_takes_a_float32_mask_for_any_query_dtype(qdtype):
    # PyTorch accepts a bool mask, a float32 one or one of the query's dtype: a float32 mask with
    # float64 queries was refused with PyTorch's own message, and with float16 ones crashed
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    q_np = rng.standard_normal((1, 2, 3, 4)).astype(qdtype)
    m_np = rng.standard_normal((3, 3)).astype("float32")
    results = []
    for lib in (ag, torch):
        q = lib.tensor(q_np, requires_grad=True)
        m = lib.tensor(m_np, requires_grad=True)
        out = lib.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=m)
        out.sum().backward()
        results.append((out, q.grad, m.grad))
    tol = 2e-3 if qdtype == "float16" else 1e-10
    for ours, theirs in zip(*results):
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.detach().numpy().astype("f8"),
                                   theirs.detach().numpy().astype("f8"), rtol=tol, atol=tol)


def test_cudnn_flags_context_sets_and_restores():
    # `with torch.backends.cudnn.flags(enabled=False):` (RNN double-backward and CTC recipes)
    # raised AttributeError; PyTorch's defaults inside, the old values restored after an error
    cudnn = ag.backends.cudnn
    with pytest.raises(ValueError):
        with cudnn.flags(enabled=False, benchmark=True, deterministic=True):
            assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
            assert cudnn.allow_tf32 is True
            raise ValueError
    assert cudnn.set_flags() == (True, False, None, False, True, "none", "auto")


def test_assert_close_number_type_mismatch_in_pytorch_words():
    with pytest.raises(AssertionError, match="^The \\(d\\)types do not match: <class 'int'> != "
                                             "<class 'float'>.$"):
        ag.testing.assert_close(1, 1.0)
    ag.testing.assert_close(1, 1.0, check_dtype=False)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("which", ["optimizer", "module"])
def test_zero_grad_keep_detaches_a_graph_gradient(which):
    # zero_grad(set_to_none=False) after backward(create_graph=True): PyTorch detaches the
    # gradient (detach_() / requires_grad_(False)) before zeroing it; ours zeroed it in place
    # and kept its graph, so the gradient still required grad (and held the graph) afterwards
    import nn
    import optimizers

    m = nn.Linear(1, 1, bias=False)
    with ag.no_grad():
        m.weight.fill_(2.0)
    opt = optimizers.SGD(m.parameters(), lr=0.1)
    (m(ag.ones(1, 1)) ** 3).sum().backward(create_graph=True)
    grad = m.weight.grad
    assert grad.requires_grad and grad.tolist() == [[12.0]]  # 3 * w^2
    (opt if which == "optimizer" else m).zero_grad(set_to_none=False)
    assert m.weight.grad is grad  # zeroed in place, as PyTorch
    assert not grad.requires_grad and grad.grad_fn is None and grad.tolist() == [[0.0]]
    (m(ag.ones(1, 1)) ** 3).sum().backward()
    assert not m.weight.grad.requires_grad and m.weight.grad.tolist() == [[12.0]]


def test_save_to_state_dict_override_is_called():
    # PyTorch's state_dict saves each module's own entries through _save_to_state_dict, which
    # quantization and low-bit layers override; ours never called an override
    torch = pytest.importorskip("torch")
    import nn

    def keys(base):
        class Packed(base.Linear):
            def _save_to_state_dict(self, destination, prefix, keep_vars):
                super()._save_to_state_dict(destination, prefix, keep_vars)
                destination[prefix + "packed"] = destination.pop(prefix + "weight")

        return list(base.Sequential(Packed(1, 1), base.ReLU()).state_dict())

    assert keys(nn) == keys(torch.nn) == ["0.bias", "0.packed"]
