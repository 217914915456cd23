"""Larger test corpora from text8-head: its 1000-word lines, shuffled and repeated.

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 32 /tmp/text8x32.txt

writes COPIES shuffled copies of text8-head's 2,140 lines of 1000 words (each copy shuffled
with its own seed), one line a sentence: 32 copies = 68M words, 400 MB; 470 copies = 1.0
billion words, 5.9 GB. ``--line-words N`` cuts text8-head into lines of N words instead (one
sentence a line, as gensim's LineSentence corpora are: 20 words a line gives 50 times as many
sentences). Written under a temporary name and renamed when complete.
"""
import argparse
import os

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("text8")
    p.add_argument("copies", type=int)
    p.add_argument("output")
    p.add_argument("--line-words", type=int, default=1000, help="words a line (default 1000)")
    args = p.parse_args()
    with open(args.text8) as f:
        words = f.read().split()
    n = args.line_words
    lines = [" ".join(words[i:i + n]) + "\n" for i in range(0, len(words), n)]
    tmp = args.output + ".partial"
    with open(tmp, "w") as out:
        for copy in range(args.copies):
            order = np.random.default_rng(copy).permutation(len(lines))
            out.writelines(lines[i] for i in order)
    os.replace(tmp, args.output)
    print(f"{args.output}: {args.copies * len(words)} words, {os.path.getsize(args.output) / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
