"""Regressions found by the second round of public PyTorch programs run on tapegrad with their
imports rewritten (karpathy's ng-video-lecture / nanoGPT / makemore, pytorch/tutorials and
pytorch/examples, d2l.ai): each test is the line that broke or gave another number, reduced."""

import pytest

import autograd_core as ag


def test_backend_flags_a_gpu_program_sets_at_start_up():
    # nanoGPT train.py: torch.backends.cuda.matmul.allow_tf32 = True (and cudnn.allow_tf32)
    import autograd_core.backends.cuda as cuda_backend

    assert ag.backends.cuda.matmul.allow_tf32 is False  # PyTorch's default
    ag.backends.cuda.matmul.allow_tf32 = True
    try:
        assert ag.backends.cuda.matmul.allow_tf32 is True
    finally:
        ag.backends.cuda.matmul.allow_tf32 = False
    assert cuda_backend.is_built() is False
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        ag.backends.cuda.matmul.allow_tf33 = True  # a typo is not silently kept
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        ag.backends.cuda.matmul.allow_tf33
    assert ag.backends.cudnn.allow_tf32 is True and ag.backends.cudnn.benchmark is False
    assert ag.backends.cudnn.deterministic is False and ag.backends.cudnn.enabled is True
    assert ag.backends.cudnn.is_available() is False and ag.backends.cudnn.version() is None


@pytest.mark.torch_parity
def test_backend_flag_defaults_match_torch():
    torch = pytest.importorskip("torch")
    m, tm = ag.backends.cuda.matmul, torch.backends.cuda.matmul
    for name in ["allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction"]:
        assert getattr(m, name) == getattr(tm, name), name
    for name in ["enabled", "benchmark", "deterministic", "allow_tf32"]:
        assert getattr(ag.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name


def test_gpu_programs_grad_scaler_disables_itself_without_cuda():
    # nanoGPT train.py: scaler = torch.cuda.amp.GradScaler(enabled=(dtype == 'float16'))
    import nn
    import optimizers

    with pytest.warns(FutureWarning, match="torch.amp.GradScaler\\('cuda', args...\\)"):
        off = ag.cuda.amp.GradScaler(enabled=False)
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling."):
        on = ag.amp.GradScaler("cuda")
    w = nn.Parameter(ag.tensor([1.0, -2.0]))
    opt = optimizers.SGD([w], lr=0.25)
    for scaler in (off, on):
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
        loss = (w * w).sum()
        assert scaler.scale(loss) is loss
        opt.zero_grad()
        loss.backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
    # two plain SGD steps on w*w: w <- w * (1 - 2 * 0.25), twice
    assert w.detach().tolist() == [0.25, -0.5]
    from autograd_core.cuda.amp import GradScaler  # the module path works too

    assert GradScaler is type(off)


def test_grad_scaler_skips_a_step_with_inf_and_backs_off():
    import nn
    import optimizers

    w = nn.Parameter(ag.tensor([1.0]))
    opt = optimizers.SGD([w], lr=0.5)
    scaler = ag.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    scaler.scale(w.sum()).backward()
    assert w.grad.tolist() == [8.0]
    scaler.unscale_(opt)
    assert w.grad.tolist() == [1.0]
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert w.detach().tolist() == [0.5] and scaler.get_scale() == 8.0
    w.grad = ag.tensor([float("nan")])
    assert scaler.step(opt) is None  # skipped, w unchanged
    scaler.update()
    assert w.detach().tolist() == [0.5] and scaler.get_scale() == 4.0
    for _ in range(2):
        w.grad = ag.tensor([4.0])
        scaler.step(opt)
        scaler.update()
    assert w.detach().tolist() == [0.5 - 0.5 - 0.5] and scaler.get_scale() == 8.0
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: 0.0)


@pytest.mark.torch_parity
def test_grad_scaler_training_matches_torch():
    torch = pytest.importorskip("torch")
    import numpy as np

    import nn
    import optimizers

    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4)).astype(np.float32)
    xs = rng.standard_normal((6, 5, 4)).astype(np.float32)
    runs = []
    for lib, opt_mod, mk in [(ag, optimizers, nn.Parameter), (torch, torch.optim, torch.nn.Parameter)]:
        w = mk(lib.tensor(w0.copy()))
        opt = opt_mod.Adam([w], lr=0.01)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
        seen = []
        for i, x in enumerate(xs):
            opt.zero_grad()
            loss = (lib.tensor(x) @ w.T).tanh().pow(2).mean()
            scaler.scale(loss).backward()
            if i == 2:
                w.grad[0, 0] = float("inf")  # an overflowed step: skipped, scale halves
            scaler.unscale_(opt)
            seen.append((scaler.step(opt) is None, scaler.get_scale()))
            scaler.update()
            seen.append(scaler.get_scale())
        runs.append((w.detach().numpy().copy(), seen, scaler.state_dict()))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-5)
    assert runs[0][1] == runs[1][1]
    assert runs[0][2] == runs[1][2]


