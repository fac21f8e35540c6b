"""``load_state_dict`` of a user's ``Optimizer`` subclass casts the Tensors of its state to a
floating parameter's dtype, ``step`` excepted, as PyTorch's: a float32 state loaded for a
model made float64 stayed float32, so the run went on in float32 (off PyTorch's by ~1e-8)."""

import numpy as np
import pytest

import autograd_core as ag
import optimizers


def _momentum(lib, base):
    class Momentum(base):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if not state:
                        state["step"] = lib.tensor(0.0)
                        state["buf"] = lib.zeros_like(p)
                        state["hist"] = [lib.zeros_like(p)]
                    state["step"] += 1
                    state["buf"].mul_(0.9).add_(p.grad)
                    state["hist"][0].add_(p.grad * p.grad)
                    with lib.no_grad():
                        p.sub_(group["lr"] * state["buf"] / (1 + state["hist"][0].sqrt()))
    return Momentum


@pytest.mark.torch_parity
def test_user_optimizer_state_is_cast_to_the_parameters_dtype_as_torchs():
    torch = pytest.importorskip("torch")
    start = np.array([0.3, -1.7, 2.2], np.float32)
    out = []
    for lib, base in ((ag, optimizers.Optimizer), (torch, torch.optim.Optimizer)):
        Momentum = _momentum(lib, base)
        p = lib.tensor(start, requires_grad=True)
        opt = Momentum([p])
        for k in range(2):
            p.grad = lib.tensor(np.sin(p.detach().numpy() + k).astype(np.float32))
            opt.step()
        q = lib.tensor(p.detach().numpy().astype(np.float64), requires_grad=True)
        opt2 = Momentum([q])
        opt2.load_state_dict(opt.state_dict())
        st = opt2.state[q]
        dtypes = [str(st[k].dtype).split(".")[-1] for k in ("step", "buf")] + \
            [str(st["hist"][0].dtype).split(".")[-1]]
        for k in range(3):
            q.grad = lib.tensor(np.sin(q.detach().numpy() + k))
            opt2.step()
        out.append((dtypes, q.detach().numpy()))
    assert out[0][0] == out[1][0] == ["float32", "float64", "float64"]
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-14)
