"""PyTorch names programs used that tapegrad lacked: ``torch.range``, ``torch.random.fork_rng``,
``nn.utils.clip_grad_norm`` / ``skip_init`` / the fusion functions, ``Module.get_buffer`` /
``set_submodule`` / ``to_empty``, ``autograd.inference_mode`` / ``grad_mode``,
``utils.data.StackDataset`` / ``default_convert``; and the DataLoader without batching, which
gave numpy samples as they were and ignored ``collate_fn`` (PyTorch converts them to tensors
with ``default_convert``, or applies the given ``collate_fn`` to each sample). Each is checked
against PyTorch running the same code."""

import collections
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.data

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch_parity


def _both(fn):
    """``fn(lib, nn_lib, data_lib)`` for tapegrad and for PyTorch."""
    return fn(ag, nn, nn.data), fn(torch, torch.nn, torch.utils.data)


def _warned(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("args,kw", [((1, 4), {}), ((0, 1, 0.1), {}), ((0, 0.3, 0.1), {}),
                                     ((3, 1, -1), {}), ((0.5, 3), {}), ((1, 4), {"dtype": "int64"}),
                                     ((0, 1, 0.1), {"dtype": "float64"}), ((2, 2), {})])
def test_range_includes_end_as_torchs(args, kw):
    def run(lib, *_):
        kwargs = {k: getattr(lib, v) for k, v in kw.items()}
        return _warned(lambda: lib.range(*args, **kwargs))

    (ours, ours_w), (theirs, theirs_w) = _both(run)
    assert ours_w == theirs_w and len(ours_w) == 1
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.tolist() == theirs.tolist()


def test_range_errors_as_torchs():
    for args in ((1, 0), (1, 2, 0), (2, 1, 1)):
        msgs = []
        for lib in (ag, torch):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(RuntimeError) as info:
                    lib.range(*args)
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]


def test_fork_rng_restores_the_default_generator():
    def run(lib, *_):
        lib.manual_seed(3)
        with lib.random.fork_rng():
            lib.rand(5)
        after_fork = lib.rand(3).tolist()
        lib.manual_seed(3)
        plain = lib.rand(3).tolist()
        lib.manual_seed(3)
        with lib.random.fork_rng(enabled=False):
            lib.rand(5)
        after_disabled = lib.rand(3).tolist()
        return after_fork == plain, after_disabled == plain

    assert _both(run) == ((True, False), (True, False))


def test_clip_grad_norm_is_the_deprecated_clip_grad_norm_():
    def run(lib, nn_lib, _):
        lib.manual_seed(0)
        w = nn_lib.Parameter(lib.ones(3, dtype=lib.float64))
        w.grad = lib.tensor([3.0, 4.0, 12.0], dtype=lib.float64)
        norm, caught = _warned(lambda: nn_lib.utils.clip_grad_norm([w], 1.0))
        return norm.item(), w.grad.tolist(), caught

    ours, theirs = _both(run)
    assert ours[2] == theirs[2] and ours[2][0][0] is FutureWarning
    assert ours[0] == theirs[0] == 13.0
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    assert nn.utils.fuse_conv_bn_eval is nn.utils.fusion.fuse_conv_bn_eval
    assert nn.utils.fuse_linear_bn_weights is nn.utils.fusion.fuse_linear_bn_weights


def test_skip_init_uses_no_draw_and_keeps_shapes():
    class NoDevice(nn.Module):
        def __init__(self, n):
            super().__init__()

    class TorchNoDevice(torch.nn.Module):
        def __init__(self, n):
            super().__init__()

    def run(lib, nn_lib, _):
        lib.manual_seed(1)
        m = nn_lib.utils.skip_init(nn_lib.Linear, 4, 2, bias=True)
        drawn = lib.rand(2).tolist()
        lib.manual_seed(1)
        return (tuple(m.weight.shape), m.weight.requires_grad, str(m.bias.dtype)[-7:],
                drawn == lib.rand(2).tolist())

    ours, theirs = _both(run)
    assert ours == theirs == ((2, 4), True, "float32", True)
    for skip, cls in ((nn.utils.skip_init, NoDevice), (torch.nn.utils.skip_init, TorchNoDevice)):
        with pytest.raises(RuntimeError, match="^Module must support a 'device' arg to skip "
                                               "initialization$"):
            skip(cls, 1)
        with pytest.raises(RuntimeError, match="^Expected a Module; got <class 'int'>$"):
            skip(int)