def test_torch_utils_data_submodule_paths():
    # karpathy/makemore: from torch.utils.data.dataloader import DataLoader
    import nn.data
    from autograd_core.utils.data.dataloader import DataLoader
    from autograd_core.utils.data.dataset import Dataset, random_split
    from autograd_core.utils.data.sampler import RandomSampler
    from nn.data.sampler import RandomSampler as ViaNnPath

    assert DataLoader is nn.data.DataLoader and Dataset is nn.data.Dataset
    assert random_split is nn.data.random_split and RandomSampler is ViaNnPath is nn.data.RandomSampler
    assert ag.utils.data.dataloader.DataLoader is DataLoader
    with pytest.raises(ImportError):
        from autograd_core.utils.data.sampler import DataLoader  # noqa: F401  (not in that module)


def test_random_sampler_with_replacement_draws_lazily():
    # karpathy/makemore's InfiniteDataLoader: RandomSampler(ds, replacement=True,
    # num_samples=int(1e10)) - the draws were made all at once (80 GB)
    import itertools

    from nn.data import DataLoader, RandomSampler

    sampler = RandomSampler(range(7), replacement=True, num_samples=10**12)
    assert len(sampler) == 10**12
    first = list(itertools.islice(iter(sampler), 100))
    assert len(first) == 100 and set(first) <= set(range(7)) and len(set(first)) > 1
    batch = next(iter(DataLoader(list(range(7)), batch_size=4, sampler=sampler)))
    assert batch.shape == (4,)
    ag.manual_seed(3)
    a = list(RandomSampler(range(5), replacement=True, num_samples=70))
    ag.manual_seed(3)
    assert a == list(RandomSampler(range(5), replacement=True, num_samples=70))
    assert len(a) == 70 and set(a) <= set(range(5))


def test_randint_high_with_size_by_keyword():
    # pytorch/examples mnist_forward_forward: torch.randint(len(allowed_indices), size=(1,))
    ag.manual_seed(0)
    draws = ag.randint(9, size=(200,))
    assert draws.shape == (200,) and draws.dtype == ag.int64
    assert 0 <= draws.min().item() and draws.max().item() <= 8 and len(set(draws.tolist())) == 9
    ag.manual_seed(0)
    assert ag.randint(0, 9, (200,)).tolist() == draws.tolist()  # the same draws as the 3-arg form
    assert ag.randint(high=3, size=(4,)).max().item() <= 2
    with pytest.raises(TypeError, match="size"):
        ag.randint(9)


def test_tensor_device_queries():
    # pytorch/examples dcgan: if (input.is_cuda or input.is_xpu) and self.ngpu > 1
    t = ag.ones(2, requires_grad=True) * 2
    assert t.is_cpu is True
    assert not (t.is_cuda or t.is_xpu or t.is_mps or t.is_meta or t.is_sparse or t.is_quantized)


def test_deprecated_alpha_first_overload_of_add_and_sub():
    # pytorch/tutorials char_rnn_generation: p.data.add_(-learning_rate, p.grad.data)
    import numpy as np

    p = ag.tensor([1.0, 2.0, 3.0])
    g = ag.tensor([10.0, 20.0, 30.0])
    with pytest.warns(UserWarning, match="This overload of add_ is deprecated") as caught:
        assert p.add_(-0.5, g) is p
    assert caught[0].filename == __file__  # points at the caller's line, as PyTorch's
    np.testing.assert_allclose(p.numpy(), [1.0 - 5.0, 2.0 - 10.0, 3.0 - 15.0])
    with pytest.warns(UserWarning, match="sub_\\(Tensor other, \\*, Number alpha = 1\\)"):
        p.sub_(0.1, g)
    np.testing.assert_allclose(p.numpy(), [-5.0, -10.0, -15.0], rtol=1e-6)
    with pytest.warns(UserWarning, match="overload of add is"):
        assert ag.add(p, 2, g).tolist() == [15.0, 30.0, 45.0]
    with pytest.warns(UserWarning, match="overload of sub is"):
        assert p.sub(1, g).tolist() == [-15.0, -30.0, -45.0]
    with pytest.raises(TypeError, match="add_\\(\\) takes 2 positional arguments but 3"):
        p.add_(g, g)  # only a number may come first
    assert p.tolist() == [-5.0, -10.0, -15.0]  # refused before any change


