"""The ``fastw2v`` command: prepare, train, eval, similar, demo.

Long options are readable (``--vector-size``); word2vec.c's spellings work too (``-size``,
``-window``, ``-negative``, ``-sample``, ``-iter``, ``-min-count``, ``-threads``, ``-binary``,
``-alpha``, ``-cbow``, ``-hs``, ``-train``, ``-output``). Objectives, as word2vec.c and gensim:
``-cbow 0|1`` picks skip-gram or CBOW, ``-negative K`` negative sampling, ``-hs 1 -negative 0``
hierarchical softmax, ``--loss softmax`` the full softmax.
"""
import argparse
import os
import sys
import time

DEMO_WORDS = ("king", "france", "computer", "music", "three", "running")


def _add_train_options(p):
    p.add_argument("--vector-size", "-size", type=int, default=100, help="dimension of the vectors (100)")
    p.add_argument("--window", "-window", type=int, default=5, help="largest context distance (5)")
    p.add_argument("--negative", "-negative", type=int, default=5, help="noise words per pair (5)")
    p.add_argument("--sample", "-sample", type=float, default=1e-3, help="subsampling threshold (1e-3)")
    p.add_argument("--epochs", "-iter", type=int, default=5, help="passes over the corpus (5)")
    p.add_argument("--min-count", "-min-count", type=int, default=5, help="drop rarer words (5)")
    p.add_argument("--workers", "-threads", type=int, default=0, help="threads, 0 = all cores (0)")
    p.add_argument("--alpha", "-alpha", type=float, default=0.025, help="starting learning rate (0.025)")
    p.add_argument("--min-alpha", type=float, default=0.0001, help="final learning rate (0.0001)")
    p.add_argument("--cbow", "-cbow", type=int, default=0, choices=[0, 1],
                   help="1 = CBOW, 0 = skip-gram (default)")
    p.add_argument("--hs", "-hs", type=int, default=0, choices=[0, 1],
                   help="1 = hierarchical softmax (use with -negative 0)")
    p.add_argument("--loss", choices=["ns", "hs", "softmax"], default=None,
                   help="pick the loss explicitly; 'softmax' is the full softmax")
    p.add_argument("--cbow-mean", type=int, default=1, choices=[0, 1],
                   help="CBOW hidden layer: 1 = mean of the context vectors (default), 0 = sum")
    p.add_argument("--batch-window", type=int, default=1, choices=[0, 1],
                   help="1 = minibatch each window's pairs (CBOW: runs of windows), the fast default; "
                        "0 = pair by pair in word2vec.c's order (skip-gram HS: always)")
    p.add_argument("--seed", type=int, default=1, help="random seed (1)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                   help="cuda: train on an NVIDIA GPU through numba.cuda (SG/CBOW with negative sampling)")
    p.add_argument("--max-vocab-size", type=int, default=None, help="prune while counting past this")
    p.add_argument("--lowercase", action="store_true", help="lowercase the corpus")
    p.add_argument("--binary", "-binary", type=int, default=1, choices=[0, 1],
                   help="1 = binary word2vec file (default), 0 = text")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def _parser():
    parser = argparse.ArgumentParser(prog="fastw2v", allow_abbrev=False,
                                     description="word2vec in NumPy/Numba: train, evaluate, query.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", allow_abbrev=False,
                       help="read text once into a prepared directory that train streams")
    p.add_argument("corpus", nargs="+", help="text files, directories of them or glob patterns "
                                             "(.gz/.bz2/.xz ok); one sentence a line")
    p.add_argument("--output", "-o", required=True, help="the directory to write (must not exist)")
    p.add_argument("--keep-min-count", type=int, default=1,
                   help="leave out words seen fewer times (1: keep all, so train can pick any min_count)")
    p.add_argument("--max-vocab-size", type=int, default=None, help="prune rare words past this")
    p.add_argument("--lowercase", action="store_true", help="lowercase the corpus")
    p.add_argument("--workers", "-threads", type=int, default=0, help="threads, 0 = all cores (0)")
    p.add_argument("--save-vocab", "-save-vocab", help="also write the vocabulary ('word count' lines)")
    p.add_argument("--quiet", "-q", action="store_true")

    p = sub.add_parser("train", allow_abbrev=False, help="train vectors on a text corpus")
    p.add_argument("corpus", nargs="?", help="text file (one sentence a line; .gz/.bz2/.xz ok), "
                                             "directory of text files, or a prepared directory")
    p.add_argument("-train", dest="train_file", help="the corpus, word2vec.c's spelling")
    p.add_argument("--save-vocab", "-save-vocab", help="write the vocabulary ('word count' lines)")
    p.add_argument("--read-vocab", "-read-vocab", help="take the vocabulary from this file")
    p.add_argument("--output", "-o", "-output", dest="output", required=True, help="vector file to write")
    p.add_argument("--save-model", help="also save the full model (.npz) to resume training")
    _add_train_options(p)

    p = sub.add_parser("eval", allow_abbrev=False, help="analogy accuracy and word-pair correlation")
    p.add_argument("vectors", help="word2vec text or binary file")
    p.add_argument("--analogies", help="analogy questions (default: bundled questions-words.txt)")
    p.add_argument("--pairs", help="word pairs (default: bundled WordSim-353)")
    p.add_argument("--restrict-vocab", type=int, default=30000, help="analogy candidates (30000)")
    p.add_argument("--sections", action="store_true", help="print every analogy section")

    p = sub.add_parser("similar", allow_abbrev=False, help="nearest neighbours of a word")
    p.add_argument("vectors", help="word2vec text or binary file")
    p.add_argument("words", nargs="+", help="query word(s); prefix a word with '-' to subtract it")
    p.add_argument("--topn", type=int, default=10)

    p = sub.add_parser("demo", allow_abbrev=False,
                       help="train on the bundled text8 sample, evaluate, print neighbours")
    p.add_argument("--output", "-o", default="fastw2v-demo-vectors.bin")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--quiet", "-q", action="store_true")
    return parser


def _train(args):
    from .model import Word2Vec
    corpus = args.corpus or args.train_file
    if not corpus:
        raise SystemExit("fastw2v train: give the corpus (positional or -train FILE)")
    model = Word2Vec(vector_size=args.vector_size, window=args.window, negative=args.negative,
                     sample=args.sample, epochs=args.epochs, min_count=args.min_count,
                     workers=args.workers, alpha=args.alpha, min_alpha=args.min_alpha,
                     seed=args.seed, max_vocab_size=args.max_vocab_size,
                     lowercase=args.lowercase, sg=1 - args.cbow, hs=args.hs, loss=args.loss,
                     cbow_mean=args.cbow_mean, batch_window=bool(args.batch_window),
                     device=args.device)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    t0 = time.perf_counter()
    model.build_vocab(corpus, vocab_file=args.read_vocab)
    log(f"vocabulary: {len(model.vocab)} words, corpus: {model._corpus.raw_words} words "
        f"({time.perf_counter() - t0:.1f}s)")
    if args.save_vocab:
        from .corpus import write_vocab
        write_vocab(args.save_vocab, model.vocab.words, model.vocab.counts)
    model.train(verbose=not args.quiet)
    log(f"trained {args.epochs} epochs in {model.train_seconds:.1f}s, "
        f"{model.words_per_second / 1e6:.3f}M words/s")
    model.wv.save_word2vec_format(args.output, binary=bool(args.binary))
    if args.save_model:
        model.save(args.save_model)
    log(f"wrote {args.output}")


def _prepare(args):
    from .corpus import prepare, write_vocab
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    prepared = prepare(args.corpus, args.output, lowercase=args.lowercase,
                       keep_min_count=args.keep_min_count, max_vocab_size=args.max_vocab_size,
                       threads=args.workers, progress=log)
    if args.save_vocab:
        write_vocab(args.save_vocab, prepared.words, prepared.counts)


def _print_eval(kv, analogies=None, pairs=None, restrict_vocab=30000, sections=False):
    a = kv.evaluate_word_analogies(analogies, restrict_vocab=restrict_vocab)
    print(f"analogy accuracy: {100 * a.accuracy:.2f}% ({a.correct}/{a.correct + a.incorrect}, "
          f"{a.skipped} questions skipped, restrict_vocab={restrict_vocab})")
    if sections:
        for s in a.sections:
            print(f"  {s['section']:28s} {100 * s['accuracy']:6.2f}%  "
                  f"({s['correct']}/{s['correct'] + s['incorrect']})")
    w = kv.evaluate_word_pairs(pairs)
    print(f"word pairs: spearman {w.spearman:.4f}, pearson {w.pearson:.4f}, "
          f"{w.oov_ratio:.1f}% pairs out of vocabulary")


def _print_similar(kv, words, topn=10):
    for word, sim in kv.most_similar(words, topn=topn):
        print(f"  {word:20s} {sim:.4f}")


def _demo(args):
    from .data import TEXT8_SAMPLE
    from .model import Word2Vec
    print(f"training skip-gram (negative sampling) on the bundled text8 sample ({TEXT8_SAMPLE.name})")
    model = Word2Vec(epochs=args.epochs, workers=args.workers)
    t0 = time.perf_counter()
    model.build_vocab(str(TEXT8_SAMPLE))
    model.train(verbose=not args.quiet)
    print(f"{model._corpus.raw_words} words, {len(model.vocab)} in the vocabulary; trained in "
          f"{model.train_seconds:.1f}s ({model.words_per_second / 1e6:.2f}M words/s), "
          f"{time.perf_counter() - t0:.1f}s in all")
    _print_eval(model.wv)
    for word in DEMO_WORDS:
        print(f"nearest to {word!r}:")
        _print_similar(model.wv, word, topn=5)
    model.wv.save_word2vec_format(args.output, binary=True)
    print(f"wrote {os.path.abspath(args.output)}")


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            _train(args)
        elif args.command == "prepare":
            _prepare(args)
        elif args.command == "demo":
            _demo(args)
        else:
            from .keyedvectors import KeyedVectors
            kv = KeyedVectors.load_word2vec_format(args.vectors)
            if args.command == "eval":
                _print_eval(kv, args.analogies, args.pairs, args.restrict_vocab, args.sections)
            else:
                positive = [w for w in args.words if not w.startswith("-")]
                negative = [w[1:] for w in args.words if w.startswith("-")]
                for word, sim in kv.most_similar(positive, negative, topn=args.topn):
                    print(f"{word:20s} {sim:.4f}")
    except (ValueError, KeyError, TypeError, RuntimeError, OSError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"fastw2v {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
