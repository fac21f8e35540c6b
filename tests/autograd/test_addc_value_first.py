"""``addcmul``/``addcdiv`` (functional, method, in-place): PyTorch's deprecated
``(value, tensor1, tensor2)`` order, still accepted by torch 2.13 with a warning (old Adam
code: ``exp_avg_sq.mul_(beta2).addcmul_(1 - beta2, grad, grad)``,
``p.data.addcdiv_(-step_size, exp_avg, denom)``), ``value`` cast to an integer result's dtype,
and integer ``addcdiv`` refused."""

import warnings

import numpy as np
import pytest

import autograd_core as ag

X = [1.0, 2.0]
T1 = [3.0, 4.0]
T2 = [0.5, -2.0]

# name, the call with the deprecated order, the same call with value= (hand-worked result)
FORMS = [
    ("addcmul", lambda x, v, a, b: ag.addcmul(x, v, a, b), [1 + 2 * 1.5, 2 + 2 * -8.0]),
    ("addcmul", lambda x, v, a, b: x.addcmul(v, a, b), [4.0, -14.0]),
    ("addcmul_", lambda x, v, a, b: x.addcmul_(v, a, b), [4.0, -14.0]),
    ("addcdiv", lambda x, v, a, b: ag.addcdiv(x, v, a, b), [1 + 2 * 6.0, 2 + 2 * -2.0]),
    ("addcdiv", lambda x, v, a, b: x.addcdiv(v, a, b), [13.0, -2.0]),
    ("addcdiv_", lambda x, v, a, b: x.addcdiv_(v, a, b), [13.0, -2.0]),
]


def _warning(name):
    return (f"This overload of {name} is deprecated:\n\t{name}(Number value, Tensor tensor1, "
            f"Tensor tensor2)\nConsider using one of the following signatures instead:\n\t"
            f"{name}(Tensor tensor1, Tensor tensor2, *, Number value = 1)")


@pytest.mark.parametrize("name,call,want", FORMS)
def test_value_first_order_warns_and_computes(name, call, want):
    x = ag.tensor(X)
    with pytest.warns(UserWarning) as caught:
        r = call(x, 2, ag.tensor(T1), ag.tensor(T2))
    assert [str(w.message) for w in caught] == [_warning(name)]
    assert caught[0].filename == __file__  # points at the caller's line
    assert r.tolist() == want
    assert (r is x) == name.endswith("_")
    keyword = getattr(ag.tensor(X), name)(ag.tensor(T1), ag.tensor(T2), value=2)
    assert keyword.tolist() == want


def test_value_first_order_is_differentiable():
    a = ag.tensor([3.0, 4.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([0.5, -2.0], dtype=ag.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ag.addcdiv(ag.zeros(2, dtype=ag.float64), 3, a, b).sum().backward()
    assert a.grad.tolist() == [3 / 0.5, 3 / -2.0]
    assert b.grad.tolist() == [-3 * 3.0 / 0.25, -3 * 4.0 / 4.0]


def test_wrong_value_first_calls_are_refused_before_any_change():
    x, t = ag.tensor(X), ag.tensor(T1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing warns on the way to the error
        with pytest.raises(TypeError, match=r"^addcmul\(\) takes 3 positional arguments but "
                                            r"4 were given$"):
            ag.addcmul(x, 2, t, t, value=3)  # value twice
        with pytest.raises(TypeError, match="addcdiv_\\(\\) takes 3 positional arguments"):
            x.addcdiv_(t, t, t, t)  # no number first
        with pytest.raises(TypeError, match="takes 3 positional arguments but 4"):
            ag.addcmul(x, "2", t, t)
        with pytest.raises(TypeError, match="^addcmul\\(\\): argument 'tensor1' \\(position "
                                            "2\\) must be Tensor, not int$"):
            ag.addcmul(x, 2, t)
        with pytest.raises(TypeError, match="argument 'tensor2' \\(position 3\\) must be "
                                            "Tensor, not float"):
            x.addcdiv_(t, 2.0)
    assert x.tolist() == X


def test_value_is_cast_to_an_integer_result():
    i = ag.tensor([1, 2])
    j = ag.tensor([3, 4])
    r = ag.addcmul(i, j, j, value=2.5)  # value truncated to 2, as PyTorch casts it
    assert r.dtype == ag.int64 and r.tolist() == [1 + 2 * 9, 2 + 2 * 16]
    assert ag.addcmul(i, j, j, value=-1.5).tolist() == [1 - 9, 2 - 16]
    r = ag.addcmul(i, ag.tensor(T1), ag.tensor(T1), value=2.5)  # float factors: float result
    assert r.dtype == ag.float32 and r.tolist() == [1 + 2.5 * 9, 2 + 2.5 * 16]
    assert i.clone().addcmul_(j, j, value=0.5).tolist() == [1, 2]


def test_integer_addcdiv_is_refused():
    i = ag.tensor([1, 2])
    with pytest.raises(RuntimeError, match="^Integer division with addcdiv is no longer "
                                           "supported, and in a future  release"):
        ag.addcdiv(ag.tensor(X), i, i)
    assert ag.addcdiv(i, ag.tensor(T1), i).tolist() == [1 + 3.0, 2 + 2.0]  # one float: fine


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["addcmul", "addcdiv", "addcmul_", "addcdiv_"])
def test_value_first_order_matches_torch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, a, b = (rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3))
    results = []
    for lib in (ag, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = getattr(lib.tensor(x.copy()), name)(-0.75, lib.tensor(a), lib.tensor(b))
        messages = [str(w.message).split(" (Triggered internally")[0] for w in caught]
        results.append((r.numpy(), messages))
    # the values to rounding (torch's CPU loop fuses a multiply-add); torch warns once per
    # process and overload: compare the text when it did
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6, atol=1e-6)
    assert results[0][1] == [_warning(name)]
    assert results[1][1] in ([], results[0][1])


@pytest.mark.torch_parity
def test_integer_values_and_errors_match_torch():
    torch = pytest.importorskip("torch")
    for value in (2.5, -1.5, 3):
        ours = ag.addcmul(ag.tensor([1, 2]), ag.tensor([3, 4]), ag.tensor([5, 6]), value=value)
        theirs = torch.addcmul(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([5, 6]),
                               value=value)
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) == "autograd_core.int64"
    messages = []
    for lib in (ag, torch):
        with pytest.raises(RuntimeError) as e:
            lib.addcdiv(lib.tensor([1.0]), lib.tensor([1]), lib.tensor([2]))
        messages.append(str(e.value))
    assert messages[0] == messages[1]
