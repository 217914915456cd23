"""Write bench_results/README.md and bench_results/speed.png from the saved runs.

Reads the newest record of ``bench_results/compare_gensim.json`` (``compare_gensim.py``) and
the newest pytest-benchmark file ``bench_results/*/*_suite.json`` (``pytest benchmarks``), and
``gpu.json`` (``gpu_bench.py``, run on a GPU machine) with the studies' JSON files.
Every number in the README comes from those files. ``benchmarks/run_all.sh`` runs all three.
"""
import glob
import json
import os
import statistics
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench_results")


def newest_suite():
    files = sorted(glob.glob(os.path.join(ROOT, "*", "*_suite.json")), key=os.path.getmtime)
    if not files:
        return None, None
    with open(files[-1]) as f:
        return files[-1], json.load(f)


def m(x):
    return f"{x / 1e6:.3f}M"


# variants measured once and since removed (their runs stay in the JSON as history):
# sg-hs-per-pair became the only skip-gram HS kernel on 2026-11-21
RETIRED = ("sg-hs-per-pair",)


def merge(records):
    """One view of several runs of compare_gensim.py: each objective from the newest run that
    measured it (a kernel changed since an earlier run is measured again on its own)."""
    merged = dict(records[-1], medians=[], jit={}, whole_command={}, started=[])
    seen = set(RETIRED)
    for rec in reversed(records):
        objs = {r["objective"] for r in rec["medians"]} - seen
        if not objs:
            continue
        seen |= objs
        merged["medians"] += [r for r in rec["medians"] if r["objective"] in objs]
        merged["started"].append(f"{rec.get('started', '?')} ({', '.join(sorted(objs))}; "
                                 f"{rec['repeat']} runs, seeds 1-{rec['repeat']})")
    merged["started"] = "; ".join(reversed(merged["started"]))
    for part in ("jit", "whole_command"):      # each objective's newest record that measured it
        for rec in records:
            merged[part].update({o: x for o, x in rec.get(part, {}).items() if o not in RETIRED})
    order = {o: i for i, o in enumerate(("sgns", "sgns-per-pair", "cbow-ns", "cbow-ns-per-window",
                                         "sg-hs"))}
    merged["medians"].sort(key=lambda r: (order.get(r["objective"], 99), r["impl"], r["workers"]))
    return merged


