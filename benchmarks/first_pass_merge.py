"""Where the first pass on a cluster stops scaling: the client's merge of the units' tables.

On a cluster every unit (a byte range of up to ``UNIT_BYTES``) is a task that returns a word
table of its own, and the client merges them one after another (``prepare``: a UTF-8 check
of the table's words, then ``WordTable.absorb``) while the workers count the rest. The
workers' side grows with their threads; the client's does not. This script measures both
sides on this machine:

- the client's cost of one table of n distinct words (10-byte words), merged into a table
  that holds none of them and then into one that holds them all (a unit's words are mostly
  known once the first units are in), plus the UTF-8 check;
- one worker thread's counting speed (``count_unit`` of a corpus file into a fresh table,
  ids written to a temporary file), in MB/s;

and projects, for tables of each size, the worker threads whose units one client can merge
as fast as they come: ``(UNIT_BYTES / speed) / (merge + check)``. Past that many threads the
first pass runs at the client's pace::

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 4 /tmp/text8x4.txt
    python benchmarks/first_pass_merge.py --corpus /tmp/text8x4.txt --json bench_results/first_pass_merge.json
"""
import argparse
import os
import statistics
import tempfile
import time

import numpy as np

from _study import machine_info, save_runs

SIZES = (80_000, 300_000, 1_000_000)


def table_of(words):
    from fastw2v.corpus.firstpass import TableCount
    raw = [w.encode() for w in words]
    starts = np.concatenate([[0], np.cumsum([len(r) for r in raw])]).astype(np.int64)
    return TableCount(0, np.frombuffer(b"".join(raw), np.uint8), starts,
                      np.ones(len(raw), np.int64), np.arange(len(raw), dtype=np.int64))


def merge_costs(n, repeat, rng):
    """Medians in seconds: (absorb into an empty table, absorb again: all known, UTF-8 check)."""
    from fastw2v.corpus.prepared import _decode_words
    from fastw2v.corpus.tokenize import WordTable
    table = table_of([f"w{x:09d}" for x in rng.choice(10**9, n, replace=False)])
    new, known, check = [], [], []
    for _ in range(repeat):
        merged = WordTable()
        t = time.perf_counter()
        merged.absorb(table)
        new.append(time.perf_counter() - t)
        t = time.perf_counter()
        merged.absorb(table)
        known.append(time.perf_counter() - t)
        t = time.perf_counter()
        _decode_words(table, False, as_str=False)
        check.append(time.perf_counter() - t)
    return tuple(map(statistics.median, (new, known, check)))


def count_speed(corpus, repeat):
    """One thread's ``count_unit`` speed over the whole file, MB/s (median)."""
    from fastw2v.corpus.firstpass import Unit, count_unit, offset_bits
    size = os.path.getsize(corpus)
    unit = Unit(corpus, 0, size, True)
    unit.offset_bits = offset_bits([unit])
    with tempfile.TemporaryDirectory() as tmp:
        spill = os.path.join(tmp, "ids.i32")
        count_unit(unit, spill)                     # the tokenizer loaded, the file cached
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            count_unit(unit, spill)
            times.append(time.perf_counter() - t)
    return size / 1e6 / statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", required=True, help="a text file to time the counting on")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", help="append the record to this file")
    args = p.parse_args()
    from fastw2v.corpus.firstpass import UNIT_BYTES
    from fastw2v.corpus.tokenize import WordTable
    WordTable().absorb(table_of(["a", "b"]))        # compiled or loaded before the clock
    speed = count_speed(args.corpus, args.repeat)
    unit_seconds = UNIT_BYTES / 1e6 / speed
    print(f"one worker thread counts {speed:.0f} MB/s: a {UNIT_BYTES >> 20} MB unit in "
          f"{unit_seconds:.1f} s")
    rng, rows = np.random.default_rng(0), []
    for n in SIZES:
        new, known, check = merge_costs(n, args.repeat, rng)
        threads = unit_seconds / (known + check)
        rows.append(dict(words=n, absorb_new_s=new, absorb_known_s=known, check_s=check,
                         threads_one_client_keeps_up_with=threads))
        print(f"table of {n:>9,} words: merge {new * 1e3:.0f} ms new / {known * 1e3:.0f} ms "
              f"known, check {check * 1e3:.0f} ms: one client keeps up with {threads:.0f} "
              "worker threads")
    if args.json:
        save_runs(args.json, [dict(machine=machine_info(1), corpus=os.path.abspath(args.corpus),
                                   date=time.strftime("%Y-%m-%d %H:%M"), unit_bytes=UNIT_BYTES,
                                   count_mb_per_s=speed, unit_seconds=unit_seconds, tables=rows)])


if __name__ == "__main__":
    main()
