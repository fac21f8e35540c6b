"""``stft``/``istft`` against torch 2.13: values and vector-Jacobian products (input and window)
in float32/float64 for every argument, the round trip, hand-worked frames, gradcheck and
gradgradcheck (finite differences, no torch), PyTorch's errors and warnings in its words."""

import warnings

import numpy as np
import pytest

import autograd_core as ag

# stft keyword arguments (n_fft first), the signal's shape, whether a window is passed
STFT_CASES = [
    (dict(n_fft=8), (37,), False),
    (dict(n_fft=8), (2, 37), True),
    (dict(n_fft=8, hop_length=3, win_length=5), (2, 30), True),
    (dict(n_fft=8, hop_length=3, win_length=5), (30,), False),
    (dict(n_fft=7, center=False), (2, 31), True),
    (dict(n_fft=8, pad_mode="constant", normalized=True), (25,), True),
    (dict(n_fft=9, pad_mode="replicate", onesided=False), (2, 20), True),
    (dict(n_fft=8, pad_mode="circular"), (21,), True),
    (dict(n_fft=6, hop_length=2, win_length=3, center=False, align_to_window=True), (10,), True),
    (dict(n_fft=6, hop_length=2, win_length=3, center=False, align_to_window=False), (10,),
     True),
    (dict(n_fft=20, center=False), (20,), True),  # one frame, n_fft == length
]
SIDS = ["-".join(f"{k}{v}" for k, v in c[0].items()) + f"-{len(c[1])}d-w{int(c[2])}"
        for c in STFT_CASES]


def _tol(dtype):
    return dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw,shape,windowed", STFT_CASES, ids=SIDS)
def test_stft_values_and_vjps_equal_torch(kw, shape, windowed, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arr = rng.standard_normal(shape).astype(dtype)
    warr = rng.uniform(0.5, 1.5, kw.get("win_length", kw["n_fft"])).astype(dtype)
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    w = ag.tensor(warr, requires_grad=True) if windowed else None
    tw = torch.tensor(warr, requires_grad=True) if windowed else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = ag.stft(x, window=w, return_complex=True, **kw)
        u = torch.stft(t, window=tw, return_complex=True, **kw)
    assert y.shape == tuple(u.shape) and y.dtype.name == str(u.dtype)[6:]
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **_tol(dtype))
    v = (rng.standard_normal(y.shape) + 1j * rng.standard_normal(y.shape)).astype(y.dtype)
    y.backward(ag.tensor(v))
    u.backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **_tol(dtype))
    if windowed:
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), **_tol(dtype))


ISTFT_CASES = [
    (dict(n_fft=8), (37,)),
    (dict(n_fft=8, length=37), (2, 37)),
    (dict(n_fft=8, length=50), (2, 37)),  # padded with zeros, with PyTorch's warning
    (dict(n_fft=8, length=10), (37,)),
    (dict(n_fft=8, hop_length=3, win_length=6, normalized=True), (2, 30)),
    (dict(n_fft=7, hop_length=2, center=False), (31,)),
    (dict(n_fft=8, onesided=False), (2, 21)),
    (dict(n_fft=8, onesided=False, return_complex=True), (2, 21)),
]
IIDS = ["-".join(f"{k}{v}" for k, v in c[0].items()) + f"-{len(c[1])}d" for c in ISTFT_CASES]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw,shape", ISTFT_CASES, ids=IIDS)
def test_istft_values_and_vjps_equal_torch(kw, shape, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    win = kw.get("win_length", kw["n_fft"])
    warr = rng.uniform(0.5, 1.5, win).astype(dtype)
    skw = {k: v for k, v in kw.items() if k not in ("length", "return_complex")}
    spec = torch.stft(torch.tensor(rng.standard_normal(shape).astype(dtype)),
                      window=torch.tensor(warr), return_complex=True, **skw)
    spec = spec + 0.1 * torch.randn(spec.shape, dtype=spec.dtype,
                                    generator=torch.Generator().manual_seed(0))
    arr = spec.numpy()
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    w, tw = ag.tensor(warr, requires_grad=True), torch.tensor(warr, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = ag.istft(x, window=w, **kw)
        u = torch.istft(t, window=tw, **kw)
    assert y.shape == tuple(u.shape) and y.dtype.name == str(u.dtype)[6:]
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **_tol(dtype))
    v = rng.standard_normal(y.shape) + (1j * rng.standard_normal(y.shape)
                                        if y.dtype.is_complex else 0)
    v = v.astype(y.dtype)
    y.backward(ag.tensor(v))
    u.backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **_tol(dtype))
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("kw", [dict(), dict(hop_length=3, win_length=6, normalized=True),
                                dict(pad_mode="constant", onesided=False)])
