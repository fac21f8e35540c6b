"""Each optimizer, every option, against an independent plain-numpy transcription of the
published algorithm (written from the papers / PyTorch's documented pseudocode, not from our
kernels: different operation order, exact float64 scalars), over several steps."""

from __future__ import annotations

import numpy as np
import pytest

import optim_reference_cases as RC

DEFAULTS = {
    "SGD": dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                maximize=False),
    "Adagrad": dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                    eps=1e-10, maximize=False, decoupled_weight_decay=False),
    "RMSprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                    centered=False, maximize=False, decoupled_weight_decay=False),
    "Adadelta": dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False,
                     decoupled_weight_decay=False),
    "Adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 maximize=False, decoupled_weight_decay=False),
    "AdamW": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                  maximize=False, decoupled_weight_decay=True),
    "Adamax": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False,
                   decoupled_weight_decay=False),
    "NAdam": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                  momentum_decay=4e-3, maximize=False, decoupled_weight_decay=False),
    "RAdam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False,
                  decoupled_weight_decay=False),
    "Rprop": dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), maximize=False),
}


def textbook(algo, kwargs, n_steps=RC.N_STEPS):
    h = dict(DEFAULTS[algo], **kwargs)
    params = [p.astype(np.float64) for p in RC.initial_params()]
    st = [dict() for _ in params]
    traj = []
    for t in range(1, n_steps + 1):
        for i, p in enumerate(params):
            g = RC.gradient(i, p)
            if h.get("maximize"):
                g = -g
            s = st[i]
            lr, wd = h["lr"], h.get("weight_decay", 0.0)
            lr_t = lr / (1 + (t - 1) * h["lr_decay"]) if algo == "Adagrad" else lr
            if wd:
                if h.get("decoupled_weight_decay"):
                    p = p * (1 - lr_t * wd)
                else:
                    g = g + wd * p
            if algo == "SGD":
                mu = h["momentum"]
                if mu:
                    s["b"] = g if "b" not in s else mu * s["b"] + (1 - h["dampening"]) * g
                    g = g + mu * s["b"] if h["nesterov"] else s["b"]
                p = p - lr * g
            elif algo == "Adagrad":
                s["sum"] = s.get("sum", h["initial_accumulator_value"]) + g * g
                p = p - lr_t * g / (np.sqrt(s["sum"]) + h["eps"])
            elif algo == "RMSprop":
                a = h["alpha"]
                s["v"] = a * s.get("v", 0.0) + (1 - a) * g * g
                v = s["v"]
                if h["centered"]:
                    s["c"] = a * s.get("c", 0.0) + (1 - a) * g
                    v = v - s["c"] ** 2
                if h["momentum"] > 0:
                    s["b"] = h["momentum"] * s.get("b", 0.0) + g / (np.sqrt(v) + h["eps"])
                    p = p - lr * s["b"]
                else:
                    p = p - lr * g / (np.sqrt(v) + h["eps"])
            elif algo == "Adadelta":
                rho, eps = h["rho"], h["eps"]
                s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
                d = np.sqrt(s.get("u", 0.0) + eps) / np.sqrt(s["v"] + eps) * g
                s["u"] = rho * s.get("u", 0.0) + (1 - rho) * d * d
                p = p - lr * d
            elif algo in ("Adam", "AdamW", "Adamax", "NAdam", "RAdam"):
                b1, b2 = h["betas"]
                s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
                m = s["m"]
                if algo == "Adamax":
                    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g) + h["eps"])
                    p = p - lr / (1 - b1**t) * m / s["u"]
                    params[i] = p
                    continue
                s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
                v = s["v"]
                if algo in ("Adam", "AdamW"):
                    if h["amsgrad"]:
                        s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
                        v = s["vmax"]
                    p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + h["eps"])
                elif algo == "NAdam":
                    def mu(k):
                        return b1 * (1 - 0.5 * 0.96 ** (k * h["momentum_decay"]))
                    prod_t = np.prod([mu(k) for k in range(1, t + 1)])
                    m_hat = (mu(t + 1) * m / (1 - prod_t * mu(t + 1))
                             + (1 - mu(t)) * g / (1 - prod_t))
                    p = p - lr * m_hat / (np.sqrt(v / (1 - b2**t)) + h["eps"])
                else:  # RAdam
                    m_hat = m / (1 - b1**t)
                    rho_inf = 2 / (1 - b2) - 1
                    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
                    if rho_t > 5:
                        adapt = np.sqrt(1 - b2**t) / (np.sqrt(v) + h["eps"])
                        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                        p = p - lr * m_hat * adapt * r
                    else:
                        p = p - lr * m_hat
            elif algo == "Rprop":
                eminus, eplus = h["etas"]
                lo, hi = h["step_sizes"]
                size = s.get("size", np.full_like(p, lr))
                prev = s.get("prev", np.zeros_like(p))
                prod = g * prev
                size = np.where(prod > 0, np.minimum(size * eplus, hi),
                                np.where(prod < 0, np.maximum(size * eminus, lo), size))
                g = np.where(prod < 0, 0.0, g)
                p = p - np.sign(g) * size
                s["size"], s["prev"] = size, g
            params[i] = p
        traj.append(np.concatenate([p.reshape(-1) for p in params]))
    return np.array(traj)


