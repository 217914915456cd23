"""Corpora larger than memory: the first pass against gensim's, and peak memory of training.

Every measurement is a whole command in a fresh process under ``/usr/bin/time -v`` (wall
clock and peak RSS, the process's maximum resident set). Corpora come from
``make_corpus.py`` (text8-head's 1000-word lines, shuffled and repeated)::

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 8 /tmp/text8x8.txt
    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 32 /tmp/text8x32.txt
    python benchmarks/out_of_core.py --first-pass /tmp/text8x32.txt \\
        --memory ../shared/data/text8-head.txt,/tmp/text8x32.txt \\
        --whole /tmp/text8x8.txt --repeat 3 --json bench_results/out_of_core.json

``--first-pass C``: ``fastw2v prepare C`` with 2 and 1 threads against gensim 4's
``build_vocab(LineSentence(C))`` (min_count 5), medians of ``--repeat``. The two thread counts
run one after the other, in turn first (2 then 1 in even repeats, 1 then 2 in odd ones), so
that neither always runs right after gensim's ten-second process; one untimed ``prepare``
comes first, so that no timed run reads a cold corpus or numba cache.
``--memory A,B,...``: ``fastw2v train`` for 1 epoch (CBOW and SGNS, 2 threads) on each corpus
from the text, and from a prepared directory; peak RSS and wall clock; with min_count 5, and
for a corpus of N copies of text8-head also with min_count 5N, which keeps text8-head's
vocabulary (at min_count 5 every word of the copies reaches the threshold, and the model is
4.5 times larger).
``--whole C``: ``fastw2v train C`` (SGNS, 5 epochs, 2 threads) against gensim's whole run
(read, build the vocabulary, train, save), medians of ``--repeat``.
``--billion C``: prepare C and train CBOW for one epoch from the prepared directory, once.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _study import machine_info, save_runs, timed
from compare_gensim import CLI_FLAGS, GENSIM_WHOLE, OBJECTIVES

EXE = shutil.which("fastw2v") or os.path.join(os.path.dirname(sys.executable), "fastw2v")
GENSIM_VOCAB = """
import sys
from gensim.models.word2vec import LineSentence, Word2Vec
model = Word2Vec(vector_size=100, min_count=5, workers=int(sys.argv[2]))
model.build_vocab(LineSentence(sys.argv[1]))
print(len(model.wv), model.corpus_total_words)
"""


def words_in(corpus):
    with open(corpus, "rb") as f:
        return sum(len(line.split()) for line in f)


def first_pass(corpus, repeat, tmp):
    rows = []
    ours = [("fastw2v prepare, 2 threads", [EXE, "prepare", corpus, "-o", f"{tmp}/p2", "-q", "-threads", "2"]),
            ("fastw2v prepare, 1 thread", [EXE, "prepare", corpus, "-o", f"{tmp}/p1", "-q", "-threads", "1"])]
    timed(ours[0][1])                                   # untimed: see the docstring
    shutil.rmtree(f"{tmp}/p2", ignore_errors=True)
    for r in range(repeat):
        for impl, cmd in (*ours[::1 - 2 * (r % 2)],
                          ("gensim build_vocab", [sys.executable, "-c", GENSIM_VOCAB, corpus, "2"])):
            wall, rss = timed(cmd)
            shutil.rmtree(f"{tmp}/p2", ignore_errors=True)
            shutil.rmtree(f"{tmp}/p1", ignore_errors=True)
            rows.append(dict(impl=impl, repeat=r, wall_s=wall, peak_rss_mb=rss))
            print(f"first pass  {impl:28s} {wall:7.2f}s  {rss:7.0f} MB", flush=True)
    med = {i: statistics.median(x["wall_s"] for x in rows if x["impl"] == i) for i in {x["impl"] for x in rows}}
    wall = {(x["impl"], x["repeat"]): x["wall_s"] for x in rows}
    # the two thread counts run one after the other in each repeat: their ratio there is less
    # exposed to the shared machine's drift than the ratio of the two medians
    by_repeat = [wall["fastw2v prepare, 1 thread", r] / wall["fastw2v prepare, 2 threads", r]
                 for r in range(repeat)]
    return dict(corpus=corpus, runs=rows, medians=med, speedup_2_threads_by_repeat=by_repeat,
                ratio_vs_gensim=med["gensim build_vocab"] / med["fastw2v prepare, 2 threads"],
                speedup_2_threads=med["fastw2v prepare, 1 thread"] / med["fastw2v prepare, 2 threads"])


def memory(corpora, tmp):
    rows = []
    for corpus in corpora:
        prepared = f"{tmp}/mem-prepared"
        subprocess.run([EXE, "prepare", corpus, "-o", prepared, "-q"], check=True)
        copies = max(1, round(words_in(corpus) / 2_139_748))     # text8-head repeated
        for objective in ("cbow-ns", "sgns"):
            for source, path in (("text", corpus), ("prepared", prepared)):
                # min_count 5, and 5 x copies: the vocabulary of text8-head at min_count 5
                for min_count in sorted({5, 5 * copies}):
                    wall, rss = timed([EXE, "train", path, "-o", f"{tmp}/v.bin", "-iter", "1",
                                       "-threads", "2", "-min-count", str(min_count), "-q",
                                       *CLI_FLAGS[objective]])
                    rows.append(dict(corpus=corpus, objective=objective, source=source,
                                     min_count=min_count, wall_s=wall, peak_rss_mb=rss))
                    print(f"memory  {os.path.basename(corpus):18s} {objective:8s} {source:9s} "
                          f"min_count {min_count:4d} {wall:7.1f}s  {rss:7.0f} MB", flush=True)
        shutil.rmtree(prepared)
    return rows


def whole(corpus, repeat, tmp):
    ours = [EXE, "train", corpus, "-output", f"{tmp}/f.bin", "-threads", "2", "-q", *CLI_FLAGS["sgns"]]
    theirs = [sys.executable, "-c", GENSIM_WHOLE, corpus, f"{tmp}/g.bin", "2", repr(OBJECTIVES["sgns"][1])]
    rows = []
    for r in range(repeat):
        for impl, cmd in (("fastw2v", ours), ("gensim", theirs)):
            wall, rss = timed(cmd)
            rows.append(dict(impl=impl, repeat=r, wall_s=wall, peak_rss_mb=rss))
            print(f"whole run   {impl:8s} {wall:7.1f}s  {rss:7.0f} MB", flush=True)
    med = {i: statistics.median(x["wall_s"] for x in rows if x["impl"] == i) for i in ("fastw2v", "gensim")}
    return dict(corpus=corpus, runs=rows, medians=med, ratio=med["gensim"] / med["fastw2v"])


def billion(corpus, tmp):
    prepared = f"{tmp}/billion"
    wall_p, rss_p = timed([EXE, "prepare", corpus, "-o", prepared, "-q", "-threads", "2"])
    print(f"billion  prepare {wall_p:7.1f}s {rss_p:7.0f} MB", flush=True)
    with open(os.path.join(prepared, "manifest.json")) as f:
        m = json.load(f)
    wall_t, rss_t = timed([EXE, "train", prepared, "-o", f"{tmp}/b.bin", "-iter", "1", "-threads", "2",
                           "-q", *CLI_FLAGS["cbow-ns"]])
    print(f"billion  train CBOW 1 epoch {wall_t:7.1f}s {rss_t:7.0f} MB", flush=True)
    shutil.rmtree(prepared)
    return dict(corpus=corpus, corpus_bytes=os.path.getsize(corpus), raw_words=m["raw_words"],
                vocab_size=m["vocab_size"], prepare_s=wall_p, prepare_peak_rss_mb=rss_p,
                train_s=wall_t, train_peak_rss_mb=rss_t)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--first-pass")
    p.add_argument("--memory")
    p.add_argument("--whole")
    p.add_argument("--billion")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--tmp", default=None, help="scratch directory (prepared corpora go here)")
    p.add_argument("--json")
    args = p.parse_args()
    for corpus in filter(None, [args.first_pass, args.whole, args.billion, *(args.memory or "").split(",")]):
        if not os.path.isfile(corpus):
            p.error(f"corpus {corpus!r} not found (benchmarks/make_corpus.py makes the larger ones)")
    if args.tmp:
        os.makedirs(args.tmp, exist_ok=True)
    record = dict(started=time.strftime("%Y-%m-%d %H:%M:%S"), machine=machine_info(2))
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        subprocess.run([EXE, "train", os.path.join(os.path.dirname(__file__), "..", "fastw2v", "data",
                                                   "questions-words.txt"),
                        "-o", f"{tmp}/warm.bin", "-iter", "1", "-min-count", "1", "-q"], check=True)
        if args.first_pass:
            record["first_pass"] = dict(first_pass(args.first_pass, args.repeat, tmp),
                                        words=words_in(args.first_pass))
        if args.memory:
            record["memory"] = memory(args.memory.split(","), tmp)
        if args.whole:
            record["whole"] = whole(args.whole, args.repeat, tmp)
        if args.billion:
            record["billion"] = billion(args.billion, tmp)
    print(json.dumps({k: v for k, v in record.items() if k != "machine"}, indent=1, default=str)[:3000])
    save_runs(args.json, [record])


if __name__ == "__main__":
    main()