def test_get_buffer_set_submodule_to_empty_as_torchs():
    def run(lib, nn_lib, _):
        lib.manual_seed(0)
        m = nn_lib.Sequential(nn_lib.Linear(2, 3), nn_lib.BatchNorm1d(3))
        out = [m.get_buffer("1.running_var").tolist(), m.get_buffer("1.num_batches_tracked").item()]
        for target in ("1.weight", "1.nope", "2.running_mean"):
            try:
                m.get_buffer(target)
            except AttributeError as e:
                out.append(str(e))
        m.set_submodule("1", nn_lib.ReLU())
        m.set_submodule("2", nn_lib.Tanh())  # added to an existing parent
        out.append([type(c).__name__ for c in m])
        for args in (("", nn_lib.ReLU()), ("0", 3), ("5", nn_lib.ReLU(), True),
                     ("0.weight", nn_lib.ReLU()), ("7.x", nn_lib.ReLU())):
            try:
                m.set_submodule(*args)
            except (AttributeError, ValueError) as e:
                out.append((type(e).__name__, str(e).replace("torch.nn.modules.activation",
                                                            "nn.layers.activation")))
        w = m[0].weight
        out.append(m.to_empty(device="cpu") is m)
        out.append((tuple(m[0].weight.shape), m[0].weight.requires_grad, m[0].weight is w))
        return out

    ours, theirs = _both(run)
    assert len(ours) == len(theirs) == 13
    for a, b in zip(ours, theirs):
        if isinstance(a, tuple) and isinstance(a[1], str) and "found" in a[1]:
            assert a[0] == b[0] and a[1].split(",")[0] == b[1].split(",")[0]
        else:
            assert a == b


def test_autograd_inference_mode_and_grad_mode():
    import autograd_core.autograd as A

    assert A.inference_mode is ag.inference_mode
    assert A.grad_mode.no_grad is ag.no_grad and A.grad_mode.enable_grad is ag.enable_grad
    x = ag.ones(2, requires_grad=True)
    with A.inference_mode():
        assert not (x * 2).requires_grad


def test_stack_dataset_and_its_errors_as_torchs():
    def run(lib, nn_lib, data):
        a, b = [1, 2, 3], ["x", "y", "z"]
        out = [data.StackDataset(a, b)[2], data.StackDataset(n=a, s=b)[0], len(data.StackDataset(a))]
        for args, kw in (((a, b), {"c": a}), ((), {}), ((a, [1]), {})):
            try:
                data.StackDataset(*args, **kw)
            except ValueError as e:
                out.append(str(e))
        return out

    ours, theirs = _both(run)
    assert ours == theirs