@pytest.mark.torch_parity
def test_deprecated_alpha_overload_matches_torch():
    torch = pytest.importorskip("torch")
    import warnings

    import numpy as np

    a = np.array([[1.5, -2.0], [0.25, 4.0]], dtype=np.float32)
    b = np.array([[3.0, 1.0], [-2.0, 0.5]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for name in ["add", "sub", "add_", "sub_"]:
            ours = getattr(ag.tensor(a.copy()), name)(-0.75, ag.tensor(b))
            theirs = getattr(torch.tensor(a.copy()), name)(-0.75, torch.tensor(b))
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7, err_msg=name)


def test_view_ops_in_place():
    # pytorch/tutorials char_rnn_generation: target_line_tensor.unsqueeze_(-1)
    target = ag.tensor([3, 1, 4])
    assert target.unsqueeze_(-1) is target
    assert target.shape == (3, 1) and target.tolist() == [[3], [1], [4]]
    assert target[1].tolist() == [1]  # what the tutorial indexes per step
    assert ag.zeros(2, 1, 3, 1).squeeze_(1).shape == (2, 3, 1)
    assert ag.zeros(2, 1, 3, 1).squeeze_().shape == (2, 3)
    m = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert m.t_().tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert ag.zeros(2, 3, 4).transpose_(0, 2).shape == (4, 3, 2)
    # the memory stays shared: a view changed in place writes through to its base
    base = ag.arange(6.0).view(2, 3)
    row = base[0]
    row.unsqueeze_(0)
    row.mul_(10)
    assert base.tolist() == [[0.0, 10.0, 20.0], [3.0, 4.0, 5.0]]
    leaf = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.unsqueeze_(0)
    assert leaf.shape == (2,)
    with ag.no_grad():
        ag.ones(2, requires_grad=True).unsqueeze_(0)  # allowed, as in PyTorch


def test_view_ops_in_place_gradients():
    def f(x):
        y = x * 1.5
        y.unsqueeze_(1)  # (3, 1, 2)
        y.transpose_(0, 2)  # (2, 1, 3)
        y.squeeze_(1)  # (2, 3)
        y.t_()  # (3, 2)
        return (y * ag.tensor([[1.0, -2.0]], dtype=ag.float64)).sin()

    x = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    assert f(x).shape == (3, 2)
    assert ag.gradcheck(f, (x,))
    assert ag.gradgradcheck(f, (x,))


@pytest.mark.torch_parity
def test_view_ops_in_place_match_torch():
    torch = pytest.importorskip("torch")
    import numpy as np

    a = np.random.default_rng(1).standard_normal((3, 1, 4))
    out = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 3.0
        y.squeeze_(1).t_().unsqueeze_(0).transpose_(0, 2)
        (y * lib.arange(12.0, dtype=lib.float64).reshape(y.shape)).sum().backward()
        out.append((tuple(y.shape), y.detach().numpy().copy(), x.grad.numpy().copy()))
    assert out[0][0] == out[1][0]
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-12)
    for lib in (ag, torch):  # exp saved its output: changing its shape in place breaks backward
        y = lib.tensor(a, requires_grad=True).exp()
        y.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_categorical_closed_forms_and_errors():
    # pytorch/examples reinforcement_learning: m = Categorical(probs); a = m.sample();
    # m.log_prob(a); actor_critic / reinforce stopped on `from torch.distributions import ...`
    import numpy as np

    from autograd_core.distributions import Categorical

    p = np.array([0.1, 0.2, 0.7])
    m = Categorical(probs=ag.tensor(p * 3))  # normalised
    np.testing.assert_allclose(m.probs.numpy(), p, rtol=1e-6)
    np.testing.assert_allclose(m.log_prob(ag.tensor([2, 0])).numpy(), np.log([0.7, 0.1]), rtol=1e-6)
    np.testing.assert_allclose(m.entropy().item(), -(p * np.log(p)).sum(), rtol=1e-6)
    ag.manual_seed(0)
    draws = m.sample((4000,))
    assert draws.dtype == ag.int64 and draws.shape == (4000,)
    np.testing.assert_allclose(np.bincount(draws.numpy(), minlength=3) / 4000, p, atol=0.03)
    batch = Categorical(logits=ag.zeros(5, 4))
    assert batch.sample().shape == (5,) and batch.sample((2, 3)).shape == (2, 3, 5)
    assert batch.batch_shape == (5,) and batch.event_shape == ()
    # the policy-gradient step: d/dlogits log softmax(logits)[a] = onehot(a) - softmax(logits)
    logits = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    Categorical(logits=logits).log_prob(ag.tensor(1)).backward()
    s = np.exp([0.5, -1.0, 2.0]) / np.exp([0.5, -1.0, 2.0]).sum()
    np.testing.assert_allclose(logits.grad.numpy(), np.eye(3)[1] - s, rtol=1e-12)
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        Categorical()
    with pytest.raises(ValueError, match="to satisfy the constraint Simplex\\(\\)"):
        Categorical(probs=ag.tensor([-0.5, 1.0]))
    with pytest.raises(ValueError, match="support \\(IntegerInterval\\(lower_bound=0, upper_bound=2\\)\\)"):
        m.log_prob(ag.tensor(3))
    with pytest.raises(ValueError, match="must be at least one-dimensional"):
        Categorical(probs=ag.tensor(0.5))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        m.log_prob(1)  # PyTorch's check, as the other distributions'
    np.testing.assert_allclose(Categorical(probs=ag.tensor(p), validate_args=False).log_prob(1)
                               .item(), np.log(0.2), rtol=1e-6)


