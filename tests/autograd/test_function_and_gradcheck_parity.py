"""Custom autograd.Function and gradcheck as a PyTorch user writes them (found by a
differential run of such programs against torch 2.13): keyword arguments to ``apply``,
integer outputs, in-place changes of a view a Function returns, and gradcheck's keywords."""

import inspect

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import Function, gradcheck, gradgradcheck


class Scale(Function):
    @staticmethod
    def forward(ctx, x, y=None, k=2.0):
        ctx.k = k
        return x * k + (0 if y is None else y)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, g, None


def _x():
    return ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)


@pytest.mark.parametrize("call", ["x=x, y=y, k=3.0", "x, y=y, k=3.0", "x, y, k=3.0"])
def test_apply_binds_keywords_to_forwards_parameters(call):
    """A Tensor passed by keyword was not looked at: the result had no grad_fn and backward
    raised "does not require grad" (PyTorch binds keywords to forward's parameters)."""
    x, y = _x(), _x()
    out = eval(f"Scale.apply({call})")  # noqa: S307 - the three spellings of one call
    assert out.grad_fn is not None
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])  # d(3x + y)/dx
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0])


class Round(Function):
    @staticmethod
    def forward(ctx, x):
        return x.round().long(), x * 2

    @staticmethod
    def backward(ctx, g_int, g):
        return g * 2


def test_integer_outputs_do_not_require_grad():
    """An int64 output was marked as requiring grad (PyTorch: integer and bool outputs never
    do; they are not differentiable)."""
    n, y = Round.apply(_x())
    assert n.dtype == ag.int64 and not n.requires_grad and n.grad_fn is None
    assert y.requires_grad


class Flat(Function):
    @staticmethod
    def forward(ctx, x):
        return x.view(-1)

    @staticmethod
    def backward(ctx, g):
        return g.view(2, 2) * 5


def test_in_place_change_of_a_functions_view_output_is_refused_as_pytorch():
    """The message named a no_grad view and the node class `_FunctionNode`."""
    y = Flat.apply(ag.ones(2, 2, requires_grad=True) * 1)
    with pytest.raises(RuntimeError, match=r"^Output 0 of Flat is a view and is being modified "
                       r"inplace\. This view was created inside a custom Function"):
        y.mul_(2)


def test_calling_a_function_instance_raises_pytorchs_legacy_error():
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward"):
        Flat()(ag.ones(2, 2))


class WrongDouble(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2.5


def test_gradcheck_message_is_pytorchs_with_both_jacobians():
    with pytest.raises(ag.GradcheckError) as err:
        gradcheck(WrongDouble.apply, (_x(),))
    lines = str(err.value).splitlines()
    assert lines[0] == "Jacobian mismatch for output 0 with respect to input 0,"
    assert lines[1].startswith("numerical:tensor([[2.0000, 0.0000],")  # rows: input elements
    assert any(line.startswith("analytical:tensor([[2.5000, 0.0000],") for line in lines)
    assert "input 0 element (0,)" in lines[-1]


def test_gradcheck_without_an_input_requiring_grad_words_it_as_pytorch():
    with pytest.raises(ValueError, match="^gradcheck expects at least one input tensor to "
                       "require gradient, but none of them have requires_grad=True.$"):
        gradcheck(lambda t: t * 2, (_x().detach(),))


def test_gradcheck_takes_pytorchs_keywords():
    """fast_mode=True (and the other switches) raised TypeError."""
    f = lambda t: (t.sin() * t).sum()  # noqa: E731
    assert gradcheck(f, (_x(),), fast_mode=True, check_batched_grad=True,
                     check_grad_dtypes=True, check_forward_ad=True, check_undefined_grad=True,
                     nondet_tol=0.0, check_batched_forward_grad=False, masked=None)
    assert gradgradcheck(f, (_x(),), fast_mode=True, gen_non_contig_grad_outputs=True,
                         check_fwd_over_rev=True, check_batched_grad=True)
    with pytest.raises(NotImplementedError, match="masked=True"):
        gradcheck(f, (_x(),), masked=True)
    with pytest.raises(TypeError):  # keyword-only, as PyTorch's
        gradcheck(f, (_x(),), 1e-6)


def test_forward_mode_check_can_fail_on_its_own():
    """With the backward check off, the forward-mode Jacobian is what is compared."""
    with pytest.raises(ag.GradcheckError,
                       match="^Jacobian computed with forward mode mismatch for output 0"):
        gradcheck(WrongDouble.apply, (_x(),), check_backward_ad=False, check_forward_ad=True)
    assert gradcheck(WrongDouble.apply, (_x(),), check_backward_ad=False)  # nothing checked


def test_gradcheck_of_complex_and_empty_and_0d():
    z = ag.tensor([1.0 + 2.0j, -0.5j], dtype=ag.complex128, requires_grad=True)
    assert gradcheck(lambda t: (t * t.conj()).real.sum(), (z,), check_batched_grad=True)
    assert gradcheck(lambda t: t.exp(), (ag.zeros(0, dtype=ag.float64, requires_grad=True),))
    assert gradcheck(lambda t: t * t, (ag.tensor(3.0, dtype=ag.float64, requires_grad=True),),
                     check_batched_grad=True)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["gradcheck", "gradgradcheck"])
