"""Shared fixtures. Optional dependencies (torch, gensim) are skipped only outside strict mode:
with FASTW2V_STRICT=1 (set by .ci/run) a missing one fails the test instead of skipping it.

Without an NVIDIA GPU the CUDA tests run on numba's CUDA simulator: NUMBA_ENABLE_CUDASIM must be
set before numba is first imported, so it is set here, before any test module imports fastw2v.
"""
import importlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

if "NUMBA_ENABLE_CUDASIM" not in os.environ and not (
        shutil.which("nvidia-smi") or os.path.exists("/dev/nvidia0")):
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_configure(config):
    # The simulator compiles numba.cuda.random's xoroshiro128+ helpers in object mode and warns
    # about it (with a deprecation note) on every test that seeds the GPU's generators: numba's
    # own code, ~50 lines after a green run and nothing a test can act on.
    for line in ("ignore:\\s*Compilation is falling back to object mode:numba.core.errors.NumbaWarning",
                 "ignore:The keyword argument 'nopython=False':numba.core.errors.NumbaDeprecationWarning"):
        config.addinivalue_line("filterwarnings", line)
    # On a real GPU the tests' deliberately tiny grids draw numba-cuda's low-occupancy warning
    # (by message: its warning class lives in a module the simulator does not have)
    config.addinivalue_line("filterwarnings",
                            "ignore:.*Grid size \\d+ will likely result in GPU under-utilization")


def require(module):
    """Import an optional dependency; skip without it, or fail in strict mode."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("FASTW2V_STRICT") == "1":
            pytest.fail(f"{module} is required in strict mode (FASTW2V_STRICT=1) but not installed")
        pytest.skip(f"{module} not installed")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def text8_path():
    """The shared text8 head; the bundled xz copy of the same text when shared/ is absent."""
    path = SHARED_DATA / "text8-head.txt"
    if path.exists():
        return str(path)
    from fastw2v.data import TEXT8_SAMPLE
    return str(TEXT8_SAMPLE)


def python_sentences(source, **kw):
    """Sentences as the Python reader (corpus/reading.py) gives them, empty ones dropped."""
    from fastw2v.corpus import iter_token_chunks
    out, current = [], []
    for tokens, ends in iter_token_chunks(source, **kw):
        current.extend(tokens)
        if ends:
            if current:
                out.append(current)
            current = []
    return out


def planted_corpus(rng, n_sentences=600, length=12):
    """Sentences drawn from 4 disjoint topics of 5 words each: words of one topic only ever
    co-occur with each other, so after training each word's neighbours are its topic-mates."""
    topics = [[f"t{t}w{i}" for i in range(5)] for t in range(4)]
    return [list(rng.choice(topics[rng.integers(4)], size=length)) for _ in range(n_sentences)], topics


def compare(name, ours, theirs, rtol, atol):
    """assert_allclose with makemore's cmp() report: exact / approximate / max difference."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    exact = bool(np.all(ours == theirs))
    approx = bool(np.allclose(ours, theirs, rtol=rtol, atol=atol))
    maxdiff = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    print(f"{name:12s} | exact: {exact!s:5} | approximate: {approx!s:5} | maxdiff: {maxdiff:.3e}")
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=name)


@pytest.fixture
def corpus_file(tmp_path):
    """The planted corpus as a text file, ``corpus.txt`` in the test's directory."""
    corpus, _ = planted_corpus(np.random.default_rng(0), n_sentences=300)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    return path


def _default_stop_signals():
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def interrupt_after_epoch_2(cmd, sig=signal.SIGINT, env=None, group=False):
    """Run ``cmd``, send it ``sig`` once it reported epoch 2 (``group``: to its process group,
    as a terminal or a job scheduler does): (exit status, stderr after that, s, its pid). The child
    gets the stop signals' default actions, as a terminal's command has: run from a shell's
    background job (``bash .ci/run &``) it would inherit SIGINT ignored, Python would then
    install no handler, and the Ctrl-C would do nothing."""
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_default_stop_signals, start_new_session=group)
    for line in proc.stderr:
        if line.startswith("epoch 2/"):
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
            break
    t0 = time.perf_counter()
    try:
        rest = proc.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.wait(timeout=30), rest, time.perf_counter() - t0, proc.pid