def test_default_convert_and_the_unbatched_loader_as_torchs():
    Point = collections.namedtuple("Point", "x y")

    def sample():
        return {"a": np.arange(3.0), "b": (np.int64(4), "s"), "c": Point(np.float32(1.5), [2]),
                "d": np.array(["u", "v"])}

    def describe(v):
        if isinstance(v, dict):
            return {k: describe(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [describe(x) for x in v])
        if isinstance(v, (ag.Tensor, torch.Tensor)):
            return ("tensor", str(v.dtype).split(".")[-1], v.tolist())
        if isinstance(v, np.ndarray):
            return ("ndarray", v.tolist())
        return v

    def run(lib, nn_lib, data):
        converted = data.default_convert(sample())
        arrays = [np.arange(2.0), np.arange(2.0) + 5]
        plain = list(data.DataLoader(arrays, batch_size=None))
        given = list(data.DataLoader(arrays, batch_size=None, collate_fn=lambda s: s.sum()))
        return describe(converted), describe(plain), [float(g) for g in given]

    ours, theirs = _both(run)
    assert ours == theirs
    assert ours[2] == [1.0, 11.0]


def test_set_default_tensor_type_as_torchs():
    def run(lib, *_):
        out = []
        try:
            for t in (lib.DoubleTensor, "torch.FloatTensor", "torch.cuda.FloatTensor",
                      "torch.IntTensor", "foo", lib.LongTensor):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # PyTorch warns once per process
                        lib.set_default_tensor_type(t)
                    out.append((str(lib.get_default_dtype())[-7:],
                                str(lib.tensor([1.5]).dtype)[-7:]))
                except Exception as e:  # noqa: BLE001 - the error itself is compared
                    out.append((type(e).__name__, str(e)))
        finally:
            lib.set_default_dtype(lib.float32)
        return out

    ours, theirs = _both(run)
    assert ours == theirs
    assert ours[0] == ("float64", "float64") and ours[1] == ("float32", "float32")
    with pytest.warns(UserWarning, match=r"^torch.set_default_tensor_type\(\) is deprecated as "
                                         r"of PyTorch 2.1, please use torch.set_default_dtype\(\) "
                                         r"and torch.set_default_device\(\) as alternatives.$"):
        ag.set_default_tensor_type(ag.FloatTensor)


def test_make_tensor_as_torchs():
    def run(lib, *_):
        make = lib.testing.make_tensor
        out = []
        for args, kw in (((2, 3), {"dtype": "float32"}), (((4, 5),), {"dtype": "int8"}),
                         ((6,), {"dtype": "uint8", "low": -5, "high": 3, "exclude_zero": True}),
                         ((3, 4), {"dtype": "float64", "noncontiguous": True,
                                   "requires_grad": True}),
                         ((50,), {"dtype": "bool"}), ((2, 2), {"dtype": "complex64", "low": 0,
                                                              "high": 1}),
                         ((30,), {"dtype": "float32", "low": -math.inf, "high": math.inf})):
            kw = dict(kw, dtype=getattr(lib, kw["dtype"]), device="cpu")
            t = make(*args, **kw)
            v = np.asarray(t.detach().numpy())
            low, high = kw.get("low", -9), kw.get("high", 10 if v.dtype.kind in "iu" else 9)
            parts = [v.real, v.imag] if v.dtype.kind == "c" else [v.astype(np.float64)]
            inside = v.dtype.kind == "b" or all(
                ((p >= max(low, 0 if v.dtype.kind == "u" else low)) & (p < high)).all()
                for p in parts)
            out.append((tuple(t.shape), str(t.dtype).split(".")[-1], t.requires_grad,
                        t.is_contiguous(), bool(inside), bool((v != 0).all()) if
                        kw.get("exclude_zero") else None))
        for kw in ({"dtype": "int64", "requires_grad": True}, {"dtype": "float32", "low": 2,
                                                                "high": 1},
                   {"dtype": "float32", "low": math.nan}, {"dtype": "uint8", "low": -9, "high": -2},
                   {"dtype": "float32", "noncontiguous": True,
                    "memory_format": lib.contiguous_format}):
            try:
                make(3, **dict(kw, dtype=getattr(lib, kw["dtype"]), device="cpu"))
            except ValueError as e:
                out.append(str(e).replace("torch.", "autograd_core."))
        return out

    ours, theirs = _both(run)
    assert ours == theirs
    assert len(ours) == 12 and all(row[4] for row in ours[:7])


def test_detach_variable_as_torchs():
    def run(lib, *_):
        from importlib import import_module

        cp = import_module(lib.__name__ + ".utils.checkpoint")
        x = lib.ones(2, requires_grad=True) * 2
        y, z, n = cp.detach_variable((x, lib.zeros(1), "s"))
        y.sum().backward()
        out = [y.is_leaf, y.requires_grad, z.requires_grad, n, y.grad.tolist()]
        try:
            cp.detach_variable([x])
        except RuntimeError as e:
            out.append(str(e))
        return out

    ours, theirs = _both(run)
    assert ours == theirs


@pytest.mark.torch_parity
def test_deprecated_assert_allclose_as_torchs():
    """torch.testing.assert_allclose (deprecated, still in older course tests) was missing."""
    torch = pytest.importorskip("torch")
    cases = [([1.0, 2.0], [1.00005, 2.0]), ([1.0, 2.0], [1.001, 2.0]),
             ([1.0, float("nan")], [1.0, float("nan")]), ([1, 2], [1, 2]), ([1, 2], [1, 3]),
             (3.0, 3.00002)]
    for a, e in cases:
        outcomes = []
        for lib in (torch, ag):
            with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated"):
                try:
                    lib.testing.assert_allclose(lib.tensor(a), e)
                    outcomes.append(True)
                except AssertionError:
                    outcomes.append(False)
        assert outcomes[0] == outcomes[1], (a, e, outcomes)
    with pytest.warns(FutureWarning), pytest.raises(AssertionError):
        ag.testing.assert_allclose(ag.tensor([1.0]), [1.5], rtol=0.1, atol=0.0)