def test_istft_inverts_stft(kw):
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((3, 41)))
    w = ag.hann_window(kw.get("win_length", 8), dtype=ag.float64)
    spec = ag.stft(x, 8, window=w, return_complex=True, **kw)
    ikw = {k: v for k, v in kw.items() if k != "pad_mode"}
    back = ag.istft(spec, 8, window=w, length=41, **ikw)
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)
    # the Tensor methods are the functions
    np.testing.assert_array_equal(x[0].stft(8, window=w, return_complex=True, **kw).numpy(),
                                  spec[0].numpy())
    np.testing.assert_array_equal(spec[0].istft(8, window=w, length=41, **ikw).numpy(),
                                  back[0].numpy())


def test_stft_hand_worked_frames():
    # frames [1, 2], [3, 4] (hop 2, no centring): DFTs [sum, difference]; the gradient of
    # the sum of the real parts is the window times 1 (DC bin) + the window times (1, -1)
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64, requires_grad=True)
    w = ag.tensor([2.0, 0.5], dtype=ag.float64)
    y = ag.stft(x, 2, hop_length=2, center=False, window=w, return_complex=True)
    np.testing.assert_allclose(y.detach().numpy(), [[2 + 1, 6 + 2], [2 - 1, 6 - 2]])
    y.real.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 0.0, 4.0, 0.0])
    # centring reflects n_fft // 2 = 1 sample: [2, 1, 2, 3, 4, 3], frames at 0, 2, 4
    c = ag.stft(ag.tensor([1.0, 2.0, 3.0, 4.0]), 2, hop_length=2, window=ag.ones(2),
                return_complex=True)
    np.testing.assert_allclose(c.numpy(), [[3, 5, 7], [1, -1, 1]])
    # return_complex=False is view_as_real; normalized divides by sqrt(n_fft)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        r = ag.stft(x.detach(), 2, hop_length=2, center=False, window=w, normalized=True,
                    return_complex=False)
    np.testing.assert_allclose(r.numpy(), np.array([[[3, 0], [8, 0]], [[1, 0], [4, 0]]])
                               / np.sqrt(2))


def _gradcheck_stft(x, w):
    return ag.stft(x, 6, hop_length=2, win_length=4, window=w, return_complex=True)


def _gradcheck_istft(s, w):
    return ag.istft(s, 6, hop_length=2, window=w, length=9)


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(3)
    x = ag.tensor(rng.standard_normal((2, 9)), requires_grad=True)
    w = ag.tensor(rng.uniform(0.5, 1.5, 4), requires_grad=True)
    assert ag.gradcheck(_gradcheck_stft, (x, w))
    assert ag.gradgradcheck(_gradcheck_stft, (x, w))
    s = ag.tensor(rng.standard_normal((2, 4, 5)) + 1j * rng.standard_normal((2, 4, 5)),
                  requires_grad=True)
    w6 = ag.tensor(rng.uniform(0.5, 1.5, 6), requires_grad=True)
    assert ag.gradcheck(_gradcheck_istft, (s, w6))
    assert ag.gradgradcheck(_gradcheck_istft, (s, w6))


