"""The first pass of an earlier commit against the working tree: 1 -> 2 threads, same machine.

``fastw2v prepare`` (as ``python -m fastw2v.cli``, under ``/usr/bin/time -v``: wall clock and
peak RSS) of one corpus with 2 and 1 threads, from a checkout of ``--before`` (a git worktree in
a temporary directory) and from this working tree, fresh processes alternating; each tree first
runs once untimed on the corpus (numba's cache loaded, the corpus in the page cache), and the
order of the two sides alternates from repeat to repeat (before-after, then after-before).
Reports each side's medians, the ratio of the 1-thread median to the 2-thread one, that ratio
within each repeat (the two runs of a repeat follow each other, so the machine's drift touches
them alike) and its median. Unlike ``out_of_core.py --first-pass`` no gensim run comes between::

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 32 /tmp/text8x32.txt
    python benchmarks/first_pass_ab.py --before a89a09c --corpus /tmp/text8x32.txt \\
        --repeat 6 --json bench_results/first_pass_ab.json

A corpus of one short sentence a line, as gensim's LineSentence users have (many sentence
ends: ``make_corpus.py --line-words 20``), is where the sentence ends' handling shows::

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 32 /tmp/text8x32-20.txt \\
        --line-words 20
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _study import machine_info, save_runs, timed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def prepare(tree, corpus, out, threads):
    """(seconds, peak RSS in MB) of one whole ``prepare`` with the package of ``tree``."""
    wall, rss = timed([sys.executable, "-m", "fastw2v.cli", "prepare", corpus, "-o", out, "-q",
                       "-threads", str(threads)], env=dict(os.environ, PYTHONPATH=tree),
                      cwd=os.path.dirname(out))
    shutil.rmtree(out)
    return wall, rss


def git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def summary(rows, side, repeat):
    wall = {(r["threads"], r["repeat"]): r["wall_s"] for r in rows if r["side"] == side}
    med = {t: statistics.median(wall[t, r] for r in range(repeat)) for t in (1, 2)}
    by_repeat = [wall[1, r] / wall[2, r] for r in range(repeat)]
    rss = {t: statistics.median(r["peak_rss_mb"] for r in rows if r["side"] == side
                                and r["threads"] == t) for t in (1, 2)}
    return dict(median_2_threads=med[2], median_1_thread=med[1], speedup=med[1] / med[2],
                speedup_by_repeat=by_repeat, median_speedup_by_repeat=statistics.median(by_repeat),
                median_peak_rss_mb_2_threads=rss[2], median_peak_rss_mb_1_thread=rss[1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before", required=True, help="a git revision of this repository")
    p.add_argument("--corpus", required=True)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json")
    args = p.parse_args()
    args.corpus = os.path.abspath(args.corpus)           # the runs start in a temporary directory
    if not os.path.isfile(args.corpus):
        p.error(f"corpus {args.corpus!r} not found (benchmarks/make_corpus.py makes it)")
    try:
        before = git("rev-parse", "--verify", args.before + "^{commit}")
    except subprocess.CalledProcessError:
        p.error(f"--before {args.before!r} is not a commit of {ROOT}")
    with tempfile.TemporaryDirectory(prefix="first-pass-ab-") as tmp:
        old = os.path.join(tmp, "before")
        git("worktree", "add", "-q", "--detach", old, before)
        try:
            trees = {"before": old, "after": ROOT}
            for tree in trees.values():
                prepare(tree, args.corpus, os.path.join(tmp, "warm"), 2)
            rows = []
            for r in range(args.repeat):
                for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    tree = trees[side]
                    for threads in (2, 1):
                        wall, rss = prepare(tree, args.corpus, os.path.join(tmp, "out"), threads)
                        rows.append(dict(side=side, threads=threads, repeat=r, wall_s=wall,
                                         peak_rss_mb=rss))
                        print(f"{side:6s} {threads} thread(s) {wall:6.2f}s {rss:6.0f} MB", flush=True)
        finally:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", old], check=False)
    record = dict(started=time.strftime("%Y-%m-%d %H:%M:%S"), machine=machine_info(2),
                  before_commit=before, after_commit=git("rev-parse", "HEAD"),
                  # the code's changes; the results file this run appends to does not count
                  after_uncommitted_changes=bool(git("status", "--porcelain", "--untracked-files=no",
                                                     "--", ".", ":!bench_results")),
                  corpus=args.corpus, runs=rows,
                  **{side: summary(rows, side, args.repeat) for side in ("before", "after")})
    for side in ("before", "after"):
        s = record[side]
        print(f"{side}: 2 threads {s['median_2_threads']:.2f} s "
              f"({s['median_peak_rss_mb_2_threads']:.0f} MB), "
              f"1 thread {s['median_1_thread']:.2f} s ({s['median_peak_rss_mb_1_thread']:.0f} MB), "
              f"1 -> 2 threads {s['speedup']:.2f}x (within each repeat "
              f"{', '.join(f'{x:.2f}' for x in s['speedup_by_repeat'])}; "
              f"median {s['median_speedup_by_repeat']:.2f})")
    save_runs(args.json, [record])


if __name__ == "__main__":
    main()
