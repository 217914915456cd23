"""CUDA kernels (fastw2v/gpu) against the NumPy reference, on a GPU or on numba's simulator.

Threads per block are patched small so that even these tiny inputs span several blocks. The
examples of one launch touch disjoint rows, so plain Hogwild stores and atomics must both give
exactly the per-example reference update.
"""
import numpy as np
import pytest

from conftest import compare
from fastw2v import config
from fastw2v.reference import cbow, sgns

LR = 0.1


@pytest.fixture(autouse=True)
def small_launches(monkeypatch):
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 2)
    monkeypatch.setattr(config, "GPU_MAX_BLOCKS", 3)


@pytest.fixture
def cuda():
    from fastw2v.gpu import require_cuda
    return require_cuda()


def disjoint_rows(rng, V, n):
    return rng.choice(V, n, replace=False).astype(np.int32)


@pytest.mark.parametrize("atomic", [False, True])
@pytest.mark.parametrize("D", [4, 16])
def test_sgns_step_kernel_equals_reference(cuda, rng, atomic, D):
    from fastw2v.gpu._device import launch_config
    from fastw2v.gpu.sgns import sgns_step_kernel
    B, K, V = 7, 3, 80
    rows = disjoint_rows(rng, V, B * (K + 2))
    ctx, centre, negatives = rows[:B], rows[B:2 * B], rows[2 * B:].reshape(B, K)
    W_in = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    W_out = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    d_in, d_out = cuda.to_device(W_in), cuda.to_device(W_out)
    blocks, threads = launch_config(B)
    assert blocks > 1
    scratch = cuda.device_array((blocks * threads, D), np.float32)
    losses = cuda.device_array(B, np.float64)
    sgns_step_kernel[blocks, threads](d_in, d_out, cuda.to_device(ctx), cuda.to_device(centre),
                                      cuda.to_device(negatives), np.float32(LR), scratch, losses, atomic)
    loss, cache = sgns.forward(W_in.astype(float), W_out.astype(float), ctx, centre, negatives)
    dW_in, dW_out = sgns.backward(cache)
    compare("loss", losses.copy_to_host().sum(), loss, rtol=1e-5, atol=1e-5)
    compare("W_in", d_in.copy_to_host(), W_in - LR * dW_in, rtol=1e-5, atol=1e-6)
    compare("W_out", d_out.copy_to_host(), W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("atomic", [False, True])
@pytest.mark.parametrize("mean", [True, False])
def test_cbow_step_kernel_equals_reference(cuda, rng, atomic, mean):
    from fastw2v.gpu._device import launch_config
    from fastw2v.gpu.cbow import cbow_step_kernel
    B, K, C, V, D = 5, 3, 4, 80, 8
    rows = disjoint_rows(rng, V, B * (C + 1 + K))
    contexts = rows[:B * C].reshape(B, C)
    centre = rows[B * C:B * C + B]
    negatives = rows[B * C + B:].reshape(B, K)
    n_ctx = rng.integers(1, C + 1, B).astype(np.int32)
    W_in = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    W_out = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    d_in, d_out = cuda.to_device(W_in), cuda.to_device(W_out)
    blocks, threads = launch_config(B)
    grid = blocks * threads
    h = cuda.device_array((grid, D), np.float32)
    e = cuda.device_array((grid, D), np.float32)
    losses = cuda.device_array(B, np.float64)
    cbow_step_kernel[blocks, threads](d_in, d_out, cuda.to_device(contexts), cuda.to_device(n_ctx),
                                      cuda.to_device(centre), cuda.to_device(negatives),
                                      np.float32(LR), h, e, losses, mean, atomic)
    mask = np.arange(C)[None, :] < n_ctx[:, None]
    loss, cache = cbow.forward(W_in.astype(float), W_out.astype(float), contexts, mask, centre,
                               "ns", (negatives,), mean)
    _, dW_out, dh = cbow.backward(cache)
    expected_in = W_in.astype(float)
    for b in range(B):                                    # word2vec.c: -lr * dh on every context row
        expected_in[contexts[b, :n_ctx[b]]] -= LR * dh[b]
    compare("loss", losses.copy_to_host().sum(), loss, rtol=1e-5, atol=1e-5)
    compare("W_in", d_in.copy_to_host(), expected_in, rtol=1e-5, atol=1e-6)
    compare("W_out", d_out.copy_to_host(), W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


def test_require_cuda_names_what_is_missing(monkeypatch):
    from numba import cuda as numba_cuda
    from fastw2v.gpu import require_cuda
    monkeypatch.setattr(numba_cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no usable CUDA GPU.*numba-cuda.*NUMBA_ENABLE_CUDASIM"):
        require_cuda()

    def broken():
        raise OSError("libcuda.so: cannot open shared object file")
    monkeypatch.setattr(numba_cuda, "is_available", broken)
    with pytest.raises(RuntimeError, match="CUDA is not usable here.*libcuda.so"):
        require_cuda()


@pytest.mark.parametrize("V,D,B", [(9, 4, 5), (30, 8, 12)])
def test_softmax_batch_equals_reference(cuda, rng, V, D, B):
    # contexts and centres repeat inside the batch: a batch step is exact minibatch SGD
    from fastw2v.gpu.softmax_sg import softmax_step
    from fastw2v.reference import softmax_sg
    W_in = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    W_out = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    ctx = rng.integers(0, V // 2, B).astype(np.int32)
    centre = rng.integers(0, V, B).astype(np.int32)
    d_in, d_out = cuda.to_device(W_in), cuda.to_device(W_out)
    S = cuda.device_array((B, V), np.float32)
    dH = cuda.device_array((B, D), np.float32)
    losses = cuda.device_array(B, np.float64)
    softmax_step(d_in, d_out, cuda.to_device(ctx), cuda.to_device(centre), np.float32(LR), S, dH, losses, 2)
    loss, cache = softmax_sg.forward(W_in.astype(float), W_out.astype(float), ctx, centre)
    dW_in, dW_out = softmax_sg.backward(cache)
    compare("loss", losses.copy_to_host().sum(), loss, rtol=1e-5, atol=1e-5)
    compare("W_in", d_in.copy_to_host(), W_in - LR * dW_in, rtol=1e-5, atol=1e-6)
    compare("W_out", d_out.copy_to_host(), W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


def test_skipgram_pairs_respect_sentences_and_window(rng):
    from fastw2v.gpu.softmax_sg import skipgram_pairs
    ids = np.arange(10, dtype=np.int32)
    lo = np.array([0] * 4 + [4] * 6)
    hi = np.array([4] * 4 + [10] * 6)
    ctx, centre = skipgram_pairs(ids, lo, hi, 1, rng)         # window 1 never shrinks
    assert ctx.size == 2 * 3 + 2 * 5
    pairs = set(zip(ctx.tolist(), centre.tolist()))
    assert (3, 4) not in pairs and (4, 3) not in pairs          # no pair across sentences
    assert all(abs(c - w) == 1 for c, w in pairs)
    ctx, centre = skipgram_pairs(ids, lo, hi, 3, rng)
    assert np.all(np.abs(ctx - centre) <= 3) and np.all(ctx != centre)