def out_of_core_section(records):
    """First pass and peak memory (``out_of_core.py``): the newest record of each part."""
    newest = {part: rec for rec in records for part in ("first_pass", "memory", "whole", "billion")
              if part in rec}
    out = ["<a id=\"out-of-core\"></a>", "## Corpora larger than memory (`out_of_core.py`)", "",
           "Whole commands in fresh processes under `/usr/bin/time -v` (wall clock, peak RSS); "
           "corpora from `make_corpus.py` (text8-head's 1000-word lines shuffled and repeated).", ""]
    if "first_pass" in newest:
        rec = newest["first_pass"]
        fp = rec["first_pass"]
        n = len({r["repeat"] for r in fp["runs"]})
        out += [f"First pass on `{os.path.basename(fp['corpus'])}` ({fp['words']:,} words), "
                f"medians of {n}; started {rec['started']}, {rec['machine']['cpu']}, "
                f"{rec['machine']['cores']} cores:", "",
                "| command | wall s | peak RSS MB |", "| --- | --- | --- |"]
        for impl, wall in sorted(fp["medians"].items(), key=lambda kv: kv[1]):
            rss = statistics.median(r["peak_rss_mb"] for r in fp["runs"] if r["impl"] == impl)
            out.append(f"| {impl} | {wall:.2f} | {rss:.0f} |")
        each = fp.get("speedup_2_threads_by_repeat")
        each = f"; within each repeat {', '.join(f'{x:.2f}' for x in each)}" if each else ""
        out += ["", f"gensim / fastw2v (2 threads): **{fp['ratio_vs_gensim']:.2f}x**; fastw2v 1 -> 2 "
                    f"threads: **{fp['speedup_2_threads']:.2f}x** (ratio of the medians{each}).", ""]
    if "memory" in newest:
        rec = newest["memory"]
        out += [f"Peak memory of `fastw2v train`, 1 epoch, 2 threads (started {rec['started']}):", "",
                "| corpus | objective | from | min_count | wall s | peak RSS MB |",
                "| --- | --- | --- | --- | --- | --- |"]
        for r in rec["memory"]:
            out.append(f"| {os.path.basename(r['corpus'])} | {r['objective']} | {r['source']} | "
                       f"{r.get('min_count', 5)} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} |")
        out.append("")
    if "whole" in newest:
        rec = newest["whole"]
        w = rec["whole"]
        n = len({r["repeat"] for r in w["runs"]})
        out += [f"Whole SGNS run, 5 epochs, 2 threads, on `{os.path.basename(w['corpus'])}` (read, "
                f"vocabulary, train, save), medians of {n} (started {rec['started']}): fastw2v "
                f"{w['medians']['fastw2v']:.1f} s, gensim {w['medians']['gensim']:.1f} s, "
                f"**{w['ratio']:.2f}x**.", ""]
    if "billion" in newest:
        b = newest["billion"]["billion"]
        out += [f"A {b['raw_words'] / 1e9:.2f}-billion-word corpus ({b['corpus_bytes'] / 1e9:.1f} GB, "
                f"{b['vocab_size']:,} distinct words), once: `fastw2v prepare` {b['prepare_s']:.0f} s, "
                f"peak RSS {b['prepare_peak_rss_mb']:.0f} MB; CBOW, 1 epoch, 2 threads, from the "
                f"prepared directory {b['train_s']:.0f} s, peak RSS **{b['train_peak_rss_mb']:.0f} MB**.", ""]
    return out


