"""In-place changes of the views that ``split``/``chunk``/``unbind`` (and iteration) return,
and of views made under ``no_grad``, follow PyTorch's rules: refused while recording when a
tensor requiring grad is involved, allowed otherwise; ``tensor_split``/``hsplit``/``vsplit``
pieces (one view op each, in PyTorch too) accept writes with the right gradients."""

import numpy as np
import pytest

import autograd_core as ag

MULTI = ("This view is the output of a function that returns multiple views. Such functions do "
         "not allow the output views to be modified inplace. You should replace the inplace "
         "operation by an out-of-place one.")
NO_GRAD = ("Given that this use case is ambiguous and error-prone, it is forbidden. You can "
           "clarify your code by moving both the view and the inplace either both inside the "
           "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
           "want the inplace to be tracked).")


def _x(requires_grad=True):
    w = ag.tensor(np.arange(16.0).reshape(4, 4), requires_grad=requires_grad)
    return w, (w * 1 if requires_grad else w)


@pytest.mark.parametrize("pieces, name, k", [
    (lambda x: x.split(2), "Split", 1),
    (lambda x: ag.split(x, [1, 3]), "SplitWithSizes", 1),
    (lambda x: x.chunk(2, 1), "Split", 0),
    (lambda x: x.unbind(1), "Unbind", 3),
    (lambda x: list(x), "Unbind", 2),
])
def test_direct_write_refused_while_recording(pieces, name, k):
    w, x = _x()
    p = pieces(x)[k]
    before = x.tolist()
    with pytest.raises(RuntimeError) as err:
        p.add_(1)
    assert str(err.value) == (f"Output {k} of {name} is a view and is being modified inplace. "
                              f"{MULTI}")
    assert x.tolist() == before and p._version == x._version  # nothing written
    with pytest.raises(RuntimeError, match="^Output 0 of Select is a view and is being"):
        p[0] = 5.0
    with pytest.raises(RuntimeError, match="^Output 0 of View is a view and is being"):
        p.view_as(p).mul_(2)
    with pytest.raises(RuntimeError, match=f"^Output {k} of {name} is a view and is being"):
        p.unsqueeze_(0)
    with pytest.raises(RuntimeError, match="^Output 0 of Split is a view and is being"):
        ag.split(w, 2)[0].zero_()  # pieces of a leaf: the same error first


def test_allowed_without_grad_or_under_no_grad():
    _, x = _x(requires_grad=False)
    a, b = x.split(2)
    a.add_(1)  # nothing requires grad
    b[0, 0] = -1.0
    assert x[0].tolist() == [1.0, 2.0, 3.0, 4.0] and x[2, 0].item() == -1.0
    w, y = _x()
    a, b = y.split(2)
    with ag.no_grad():
        a.mul_(0)
    assert y[0].tolist() == [0.0] * 4
    # a value that requires grad written into a piece of a tensor that does not
    with pytest.raises(RuntimeError) as err:
        x.split(2)[0].copy_(ag.ones(2, 4, requires_grad=True))
    assert str(err.value) == ("A view was created in no_grad mode and is being modified "
                              f"inplace with grad mode enabled. {MULTI}")


def test_detached_piece_writes_reach_the_base():
    _, x = _x()
    a, _ = x.split(2)
    a.detach().add_(10)
    assert x[0, 0].item() == 10.0


def test_base_written_after_split_refuses_a_gradient_through_a_piece():
    w, x = _x()
    a, b = x.split(2)
    x.mul_(2)
    assert a.tolist()[0] == [0.0, 2.0, 4.0, 6.0]  # the values are the new ones
    with pytest.raises(RuntimeError) as err:
        (a * 3).sum().backward()
    assert str(err.value) == ("Output 0 of Split is a view and its base or another view of its "
                              f"base has been modified inplace. {MULTI}")
    x.sum().backward()  # the base's own graph is fine: d(sum(2 w))/dw = 2
    assert w.grad.tolist() == [[2.0] * 4] * 4


