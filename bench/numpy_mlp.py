"""The train suite's baseline: a ReLU MLP with its loss, backward pass and Adam written by hand in
plain numpy, the way a careful programmer would without an autodiff library (in-place updates,
no temporaries that are easy to avoid). It computes what ``nn.Sequential(Linear, ReLU, ...,
Linear)`` + ``nn.CrossEntropyLoss()`` (or ``nn.BCEWithLogitsLoss()`` for one output) +
``optimizers.Adam`` compute, so the train suite's ratio against it is the price of the tape;
a test holds the two to the same parameters after a few steps.
"""

from __future__ import annotations

import numpy as np


def init_linear(rng, n_in, n_out, dtype=np.float32):
    """PyTorch's default ``Linear`` initialisation: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in))
    (kaiming_uniform with a=sqrt(5) reduces to this bound for the weight)."""
    bound = 1.0 / np.sqrt(n_in)
    w = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
    b = rng.uniform(-bound, bound, n_out).astype(dtype)
    return w, b


class NumpyMLP:
    """``Linear -> ReLU -> ... -> Linear`` with weights ``[(W (out, in), b (out,)), ...]``,
    trained by :meth:`step` with Adam (PyTorch's update rule and defaults).

    ``loss="ce"``: cross-entropy over class indices (mean); ``loss="bce"``: binary cross-entropy
    with logits against float targets of the output's shape (mean).
    """

    def __init__(self, weights, loss="ce", lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = [a for wb in weights for a in wb]  # W0, b0, W1, b1, ...
        self.grads = [np.zeros_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.loss_kind = loss
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = 0

    @classmethod
    def random(cls, sizes, rng, loss="ce", dtype=np.float32, **adam):
        return cls([init_linear(rng, a, b, dtype) for a, b in zip(sizes[:-1], sizes[1:])],
                   loss, **adam)

    @property
    def layers(self):
        return list(zip(self.params[0::2], self.params[1::2]))

    def forward(self, x):
        """Logits, and the inputs of each layer (kept for backward)."""
        inputs, h = [], x
        layers = self.layers
        for i, (w, b) in enumerate(layers):
            inputs.append(h)
            h = h @ w.T
            h += b
            if i < len(layers) - 1:
                np.maximum(h, 0, out=h)
        return h, inputs

    def loss_and_grad(self, z, y):
        """Mean loss and its gradient with respect to the logits ``z`` (written into ``z``)."""
        n = z.shape[0]
        if self.loss_kind == "ce":
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            s = z.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            loss = float(np.mean(np.log(s[:, 0]) - np.log(z[rows, y])))
            z /= s
            z[rows, y] -= 1
        else:
            # max(z, 0) - z*y + log1p(exp(-|z|)), gradient sigmoid(z) - y
            loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
            z[...] = 1 / (1 + np.exp(-z)) - y
            n = z.size
        z /= n
        return loss, z

    def backward(self, dz, inputs):
        layers = self.layers
        for i in range(len(layers) - 1, -1, -1):
            w, _ = layers[i]
            h = inputs[i]
            np.matmul(dz.T, h, out=self.grads[2 * i])
            np.sum(dz, axis=0, out=self.grads[2 * i + 1])
            if i:
                dh = dz @ w
                dh *= h > 0  # h is the ReLU output: > 0 exactly where the pre-activation was
                dz = dh

    def adam(self):
        """PyTorch's Adam (weight_decay=0, amsgrad=False), in place."""
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1**self.t)
        bc2_sqrt = np.sqrt(1 - b2**self.t)
        for p, g, m, v in zip(self.params, self.grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            denom = np.sqrt(v)
            denom /= bc2_sqrt
            denom += self.eps
            p -= step_size * (m / denom)

    def step(self, x, y) -> float:
        """One training step: forward, loss, backward, Adam. Returns the loss."""
        z, inputs = self.forward(x)
        loss, dz = self.loss_and_grad(z, y)
        self.backward(dz, inputs)
        self.adam()
        return loss
