"""reference/hs.py, softmax_sg.py and cbow.py against PyTorch autograd and finite differences.

(The SGNS reference has its own file, test_reference_sgns.py.)
"""
import numpy as np
import pytest

from conftest import compare, require
from fastw2v.reference import cbow, hs, softmax_sg
from fastw2v.vocab import Vocab

SHAPES = [(6, 3, 1), (9, 4, 16), (40, 16, 64), (300, 32, 32), (3, 8, 40)]   # (V, D, B); tiny V repeats rows


def tree(rng, V):
    counts = np.sort(rng.integers(1, 1000, V))[::-1]
    return Vocab([f"w{i}" for i in range(V)], counts).huffman_tree()


def torch_grads(loss_fn, arrays, *rest):
    torch = require("torch")
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = loss_fn(*tensors, *[torch.tensor(r) for r in rest])
    loss.backward()
    return loss.item(), [t.grad.numpy() for t in tensors]


def check(name, loss, grads, t_loss, t_grads):
    compare(f"{name} loss", loss, t_loss, rtol=1e-12, atol=1e-12)
    for i, (g, t) in enumerate(zip(grads, t_grads)):
        compare(f"{name} grad{i}", g, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("V,D,B", SHAPES)
def test_softmax_sg_matches_autograd(rng, V, D, B):
    require("torch")
    from torch_oracle import skipgram_hidden, softmax_head
    W_in, W_out = rng.normal(0, 0.5, (V, D)), rng.normal(0, 0.5, (V, D))
    ctx, centre = rng.integers(0, V, B), rng.integers(0, V, B)
    loss, cache = softmax_sg.forward(W_in, W_out, ctx, centre)
    t_loss, t_grads = torch_grads(lambda a, b, c, w: softmax_head(skipgram_hidden(a, c), b, w),
                                  [W_in, W_out], ctx, centre)
    check("softmax_sg", loss, softmax_sg.backward(cache), t_loss, t_grads)


@pytest.mark.parametrize("V,D,B", SHAPES)
def test_hs_sg_matches_autograd(rng, V, D, B):
    require("torch")
    from torch_oracle import hs_head, skipgram_hidden
    codes, points, codelens = tree(rng, V)
    W_in, W_out = rng.normal(0, 0.5, (V, D)), rng.normal(0, 0.5, (max(V - 1, 1), D))
    ctx, centre = rng.integers(0, V, B), rng.integers(0, V, B)
    loss, cache = hs.forward(W_in, W_out, ctx, centre, codes, points, codelens)
    t_loss, t_grads = torch_grads(
        lambda a, b, c, w, co, po, cl: hs_head(skipgram_hidden(a, c), b, w, co, po, cl),
        [W_in, W_out], ctx, centre, codes.astype(np.int64), points.astype(np.int64), codelens.astype(np.int64))
    check("hs_sg", loss, hs.backward(cache), t_loss, t_grads)


def cbow_case(rng, V, D, B, C=6):
    contexts = rng.integers(0, V, (B, C))
    mask = rng.random((B, C)) < 0.7
    mask[:, 0] = True                                      # every window has a context word
    return rng.normal(0, 0.5, (V, D)), contexts, mask, rng.integers(0, V, B)


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("head", ["ns", "hs", "softmax"])
@pytest.mark.parametrize("V,D,B", SHAPES)
def test_cbow_matches_autograd(rng, V, D, B, head, mean):
    require("torch")
    import torch_oracle as T
    W_in, contexts, mask, centre = cbow_case(rng, V, D, B)
    if head == "ns":
        head_args = (rng.integers(0, V, (B, 5)),)
        W_out = rng.normal(0, 0.5, (V, D))
    elif head == "hs":
        head_args = tuple(a.astype(np.int64) for a in tree(rng, V))
        W_out = rng.normal(0, 0.5, (max(V - 1, 1), D))
    else:
        head_args = ()
        W_out = rng.normal(0, 0.5, (V, D))
    loss, cache = cbow.forward(W_in, W_out, contexts, mask, centre, head, head_args, mean)
    dW_in, dW_out, dh = cbow.backward(cache)
    torch_head = dict(ns=T.ns_head, hs=T.hs_head, softmax=T.softmax_head)[head]
    t_loss, t_grads = torch_grads(
        lambda a, b, c, m, w, *args: torch_head(T.cbow_hidden(a, c, m, mean), b, w, *args),
        [W_in, W_out], contexts, mask, centre, *head_args)
    check(f"cbow_{head}", loss, (dW_in, dW_out), t_loss, t_grads)


def numeric_gradient(f, W, eps=1e-6):
    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + eps
        up = f()
        W[idx] = old - eps
        down = f()
        W[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("objective", ["softmax_sg", "hs_sg", "cbow_ns_mean", "cbow_hs_sum", "cbow_softmax_mean"])
def test_finite_differences(rng, objective):
    V, D, B = 7, 4, 6
    W_in = rng.normal(0, 0.5, (V, D))
    ctx, centre = rng.integers(0, V, B), rng.integers(0, V, B)
    codes, points, codelens = tree(rng, V)
    _, contexts, mask, _ = cbow_case(rng, V, D, B)
    negatives = rng.integers(0, V, (B, 3))
    W_out = rng.normal(0, 0.5, (V - 1 if "hs" in objective else V, D))
    run = {
        "softmax_sg": lambda: softmax_sg.forward(W_in, W_out, ctx, centre),
        "hs_sg": lambda: hs.forward(W_in, W_out, ctx, centre, codes, points, codelens),
        "cbow_ns_mean": lambda: cbow.forward(W_in, W_out, contexts, mask, centre, "ns", (negatives,), True),
        "cbow_hs_sum": lambda: cbow.forward(W_in, W_out, contexts, mask, centre, "hs",
                                            (codes, points, codelens), False),
        "cbow_softmax_mean": lambda: cbow.forward(W_in, W_out, contexts, mask, centre, "softmax", (), True),
    }[objective]
    module = {"softmax_sg": softmax_sg, "hs_sg": hs}.get(objective, cbow)
    grads = module.backward(run()[1])[:2]
    for W, grad in zip((W_in, W_out), grads):
        compare("finite diff", grad, numeric_gradient(lambda: run()[0], W), rtol=1e-6, atol=1e-7)


def test_huffman_tree_matches_word2vec_c_shape(rng):
    counts = [45, 16, 13, 12, 9, 5]
    codes, points, codelens = Vocab(list("abcdef"), counts).huffman_tree()
    codes = codes.astype(np.int64)
    # the most frequent word sits right under the root (inner node V-2 = 4)
    assert codelens[0] == 1 and points[0, 0] == 4
    assert np.all(points[:, 0] == 4)
    # codes are prefix-free and Kraft's sum of a full binary tree is 1
    paths = ["".join(map(str, codes[w, :codelens[w]])) for w in range(6)]
    assert not any(a != b and b.startswith(a) for a in paths for b in paths)
    assert sum(2.0 ** -codelens) == pytest.approx(1.0)
    # frequent words never get longer codes than rarer ones
    assert np.all(np.diff(codelens) >= 0)
    # HS probabilities over all words sum to one for any hidden vector
    from fastw2v.reference.activations import sigmoid
    W_out, h = rng.normal(size=(5, 3)), rng.normal(size=3)
    p = [np.prod([sigmoid((1 - 2 * codes[w, d]) * h @ W_out[points[w, d]]) for d in range(codelens[w])])
         for w in range(6)]
    assert sum(p) == pytest.approx(1.0)