def gpu_section(run):
    """The CUDA path against the CPU path on one GPU machine (``gpu_bench.py``)."""
    out = ["<a id=\"gpu\"></a>", "## CUDA path (`gpu_bench.py`)", "",
           f"{run['gpu']}, {run['cpu_cores']} CPU cores; Python {run['python']}, numba "
           f"{run['numba']}, NumPy {run['numpy']}. text8-head repeated N times, 5 epochs, dim 100; "
           "words/s = raw words x epochs / training seconds (kernels compiled beforehand); the CPU "
           "rows use every core. Analogy: restrict 30000; Spearman: WordSim-353. One run each.", "",
           "| objective | device | corpus | update | words/s | train s | analogy % | Spearman |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in run["rows"]:
        update = "-" if r["device"] == "cpu" else ("atomics" if r["atomics"] else "plain stores")
        out.append(f"| {r['objective']} | {r['device']} | x{r['corpus_x']} | {update} | "
                   f"{m(r['words_per_sec'])} | {r['train_s']:.2f} | {100 * r['analogy']:.2f} | "
                   f"{r['spearman']:.4f} |")
    return out


def side_by_side_section(rec):
    med = {(r["objective"], r["impl"], r["workers"]): r for r in rec["medians"]}
    mach = rec["machine"]
    workers = mach["workers"]
    out = ["## Side by side with gensim (`compare_gensim.py`)", "",
           f"Machine: {mach['cpu']}, {mach['cores']} cores; Python {mach['python']}, NumPy {mach['numpy']}, "
           f"numba {mach['numba']}, gensim {mach.get('gensim', '?')}; {mach['platform']}. Runs started "
           f"{rec.get('started', '?')}.",
           f"Corpus: `{os.path.basename(rec['corpus'])}`; settings {rec['settings']}. Words/s = raw corpus "
           "words x epochs / training seconds. Every run is a fresh process (fastw2v and gensim "
           f"alternating); medians over each record's runs (seeds as listed above). Analogy: Google "
           "questions, restrict_vocab 30000; Spearman: WordSim-353; both libraries scored by fastw2v's "
           "evaluator, checked against gensim's in the script. Peak RSS: the run's process, from "
           "getrusage.", "",
           "| objective | fastw2v words/s | gensim words/s | ratio | analogy fastw2v / gensim | "
           "Spearman fastw2v / gensim | peak RSS fastw2v / gensim | 1 -> 2 threads fastw2v / gensim |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for obj in dict.fromkeys(r["objective"] for r in rec["medians"]):
        f, g = med.get((obj, "fastw2v", workers)), med.get((obj, "gensim", workers))
        if not (f and g):
            continue
        scale = ""
        f1, g1 = med.get((obj, "fastw2v", 1)), med.get((obj, "gensim", 1))
        if f1 and g1:
            scale = f"{f['words_per_sec'] / f1['words_per_sec']:.2f}x / {g['words_per_sec'] / g1['words_per_sec']:.2f}x"
        out.append(f"| {obj} | {m(f['words_per_sec'])} | {m(g['words_per_sec'])} | "
                   f"**{f['words_per_sec'] / g['words_per_sec']:.2f}x** | "
                   f"{100 * f['analogy']:.2f}% / {100 * g['analogy']:.2f}% | "
                   f"{f['spearman']:.3f} / {g['spearman']:.3f} | "
                   f"{f['peak_rss_mb']:.0f} / {g['peak_rss_mb']:.0f} MB | {scale} |")
    if rec.get("whole_command"):
        out += ["", "Whole command, start to exit (`fastw2v train corpus -output v.bin ...` against a "
                "gensim script that reads, trains 5 epochs and saves the binary file the same way), "
                "numba's cache warm, medians:", "",
                "| objective | fastw2v | gensim | ratio |", "| --- | --- | --- | --- |"]
        objs = list(dict.fromkeys(r["objective"] for r in rec["medians"]))
        for obj, wc in sorted(rec["whole_command"].items(), key=lambda kv: objs.index(kv[0])):
            fm, gm = wc["medians"]["fastw2v"], wc["medians"]["gensim"]
            out.append(f"| {obj} | {fm:.1f} s | {gm:.1f} s | **{gm / fm:.2f}x** |")
    if rec.get("jit"):
        out += ["", "JIT cost: a 200-word training run in a fresh process, with an empty numba cache "
                "(compiles that objective's kernels) and again with the cache it left (start-up):", "",
                "| objective | empty cache | warm cache | `from fastw2v import Word2Vec` |",
                "| --- | --- | --- | --- |"]
        objs = list(dict.fromkeys(r["objective"] for r in rec["medians"]))
        for obj, j in sorted(rec["jit"].items(), key=lambda kv: objs.index(kv[0])):
            # older records timed `import fastw2v`, which then imported Word2Vec too
            imported = j.get("import_word2vec_s", j.get("import_s"))
            out.append(f"| {obj} | {j['cold_s']:.1f} s | {j['warm_s']:.1f} s | {imported:.2f} s |")
    return out


def suite_rows(suite):
    rows = []
    for b in suite["benchmarks"]:
        info = b["extra_info"]
        rows.append(dict(info, median_s=b["stats"]["median"], words_per_sec=info["words"] / b["stats"]["median"],
                         test=b["name"]))
    return rows


def suite_section(path, suite):
    rows = suite_rows(suite)
    mach = suite["machine_info"]
    out = ["## pytest-benchmark suite (`benchmarks/test_*.py`)", "",
           f"File: `{os.path.relpath(path, ROOT)}`; {mach.get('cpu_model')}, {mach.get('cores')} cores, "
           f"numba {mach.get('numba')} ({mach.get('numba_threads')} threads, layer "
           f"{mach.get('numba_threading_layer')}), NumPy {mach.get('numpy')}, gensim {mach.get('gensim')}, "
           f"torch {mach.get('torch')}; {suite.get('datetime', '')}. Words/s = words / median time.", "",
           "Kernels (one block of 200,000 text8 words; the reference trains 10,000 words with NumPy "
           "forward/backward on minibatches of 1024 pairs):", "",
           "| objective | D | reference | serial | parallel (2 threads) | parallel / serial |",
           "| --- | --- | --- | --- | --- | --- |"]
    kern = [r for r in rows if r["test"].startswith(("test_kernel", "test_reference"))]
    for obj in dict.fromkeys(r["objective"] for r in kern):
        for dim in sorted({r["dim"] for r in kern if r["objective"] == obj}):
            cell = {r["impl"]: r["words_per_sec"] for r in kern if r["objective"] == obj and r["dim"] == dim}
            ratio = f"{cell['parallel'] / cell['serial']:.2f}x" if "parallel" in cell and "serial" in cell else ""
            out.append(f"| {obj} | {dim} | {m(cell['reference']) if 'reference' in cell else '-'} | "
                       f"{m(cell.get('serial', float('nan')))} | {m(cell.get('parallel', float('nan')))} | {ratio} |")
    e2e = [r for r in rows if not r["test"].startswith(("test_kernel", "test_reference"))]
    out += ["", "End to end, one epoch, 2 threads, `train()` only (the PyTorch notebook SGNS on the "
            "corpus's first 300,000 words):", "", "| objective | implementation | words/s | fastw2v / this |",
            "| --- | --- | --- | --- |"]
    for obj in dict.fromkeys(r["objective"] for r in e2e):
        sel = [r for r in e2e if r["objective"] == obj]
        ours = next((r["words_per_sec"] for r in sel if r["impl"] == "fastw2v"), None)
        for r in sel:
            ratio = f"{ours / r['words_per_sec']:.2f}x" if ours else ""
            out.append(f"| {obj} | {r['impl']} | {m(r['words_per_sec'])} | {ratio} |")
    return out


def chart(rec, suite, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    if rec:
        workers = rec["machine"]["workers"]
        med = {(r["objective"], r["impl"], r["workers"]): r for r in rec["medians"]}
        objs = [o for o in dict.fromkeys(r["objective"] for r in rec["medians"])
                if (o, "gensim", workers) in med and (o, "fastw2v", workers) in med]
        x = range(len(objs))
        for shift, impl, colour in ((-0.2, "fastw2v", "tab:blue"), (0.2, "gensim", "tab:gray")):
            vals = [med[(o, impl, workers)]["words_per_sec"] / 1e6 for o in objs]
            bars = axes[0].bar([i + shift for i in x], vals, 0.4, label=impl, color=colour)
            axes[0].bar_label(bars, fmt="%.2f")
        axes[0].set_xticks(list(x), objs)
        axes[0].set_ylabel("million words / s")
        axes[0].set_title(f"5 epochs on text8-head, {workers} threads, medians")
        axes[0].legend()
    if suite:
        rows = [r for r in suite_rows(suite) if r["test"].startswith(("test_kernel", "test_reference"))]
        for obj, colour in zip(dict.fromkeys(r["objective"] for r in rows), ("tab:blue", "tab:orange", "tab:green")):
            for impl, style in (("parallel", "-o"), ("serial", "--o"), ("reference", ":s")):
                pts = sorted((r["dim"], r["words_per_sec"] / 1e6) for r in rows
                             if r["objective"] == obj and r["impl"] == impl)
                if pts:
                    axes[1].plot(*zip(*pts), style, color=colour, label=f"{obj} {impl}")
        axes[1].set_yscale("log")
        axes[1].set_xlabel("vector size D")
        axes[1].set_ylabel("million words / s (log)")
        axes[1].set_title("kernels: reference vs serial vs parallel")
        axes[1].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def contention_section(rec):
    """Tables of ``row_contention.py``: what sharing rows costs the threads, what staging buys."""
    lines = ["## Where thread scaling goes (`row_contention.py`)", "",
             f"Started {rec['started']}; {rec['machine']}, {rec['cpus']} cores, numba {rec['numba']}. "
             "One epoch of text8-head in blocks of two pieces, constant learning rate. The serial "
             "block kernel (compiled with `nogil`) trains piece 0 of every block alone, then both "
             "pieces from two Python threads, sharing the rows (Hogwild) or each on private "
             "copies (which learn nothing useful together: they show what sharing costs); then "
             "the library's parallel kernel with staging off and on "
             f"({rec['staged_rows']} hottest output rows per thread, merged every "
             f"{rec['merge_windows']} windows, `fastw2v/cpu/_staging.py`). Medians of "
             f"{rec['repeat']}; x = over the one thread.", "",
             "| case | " + " | ".join(rec["objectives"]) + " |",
             "| --- |" + " --- |" * len(rec["objectives"])]
    cases = next(iter(rec["objectives"].values()))
    for case in cases:
        cells = [f"{r[case]['words_per_s'] / 1e6:.3f}M ({r[case]['vs_one_thread']:.2f}x)"
                 for r in rec["objectives"].values()]
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    return lines


def study_sections():
    """The tables of ``huffman_trees.py`` and ``merge_rule.py``, from their JSON files."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import huffman_trees
    import merge_rule
    lines = []
    path = os.path.join(ROOT, "huffman_trees.json")
    if os.path.exists(path):
        with open(path) as f:
            runs = json.load(f)
        lines += ['<a id="huffman-trees"></a>', "## Which Huffman tree (`huffman_trees.py`)", "",
                  "Hierarchical softmax on Huffman trees that differ only where word counts tie "
                  "(text8-head, min_count 5, serial kernel, 5 epochs, seeds 1-3; CBOW at alpha "
                  "0.05). Every tree has the same expected code length and here the same depth "
                  "profile. The trees are described in the script; `gensim` is the one "
                  "`fastw2v/huffman.py` builds.", ""] + huffman_trees.table(runs) + [""]
    path = os.path.join(ROOT, "merge_rule.json")
    if os.path.exists(path):
        with open(path) as f:
            runs = json.load(f)
        lines += ['<a id="merge-rule"></a>',
                  "## How the threads' staged rows merge (`merge_rule.py`)", "",
                  "text8-head, 5 epochs, 2 threads, 256 staged rows merged every 1024 windows; "
                  "`sum` adds every thread's change, `mean` their mean (seeds 1-3).", ""]
        lines += merge_rule.table(runs) + [""]
    return lines


def main():
    rec = None
    cg = os.path.join(ROOT, "compare_gensim.json")
    if os.path.exists(cg):
        with open(cg) as f:
            rec = merge(json.load(f))
    suite_path, suite = newest_suite()
    if not rec and not suite:
        sys.exit("no saved runs in bench_results/: run benchmarks/run_all.sh")
    lines = ["# Saved benchmark runs", "",
             "Regenerate everything (about 60 minutes on 2 cores): `bash benchmarks/run_all.sh` "
             "(needs the `bench` and `test` extras; torch for the notebook baseline; matplotlib "
             "for the chart). This page is written by `benchmarks/report.py` from the JSON files "
             "here; the machines are shared and their speed drifts, so compare ratios within one "
             "run, not absolute numbers across runs.", "", "![speed](speed.png)", ""]
    if rec:
        lines += side_by_side_section(rec) + [""]
    if suite:
        lines += suite_section(suite_path, suite) + [""]
    rc = os.path.join(ROOT, "row_contention.json")
    if os.path.exists(rc):
        with open(rc) as f:
            lines += contention_section(json.load(f)) + [""]
    ooc = os.path.join(ROOT, "out_of_core.json")
    if os.path.exists(ooc):
        with open(ooc) as f:
            lines += out_of_core_section(json.load(f)) + [""]
    gpu = os.path.join(ROOT, "gpu.json")
    if os.path.exists(gpu):
        with open(gpu) as f:
            lines += gpu_section(json.load(f)) + [""]
    lines += study_sections()
    lines += ["Measurements behind single design decisions, quoted by the code: "
              "[decisions.md](decisions.md).", ""]
    from fastw2v._files import atomic_write
    with atomic_write(os.path.join(ROOT, "README.md"), "w") as f:
        f.write("\n".join(lines))
    try:
        chart(rec, suite, os.path.join(ROOT, "speed.png"))
    except ImportError:
        print("matplotlib is not installed: no chart", file=sys.stderr)
    print("\n".join(lines))


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()   # --help
    main()
