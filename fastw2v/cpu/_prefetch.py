"""Software prefetch of embedding rows, so the next window's rows load while this one trains.

Training reads a few random rows of W_in and W_out per window; with the matrices larger than
the L2 cache, each such row is a chain of cache misses that the hardware prefetcher cannot
foresee (the next row is random). The kernels know the next window's rows one step early and
ask for them with LLVM's ``llvm.prefetch`` (a hint: it never faults and changes no result).
"""
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .. import config
from ._staging import staged_row

_LINE_FLOATS = 16          # a 64-byte cache line of float32


@intrinsic
def _prefetch(typingctx, matrix, row, col):
    """Hint the CPU to load the cache line holding matrix[row, col] (for writing, into L1)."""
    if not isinstance(matrix, types.Array) or matrix.ndim != 2:
        return None

    def codegen(context, builder, signature, args):
        arr = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], arr, [args[1], args[2]])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0")
        # rw = 1 (the row will be written), locality = 3 (keep in all levels), data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(1), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(matrix, types.intp, types.intp), codegen


@njit(cache=config.CACHE)
def prefetch_row(matrix, row):
    """Prefetch every cache line of matrix[row] (a hint; no effect on results)."""
    for col in range(0, matrix.shape[1], _LINE_FLOATS):
        _prefetch(matrix, row, col)


@njit(cache=config.CACHE)
def prefetch_next_window(W_in, W_out, sentence, pos, n, window, mine):
    """Prefetch the rows that window ``pos + 1`` adds: the output row of its centre (this
    thread's copy when staged, ``_staging.py``) and the input row of its rightmost context
    (the other contexts were read by earlier windows)."""
    if pos + 1 < n:
        prefetch_row(W_out, staged_row(sentence[pos + 1], mine))
    if pos + 1 + window < n:
        prefetch_row(W_in, sentence[pos + 1 + window])


@njit(cache=config.CACHE)
def prefetch_rows(matrix, rows, count):
    """Prefetch matrix[rows[k]] for k < count."""
    for k in range(count):
        prefetch_row(matrix, rows[k])


@njit(cache=config.CACHE)
def prefetch_path(W_out, points, codelens, w, mine):
    """Prefetch the inner-node rows of word w's Huffman path (hierarchical softmax), this
    thread's copies where staged."""
    for d in range(codelens[w]):
        prefetch_row(W_out, staged_row(points[w, d], mine))
