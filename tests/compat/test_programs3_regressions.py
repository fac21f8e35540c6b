"""Regressions found by the third round of public PyTorch programs run on tapegrad with their
imports rewritten (learn2learn, pytorch/examples, d2l.ai, functorch examples, ...): each test is
the line that broke or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_data_ptr_is_the_address_of_the_first_element():
    # learn2learn's clone_module keys its memo on `param.data_ptr`
    t = ag.arange(6, dtype=ag.float32)
    assert isinstance(t.data_ptr(), int) and t.data_ptr() != 0
    assert t.data_ptr() == t.view(2, 3).data_ptr() == t.data.data_ptr() == t.detach().data_ptr()
    assert t[2:].data_ptr() == t.data_ptr() + 2 * t.element_size()
    assert t.clone().data_ptr() != t.data_ptr()
    assert ag.empty(0).data_ptr() == 0


@pytest.mark.torch_parity
def test_data_ptr_offsets_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        t = lib.zeros(3, 4, dtype=lib.float64)
        assert t[1, 2:].data_ptr() - t.data_ptr() == 6 * 8
        assert t.t().data_ptr() == t.data_ptr()
        assert lib.empty(0).data_ptr() == 0


def _l2l_clone(module):
    # learn2learn's clone_module: a shallow copy whose registries are replaced by dict copies,
    # into which the cloned parameters are then written
    clone = module.__new__(type(module))
    clone.__dict__ = module.__dict__.copy()
    clone._parameters = clone._parameters.copy()
    clone._buffers = clone._buffers.copy()
    clone._modules = clone._modules.copy()
    for key, p in module._parameters.items():
        if p is not None:
            clone._parameters[key] = p * 2.0  # a visible stand-in for p.clone()
    for key, m in module._modules.items():
        clone._modules[key] = _l2l_clone(m)
    return clone


def test_registries_assigned_as_plain_dicts_are_what_forward_reads():
    # maml_sine.py: before, forward kept reading the original weights (silently other numbers)
    net = nn.Sequential(nn.Linear(2, 1, bias=False))
    with ag.no_grad():
        net[0].weight.copy_(ag.tensor([[1.0, 3.0]]))
    clone = _l2l_clone(net)
    x = ag.tensor([[1.0, 1.0]])
    assert float(clone(x)) == 8.0  # (2 * [1, 3]) . [1, 1]
    assert float(net(x)) == 4.0
    fast = ag.tensor([[0.5, 0.5]])
    clone[0]._parameters["weight"] = fast
    assert clone[0].weight is fast and float(clone(x)) == 1.0
    assert [p is fast for p in clone.parameters()] == [True]
    assert float(net(x)) == 4.0 and net[0].weight is not fast
    clone[0]._parameters = {}  # a registry replaced by one without an entry drops the attribute
    with pytest.raises(AttributeError):
        clone[0].weight


@pytest.mark.torch_parity
def test_l2l_clone_and_fast_weights_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    w = np.array([[0.7, -0.4]])
    out = []
    for lib, mods in ((ag, nn), (torch, torch.nn)):
        lin = mods.Linear(2, 1, bias=False).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
        clone = _l2l_clone(lin)
        loss = (clone(lib.tensor(x)) ** 2).sum()
        (g,) = lib.autograd.grad(loss, [clone.weight], create_graph=True)
        clone._parameters["weight"] = clone.weight - 0.1 * g
        outer = clone(lib.tensor(x)).sum()
        outer.backward()
        out.append((float(outer.detach()), lin.weight.grad.numpy().copy()))
    assert out[0][0] == pytest.approx(out[1][0], rel=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


def test_legacy_tensor_constructor_with_sizes():
    # pytorch/examples gcn & gat: nn.Parameter(torch.Tensor(input_dim, output_dim)), then init
    t = ag.Tensor(3, 2)
    assert t.shape == (3, 2) and t.dtype == ag.float32 and not t.requires_grad
    assert ag.Tensor(2, 1, 4).shape == (2, 1, 4)
    p = nn.Parameter(ag.Tensor(4, 5))
    nn.init.xavier_normal_(p)
    assert p.shape == (4, 5) and p.requires_grad
    with pytest.raises(TypeError, match="argument 'size'"):
        ag.Tensor(2, 2.5)
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[-1, 2\]"):
        ag.Tensor(-1, 2)
    assert ag.Tensor([1, 2]).tolist() == [1.0, 2.0]  # data still works


@pytest.mark.torch_parity
def test_legacy_tensor_constructor_with_sizes_matches_torch():
    torch = pytest.importorskip("torch")
    for sizes in [(3, 2), (1, 0), (2, 3, 4)]:
        a, b = ag.Tensor(*sizes), torch.Tensor(*sizes)
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]


@pytest.mark.parametrize("name", ["empty", "zeros", "ones", "rand", "randn"])
def test_creation_functions_take_size_by_keyword(name):
    # pytorch/examples gat: nn.Parameter(torch.empty(size=(in_features, n_hidden * n_heads)))
    fn = getattr(ag, name)
    assert fn(size=(2, 3)).shape == (2, 3)
    assert fn(size=[4]).shape == (4,)
    assert fn(size=(2, 1), dtype=ag.float64).dtype == ag.float64
    with pytest.raises(TypeError, match=f"{name}\\(\\) got multiple values for argument 'size'"):
        fn(2, size=(3,))


@pytest.mark.torch_parity
def test_creation_functions_size_keyword_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ["empty", "zeros", "ones", "rand", "randn"]:
        a, b = getattr(ag, name)(size=(3, 0, 2)), getattr(torch, name)(size=(3, 0, 2))
        assert tuple(a.shape) == tuple(b.shape)
    assert ag.zeros(size=(2,)).tolist() == torch.zeros(size=(2,)).tolist()


def test_numpy_spellings_axis_and_keepdims():
    # d2l's Classifier.accuracy: d2l.argmax(Y_hat, axis=1) -> Y_hat.argmax(axis=1)
    x = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert x.argmax(axis=1).tolist() == [1, 0]
    assert ag.argmax(x, axis=0).tolist() == [1, 0, 1]
    assert x.max(axis=1, keepdims=True).values.tolist() == [[5.0], [7.0]]
    assert ag.cat([x, x], axis=0).shape == (4, 3)
    assert x.cumsum(axis=1).tolist() == [[1.0, 6.0, 8.0], [7.0, 7.0, 10.0]]
    assert x.unsqueeze(axis=0).shape == (1, 2, 3)
    with pytest.raises(TypeError, match="argmax\\(\\) got an unexpected keyword argument 'axis'"):
        x.argmax(dim=1, axis=1)


_AXIS_CALLS = [
    ("argmax", lambda L, x: x.argmax(axis=1)), ("argmin", lambda L, x: L.argmin(x, axis=0)),
    ("max", lambda L, x: x.max(axis=1)[0]), ("min", lambda L, x: x.min(axis=1, keepdims=True)[1]),
    ("amax", lambda L, x: x.amax(axis=0)), ("cat", lambda L, x: L.cat([x, x], axis=1)),
    ("stack", lambda L, x: L.stack([x, x], axis=2)), ("softmax", lambda L, x: x.softmax(axis=0)),
    ("log_softmax", lambda L, x: L.log_softmax(x, axis=1)),
    ("std", lambda L, x: x.std(axis=1, keepdims=True)), ("var", lambda L, x: x.var(axis=0)),
    ("cumsum", lambda L, x: x.cumsum(axis=0)), ("prod", lambda L, x: x.prod(axis=1)),
    ("logsumexp", lambda L, x: x.logsumexp(axis=1)), ("any", lambda L, x: (x > 0).any(axis=1)),
    ("all", lambda L, x: (x > 0).all(axis=0)), ("sort", lambda L, x: x.sort(axis=1)[0]),
    ("argsort", lambda L, x: x.argsort(axis=0)), ("topk", lambda L, x: x.topk(2, axis=1)[1]),
    ("squeeze", lambda L, x: x[None].squeeze(axis=0)), ("unsqueeze", lambda L, x: x.unsqueeze(axis=1)),
    ("index_select", lambda L, x: x.index_select(axis=1, index=L.tensor([2, 0]))),
    ("median", lambda L, x: x.median(axis=1)[0]), ("count_nonzero", lambda L, x: x.count_nonzero(axis=0)),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,call", _AXIS_CALLS, ids=[n for n, _ in _AXIS_CALLS])
def test_numpy_spellings_match_torch(name, call):
    torch = pytest.importorskip("torch")
    x = np.array([[0.5, -1.0, 2.0, 0.0], [3.0, 1.5, -2.5, 0.25], [1.0, 1.25, -1.0, 4.0]])
    ours, theirs = call(ag, ag.tensor(x)), call(torch, torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_backward_with_a_gradient_of_another_shape_words_it_as_pytorch():
    # caogang/wgan-gp gan_toy.py: D_real.backward(mone) with mone = FloatTensor([1]) * -1 and a
    # 0-d D_real; PyTorch refuses it with this message
    x = ag.ones(3, requires_grad=True)
    msg = (r"Mismatch in shape: grad_output\[0\] has a shape of autograd_core.Size\(\[1\]\) and "
           r"output\[0\] has a shape of autograd_core.Size\(\[\]\)\.")
    with pytest.raises(RuntimeError, match=msg):
        (x * 2).mean().backward(ag.tensor([1.0]))
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of autograd_core.Size\(\[2\]\)"):
        ag.autograd.grad(x * 2, x, np.ones(2))
    assert x.grad is None  # refused before any work


def test_scalar_conversions_of_many_elements_raise_pytorchs_errors():
    # PINN (osl202/PINNs): plt.contourf(T, X, ...) with Tensors; matplotlib's safe_isfinite
    # catches the ValueError PyTorch's float() raises, and stopped on our RuntimeError
    t = ag.ones(3)
    for convert in (float, int, complex, lambda x: "%f" % x):
        with pytest.raises(ValueError, match="only one element tensors can be converted to "
                                             "Python scalars"):
            convert(t)
    with pytest.raises(RuntimeError, match="a Tensor with 3 elements"):
        t.item()  # RuntimeError as PyTorch's (our message also gives the shape)
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(t)
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(ag.ones(0))
    assert float(ag.tensor([2.5])) == 2.5 and int(ag.tensor(3)) == 3


def test_matplotlib_takes_tensors_as_pytorchs():
    plt = pytest.importorskip("matplotlib.pyplot")
    import matplotlib

    matplotlib.use("Agg")
    x = ag.linspace(0.0, 1.0, 5)
    X, T = ag.meshgrid(x, x, indexing="ij")
    fig = plt.figure()
    cs = plt.contourf(T, X, (X * T).numpy(), levels=3)
    assert len(cs.levels) > 1
    plt.close(fig)


@pytest.mark.torch_parity
def test_scalar_conversion_errors_match_torch():
    torch = pytest.importorskip("torch")
    seen = {}
    for lib in (ag, torch):
        seen[lib] = []
        for t in (lib.ones(2, 2), lib.ones(0)):
            for convert in (float, int, bool):
                with pytest.raises(Exception) as info:
                    convert(t)
                seen[lib].append((type(info.value), str(info.value)))
    assert seen[ag] == seen[torch]


def test_use_deterministic_algorithms():
    # pytorch/tutorials translation_transformer.py: torch.use_deterministic_algorithms(True)
    try:
        ag.use_deterministic_algorithms(True)
        assert ag.are_deterministic_algorithms_enabled()
        assert not ag.is_deterministic_algorithms_warn_only_enabled()
        ag.use_deterministic_algorithms(True, warn_only=True)
        assert ag.is_deterministic_algorithms_warn_only_enabled()
        with pytest.raises(TypeError, match=r"argument 'mode' \(position 1\) must be bool, not int"):
            ag.use_deterministic_algorithms(1)
        assert ag.are_deterministic_algorithms_enabled()  # refused before any change
    finally:
        ag.use_deterministic_algorithms(False)
    assert not ag.are_deterministic_algorithms_enabled()


@pytest.mark.torch_parity
def test_use_deterministic_algorithms_matches_torch():
    torch = pytest.importorskip("torch")
    seen = {}
    for lib in (ag, torch):
        out = []
        for args, kw in [((True,), {}), ((False,), {"warn_only": True}), ((1,), {}),
                         ((True,), {"warn_only": 1})]:
            try:
                lib.use_deterministic_algorithms(*args, **kw)
                out.append((lib.are_deterministic_algorithms_enabled(),
                            lib.is_deterministic_algorithms_warn_only_enabled()))
            except TypeError as exc:
                out.append(str(exc))
        lib.use_deterministic_algorithms(False)
        seen[lib] = out
    assert seen[ag] == seen[torch]


def test_pad_sequence_pads_and_stacks():
    # pytorch/tutorials translation_transformer.py: from torch.nn.utils.rnn import pad_sequence
    from nn.utils.rnn import pad_sequence, unpad_sequence

    a, b = ag.tensor([1, 2, 3]), ag.tensor([4])
    assert pad_sequence([a, b], padding_value=1).tolist() == [[1, 4], [2, 1], [3, 1]]
    assert pad_sequence([a, b], batch_first=True, padding_side="left").tolist() == \
        [[1, 2, 3], [0, 0, 4]]
    x = ag.tensor(np.arange(6.0).reshape(3, 2), dtype=ag.float64, requires_grad=True)
    y = ag.tensor([[7.0, 8.0]], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, y: pad_sequence([x, y], batch_first=True, padding_value=-2.0),
                        (x, y))
    assert [t.tolist() for t in unpad_sequence(pad_sequence([a, b]), [3, 1])] == [[1, 2, 3], [4]]
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, "
                                           "but got middle."):
        pad_sequence([a], padding_side="middle")


@pytest.mark.torch_parity
def test_pad_sequence_matches_torch():
    torch = pytest.importorskip("torch")
    from nn.utils.rnn import pad_sequence

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 2, 3)) for n in (4, 1, 3)]
    for kw in [{}, {"batch_first": True}, {"padding_value": 2.5, "padding_side": "left"}]:
        ours = pad_sequence([ag.tensor(a) for a in arrays], **kw)
        theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], **kw)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == ag.float64


def test_memory_format_names():
    # milesial/Pytorch-UNet: model.to(memory_format=torch.channels_last) and
    # images.to(device=device, dtype=torch.float32, memory_format=torch.channels_last)
    x = ag.arange(24.0).reshape(1, 2, 3, 4)
    y = x.to(dtype=ag.float64, memory_format=ag.channels_last)
    assert y.dtype == ag.float64 and y.tolist() == x.tolist()
    assert x.to(memory_format=ag.contiguous_format) is x
    assert x.contiguous(memory_format=ag.channels_last) is x
    m = nn.Conv2d(2, 1, 1).to(memory_format=ag.channels_last)
    assert m(x).shape == (1, 1, 3, 4)
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        ag.ones(2, 3).to(memory_format=ag.channels_last)
    with pytest.raises(RuntimeError, match="required rank 5 tensor to use channels_last_3d format"):
        x.to(memory_format=ag.channels_last_3d)
    assert repr(ag.channels_last) == "autograd_core.channels_last"
    assert isinstance(ag.preserve_format, ag.memory_format)


@pytest.mark.torch_parity
def test_memory_format_names_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["contiguous_format", "preserve_format", "channels_last", "channels_last_3d"]:
        assert repr(getattr(ag, name)).split(".")[-1] == repr(getattr(torch, name)).split(".")[-1]
    for lib in (ag, torch):
        with pytest.raises(RuntimeError) as info:
            lib.ones(2, 3).to(memory_format=lib.channels_last)
        assert str(info.value) == "required rank 4 tensor to use channels_last format"


def test_autocast_disabled_is_a_pass_through_and_enabled_cpu_refuses():
    # milesial/Pytorch-UNet: with torch.autocast(device.type, enabled=amp) (amp False), and
    # `except torch.cuda.OutOfMemoryError:` around training
    import warnings

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.autocast("cpu", enabled=False):
        y = (x * x).sum()
        assert not ag.is_autocast_enabled("cpu")
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]
    with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. "
                                         "Disabling autocast."):
        ctx = ag.amp.autocast("cuda")
    with ctx:
        assert y.dtype == ag.float32
    with pytest.raises(RuntimeError, match="not supported by tapegrad"):
        ag.autocast("cpu")
    with pytest.raises(TypeError, match="argument 'enabled' \\(position 2\\) must be bool, not int"):
        ag.autocast("cpu", enabled=1)
    with pytest.raises(RuntimeError, match="device type at start of device string: tpu"):
        ag.autocast("tpu", enabled=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.autocast("cpu", enabled=False)(lambda a: a + 1)(1) == 2
    assert issubclass(ag.cuda.OutOfMemoryError, RuntimeError)
    assert ag.OutOfMemoryError is ag.cuda.OutOfMemoryError


@pytest.mark.torch_parity
def test_autocast_disabled_matches_torch():
    torch = pytest.importorskip("torch")
    import warnings

    for lib in (ag, torch):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with lib.autocast("cuda"):
                assert not lib.is_autocast_enabled("cuda")
        assert [str(w.message) for w in seen] == [
            "CUDA is not available or torch_xla is imported. Disabling autocast."]
        with lib.autocast("cpu", enabled=False):
            assert not lib.is_autocast_enabled("cpu")
        assert issubclass(lib.cuda.OutOfMemoryError, RuntimeError)


@pytest.mark.torch_parity
def test_load_state_dict_size_mismatch_words_match_torch():
    # milesial/Pytorch-UNet --load of a checkpoint of the other (bilinear) variant
    torch = pytest.importorskip("torch")
    msgs = []
    for lib, mods in ((ag, nn), (torch, torch.nn)):
        m = mods.Linear(3, 2)
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict({"weight": np.zeros((2, 4), np.float32) if lib is ag
                               else torch.zeros(2, 4), "bias": m.bias.detach().clone()})
        msgs.append(str(info.value).replace("autograd_core.", "torch."))
    assert msgs[0] == msgs[1]
