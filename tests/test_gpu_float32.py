"""The CUDA kernels compute in float32: compiled to PTX, they hold no double-precision
instruction. A bare ``0.0`` or ``i / n`` in a kernel is float64 in numba, and consumer GPUs run
float64 at 1/32 to 1/64 of the float32 rate.

Compiling to PTX needs NVVM (the CUDA toolkit's libnvvm), not a GPU; the compile runs in a
process of its own because this one runs numba's CUDA simulator.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def cuda_home():
    for path in (os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
        if path and list(Path(path).glob("**/libnvvm.so*")):
            return path
    return None


def test_kernels_compile_to_float32_ptx():
    home = cuda_home()
    if home is None:
        if os.environ.get("FASTW2V_STRICT") == "1":
            pytest.fail("no CUDA toolkit with libnvvm (CUDA_HOME or /usr/local/cuda) in strict mode")
        pytest.skip("no CUDA toolkit with libnvvm to compile PTX")
    env = dict(os.environ, CUDA_HOME=home, NUMBA_ENABLE_CUDASIM="0")
    out = subprocess.run([sys.executable, str(HERE / "gpu_ptx.py")], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    found = json.loads(out.stdout)
    assert len(found) == 9
    assert {name: lines for name, lines in found.items() if lines} == {}
