"""nn.utils.landscape against closed forms: a linear model under mean squared error has a loss
that is an exact quadratic in its parameters, evaluated here independently in numpy; filter
normalisation by hand; and the property the paper normalises for (a rescaled ReLU network gives
the same picture)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import landscape

RNG = np.random.default_rng(7)
X = RNG.standard_normal((16, 3))
Y = RNG.standard_normal((16, 2))


def _setup():
    ag.manual_seed(0)
    model = nn.Linear(3, 2).double()
    Xt, Yt = ag.tensor(X), ag.tensor(Y)
    return model, (lambda: ((model(Xt) - Yt) ** 2).mean())


def _numpy_loss(p):
    return float(np.mean((X @ p["weight"].T + p["bias"] - Y) ** 2))


def _combine(*terms):
    """sum of coefficient * parameter-set."""
    keys = terms[0][1].keys()
    return {k: sum(c * p[k] for c, p in terms) for k in keys}


def test_line_is_the_closed_form_quadratic():
    model, closure = _setup()
    theta = landscape.parameters_of(model)
    d = {"weight": RNG.standard_normal((2, 3)), "bias": RNG.standard_normal(2)}
    alphas = np.linspace(-2, 2, 9)
    got = landscape.line(model, closure, d, alphas)
    want = [_numpy_loss(_combine((1, theta), (a, d))) for a in alphas]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # an exact quadratic in alpha: its coefficients from L(a) = L0 + a g.d + a^2 d'Hd/2
    r = X @ theta["weight"].T + theta["bias"] - Y
    s = X @ d["weight"].T + d["bias"]
    n = r.size
    np.testing.assert_allclose(got, np.sum(r * r) / n + alphas * 2 * np.sum(r * s) / n
                               + alphas**2 * np.sum(s * s) / n, rtol=1e-12)
    # the model is back where it was
    for k, v in landscape.parameters_of(model).items():
        np.testing.assert_array_equal(v, theta[k])


def test_surface_rows_are_y_and_columns_x():
    model, closure = _setup()
    theta = landscape.parameters_of(model)
    dx = {"weight": RNG.standard_normal((2, 3)), "bias": np.zeros(2)}
    dy = {"weight": RNG.standard_normal((2, 3)), "bias": RNG.standard_normal(2)}
    xs, ys = np.array([-1.0, 0.0, 0.5, 2.0]), np.array([-0.5, 1.0, 1.5])
    got = landscape.surface(model, closure, dx, dy, xs, ys)
    assert got.shape == (3, 4)
    want = [[_numpy_loss(_combine((1, theta), (x, dx), (y, dy))) for x in xs] for y in ys]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # a centre other than the model's parameters
    center = _combine((2.0, theta))
    got = landscape.surface(model, closure, dx, dy, [0.0], [0.0], center=center)
    assert got[0, 0] == pytest.approx(_numpy_loss(center), rel=1e-12)


def test_interpolate_between_two_parameter_sets():
    model, closure = _setup()
    start = landscape.parameters_of(model)
    # the least-squares optimum, in closed form
    A = np.hstack([X, np.ones((16, 1))])
    sol = np.linalg.lstsq(A, Y, rcond=None)[0]
    end = {"weight": sol[:3].T, "bias": sol[3]}
    alphas = np.linspace(-0.5, 1.5, 9)
    got = landscape.interpolate(model, closure, start, model.state_dict() | {}, [0.0, 1.0])
    assert got[0] == got[1] == pytest.approx(_numpy_loss(start), rel=1e-12)
    got = landscape.interpolate(model, closure, start, end, alphas)
    want = [_numpy_loss(_combine((1 - a, start), (a, end))) for a in alphas]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.argmin(got) == 6 and got[6] < got[0]  # alpha = 1: the optimum


def test_filter_normalisation_by_hand():
    w = np.arange(24, dtype=np.float64).reshape(2, 3, 2, 2)  # two conv-like filters
    d = np.ones_like(w)
    d[1] = -2.0
    out = landscape.filter_normalize({"w": d, "b": np.ones(2), "z": np.zeros((2, 2))},
                                     {"w": w, "b": np.array([3.0, 4.0]),
                                      "z": np.ones((2, 2))})
    for i in range(2):
        filt = out["w"][i]
        assert np.linalg.norm(filt) == pytest.approx(np.linalg.norm(w[i]))
        np.testing.assert_allclose(filt / np.linalg.norm(filt), d[i] / np.linalg.norm(d[i]))
    assert out["b"].tolist() == [0.0, 0.0]
    assert out["z"].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # a zero filter stays zero
    kept = landscape.filter_normalize({"b": np.ones(2)}, {"b": np.array([3.0, 4.0])}, ignore=None)
    assert kept["b"].tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match="ignore must be 'biasbn' or None"):
        landscape.filter_normalize({}, {}, ignore="bias")


def test_random_direction_is_seeded_and_normalised_per_unit():
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2), nn.BatchNorm1d(2))
    ag.manual_seed(11)
    a = landscape.random_direction(model)
    b = landscape.random_direction(model, generator=np.random.default_rng(1))
    ag.manual_seed(11)
    again = landscape.random_direction(model)
    for k in a:
        np.testing.assert_array_equal(a[k], again[k])
    assert not np.array_equal(a["0.weight"], b["0.weight"])
    theta = landscape.parameters_of(model)
    np.testing.assert_allclose(np.linalg.norm(a["2.weight"], axis=1),
                               np.linalg.norm(theta["2.weight"], axis=1))
    for k in ("0.bias", "2.bias", "3.weight", "3.bias"):
        assert not a[k].any(), k
    raw = landscape.random_direction(model, filter_normalization=False,
                                     generator=np.random.default_rng(1))
    assert raw["0.bias"].any()
    np.testing.assert_allclose(np.linalg.norm(b["0.weight"], axis=1),
                               np.linalg.norm(theta["0.weight"], axis=1))


def test_rescaled_relu_network_has_the_same_filter_normalised_picture():
    """Li et al.'s reason for the normalisation: scale the first layer of a ReLU MLP by c and
    the second by 1/c: the same function, and the same landscape along filter-normalised
    directions drawn with the same seed; not along raw directions."""
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 2)).double()
    Xt, Yt = ag.tensor(X), ag.tensor(Y)

    def picture(normalise, c):
        with ag.no_grad():
            for name, p in net.named_parameters():
                scale = {"0.weight": c, "0.bias": c, "2.weight": 1 / c, "2.bias": 1.0}[name]
                p.data[...] = base[name] * scale
        dx = landscape.random_direction(net, normalise, generator=np.random.default_rng(5))
        dy = landscape.random_direction(net, normalise, generator=np.random.default_rng(6))
        return landscape.surface(net, lambda: ((net(Xt) - Yt) ** 2).mean(), dx, dy,
                                 [-1.0, 0.5], [-0.5, 1.0])

    base = landscape.parameters_of(net)
    np.testing.assert_allclose(picture(True, 10.0), picture(True, 1.0), rtol=1e-10)
    assert not np.allclose(picture(False, 10.0), picture(False, 1.0), rtol=1e-3)


def test_bad_arguments_are_refused_and_the_model_restored():
    model, closure = _setup()
    theta = landscape.parameters_of(model)
    d = {"weight": np.ones((2, 3)), "bias": np.ones(2)}
    with pytest.raises(KeyError, match="direction has no entry for parameter 'bias'"):
        landscape.line(model, closure, {"weight": np.ones((2, 3))}, [0.0])
    with pytest.raises(ValueError, match=r"direction\['weight'\] has shape \(3, 2\)"):
        landscape.line(model, closure, {"weight": np.ones((3, 2)), "bias": np.ones(2)}, [0.0])
    with pytest.raises(ValueError, match="alphas must be a non-empty 1-D sequence"):
        landscape.line(model, closure, d, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="xs must be a non-empty"):
        landscape.surface(model, closure, d, d, [], [0.0])
    with pytest.raises(TypeError, match="closure must be callable"):
        landscape.line(model, 3.0, d, [0.0])
    with pytest.raises(TypeError, match="start must be a dict"):
        landscape.interpolate(model, closure, [1, 2], d, [0.0])

    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        landscape.line(model, failing, d, [3.0])
    for k, v in landscape.parameters_of(model).items():
        np.testing.assert_array_equal(v, theta[k])
