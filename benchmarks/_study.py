"""What the studies share: one training per fresh process, its scores, the runs appended to a
JSON list, a table cell, and a whole command's wall clock and peak RSS."""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                              "data", "text8-head.txt")


def scores(model):
    """Analogy accuracy (restrict 30000) and WordSim-353 Spearman of a trained model."""
    from fastw2v.data import QUESTIONS_WORDS, WORDSIM353
    return dict(analogy=model.wv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000).accuracy,
                spearman=model.wv.evaluate_word_pairs(WORDSIM353).spearman)


def run_child(script, corpus, *args):
    """Run ``script --corpus corpus --child args...`` in a fresh process; its last line is JSON."""
    out = subprocess.run([sys.executable, script, "--corpus", corpus, "--child", *map(str, args)],
                         check=True, capture_output=True, text=True)
    run = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(run), flush=True)
    return run


def timed(cmd, **kwargs):
    """(wall seconds, peak RSS in MB) of a whole command, from /usr/bin/time -v."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                         **kwargs)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return wall, rss / 1024


def save_runs(path, runs):
    """Append ``runs`` to the JSON list at ``path`` (atomically); return all of them."""
    if not path:
        return runs
    from fastw2v._files import atomic_write
    old = json.load(open(path)) if os.path.exists(path) else []
    with atomic_write(path, "w") as f:
        json.dump(old + runs, f, indent=1)
    return old + runs


def accuracy_cell(runs):
    """'12.14 (12.14, 12.28, 12.02)': the median analogy % and every run's."""
    acc = [100 * r["analogy"] for r in runs]
    return f"{statistics.median(acc):.2f} ({', '.join(f'{a:.2f}' for a in acc)})"


def machine_info(workers):
    """The machine a run was made on: CPU model, cores, threads used, library versions."""
    import numba
    import numpy as np
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = dict(cpu=cpu, cores=os.cpu_count(), workers=workers, python=sys.version.split()[0],
                numpy=np.__version__, numba=numba.__version__, platform=platform.platform())
    try:
        import gensim
        info["gensim"] = gensim.__version__
    except ImportError:
        pass
    return info