def _both(torch, name, arr, *args, window=None, **kw):
    """The message (or None) of ``name`` in tapegrad and in torch, with the same arguments."""
    out = []
    for lib, make in ((ag, ag.tensor), (torch, torch.tensor)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                getattr(lib, name)(make(arr), *args,
                                   window=None if window is None else make(window), **kw)
            out.append(None)
        except (RuntimeError, NotImplementedError, IndexError) as e:
            out.append((type(e).__name__, str(e).split("\n")[0].split(" (Triggered")[0]))
    return out


_X = np.random.default_rng(4).standard_normal(20)


@pytest.mark.torch_parity
@pytest.mark.parametrize("arr,args,kw", [
    (_X, (8,), {}),
    (_X, (30,), dict(center=False, return_complex=True)),
    (_X, (0,), dict(return_complex=True)),
    (_X, (8,), dict(hop_length=0, return_complex=True)),
    (_X, (8,), dict(win_length=9, return_complex=True)),
    (_X, (8,), dict(win_length=0, return_complex=True)),
    (_X, (8,), dict(window=np.ones(7), return_complex=True)),
    (_X, (8,), dict(window=np.ones((2, 8)), return_complex=True)),
    (_X.reshape(2, 2, 5), (4,), dict(return_complex=True)),
    (np.array(1.0), (4,), dict(return_complex=True)),
    (_X, (8,), dict(pad_mode="foo", return_complex=True)),
    (_X[:5], (12,), dict(return_complex=True)),
    (np.arange(20), (8,), dict(return_complex=True)),
    (_X.astype(np.complex128), (8,), dict(onesided=True, return_complex=True)),
    (_X, (8,), dict(window=np.ones(8, np.complex128), onesided=True, return_complex=True)),
    (_X, (8,), dict(align_to_window=True, return_complex=True)),
])
def test_stft_errors_in_pytorchs_words(arr, args, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = _both(torch, "stft", arr, *args, **kw)
    assert theirs is not None and ours == theirs


_SPEC = np.fft.rfft(np.random.default_rng(5).standard_normal((11, 8)), axis=-1).T.copy()


@pytest.mark.torch_parity
@pytest.mark.parametrize("arr,args,kw", [
    (_SPEC.real.copy(), (8,), {}),
    (_SPEC, (8,), dict(return_complex=True)),
    (_SPEC, (8,), dict(onesided=False)),
    (_SPEC, (10,), {}),
    (_SPEC, (8,), dict(hop_length=0)),
    (_SPEC, (8,), dict(win_length=10)),
    (_SPEC, (8,), dict(window=np.ones(7))),
    (_SPEC, (8,), dict(window=np.zeros(8))),
    (_SPEC, (8,), dict(window=np.hanning(8), center=False)),
    (_SPEC[None, None], (8,), {}),
    (_SPEC[:, :0], (8,), {}),
])
def test_istft_errors_in_pytorchs_words(arr, args, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = _both(torch, "istft", arr, *args, **kw)
    assert theirs is not None and ours == theirs


def test_warnings_as_pytorchs():
    with pytest.warns(UserWarning, match="A window was not provided"):
        ag.stft(ag.tensor(_X), 8, return_complex=True)
    spec = ag.tensor(_SPEC)
    with pytest.warns(UserWarning, match="shorter than the length parameter"):
        out = ag.istft(spec, 8, window=ag.ones(8, dtype=ag.float64), length=40)
    assert out.shape == (40,) and not out.numpy()[28:].any()


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_signal_two_sided_round_trip_equals_torch(dtype):
    # a complex signal (or window) gives all n_fft bins; istft(return_complex=True) inverts
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    arr = (rng.standard_normal((2, 20)) + 1j * rng.standard_normal((2, 20))).astype(dtype)
    warr = np.hanning(10)[1:-1].astype(np.float32 if dtype == np.complex64 else np.float64)
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    y = ag.istft(ag.stft(x, 8, window=ag.tensor(warr)), 8, window=ag.tensor(warr),
                 return_complex=True, length=20)
    u = torch.istft(torch.stft(t, 8, window=torch.tensor(warr)), 8, window=torch.tensor(warr),
                    return_complex=True, length=20)
    tol = _tol(np.float32 if dtype == np.complex64 else np.float64)
    assert y.dtype.name == str(u.dtype)[6:]
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **tol)
    np.testing.assert_allclose(y.detach().numpy(), arr, **tol)
    v = (rng.standard_normal(y.shape) + 1j * rng.standard_normal(y.shape)).astype(dtype)
    y.backward(ag.tensor(v))
    u.backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)


def test_compiled_istft_redoes_its_window_check_on_every_call():
    # the NOLA check reads the window's values in Python: a captured step replayed a zero
    # window into silent NaNs; now the step runs eagerly and every call raises as PyTorch
    def step(x, window):
        s = ag.stft(x, 8, hop_length=2, window=window, center=False, return_complex=True)
        return ag.istft(s, 8, hop_length=2, window=window, center=False, length=20)

    compiled = ag.compile(step)
    x = ag.tensor(np.linspace(-1.0, 1.0, 20))
    w = ag.tensor(np.hanning(10)[1:-1].copy())
    with pytest.warns(RuntimeWarning, match="istft\\(\\) with a window reads"):
        compiled(x, w)
    for _ in range(3):
        np.testing.assert_allclose(compiled(x, w).numpy(), x.numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="window overlap add min: 1"):
        compiled(x, ag.zeros(8, dtype=ag.float64))


@pytest.mark.torch_parity
@pytest.mark.parametrize("pad_mode", ["reflect", "replicate", "circular", "constant"])
def test_compiled_centred_stft_is_captured_with_torchs_numbers(pad_mode):
    # center=True's padding went through index_select with a tensor of indices, which capture
    # refuses: ag.compile ran every such step eagerly (strict=True raised); it is now slices.
    # (Forward only: a gradient through complex tensors is not captured.)
    torch = pytest.importorskip("torch")
    window = np.hanning(8)

    def step(x, w):
        return ag.stft(x, 8, hop_length=3, window=w, pad_mode=pad_mode,
                       return_complex=True).abs()

    compiled = ag.compile(step, strict=True)
    rng = np.random.default_rng(1)
    for _ in range(3):  # the first call traces, the next ones replay
        a = rng.standard_normal((2, 21))
        ours = compiled(ag.tensor(a), ag.tensor(window))
        ref = torch.stft(torch.tensor(a), 8, hop_length=3, window=torch.tensor(window),
                         pad_mode=pad_mode, return_complex=True).abs()
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12, atol=1e-13)