@pytest.mark.parametrize("pieces", [
    lambda x: ag.tensor_split(x, [1, 3]),
    lambda x: x.hsplit(2),
    lambda x: x.vsplit([1]),
])
def test_single_view_pieces_accept_writes_with_right_gradients(pieces):
    w, x = _x()
    p = pieces(x)[1]
    p.mul_(3)  # PyTorch allows it: the elements of p now hold 3 w
    mask = np.zeros((4, 4))
    mask.flat[_positions(x, p)] = 1
    (x * x).sum().backward()  # d/dw sum(x^2) = 2 x dx/dw: 18 w where written, 2 w elsewhere
    want = np.arange(16.0).reshape(4, 4) * np.where(mask == 1, 18.0, 2.0)
    assert np.allclose(w.grad.numpy(), want)


def _positions(base, view):
    """The flat positions in ``base`` of ``view``'s elements (from the memory addresses)."""
    start = view._data.__array_interface__["data"][0] - base._data.__array_interface__["data"][0]
    rows, cols = np.indices(view.shape)
    item = base._data.itemsize
    return (start + rows * view._data.strides[0] + cols * view._data.strides[1]).ravel() // item


def test_view_made_under_no_grad_refuses_a_recorded_write():
    w, x = _x()
    with ag.no_grad():
        v = x[0]
    with pytest.raises(RuntimeError) as err:
        v.add_(1)
    assert str(err.value) == ("A view was created in no_grad mode and is being modified inplace "
                              f"with grad mode enabled. {NO_GRAD}")
    with ag.no_grad():
        v.add_(1)  # both under no_grad: allowed
    assert x[0, 0].item() == 1.0
    z = ag.zeros(3)
    with ag.no_grad():
        u = z[1:]
    u.add_(1)  # nothing requires grad: allowed
    assert z.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.torch_parity
def test_errors_and_permissions_match_torch():
    torch = pytest.importorskip("torch")
    makers = {
        "split": lambda x: x.split(2), "split_list": lambda x: x.split([2, 2]),
        "chunk": lambda x: x.chunk(2), "unbind": lambda x: x.unbind(0),
        "tensor_split": lambda x: x.tensor_split(2), "hsplit": lambda x: x.hsplit(2),
        "vsplit": lambda x: x.vsplit(2), "iter": lambda x: list(x),
    }
    writes = {
        "add_": lambda a: a.add_(1), "setitem": lambda a: a.__setitem__(0, 5.0),
        "zero_": lambda a: a.zero_(), "view_add_": lambda a: a.reshape(-1).add_(1),
        "select_add_": lambda a: a[0].add_(1), "ellipsis": lambda a: a.__setitem__(..., 5.0),
        "unsqueeze_": lambda a: a.unsqueeze_(0), "none": lambda a: a[None].add_(1),
    }

    def run(lib, make, write, mode):
        rg = mode not in ("no_grad_input", "no_grad_input_grad_value")
        x = lib.tensor(np.arange(16.0).reshape(4, 4), requires_grad=rg)
        x = x * 1 if rg and mode != "leaf" else x
        try:
            if mode == "made_under_no_grad":
                with lib.no_grad():
                    ps = make(x)
                write(ps[1])
            elif mode == "written_under_no_grad":
                ps = make(x)
                with lib.no_grad():
                    write(ps[1])
            elif mode == "no_grad_input_grad_value":
                ps = make(x)
                ps[1].copy_(lib.ones(tuple(ps[1].shape), requires_grad=True))
            else:
                write(make(x)[1])
            return "ok", x.tolist() if mode != "no_grad_input_grad_value" else None
        except RuntimeError as exc:
            return str(exc), None

    for name, make in makers.items():
        for wname, write in writes.items():
            for mode in ("non_leaf", "leaf", "no_grad_input", "made_under_no_grad",
                         "written_under_no_grad", "no_grad_input_grad_value"):
                ours, theirs = run(ag, make, write, mode), run(torch, make, write, mode)
                assert ours == theirs, (name, wname, mode, ours, theirs)
