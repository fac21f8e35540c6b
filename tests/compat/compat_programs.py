"""Short PyTorch-style programs, each written once against a module namespace ``torch``: run
with ``import autograd_core as torch`` (the one-line swap) or with real torch. Written for this
suite in the style of the tutorials, courses and from-scratch chapters users bring (autograd
basics, a custom Function, an MLP with SGD/Adam and schedulers, DataLoader batches, a
regression written by hand, micrograd-style scalar checks, a makemore-style bigram and MLP;
and, after running two dozen public programs on tapegrad, programs in the style of those that
found bugs: a conv net against integer MSE targets, a checkpoint through io.BytesIO, makemore
part 3's activation statistics with histogram, and printed tensors).

Every program (but those in ``_DEFAULT_DTYPE_PROGRAMS``) computes in float64 from numpy-made
data and deterministic initial weights (so both libraries start from the same numbers) and
returns a dict of plain numbers / numpy arrays; ``tests/compat/test_compat_programs.py`` checks them by hand and against torch.
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np


@contextlib.contextmanager
def default_dtype(name, *libs):
    """Each library's default float dtype set to ``name`` (``"float64"``) while the block runs,
    then put back: the parity tests' literal weights then come in their inputs' dtype."""
    before = [lib.get_default_dtype() for lib in libs]
    for lib in libs:
        lib.set_default_dtype(getattr(lib, name))
    try:
        yield
    finally:
        for lib, dt in zip(libs, before):
            lib.set_default_dtype(dt)


def _np(t):
    return t.detach().numpy().copy()


def autograd_basics(torch):
    """The autograd walk-through: y = x + 2, z = 3 y^2, out = mean; gradients accumulate,
    zero_ resets them, a vector-Jacobian product through backward(gradient), no_grad,
    detach, retain_grad, grad of an intermediate."""
    r = {}
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    y.retain_grad()
    z = y * y * 3
    out = z.mean()
    r["requires_grad"] = [x.is_leaf, y.is_leaf, y.requires_grad, y.grad_fn is not None]
    out.backward()
    r["x_grad"] = _np(x.grad)  # d out/dx = 6 (x + 2) / 4 = 4.5
    r["y_grad"] = _np(y.grad)
    (x * 2).sum().backward()
    r["x_grad_accumulated"] = _np(x.grad)
    x.grad.zero_()
    r["x_grad_zeroed"] = _np(x.grad)

    v = torch.tensor([3.0, -1.0, 0.5], requires_grad=True)
    w = v
    for _ in range(4):
        w = w * 2
    w.backward(torch.tensor([0.1, 1.0, 0.0001]))
    r["vjp"] = _np(v.grad)  # 16 * gradient

    with torch.no_grad():
        r["no_grad_requires_grad"] = (v * 2).requires_grad
    r["detach_requires_grad"] = v.detach().requires_grad
    a = torch.tensor([0.3, 0.7], requires_grad=True)
    h = a.exp()
    (gh,) = torch.autograd.grad((h * h).sum(), h)
    r["grad_of_intermediate"] = _np(gh)  # 2 exp(a)
    return r


def custom_function(torch):
    """A custom autograd.Function (a cubic Legendre-style polynomial P(t) = (5t^3 - 3t) / 2
    with a hand-written backward) inside a model y = a + b P(c + d x) fitted by gradient
    descent on sin(x), parameters updated under no_grad."""

    class Cubic(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t ** 3 - 3 * t)

        @staticmethod
        def backward(ctx, grad_output):
            (t,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * t ** 2 - 1)

    x = torch.tensor(np.linspace(-np.pi, np.pi, 200), dtype=torch.float64)
    y = torch.sin(x)
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for v in (0.0, -1.0, 0.0, 0.3)]
    lr = 5e-6
    losses = []
    for _ in range(40):
        a, b, c, d = params
        y_pred = a + b * Cubic.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return {"losses": np.array(losses), "params": np.array([p.item() for p in params])}


def _mlp_data():
    rng = np.random.RandomState(0)
    X = rng.randn(32, 3)
    Y = np.sin(X @ np.array([[1.0], [-2.0], [0.5]])) + 0.1 * rng.randn(32, 1)
    w1, b1 = rng.randn(8, 3) * 0.5, rng.randn(8) * 0.1
    w2, b2 = rng.randn(1, 8) * 0.5, rng.randn(1) * 0.1
    return X, Y, {"0.weight": w1, "0.bias": b1, "2.weight": w2, "2.bias": b2}


def mlp_training(torch):
    """nn.Sequential MLP trained with SGD(momentum) + StepLR, then Adam + CosineAnnealingLR,
    the usual zero_grad / loss.backward / step / scheduler.step loop."""
    nn, optim = torch.nn, torch.optim
    X, Y, init = _mlp_data()
    X, Y = torch.tensor(X), torch.tensor(Y)
    r = {}
    for name in ("sgd", "adam"):
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).double()
        model.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
        loss_fn = nn.MSELoss()
        if name == "sgd":
            opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            sched = optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        else:
            opt = optim.Adam(model.parameters(), lr=0.05, betas=(0.9, 0.99))
            sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        losses, lrs = [], []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            lrs.append(opt.param_groups[0]["lr"])
        r[f"{name}_losses"] = np.array(losses)
        r[f"{name}_lrs"] = np.array(lrs)
        r[f"{name}_w2"] = _np(model[2].weight)
        r[f"{name}_w1_grad"] = _np(model[0].weight.grad)
    return r


def data_loading(torch):
    """TensorDataset + DataLoader batches (drop_last, no shuffle) through a linear model with
    a weight-decayed SGD; the epoch loss is the batch losses weighted by batch size."""
    from_data = torch.utils.data
    rng = np.random.RandomState(1)
    X = rng.randn(50, 4)
    y = X @ np.array([1.0, -1.0, 2.0, 0.0]) + 0.5
    ds = from_data.TensorDataset(torch.tensor(X), torch.tensor(y).reshape(-1, 1))
    r = {"len": len(ds), "item_shapes": [tuple(t.shape) for t in ds[3]]}
    loader = from_data.DataLoader(ds, batch_size=16, shuffle=False)
    r["n_batches"] = len(loader)
    r["batch_sizes"] = [xb.shape[0] for xb, _ in loader]
    model = torch.nn.Linear(4, 1).double()
    model.load_state_dict({"weight": torch.zeros(1, 4, dtype=torch.float64),
                           "bias": torch.zeros(1, dtype=torch.float64)})
    opt = torch.optim.SGD(model.parameters(), lr=0.05, weight_decay=1e-3)
    epoch_losses = []
    for _ in range(5):
        total = 0.0
        for xb, yb in loader:
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        epoch_losses.append(total / len(ds))
    r["epoch_losses"] = np.array(epoch_losses)
    r["weight"] = _np(model.weight)
    dl = from_data.DataLoader(ds, batch_size=16, drop_last=True)
    r["drop_last_batches"] = len(dl)
    return r


def regression_from_scratch(torch):
    """Linear regression written by hand: w and b as leaf tensors, MSE, manual updates
    in place under no_grad, gradients zeroed with grad.zero_()."""
    rng = np.random.RandomState(2)
    X = torch.tensor(rng.randn(100, 2))
    y = X @ torch.tensor([2.0, -3.4], dtype=torch.float64) + 4.2
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    lr = 0.1
    losses = []
    for _ in range(30):
        loss = ((X @ w + b - y) ** 2 / 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        losses.append(loss.item())
    return {"losses": np.array(losses), "w": _np(w), "b": _np(b)}


def micrograd_scalars(torch):
    """Scalar expressions of the micrograd style, checked with the library's backward."""
    x = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    r = {"y1": y.item(), "dx1": x.grad.item()}

    a = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    r.update({"g2": g.item(), "da2": a.grad.item(), "db2": b.grad.item()})
    return r


