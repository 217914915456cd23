"""Every benchmark script still imports and parses its arguments (``--help``). The scripts run
for minutes to hours and no test runs them whole, so a name moved between modules used to break
one silently (out_of_core.py imported machine_info from a module that no longer had it)."""
import os
import subprocess
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "benchmarks")
SCRIPTS = sorted(f for f in os.listdir(BENCHMARKS)
                 if f.endswith(".py") and not f.startswith(("test_", "_")) and f != "conftest.py")


def test_the_benchmark_scripts_are_all_here():
    assert {"compare_gensim.py", "dask_bench.py", "out_of_core.py", "gpu_bench.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_script_answers_help(script):
    done = subprocess.run([sys.executable, script, "--help"], cwd=BENCHMARKS,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
