"""memory_summary against bytes computed by hand: parameters (numel * itemsize), gradients,
optimizer state (Adam: 2 x parameters + one 8-byte step per parameter) and the activations
each op of a small net saves for backward; and the model is left untouched."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from autograd_core import Tensor

N, D_IN, H, D_OUT = 8, 10, 20, 5


def _net(dtype=np.float32, dropout=False):
    layers = [nn.Linear(D_IN, H, dtype=dtype), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(0.5))
    layers.append(nn.Linear(H, D_OUT, dtype=dtype))
    return nn.Sequential(*layers)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_relu_linear_by_hand(dtype):
    ag.manual_seed(0)
    model = _net(dtype)
    opt = optim.Adam(model.parameters())
    s = nn.utils.memory_summary(model, opt, input_shape=(N, D_IN))
    b = np.dtype(dtype).itemsize
    numel = D_IN * H + H + H * D_OUT + D_OUT
    assert s.parameter_bytes == numel * b
    assert s.gradient_bytes == numel * b
    # exp_avg, exp_avg_sq, and 4 steps (0-d float32 tensors, as PyTorch's)
    assert s.optimizer_state_bytes == 2 * numel * b + 4 * 4
    # the tape, op by op (loss = out.sum(), which saves nothing):
    #   Linear 1 saves its input x (for dW1)           N * D_IN
    #   ReLU saves its output h (mask for backward)    N * H
    #   Linear 2 saves its input: the same array h     (counted once)
    assert s.activation_bytes == (N * D_IN + N * H) * b
    assert s.input_bytes == N * D_IN * b
    assert s.total_bytes == 4 * numel * b + 16 + s.activation_bytes  # p + g + 2 moments
    assert s.n_parameters == 4 and s.n_elements == numel
    text = str(s)
    assert str(s.activation_bytes) in text and "optimizer state" in text


def test_dropout_and_mse_loss_add_what_they_save():
    ag.manual_seed(1)
    model = _net(dropout=True)
    s = nn.utils.memory_summary(model, optim.SGD(model.parameters(), lr=0.1),
                                input_shape=(N, D_IN), loss_fn=nn.MSELoss())
    # x, relu output, dropout's scaled mask, dropout's output (Linear 2's input),
    # MSE's input (the model output) and its target
    expected = (N * D_IN + 3 * N * H + 2 * N * D_OUT) * 4
    assert s.activation_bytes == expected
    assert s.optimizer_state_bytes == 0  # plain SGD keeps nothing
    mom = nn.utils.memory_summary(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                                  input_shape=(N, D_IN))
    assert mom.optimizer_state_bytes == mom.parameter_bytes  # one momentum buffer each


def test_cross_entropy_tape():
    model = _net()
    s = nn.utils.memory_summary(model, None, input_shape=(N, D_IN),
                                loss_fn=nn.CrossEntropyLoss())
    # + logits (N x D_OUT float32), their row logsumexp (N x 1) and the int64 targets (N)
    assert s.activation_bytes == (N * D_IN + N * H + N * D_OUT + N) * 4 + N * 8
    assert s.optimizer_state_bytes == 0


def test_without_a_step_only_what_exists_now():
    model = _net()
    s = nn.utils.memory_summary(model)
    assert s.activation_bytes == 0 and s.gradient_bytes == 0
    assert s.parameter_bytes == sum(p.numel() * 4 for p in model.parameters())
    model(Tensor._wrap(np.ones((2, D_IN), np.float32))).sum().backward()
    assert nn.utils.memory_summary(model).gradient_bytes == s.parameter_bytes


def test_model_optimizer_and_random_stream_are_left_untouched():
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(D_IN, H), nn.BatchNorm1d(H), nn.Dropout(0.3),
                          nn.Linear(H, D_OUT))
    opt = optim.Adam(model.parameters())
    before = {k: v._data.copy() for k, v in model.state_dict().items()}
    from autograd_core import random as agr

    rng_before = agr.get_rng_state()
    s = nn.utils.memory_summary(model, opt, input_shape=(N, D_IN))
    assert s.activation_bytes > 0 and s.optimizer_state_bytes > 0
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v._data, before[k], err_msg=k)
    assert all(p.grad is None for p in model.parameters())
    assert opt.state == {} or all(not st for st in opt.state.values())
    assert agr.get_rng_state().tolist() == rng_before.tolist()  # a uint8 Tensor, as PyTorch
