"""_startup.py: processes fastw2v owns load scipy's cython_blas alone, so numba's first dispatch
does not import scipy.linalg (0.11-0.13 s a command), and everything that needs BLAS still works."""
import importlib.machinery
import subprocess
import sys

import pytest

from fastw2v._startup import load_cython_blas


def run(code, **kw):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, **kw).stdout.split()


def test_numba_finds_blas_without_importing_scipy_linalg():
    code = """
import sys
import numpy as np
from numba import njit
from fastw2v._startup import load_cython_blas
print(load_cython_blas(), 'scipy.linalg' in sys.modules)

@njit
def dot(a, b):                     # np.dot of 2-d floats calls BLAS's gemm through cython_blas
    return np.dot(a, b)

a = np.arange(6.0).reshape(2, 3)
print(np.array_equal(dot(a, a.T), a @ a.T), 'scipy.linalg' in sys.modules)
import scipy.linalg
from scipy.linalg import cython_blas
print(cython_blas is sys.modules['scipy.linalg.cython_blas'],
      np.allclose(scipy.linalg.solve(np.eye(2) * 2, np.ones(2)), 0.5))

@njit
def inv(a):                        # LAPACK: numba imports scipy.linalg's cython_lapack by name
    return np.linalg.inv(a)

print(np.allclose(inv(np.eye(2) * 2), np.eye(2) / 2))
"""
    assert run(code) == ["True", "False", "True", "False", "True", "True", "True"]


def test_the_console_script_never_imports_scipy_linalg(tmp_path):
    (tmp_path / "c.txt").write_text("a b c\nb c\n")
    code = ("import sys; from fastw2v.cli import command;"
            "sys.argv = ['fastw2v', 'prepare', sys.argv[1], '-o', sys.argv[2], '-q'];"
            "print(command(), 'scipy.linalg.cython_blas' in sys.modules, 'scipy.linalg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.txt"), str(tmp_path / "p")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "True", "False"] and (tmp_path / "p" / "manifest.json").exists()


@pytest.mark.parametrize("present", ["scipy.linalg", "scipy.linalg.cython_blas"])
def test_nothing_is_done_once_either_module_is_imported(present):
    # each guard alone: a stand-in for the one module, in a fresh process, so that the other
    # is absent (importing scipy.linalg for real would import cython_blas too)
    code = f"""
import sys, types
from fastw2v._startup import load_cython_blas
sys.modules[{present!r}] = types.ModuleType({present!r})
before = dict(sys.modules)
print(load_cython_blas(), sys.modules == before)
"""
    assert run(code) == ["False", "True"]


def test_a_second_call_does_nothing():
    code = """
import sys
from fastw2v._startup import load_cython_blas
first = load_cython_blas()
module = sys.modules['scipy.linalg.cython_blas']
print(first, load_cython_blas(), sys.modules['scipy.linalg.cython_blas'] is module)
"""
    assert run(code) == ["True", "False", "True"]


@pytest.mark.parametrize("layout", ["unloadable", "missing"])
def test_a_scipy_it_cannot_load_from_leaves_sys_modules_as_it_was(tmp_path, layout):
    # a stand-in scipy whose cython_blas is not an extension module (or is absent): numba
    # would then import scipy.linalg itself, as it does without fastw2v
    (tmp_path / "scipy" / "linalg").mkdir(parents=True)
    (tmp_path / "scipy" / "__init__.py").write_text("")
    if layout == "unloadable":
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        (tmp_path / "scipy" / "linalg" / f"cython_blas{suffix}").write_bytes(b"not a shared object")
    code = ("import sys, importlib.util; from fastw2v._startup import load_cython_blas;"
            "print(load_cython_blas(), 'scipy.linalg.cython_blas' in sys.modules,"
            "importlib.util.find_spec('scipy').origin)")
    out = run(code, env={"PYTHONPATH": str(tmp_path), "PATH": ""}, cwd=tmp_path)
    assert out[:2] == ["False", "False"] and out[2].startswith(str(tmp_path))