EXTRA = [  # beyond PyTorch: decoupled weight decay on every adaptive method
    ("adagrad_decoupled", "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.2,
                                          decoupled_weight_decay=True)),
    ("rmsprop_decoupled", "RMSprop", dict(lr=0.01, momentum=0.5, centered=True,
                                          weight_decay=0.2, decoupled_weight_decay=True)),
    ("adadelta_decoupled", "Adadelta", dict(lr=0.5, weight_decay=0.2,
                                            decoupled_weight_decay=True)),
    ("adamax_decoupled", "Adamax", dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)),
]
CASES = RC.OPT_CASES + EXTRA


@pytest.fixture
def float64_default_dtype():
    """NAdam keeps mu_product in the default scalar dtype, like PyTorch; the transcription
    multiplies exact doubles, so run with a float64 default for a tight comparison."""
    import autograd_core as ag

    old = ag.get_default_dtype()
    ag.set_default_dtype(np.float64)
    yield
    ag.set_default_dtype(old)


@pytest.mark.parametrize("name,algo,kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_published_algorithm(name, algo, kwargs, float64_default_dtype):
    ours, _ = RC.run_ours(algo, kwargs)
    np.testing.assert_allclose(ours, textbook(algo, kwargs), rtol=1e-10, atol=1e-13)


def test_hand_computed_adam_first_steps():
    """Adam's first step moves every coordinate by ~lr * sign(g) (m/sqrt(v) = sign(g) after
    bias correction); worked by hand for one scalar."""
    import optimizers

    p = RC.make_param(np.array([1.0]))
    opt = optimizers.Adam([p], lr=0.1)
    RC.set_grad(p, np.array([2.0]))
    opt.step()
    # m = 0.2, v = 0.004; m/(1-0.9) = 2, sqrt(v/(1-0.999)) = 2 -> step 0.1 * 2 / (2 + 1e-8)
    np.testing.assert_allclose(p._data, [1.0 - 0.1 * 2 / (2 + 1e-8)], rtol=1e-15)
    RC.set_grad(p, np.array([-1.0]))
    opt.step()
    m = 0.9 * 0.2 + 0.1 * -1.0
    v = 0.999 * 0.004 + 0.001 * 1.0
    expect = 1.0 - 0.1 * 2 / (2 + 1e-8) - 0.1 * (m / 0.19) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(p._data, [expect], rtol=1e-14)


def test_hand_computed_sgd_nesterov():
    import optimizers

    p = RC.make_param(np.array([1.0]))
    opt = optimizers.SGD([p], lr=0.1, momentum=0.5, nesterov=True)
    for g, expect in [(1.0, 1.0 - 0.1 * (1 + 0.5 * 1)),          # b = 1
                      (1.0, 0.85 - 0.1 * (1 + 0.5 * 1.5))]:      # b = 0.5 + 1 = 1.5
        RC.set_grad(p, np.array([g]))
        opt.step()
        np.testing.assert_allclose(p._data, [expect], rtol=1e-15)
