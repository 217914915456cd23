"""reference/sgns.py against PyTorch autograd and against finite differences."""
import numpy as np
import pytest

from conftest import compare, require
from fastw2v.reference import sgns


def random_case(rng, V, D, B, K, scale=0.5):
    W_in = rng.normal(0, scale, (V, D))
    W_out = rng.normal(0, scale, (V, D))
    ctx = rng.integers(0, V, B)
    centre = rng.integers(0, V, B)
    negatives = rng.integers(0, V, (B, K))
    return W_in, W_out, ctx, centre, negatives


@pytest.mark.parametrize("V,D,B,K", [(5, 3, 1, 1), (7, 4, 16, 5), (50, 16, 64, 5), (200, 64, 32, 15), (3, 8, 40, 4)])
def test_sgns_matches_autograd(rng, V, D, B, K):
    torch = require("torch")
    from torch_oracle import sgns_loss
    W_in, W_out, ctx, centre, negatives = random_case(rng, V, D, B, K)
    # small V with many rows: repeated contexts, centres and noise words inside the batch,
    # and noise words equal to their centre (masked), are all exercised
    loss, cache = sgns.forward(W_in, W_out, ctx, centre, negatives)
    dW_in, dW_out = sgns.backward(cache)
    t_in = torch.tensor(W_in, requires_grad=True)
    t_out = torch.tensor(W_out, requires_grad=True)
    t_loss = sgns_loss(t_in, t_out, torch.tensor(ctx), torch.tensor(centre), torch.tensor(negatives))
    t_loss.backward()
    compare("loss", loss, t_loss.item(), rtol=1e-12, atol=1e-12)
    compare("dW_in", dW_in, t_in.grad.numpy(), rtol=1e-10, atol=1e-12)
    compare("dW_out", dW_out, t_out.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_sgns_noise_word_equal_to_centre_is_masked(rng):
    # word2vec.c skips a noise word equal to the centre: [c, x, c] trains as [x] alone
    W_in, W_out = rng.normal(0, 0.5, (6, 4)), rng.normal(0, 0.5, (6, 4))
    loss3, cache3 = sgns.forward(W_in, W_out, np.array([1]), np.array([2]), np.array([[2, 4, 2]]))
    loss1, cache1 = sgns.forward(W_in, W_out, np.array([1]), np.array([2]), np.array([[4]]))
    assert loss3 == pytest.approx(loss1, rel=1e-12)
    for g3, g1 in zip(sgns.backward(cache3), sgns.backward(cache1)):
        np.testing.assert_allclose(g3, g1, rtol=1e-12, atol=1e-15)


def test_sgns_batch_gradient_is_the_sum_over_examples(rng):
    # repeated contexts, centres and noise words inside a batch add up (np.add.at, not =)
    W_in, W_out, ctx, centre, negatives = random_case(rng, 3, 8, 40, 4)
    assert len(np.unique(ctx)) < len(ctx) and np.any(negatives == centre[:, None])
    loss, cache = sgns.forward(W_in, W_out, ctx, centre, negatives)
    total = [np.zeros_like(W_in), np.zeros_like(W_out)]
    one_by_one = 0.0
    for b in range(ctx.size):
        l_b, c_b = sgns.forward(W_in, W_out, ctx[b:b + 1], centre[b:b + 1], negatives[b:b + 1])
        one_by_one += l_b
        for t, g in zip(total, sgns.backward(c_b)):
            t += g
    assert loss == pytest.approx(one_by_one, rel=1e-12)
    for g, t in zip(sgns.backward(cache), total):
        np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12)


def test_sgns_extreme_scores_are_finite():
    W_in = np.array([[100.0, 0.0], [-100.0, 0.0]])
    W_out = np.array([[-100.0, 0.0], [100.0, 0.0]])
    loss, cache = sgns.forward(W_in, W_out, np.array([0, 1]), np.array([0, 1]), np.array([[1], [0]]))
    dW_in, dW_out = sgns.backward(cache)
    assert np.isfinite(loss) and loss > 1e4
    assert np.all(np.isfinite(dW_in)) and np.all(np.isfinite(dW_out))


def test_sgns_finite_differences(rng):
    W_in, W_out, ctx, centre, negatives = random_case(rng, 6, 5, 8, 3)
    _, cache = sgns.forward(W_in, W_out, ctx, centre, negatives)
    grads = sgns.backward(cache)
    eps = 1e-6
    for W, grad in zip((W_in, W_out), grads):
        numeric = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + eps
            up = sgns.forward(W_in, W_out, ctx, centre, negatives)[0]
            W[idx] = old - eps
            down = sgns.forward(W_in, W_out, ctx, centre, negatives)[0]
            W[idx] = old
            numeric[idx] = (up - down) / (2 * eps)
        compare("finite diff", grad, numeric, rtol=1e-6, atol=1e-7)