WORDS = ["anna", "bob", "cara", "dana", "eve", "faye", "gina", "hana", "ivy", "jade", "kara",
         "lena", "mona", "nora", "ova", "pia"]


def _vocab():
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    return stoi


def bigram(torch):
    """makemore-style bigram model on a tiny made-up word list: counts in an int tensor,
    row-normalised probabilities, the average negative log-likelihood; then the neural
    version (one_hot @ W, softmax by hand, and F.cross_entropy) with gradient descent."""
    F = torch.nn.functional
    stoi = _vocab()
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    xs, ys = [], []
    for w in WORDS:
        chs = ["."] + list(w) + ["."]
        for c1, c2 in itertools.pairwise(chs):
            N[stoi[c1], stoi[c2]] += 1
            xs.append(stoi[c1])
            ys.append(stoi[c2])
    P = (N + 1).double()
    P = P / P.sum(1, keepdim=True)
    xs_t, ys_t = torch.tensor(xs), torch.tensor(ys)
    nll = -P[xs_t, ys_t].log().mean()
    r = {"count_total": int(N.sum().item()), "counts_row0": _np(N[0]), "nll_counts": nll.item()}

    W = torch.tensor(np.random.RandomState(3).randn(V, V) * 0.1, requires_grad=True)
    xenc = F.one_hot(xs_t, num_classes=V).double()
    losses_manual, losses_ce = [], []
    for _ in range(10):
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(len(xs)), ys_t].log().mean() + 0.01 * (W ** 2).mean()
        ce = F.cross_entropy(logits, ys_t) + 0.01 * (W ** 2).mean()
        losses_manual.append(loss.item())
        losses_ce.append(ce.item())
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W -= 10.0 * W.grad
    r["losses_manual"] = np.array(losses_manual)
    r["losses_ce"] = np.array(losses_ce)
    r["W_grad_row0"] = _np(W.grad[0])
    return r


