"""Grad-mode decorators on generator functions: the mode holds inside the body at every step
and the caller's mode between steps, as PyTorch's decorators (``@torch.no_grad()`` on a
sampling loop that yields). The decorator wrapped only the call that makes the generator, so
the body ran in the caller's mode and recorded a graph at every step."""

import pytest

import autograd_core as ag

X = ag.tensor([1.0, 2.0], requires_grad=True)


# made in the test: set_grad_enabled(False) switches the mode as it is constructed (PyTorch's)
@pytest.mark.parametrize("make, inside", [
    (lambda: ag.no_grad(), False), (lambda: ag.no_grad, False),
    (lambda: ag.inference_mode(), False), (lambda: ag.set_grad_enabled(False), False),
    (lambda: ag.enable_grad(), True)], ids=["no_grad()", "no_grad", "inference_mode",
                                             "set_grad_enabled", "enable_grad"])
def test_the_body_runs_in_the_decorators_mode_and_the_caller_in_its_own(make, inside):
    seen = []
    with ag.enable_grad():
        decorator = make()  # (set_grad_enabled restores the mode when it decorates)

    @decorator
    def steps(n):
        for k in range(n):
            seen.append(ag.is_grad_enabled())
            yield (X * k).requires_grad
        return "done"

    outer = not inside  # the caller's mode is the opposite of the decorator's
    with ag.set_grad_enabled(outer):
        gen = steps(3)
        results = []
        for r in gen:
            results.append(r)
            assert ag.is_grad_enabled() is outer  # between steps: the caller's mode
    assert results == [inside] * 3 and seen == [inside] * 3


def test_send_throw_close_and_the_return_value_pass_through():
    log = []

    @ag.no_grad()
    def echo():
        try:
            while True:
                got = yield (X * 2).requires_grad
                log.append((got, ag.is_grad_enabled()))
        except KeyError:
            log.append(("thrown", ag.is_grad_enabled()))
            yield "after"
        finally:
            log.append(("closed", ag.is_grad_enabled()))

    gen = echo()
    assert next(gen) is False
    assert gen.send(5) is False
    assert gen.throw(KeyError("k")) == "after"
    gen.close()
    assert log == [(5, False), ("thrown", False), ("closed", False)]
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def returns():
        yield 1
        return 7

    g = returns()
    next(g)
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == 7
