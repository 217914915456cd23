"""Library tunables, as module constants.

These are settings of the library, not of a model (those live in ``model.Word2VecConfig``).
Kernels read them when they are compiled, so a test that patches one must do it
before the kernel module is imported, or call ``reset()`` and re-import.
"""

_DEFAULTS = {
    # Let LLVM reassociate float sums so the dot products in the kernels vectorise.
    "FASTMATH": True,
    # Cache compiled kernels on disk (numba's __pycache__) so the second run starts fast.
    "CACHE": True,
    # Sentences longer than this are split into pieces (never truncated); gensim's limit.
    "MAX_SENTENCE_LENGTH": 10_000,
    # Words per thread in one parallel call; between calls the driver reports progress.
    "BLOCK_WORDS_PER_THREAD": 100_000,
    # CBOW with batch_window: consecutive windows trained as one minibatch (their noise words
    # drawn and rows prefetched together); 8 against 1 and 16: bench_results/decisions.md
    # #window-minibatches.
    "CBOW_BATCH": 8,
    # Parallel kernels: each thread trains its own copy of this many hottest output rows (the
    # most frequent noise words, the Huffman nodes nearest the root) and merges its changes into
    # the shared rows every STAGE_MERGE_WINDOWS windows (cpu/_staging.py). 0 = off.
    "STAGED_ROWS": 256,
    "STAGE_MERGE_WINDOWS": 1024,
    # How a merge combines the threads' changes to a staged row: "sum" adds every thread's
    # change, "mean" adds each one divided by the number of threads (cpu/_staging.py).
    "STAGE_MERGE": "sum",
    # No staging with more threads than this: the summed changes of many threads overshoot
    # (bench_results/decisions.md#staging-threads).
    "STAGE_MAX_THREADS": 4,
    # The full softmax is refused on larger vocabularies (O(V*D) work and memory per example).
    "SOFTMAX_MAX_VOCAB": 200_000,
    # Dask workers that all run on one host train one copy of the rows in shared memory
    # (distributed/shared.py); False gives every worker a replica (distributed/driver.py).
    "DASK_SHARED_ROWS": True,
    # CUDA: threads per block of every kernel launch.
    "THREADS_PER_BLOCK": 256,
    # CUDA: most blocks of a grid-stride launch (each thread keeps a D-float scratch row).
    "GPU_MAX_BLOCKS": 1024,
    # CUDA: tokens copied to the device per launch; larger corpora are streamed in chunks.
    "GPU_CHUNK_TOKENS": 50_000_000,
    # CUDA: embedding updates with cuda.atomic.add (True) or plain Hogwild stores (False).
    "GPU_ATOMICS": False,
    # CUDA: fewest tokens each thread trains in a row (more than 2 * window + 1, so that the
    # windows of neighbouring lanes never overlap; gpu/_device.thread_span).
    "GPU_MIN_SPAN": 64,
}

FASTMATH = _DEFAULTS["FASTMATH"]
CACHE = _DEFAULTS["CACHE"]
MAX_SENTENCE_LENGTH = _DEFAULTS["MAX_SENTENCE_LENGTH"]
BLOCK_WORDS_PER_THREAD = _DEFAULTS["BLOCK_WORDS_PER_THREAD"]
CBOW_BATCH = _DEFAULTS["CBOW_BATCH"]
STAGED_ROWS = _DEFAULTS["STAGED_ROWS"]
STAGE_MERGE_WINDOWS = _DEFAULTS["STAGE_MERGE_WINDOWS"]
STAGE_MERGE = _DEFAULTS["STAGE_MERGE"]
STAGE_MAX_THREADS = _DEFAULTS["STAGE_MAX_THREADS"]
SOFTMAX_MAX_VOCAB = _DEFAULTS["SOFTMAX_MAX_VOCAB"]
DASK_SHARED_ROWS = _DEFAULTS["DASK_SHARED_ROWS"]
THREADS_PER_BLOCK = _DEFAULTS["THREADS_PER_BLOCK"]
GPU_MAX_BLOCKS = _DEFAULTS["GPU_MAX_BLOCKS"]
GPU_CHUNK_TOKENS = _DEFAULTS["GPU_CHUNK_TOKENS"]
GPU_ATOMICS = _DEFAULTS["GPU_ATOMICS"]
GPU_MIN_SPAN = _DEFAULTS["GPU_MIN_SPAN"]


def reset():
    """Restore every tunable to its default."""
    globals().update(_DEFAULTS)
