"""Shared setup of the pytest-benchmark suites: the corpus, and what goes into machine_info.

Run (JSON saved under bench_results/, machine info included):

    python -m pytest benchmarks --benchmark-only --benchmark-storage=file://./bench_results \\
        --benchmark-save=suite

The corpus is $FASTW2V_BENCH_CORPUS, else ../shared/data/text8-head.txt beside the checkout,
else the text8 sample bundled with fastw2v (the same 2,139,748 words, xz-compressed).
"""
import os
import platform
from pathlib import Path

import pytest


def corpus_path():
    env = os.environ.get("FASTW2V_BENCH_CORPUS")
    if env:
        return Path(env)
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "text8-head.txt"
    if shared.exists():
        return shared
    from fastw2v.data import TEXT8_SAMPLE
    return TEXT8_SAMPLE


@pytest.fixture(scope="session")
def text8():
    return corpus_path()


@pytest.fixture(scope="session")
def text8_words(text8):
    """The corpus as one list of tokens (text8 is one line of lowercase words)."""
    from fastw2v.corpus import iter_token_chunks
    words = []
    for tokens, _ in iter_token_chunks(str(text8), False):
        words.extend(tokens)
    return words


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def pytest_benchmark_update_machine_info(config, machine_info):
    import numba
    import numpy
    machine_info["cpu_model"] = cpu_model()
    machine_info["cores"] = os.cpu_count()
    machine_info["numpy"] = numpy.__version__
    machine_info["numba"] = numba.__version__
    machine_info["numba_threads"] = numba.config.NUMBA_NUM_THREADS
    try:
        machine_info["numba_threading_layer"] = numba.threading_layer()
    except ValueError:                      # no parallel kernel has run yet
        machine_info["numba_threading_layer"] = "not initialised"
    machine_info["corpus"] = str(corpus_path())
    for name in ("gensim", "torch"):
        try:
            machine_info[name] = __import__(name).__version__
        except ImportError:
            machine_info[name] = None
