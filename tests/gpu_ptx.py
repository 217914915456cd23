"""Compile every CUDA kernel of fastw2v/gpu to PTX (no GPU needed, only NVVM) and print, as
JSON, each kernel's double-precision instructions. Run by test_gpu_float32.py in a process of
its own, since the tests' process runs numba's CUDA simulator."""
import json
import re
import sys

import numpy as np
from numba import cuda, typeof
from numba.cuda.random import xoroshiro128p_dtype

from fastw2v.gpu import cbow, sgns, softmax_sg

F32 = np.zeros((4, 3), np.float32)
I32 = np.zeros(4, np.int32)
I32_2D = np.zeros((4, 3), np.int32)
STATES = np.zeros(4, xoroshiro128p_dtype)
LR = np.float32(0.1)
LOSS = np.zeros(4, np.float32)

KERNELS = {
    "sgns_train_kernel": (sgns.sgns_train_kernel, (
        F32, F32, I32, I32, I32, np.zeros(4, np.int64), I32, 5, LR, LR, 64, STATES, F32, I32_2D,
        np.zeros((4, 2), np.float32), True)),
    "cbow_train_kernel": (cbow.cbow_train_kernel, (
        F32, F32, I32, I32, I32, np.zeros(4, np.int64), I32, 5, LR, LR, 64, STATES, F32, F32,
        I32_2D, I32_2D, np.zeros((4, 2), np.float32), True, True)),
    "sgns_step_kernel": (sgns.sgns_step_kernel, (F32, F32, I32, I32, I32_2D, LR, F32, LOSS, True)),
    "cbow_step_kernel": (cbow.cbow_step_kernel, (F32, F32, I32_2D, I32, I32, I32_2D, LR, F32, F32,
                                                 LOSS, True, True)),
    "scores_kernel": (softmax_sg.scores_kernel, (F32, F32, I32, F32)),
    "softmax_kernel": (softmax_sg.softmax_kernel, (F32, I32, LOSS)),
    "dh_kernel": (softmax_sg.dh_kernel, (F32, F32, F32)),
    "update_out_kernel": (softmax_sg.update_out_kernel, (F32, I32, F32, F32, LR)),
    "update_in_kernel": (softmax_sg.update_in_kernel, (F32, I32, F32, LR)),
}
F64 = re.compile(r"^.*\.f64.*$", re.M)      # any instruction, register or conversion in double


class _NoDevice:
    """Stands in for the GPU that numba asks for the compute capability when it compiles a
    kernel's device functions (compile_ptx itself takes ``cc``)."""
    compute_capability = (8, 0)


def main():
    import numba.cuda.dispatcher
    numba.cuda.dispatcher.get_current_device = lambda: _NoDevice()
    found = {}
    for name, (kernel, args) in KERNELS.items():
        ptx, _ = cuda.compile_ptx(kernel.py_func, tuple(typeof(a) for a in args), cc=(8, 0))
        found[name] = [line.strip() for line in F64.findall(ptx)]
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