def mlp_language_model(torch):
    """makemore-style MLP: a 2-character context, an embedding table C indexed by the
    contexts, a tanh hidden layer, F.cross_entropy, plain gradient descent on a list of
    parameters."""
    F = torch.nn.functional
    stoi = _vocab()
    V, block = len(stoi), 2
    X, Y = [], []
    for w in WORDS:
        context = [0] * block
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X, Y = torch.tensor(X), torch.tensor(Y)
    rng = np.random.RandomState(4)
    C = torch.tensor(rng.randn(V, 3))
    W1 = torch.tensor(rng.randn(block * 3, 16) * 0.3)
    b1 = torch.tensor(rng.randn(16) * 0.01)
    W2 = torch.tensor(rng.randn(16, V) * 0.1)
    b2 = torch.zeros(V, dtype=torch.float64)
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    losses = []
    for step in range(15):
        emb = C[X]
        h = torch.tanh(emb.view(-1, block * 3) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Y)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.5 if step < 10 else 0.05
        for p in parameters:
            p.data += -lr * p.grad
        losses.append(loss.item())
    return {"n_examples": int(X.shape[0]), "losses": np.array(losses),
            "C_grad": _np(C.grad), "sum_params": sum(p.numel() for p in parameters)}


def dtype_rules(torch):
    """Programs that depend on PyTorch's dtype rules: a float32 tensor times / to the power
    of an int64 tensor stays float32 (and feeds an nn.Linear), a Python float keeps
    float32, integer division of int tensors gives float32, a comparison gives bool."""
    f = torch.ones(3)
    i = torch.tensor([1, 2, 3])
    lin = torch.nn.Linear(3, 1)
    out = lin((f ** i) * i + 0.5)
    return {"pow_dtype": str(((f ** i) * i + 0.5).dtype).split(".")[-1],
            "linear_dtype": str(out.dtype).split(".")[-1],
            "div_dtype": str((i / i).dtype).split(".")[-1],
            "cmp_dtype": str((i > 1).dtype).split(".")[-1],
            "int_sum_dtype": str(i.sum().dtype).split(".")[-1],
            "mean_float": (i.double().mean()).item()}


