"""``bench.tiny_floor``: the calls it times are the tiny step's, so its parameters follow the
eager step's bit for bit (else the floor it reports would be the floor of something else)."""

import numpy as np

from bench.tiny_floor import floor_step
from bench.train import TINY, tapegrad_parts


def _assert_same_parameters(a, b):
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_floor_step_follows_the_eager_step():
    runs = []
    for _ in range(2):
        model, crit, opt, x, y = tapegrad_parts(TINY, 64, "bce")
        losses = []
        for _ in range(2):
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append((model, crit, opt, x, y, losses))
    (m_eager, crit, o_eager, x, y, _), (m_floor, _, o_floor, xf, yf, _) = runs
    step = floor_step(m_floor, o_floor, xf, yf)
    for _ in range(5):
        o_eager.zero_grad()
        want = crit(m_eager(x), y)
        want.backward()
        o_eager.step()
        got = step()
        assert float(got) == want.item()
    _assert_same_parameters(m_floor, m_eager)
    assert o_floor.state[next(m_floor.parameters())]["step"] == 7.0