def test_signatures_are_pytorchs(name):
    torch = pytest.importorskip("torch")
    ours = list(inspect.signature(getattr(ag.autograd, name)).parameters.values())
    theirs = list(inspect.signature(getattr(torch.autograd, name)).parameters.values())
    assert [(p.name, p.kind, p.default) for p in ours[:len(theirs)]] == \
        [(p.name, p.kind, p.default) for p in theirs]
    assert [p.name for p in ours[len(theirs):]] == ([] if name == "gradcheck" else ["seed"])


def test_gradcheck_without_differentiable_outputs_wants_a_zero_numerical_gradient():
    # PyTorch: an output computed from the inputs out of the graph (detach) has no analytical
    # gradient, so its finite differences must be zero (gradcheck said True before)
    x = _x()
    with pytest.raises(ag.GradcheckError, match="Numerical gradient for function expected "
                                                "to be zero"):
        gradcheck(lambda t: (t * 2).detach(), (x,))
    assert gradcheck(lambda t: (t * 2).detach(), (x,), raise_exception=False) is False
    assert gradcheck(lambda t: (t.detach() > 0).long(), (x,)) is True  # a constant output


class ScaleShift(Function):
    @staticmethod
    def forward(ctx, x, scale=2.0, *, shift=0.0):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None


def test_apply_keywords_with_a_keyword_only_parameter_in_forward():
    # a keyword-only parameter was passed positionally by apply's binding, so any keyword
    # call raised "forward() takes from 2 to 3 positional arguments"
    x = _x()
    np.testing.assert_array_equal(ScaleShift.apply(x, scale=3.0).detach().numpy(), [3.0, -6.0])
    np.testing.assert_array_equal(ScaleShift.apply(x=x).detach().numpy(), [2.0, -4.0])
    y = ScaleShift.apply(x, 3.0, shift=1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [4.0, -5.0])
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


class ScaleSetup(Function):
    @staticmethod
    def forward(x, k=3.0):
        return x * k

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.k = inputs[1]  # PyTorch binds forward's defaults into inputs

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def test_setup_context_sees_forwards_defaults_without_keywords():
    x = _x()
    ScaleSetup.apply(x).sum().backward()  # IndexError before: inputs was (x,)
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


class SquareWithWrongJvp(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g

    @staticmethod
    def jvp(ctx, t):  # wrong (PyTorch's gradcheck(check_forward_ad=True) fails it)
        (x,) = ctx.saved_tensors
        return 3 * x * t


def test_forward_mode_check_says_a_functions_jvp_goes_unchecked():
    # tapegrad's forward AD derives tangents from backward and never calls jvp: the check
    # passed a wrong jvp in silence before
    x = _x()
    with pytest.warns(UserWarning, match="SquareWithWrongJvp.*jvp is not checked"):
        assert gradcheck(SquareWithWrongJvp.apply, (x,), check_forward_ad=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning without a jvp or without forward mode
        assert gradcheck(SquareWithWrongJvp.apply, (x,))
        assert gradcheck(lambda t: (t * t).sin(), (x,), check_forward_ad=True)


def test_gradcheck_evaluates_the_function_once_per_perturbation_for_every_output():
    # The finite differences ran the function twice per input element *for each output*;
    # gradgradcheck's function has one output per input, so a binary op's second-order check
    # evaluated its forward + backward twice as often as needed. Each perturbation's
    # evaluation now serves every output (PyTorch's gradcheck works the same way).
    calls = []

    def f(a, b):
        calls.append(1)
        return a * b, a + b.sin(), (a * b).sum()

    a = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([[1.5, 0.3, -0.7]], dtype=ag.float64, requires_grad=True)
    assert gradcheck(f, (a, b))
    assert len(calls) == 1 + 2 * (3 + 3)  # the outputs' first call, then +-eps per element
    # a wrong gradient of the second output is still reported against that output
    class BadSin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos() * 1.01

    with pytest.raises(ag.GradcheckError, match="for output 1 with respect to input 1"):
        gradcheck(lambda a, b: (a * b, a + BadSin.apply(b)), (a, b))