def newton_with_hessian(torch):
    """Newton's method on the Rosenbrock function with torch.autograd.functional's jacobian
    and hessian (the 2x2 system solved by hand), and an hvp at the end."""
    F = torch.autograd.functional

    def rosen(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    p = torch.tensor([-1.2, 1.0], dtype=torch.float64)
    values = []
    for _ in range(6):
        g = F.jacobian(rosen, p)
        h = F.hessian(rosen, p)
        det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
        step = torch.stack([h[1, 1] * g[0] - h[0, 1] * g[1], h[0, 0] * g[1] - h[1, 0] * g[0]])
        p = p - step / det
        values.append(rosen(p).item())
    _, hv = F.hvp(rosen, p, torch.tensor([1.0, -1.0], dtype=torch.float64))
    return {"values": np.array(values), "p": _np(p), "hvp": _np(hv)}


def gradient_penalty(torch):
    """A critic's gradient penalty (WGAN-GP style): the norm of d critic / d input, taken
    with autograd.grad(create_graph=True), is part of the loss that trains the critic."""
    nn = torch.nn
    rng = np.random.RandomState(5)
    critic = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    critic.load_state_dict({"0.weight": torch.tensor(rng.randn(6, 2)),
                            "0.bias": torch.tensor(rng.randn(6) * 0.1),
                            "2.weight": torch.tensor(rng.randn(1, 6)),
                            "2.bias": torch.tensor(rng.randn(1) * 0.1)})
    opt = torch.optim.Adam(critic.parameters(), lr=0.01)
    real = torch.tensor(rng.randn(16, 2) + 2.0)
    fake = torch.tensor(rng.randn(16, 2))
    alpha = torch.tensor(rng.rand(16, 1))
    losses, penalties = [], []
    for _ in range(8):
        mix = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)
        penalty = ((g.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
        loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        penalties.append(penalty.item())
    return {"losses": np.array(losses), "penalties": np.array(penalties),
            "w0_grad": _np(critic[0].weight.grad)}


def gaussian_process(torch):
    """Gaussian-process regression as the from-scratch chapters write it: an RBF kernel, the
    negative log marginal likelihood through torch.linalg (cholesky, solve, logdet), the two
    hyperparameters (log length-scale, log noise) fitted with Adam, then the predictive mean
    and variance; slogdet, eigvalsh and norms of the final kernel matrix."""
    rng = np.random.default_rng(5)
    X = np.sort(rng.uniform(-3.0, 3.0, 12))
    Y = np.sin(X) + 0.1 * rng.standard_normal(12)
    x, t, xs = torch.tensor(X), torch.tensor(Y), torch.tensor(np.linspace(-3.0, 3.0, 5))
    log_ell = torch.tensor(0.0, requires_grad=True)
    log_noise = torch.tensor(-1.0, requires_grad=True)

    def kernel(a, b):
        return torch.exp(-0.5 * (a[:, None] - b[None, :]) ** 2 / torch.exp(2 * log_ell))

    def gram():
        return kernel(x, x) + torch.exp(2 * log_noise) * torch.eye(12)

    def nll():
        K = gram()
        alpha = torch.linalg.solve(K, t)
        return 0.5 * (t @ alpha) + 0.5 * torch.logdet(K) + 6.0 * np.log(2 * np.pi)

    opt = torch.optim.Adam([log_ell, log_noise], lr=0.05)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = nll()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    r = {"losses": losses, "hyper": [log_ell.item(), log_noise.item()], "X": X, "Y": Y}
    with torch.no_grad():
        K = gram()
        L = torch.linalg.cholesky(K)
        Ks = kernel(xs, x)
        r["mean"] = _np(Ks @ torch.linalg.solve(K, t))
        v = torch.linalg.solve(L, Ks.T)
        r["var"] = _np(1.0 - (v * v).sum(0))
        sign, logabsdet = torch.linalg.slogdet(K)
        r["slogdet"] = [sign.item(), logabsdet.item()]
        r["eigvalsh"] = _np(torch.linalg.eigvalsh(K))
        r["norms"] = [torch.linalg.norm(K).item(), torch.linalg.matrix_norm(K, ord=2).item(),
                      torch.linalg.matrix_norm(K, ord="nuc").item(), K.det().item()]
    return r


def streaming_data(torch):
    """An IterableDataset yielding (x, y) pairs from a stream, two chained with ChainDataset,
    read by DataLoader in batches of 4 for two epochs while a bias-free linear model learns by
    SGD."""
    data = torch.utils.data
    rng = np.random.default_rng(2)
    X = rng.standard_normal((10, 3))
    Y = X @ np.array([1.0, -2.0, 0.5])

    class Stream(data.IterableDataset):
        def __init__(self, lo, hi):
            self.lo, self.hi = lo, hi

        def __iter__(self):
            for i in range(self.lo, self.hi):
                yield torch.tensor(X[i]), torch.tensor(Y[i])

    stream = data.ChainDataset([Stream(0, 6), Stream(6, 10)])
    model = torch.nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sizes, losses = [], []
    for _ in range(2):
        for xb, yb in data.DataLoader(stream, batch_size=4):
            sizes.append(len(xb))
            opt.zero_grad()
            loss = ((model(xb).squeeze(1) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return {"sizes": sizes, "losses": losses, "w": _np(model.weight), "X": X, "Y": Y}


def integer_targets(torch):
    """The 60-minute blitz's step: a small conv net's 10 outputs compared by nn.MSELoss with an
    integer target (torch.arange(1, 11).view(1, -1)), SGD steps; then the same criterion and
    its relatives on a float32 output against the int64 target keep float32."""
    nn, F = torch.nn, torch.nn.functional
    rng = np.random.RandomState(6)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(18, 10))
    net.load_state_dict({"0.weight": torch.tensor(rng.randn(2, 1, 3, 3) * 0.5),
                         "0.bias": torch.tensor(rng.randn(2) * 0.1),
                         "4.weight": torch.tensor(rng.randn(10, 18) * 0.3),
                         "4.bias": torch.tensor(rng.randn(10) * 0.1)})
    x = torch.tensor(rng.randn(1, 1, 8, 8))
    target = torch.arange(1, 11).view(1, -1)
    criterion = nn.MSELoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = criterion(net(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    r = {"losses": np.array(losses), "fc_grad": _np(net[4].weight.grad),
         "loss_dtype": str(loss.dtype).split(".")[-1]}
    out32 = net.float()(x.float())
    r["dtypes32"] = [str(f(out32, target).dtype).split(".")[-1]
                     for f in (F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss)]
    return r


def checkpoint_in_memory(torch):
    """Mid-training checkpoint written with torch.save to an io.BytesIO and to an open file,
    read back with torch.load(..., weights_only=False) (as programs write since PyTorch 2.6)
    into a fresh model and Adam: the resumed run continues exactly as the uninterrupted one."""
    import io
    import os
    import tempfile

    nn = torch.nn
    X, Y, init = _mlp_data()
    X, Y = torch.tensor(X), torch.tensor(Y)

    def make():
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
        model.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
        return model, torch.optim.Adam(model.parameters(), lr=0.05)

    def steps(model, opt, n):
        out = []
        for _ in range(n):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(X), Y)
            loss.backward()
            opt.step()
            out.append(loss.item())
        return out

    model, opt = make()
    uninterrupted = steps(model, opt, 10)
    model, opt = make()
    first = steps(model, opt, 5)
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 5}, buffer)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ckpt.pt")
        with open(path, "wb") as f:
            torch.save(model.state_dict(), f)
        with open(path, "rb") as f:
            from_file = torch.load(f)
    buffer.seek(0)
    ckpt = torch.load(buffer, weights_only=False)
    model, opt = make()
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    resumed = first + steps(model, opt, 5)
    return {"uninterrupted": np.array(uninterrupted), "resumed": np.array(resumed),
            "epoch": ckpt["epoch"], "file_w0": _np(from_file["0.weight"])}


def activation_statistics(torch):
    """makemore part 3's diagnostics on a deep tanh MLP: per layer the activations' mean, std
    and saturation, torch.histogram(..., density=True) of them, the gradients' std (through
    retain_grad), and each weight's grad:data and update:data ratios from p.grad and p.data."""
    rng = np.random.RandomState(7)
    n_in, width, depth = 6, 16, 4
    x = torch.tensor(rng.randn(64, n_in))
    y = torch.tensor(rng.randint(0, 5, 64))
    layers, fan_in = [], n_in
    for k in range(depth):
        fan_out = 5 if k == depth - 1 else width
        layers.append(torch.tensor(rng.randn(fan_in, fan_out) * (5 / 3) / fan_in ** 0.5,
                                   requires_grad=True))
        fan_in = fan_out
    h, acts = x, []
    for w in layers[:-1]:
        h = torch.tanh(h @ w)
        h.retain_grad()
        acts.append(h)
    loss = torch.nn.functional.cross_entropy(h @ layers[-1], y)
    loss.backward()
    r = {"loss": loss.item(), "mean": [], "std": [], "saturated": [], "hist": [], "edges": [],
         "grad_std": [], "grad_data": [], "update_data": []}
    for t in acts:
        r["mean"].append(t.mean().item())
        r["std"].append(t.std().item())
        r["saturated"].append((t.abs() > 0.97).float().mean().item() * 100)
        hy, hx = torch.histogram(t.detach(), bins=10, density=True)
        r["hist"].append(_np(hy))
        r["edges"].append(_np(hx))
        r["grad_std"].append(t.grad.std().item())
    lr = 0.1
    for p in layers:
        r["grad_data"].append((p.grad.std() / p.data.std()).item())
        r["update_data"].append(((lr * p.grad).std() / p.data.std()).log10().item())
    for key in ("mean", "std", "saturated", "grad_std", "grad_data", "update_data"):
        r[key] = np.array(r[key])
    return r


def printed_tensors(torch):
    """What programs print: reprs of probabilities, of tensors with a grad_fn or
    requires_grad, of float64 and int tensors, of shapes and dtypes (the library's name
    removed so that both read alike)."""
    name = torch.__name__ + "."

    def show(v):
        return str(v).replace(name, "")

    probs = torch.tensor(np.linspace(0.01, 0.05, 27), dtype=torch.float32)
    w = torch.tensor([[0.5, -1.25], [2.0, 0.0]], dtype=torch.float32, requires_grad=True)
    return {"probs": show(probs), "scaled": show(probs * w.sum()),
            "leaf": show(w), "double": show(torch.tensor([1.5, -2.0], dtype=torch.float64)),
            "ints": show(torch.arange(12).view(3, 4)), "shape": show(w.shape),
            "dtype": show(w.dtype), "long": show(torch.tensor(np.arange(16.0) - 7.5,
                                                              dtype=torch.float32) * w[0, 0])}


PROGRAMS = {
    "gaussian_process": gaussian_process,
    "streaming_data": streaming_data,
    "newton_with_hessian": newton_with_hessian,
    "gradient_penalty": gradient_penalty,
    "autograd_basics": autograd_basics,
    "custom_function": custom_function,
    "mlp_training": mlp_training,
    "data_loading": data_loading,
    "regression_from_scratch": regression_from_scratch,
    "micrograd_scalars": micrograd_scalars,
    "bigram": bigram,
    "mlp_language_model": mlp_language_model,
    "dtype_rules": dtype_rules,
    "integer_targets": integer_targets,
    "checkpoint_in_memory": checkpoint_in_memory,
    "activation_statistics": activation_statistics,
    "printed_tensors": printed_tensors,
}

# programs that run in the library's default dtype (float32) rather than float64
_DEFAULT_DTYPE_PROGRAMS = ("dtype_rules", "printed_tensors")


def run(name, torch):
    """Run one program with ``torch`` as the namespace; float64 by default for the run, as
    the comparisons are tight (the default is restored afterwards)."""
    prev = torch.get_default_dtype()
    if name not in _DEFAULT_DTYPE_PROGRAMS:
        torch.set_default_dtype(torch.float64)
    try:
        return PROGRAMS[name](torch)
    finally:
        torch.set_default_dtype(prev)
