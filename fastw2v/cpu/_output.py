"""Output layers ("heads") shared by skip-gram and CBOW kernels: negative sampling and
hierarchical softmax. Both are sums of binary logistic decisions on one hidden vector h.

Every head updates its output rows in place and accumulates -lr * dL/dh into row e of ``E``
(word2vec.c's neu1e); the caller applies it to the input row(s) afterwards (word2vec.c's
order: each output row is updated with the not-yet-updated h).

The hidden vector is passed as ``(H, r)``, row r of a matrix (``W_in`` for skip-gram, a (B, D)
buffer of hidden vectors for CBOW), and the error as ``(E, e)``, never as views ``H[r]``: in
numba a view takes a reference on its parent (an atomic increment) on every pair. Each head is
one loop with the per-target body written inside it, as word2vec.c: factoring the body into a
helper function, even one numba inlines, was slower (both: bench_results/decisions.md
#head-loop).
"""
import numpy as np
from numba import njit

from .. import config
from ._sigmoid import sigmoid_exp, softplus_neg


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def ns_output(H, r, W_out, centre, negatives, first, count, lr, E, e, compute_loss):
    """Negative sampling on h = H[r]: the centre word with label 1, each noise word
    negatives[first:first+count] with label 0; a noise word equal to the centre is skipped
    (word2vec.c). For each target t:

        s = h . W_out[t];  g = -lr * dL/ds = lr * (label - sigma(s))
        E[e] += g * W_out[t];  W_out[t] += g * h

    Returns the summed loss (0 when ``compute_loss`` is False).
    """
    dim = H.shape[1]
    loss = 0.0
    for k in range(count + 1):
        if k == 0:
            target = centre
            label = np.float32(1.0)
        else:
            target = negatives[first + k - 1]
            if target == centre:
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for c in range(dim):
            f += H[r, c] * W_out[target, c]
        sig, ex = sigmoid_exp(f)
        g = (label - sig) * lr
        for c in range(dim):
            E[e, c] += g * W_out[target, c]           # dL/dh, with the old W_out row
            W_out[target, c] += g * H[r, c]           # dL/dW_out, with the old h
        if compute_loss:
            # -log sigma(s) for the real pair; -log sigma(-s) = -log sigma(s) + s for noise
            loss += softplus_neg(f, ex) if k == 0 else softplus_neg(f, ex) + f
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def hs_output(H, r, W_out, targets, labels, n_targets, lr, E, e, G, compute_loss):
    """Hierarchical softmax on h = H[r]: one decision per inner node of a Huffman path
    (``targets[:n_targets]``, from ``hs.hs_targets``), label 1 - code (word2vec.c's
    ``g = (1 - code - f) * alpha``), each node updated as in ``ns_output``.

    A path never repeats a node, so every score reads its row before this example moves it,
    as in word2vec.c's loop, even when all scores are computed first: then the dot products
    and sigmoids are independent and the CPU overlaps them instead of waiting on each in
    turn (bench_results/decisions.md#scores-first).
    Scratch: ``G`` (>= n_targets,).
    """
    dim = H.shape[1]
    for d in range(n_targets):
        node = targets[d]
        f = np.float32(0.0)
        for c in range(dim):
            f += H[r, c] * W_out[node, c]
        G[d] = f
    loss = 0.0
    for d in range(n_targets):
        f = G[d]
        sig, ex = sigmoid_exp(f)
        if compute_loss:
            loss += softplus_neg(f, ex) + (np.float32(1.0) - labels[d]) * f
        G[d] = (labels[d] - sig) * lr
    for d in range(n_targets):
        node = targets[d]
        g = G[d]
        for c in range(dim):
            E[e, c] += g * W_out[node, c]
            W_out[node, c] += g * H[r, c]
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def window_scores(W_in, contexts, n_ctx, W_out, targets, n_targets, G):
    """G[k, i] = W_in[contexts[i]] . W_out[targets[k]]: S = H T^T from the rows as they are.
    The dot products are independent, so the CPU overlaps them."""
    dim = W_in.shape[1]
    for k in range(n_targets):
        target = targets[k]
        for i in range(n_ctx):
            row = contexts[i]
            f = np.float32(0.0)
            for c in range(dim):
                f += W_in[row, c] * W_out[target, c]
            G[k, i] = f


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def move_context_rows(W_in, contexts, n_ctx, neu1e):
    """W_in[contexts[i]] += neu1e[i]: the context rows move last (word2vec.c's order)."""
    for i in range(n_ctx):
        row = contexts[i]
        for c in range(W_in.shape[1]):
            W_in[row, c] += neu1e[i, c]


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def batch_output(W_in, contexts, n_ctx, W_out, targets, labels, n_targets, lr, neu1e, acc, G,
                 compute_loss):
    """One window as a minibatch ("HogBatch", Ji et al. 2016): each of the n_ctx context rows
    h_i = W_in[contexts[i]] makes the same binary decisions, target t_k with label y_k (the
    centre and K shared noise words):

        S = H T^T                  (n_ctx, n_targets) scores, all from the old rows
        G = lr * (Y - sigma(S))    -lr * dL/dS
        neu1e = G T;  W_out[t_k] += (G^T H)[k];  then W_in[c_i] += neu1e[i]

    Every score is computed before any row moves, so with distinct targets this is exactly
    ``W -= lr * grad`` of the summed loss of the window's pairs, repeated contexts included (a
    noise word drawn twice reads, for neu1e, the row its first occurrence already moved, as in
    word2vec.c's sequential order); each target row is read and written once per window. The
    scores are independent dot products, which the CPU overlaps, instead of one dot at a time
    each waiting on the last update (bench_results/decisions.md#scores-first).
    Scratch: ``neu1e`` (>= n_ctx, D), ``acc`` (D,), ``G`` (>= n_targets, >= n_ctx).
    Returns the summed loss (0 when ``compute_loss`` is False).
    """
    dim = W_in.shape[1]
    window_scores(W_in, contexts, n_ctx, W_out, targets, n_targets, G)
    loss = 0.0
    for k in range(n_targets):
        label = labels[k]
        for i in range(n_ctx):
            f = G[k, i]
            sig, ex = sigmoid_exp(f)
            if compute_loss:
                # -log sigma(-s) = -log sigma(s) + s for a noise word
                loss += softplus_neg(f, ex) + (np.float32(1.0) - label) * f
            G[k, i] = (label - sig) * lr
    for i in range(n_ctx):
        for c in range(dim):
            neu1e[i, c] = 0.0
    for k in range(n_targets):
        target = targets[k]
        for c in range(dim):
            acc[c] = 0.0
        for i in range(n_ctx):
            g = G[k, i]
            row = contexts[i]
            for c in range(dim):
                neu1e[i, c] += g * W_out[target, c]
                acc[c] += g * W_in[row, c]
        for c in range(dim):
            W_out[target, c] += acc[c]
    move_context_rows(W_in, contexts, n_ctx, neu1e)
    return loss