def test_categorical_gradcheck():
    from autograd_core.distributions import Categorical

    probs = ag.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=ag.float64, requires_grad=True)
    value = ag.tensor([2, 0])
    assert ag.gradcheck(lambda p: Categorical(probs=p).log_prob(value), (probs,))
    assert ag.gradcheck(lambda p: Categorical(probs=p).entropy(), (probs,))
    logits = ag.randn(2, 3, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x: Categorical(logits=x).entropy(), (logits,))
    assert ag.gradgradcheck(lambda x: Categorical(logits=x).log_prob(value), (logits,))


@pytest.mark.torch_parity
def test_categorical_matches_torch():
    torch = pytest.importorskip("torch")
    import numpy as np

    from autograd_core.distributions import Categorical

    rng = np.random.default_rng(2)
    raw = rng.random((3, 4)) + 0.05
    raw[1, 2] = 0.0  # a zero probability: log is clamped to log(eps), as PyTorch
    value = np.array([[1], [3], [0]]) * np.ones((1, 3), dtype=np.int64)  # broadcast (3, 3)
    for kind in ("probs", "logits"):
        res = []
        for lib, cat in ((ag, Categorical), (torch, torch.distributions.Categorical)):
            x = lib.tensor(raw if kind == "probs" else np.log(raw + 0.1), requires_grad=True)
            m = cat(**{kind: x})
            lp = m.log_prob(lib.tensor(value[..., None].squeeze(-1)))
            out = lp.sum() + 0.3 * m.entropy().sum()
            out.backward()
            res.append([m.probs.detach().numpy(), m.logits.detach().numpy(), lp.detach().numpy(),
                        m.entropy().detach().numpy(), x.grad.numpy(), m.mode.numpy()])
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=kind)


def test_parametrize_cached():
    # pytorch/tutorials parametrizations.py: with parametrize.cached(): ... layer.weight ...
    import numpy as np

    import nn
    from nn.utils import parametrize

    calls = []

    class Noisy(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x.triu() + x.triu(1).T

    layer = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Noisy())
    assert len(calls) == 1  # registering checks shape and dtype once, as PyTorch's
    calls.clear()
    layer.weight + layer.weight.T
    assert len(calls) == 2
    with parametrize.cached():
        w = layer.weight
        with parametrize.cached():  # nested: the same cache
            assert layer.weight is w
        assert layer.weight is w and len(calls) == 3
        out = (layer(ag.ones(2, 3)) + layer(ag.ones(2, 3))).sum()
    assert len(calls) == 3
    out.backward()  # the cached value's graph reaches the original
    orig = layer.parametrizations.weight.original
    # d(sum of 2 calls x 2 rows of ones @ W.T)/dW = 4 everywhere; W[i,j] and W[j,i] (i < j)
    # both read orig[i,j], the diagonal once, the lower triangle never
    np.testing.assert_allclose(orig.grad.numpy(), np.triu(np.full((3, 3), 8.0)) - 4 * np.eye(3))
    layer.weight
    assert len(calls) == 4  # recomputed after the block
