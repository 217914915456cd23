"""The ``fastw2v`` command: prepare, train, eval, similar, demo.

Long options are readable (``--vector-size``); word2vec.c's spellings work too (``-size``,
``-window``, ``-negative``, ``-sample``, ``-iter``, ``-min-count``, ``-threads``, ``-binary``,
``-alpha``, ``-cbow``, ``-hs``, ``-train``, ``-output``, ``-classes``, ``-save-vocab``,
``-read-vocab``, ``-debug``). Objectives, as word2vec.c and gensim:
``-cbow 0|1`` picks skip-gram or CBOW, ``-negative K`` negative sampling, ``-hs 1 -negative 0``
hierarchical softmax, ``--loss softmax`` the full softmax. As with word2vec.c, ``fastw2v -train
CORPUS -output FILE ...`` (no subcommand) trains.

Every error exits 2 with one line on stderr, checked before any long work where it can be (the
corpus, the hyperparameters, every output path); Ctrl-C exits 130, keeping the checkpoint of the
last finished epoch when ``--save-model`` is given (``--resume`` continues from it). SIGTERM (a
job scheduler's stop, ``kill``) and SIGHUP (the terminal closed) do what Ctrl-C does and exit
128 + the signal's number (``_stop_as_on_ctrl_c``).
"""
import argparse
import fnmatch
import glob
import json
import os
import signal
import sys
import time

DEMO_WORDS = ("king", "france", "computer", "music", "three", "running")


def _add_encoding_options(p):
    p.add_argument("--encoding", default="utf-8",
                   help="the corpus's text encoding, e.g. latin-1 (utf-8)")
    p.add_argument("--unicode-errors", default="strict", choices=["strict", "replace", "ignore"],
                   help="bytes invalid in the encoding: strict = stop naming file, line and "
                        "column (default); replace / ignore as Python's codecs")


def _add_train_options(p):
    p.add_argument("--vector-size", "-size", type=int, default=100, help="dimension of the vectors (100)")
    p.add_argument("--window", "-window", type=int, default=5, help="largest context distance (5)")
    p.add_argument("--negative", "-negative", type=int, default=5, help="noise words per pair (5)")
    p.add_argument("--sample", "-sample", type=float, default=1e-3, help="subsampling threshold (1e-3)")
    p.add_argument("--epochs", "-iter", type=int, default=5, help="passes over the corpus (5)")
    p.add_argument("--min-count", "-min-count", type=int, default=5, help="drop rarer words (5)")
    p.add_argument("--workers", "-threads", type=int, default=0, help="threads, 0 = all cores (0)")
    p.add_argument("--alpha", "-alpha", type=float, default=None,
                   help="starting learning rate (0.025; CBOW 0.05, as word2vec.c)")
    p.add_argument("--min-alpha", type=float, default=None,
                   help="final learning rate (word2vec.c's: alpha x 0.0001)")
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
    p.add_argument("--max-vocab-size", type=int, default=None,
                   help="keep the words word2vec.c's pruning past this many keeps (applied to "
                        "the final counts)")
    p.add_argument("--lowercase", action="store_true", help="lowercase the corpus")
    p.add_argument("--binary", "-binary", type=int, default=None, choices=[0, 1],
                   help="1 = binary word2vec file, 0 = text; default: from the output's extension "
                        "(.bin binary, .txt/.vec text), else text as word2vec.c")
    _add_encoding_options(p)
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.add_argument("-debug", type=int, default=None, metavar="N",
                   help="word2vec.c's verbosity: 0 = as --quiet, otherwise progress (default)")


def _parser():
    from . import __version__
    parser = argparse.ArgumentParser(prog="fastw2v", allow_abbrev=False,
                                     description="word2vec in NumPy/Numba: train, evaluate, query.")
    parser.add_argument("--version", action="version", version=f"fastw2v {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", allow_abbrev=False,
                       help="read text once into a prepared directory that train streams")
    p.add_argument("corpus", nargs="+", help="text files, directories of them or glob patterns "
                                             "(.gz/.bz2/.xz ok); one sentence a line")
    p.add_argument("--output", "-o", required=True, help="the directory to write (must not exist)")
    p.add_argument("--keep-min-count", type=int, default=1,
                   help="leave out words seen fewer times (1: keep all, so train can pick any min_count)")
    p.add_argument("--max-vocab-size", type=int, default=None,
                   help="keep the words word2vec.c's pruning past this many keeps (applied to "
                        "the final counts)")
    p.add_argument("--lowercase", action="store_true", help="lowercase the corpus")
    p.add_argument("--workers", "-threads", type=int, default=0, help="threads, 0 = all cores (0)")
    p.add_argument("--save-vocab", "-save-vocab", help="also write the vocabulary ('word count' "
                   "lines after word2vec.c's '</s> N')")
    _add_encoding_options(p)
    p.add_argument("--quiet", "-q", action="store_true")

    p = sub.add_parser("train", allow_abbrev=False, help="train vectors on a text corpus")
    p.add_argument("corpus", nargs="?", help="text file (one sentence a line; .gz/.bz2/.xz ok), "
                                             "directory of text files, or a prepared directory")
    p.add_argument("-train", dest="train_file", help="the corpus, word2vec.c's spelling")
    p.add_argument("--save-vocab", "-save-vocab", help="write the vocabulary ('word count' lines "
                   "after word2vec.c's '</s> N')")
    p.add_argument("--read-vocab", "-read-vocab", help="take the vocabulary from this file")
    p.add_argument("--output", "-o", "-output", dest="output",
                   help="vector file to write (without it, -save-vocab alone counts the "
                        "vocabulary and stops, as word2vec.c)")
    p.add_argument("--classes", "-classes", type=int, default=0, metavar="K",
                   help="write 'word class' lines (K-means of the vectors into K classes, as "
                        "word2vec.c) to the output instead of the vectors (0: vectors)")
    p.add_argument("--save-model", help="also save the full model, after every epoch (a checkpoint "
                                        "that --resume continues from)")
    p.add_argument("--resume", metavar="MODEL",
                   help="continue training a model saved by --save-model: the rest of a run "
                        "stopped early, or --epochs more on the corpus (the model's own "
                        "hyperparameters; -threads, --encoding, --unicode-errors apply); "
                        "saved back into MODEL after every epoch unless --save-model is given")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="train on the Dask cluster of this scheduler (tcp://host:8786); "
                        "-threads then means threads per worker (pip install \"fastw2v[dask]\")")
    p.add_argument("--dask-local", type=int, metavar="N",
                   help="train on a Dask LocalCluster of N worker processes started here")
    _add_train_options(p)

    p = sub.add_parser("eval", allow_abbrev=False, help="analogy accuracy and word-pair correlation")
    p.add_argument("vectors", help="word2vec text or binary file")
    p.add_argument("--analogies", help="analogy questions (default: bundled questions-words.txt)")
    p.add_argument("--pairs", help="word pairs (default: bundled WordSim-353)")
    p.add_argument("--restrict-vocab", type=int, default=30000, help="analogy candidates (30000)")
    p.add_argument("--sections", action="store_true", help="print every analogy section")

    p = sub.add_parser("similar", allow_abbrev=False, help="nearest neighbours of a word")
    p.add_argument("vectors", help="word2vec text or binary file")
    p.add_argument("words", nargs="*", help="query word(s); prefix a word with '-' to subtract it "
                                            "(fastw2v similar v.bin king -man woman)")
    p.add_argument("--topn", type=int, default=10)
    p.add_argument("--minus", action="append", default=[], help=argparse.SUPPRESS)

    p = sub.add_parser("demo", allow_abbrev=False,
                       help="train on the bundled text8 sample, evaluate, print neighbours")
    p.add_argument("--output", "-o", default="fastw2v-demo-vectors.bin")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--quiet", "-q", action="store_true")
    return parser


class _Stop(Exception):
    """A user error found by the command itself: exit 2 with this message."""


def _train(args):
    started = []                          # the Dask client this command opens, if any
    try:
        _train_on(args, started)
    finally:
        for client in started:
            try:
                client.close()
            finally:                      # a LocalCluster this command started, not a
                if client.cluster is not None:    # scheduler given by address
                    client.cluster.close()


def _train_on(args, started):
    """Train as the arguments say; a LocalCluster it starts goes into ``started``."""
    from .model import Word2Vec
    corpus = args.corpus or args.train_file
    if not corpus:
        raise _Stop("give the corpus (positional or -train FILE)")
    if args.debug == 0:
        args.quiet = True
    if not args.output and (not args.save_vocab or args.resume or args.save_model):
        raise _Stop("give the vector file to write (-o/-output FILE); -save-vocab FILE alone "
                    "counts the vocabulary and stops")
    checkpoint = args.save_model or args.resume
    outputs = _check_outputs([("corpus", corpus), ("--read-vocab", args.read_vocab)],
                             output=args.output, save_model=args.save_model,
                             resume=None if args.save_model else args.resume,
                             save_vocab=args.save_vocab)
    if args.classes < 0:
        raise _Stop(f"-classes needs a number of classes >= 1 (0: write vectors), got {args.classes}")
    if args.classes and not args.output:
        raise _Stop("-classes writes the word classes to -output FILE: give it")
    if args.scheduler and args.dask_local:
        raise _Stop("give --scheduler ADDRESS or --dask-local N, not both")
    if args.dask_local is not None and args.dask_local < 1:
        raise _Stop(f"--dask-local needs at least 1 worker, got {args.dask_local}")
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    if args.resume:
        model = Word2Vec.load(args.resume)
        # how to read and run it, not what it is: these follow the command line
        model.workers, model.encoding = args.workers, args.encoding
        model.unicode_errors = args.unicode_errors
        state, resume = model._state, model._state and model._state["done"] < model._state["total"]
        if resume:
            log(f"resuming {args.resume}: {state['done']} of {state['total']} epochs done; "
                "its own settings apply")
        else:
            log(f"{args.resume}: training {args.epochs} more epochs on {corpus}")
    else:
        model = Word2Vec(**_model_params(args))
        resume = False
    client = _dask_client(args, log)
    if client is not None:
        started.append(client)
    t0 = time.perf_counter()
    if args.resume:
        train = dict(corpus_iterable=corpus, resume=resume, epochs=None if resume else args.epochs,
                     client=client)
    else:
        model.build_vocab(corpus, vocab_file=args.read_vocab, client=client)
        log(f"vocabulary: {len(model.vocab)} words, corpus: {model.corpus_total_words} words "
            f"({time.perf_counter() - t0:.1f}s)")
        if not args.output:               # word2vec.c: -save-vocab without -output
            _write_vocab(args.save_vocab, model, args.read_vocab)
            return
        train = {}
    done_before = len(model.epoch_losses)
    try:
        model.train(**train, checkpoint=checkpoint, verbose=not args.quiet)
    except KeyboardInterrupt:
        kept = model.checkpointed if checkpoint else len(model.epoch_losses) - done_before
        where = (f"epochs 1-{kept} are in {checkpoint}: continue with --resume {checkpoint}"
                 if checkpoint and kept else
                 "nothing written (--save-model PATH keeps a checkpoint after every epoch)")
        raise _Interrupted(f"interrupted during epoch {kept + 1}; {where}") from None
    log(f"trained {len(model.epoch_losses) - done_before} epochs in {model.train_seconds:.1f}s, "
        f"{model.words_per_second / 1e6:.3f}M words/s")
    try:
        if args.classes:                  # word2vec.c: classes instead of vectors
            from .clusters import save_classes, word_classes
            save_classes(args.output, model.wv.index_to_key,
                         word_classes(model.wv.vectors, args.classes))
        else:
            binary = _binary_output(args.output, args.binary)
            model.wv.save_word2vec_format(args.output, binary=binary)
        if args.save_vocab:
            _write_vocab(args.save_vocab, model, args.read_vocab)
    except KeyboardInterrupt:
        where = f"; the trained model is in {checkpoint}" if checkpoint else ""
        raise _Interrupted(f"interrupted while writing the outputs{where}") from None
    log("wrote " + ", ".join(path for path in outputs if path))


def _dask_client(args, log):
    """The Dask client of --scheduler / --dask-local, or None."""
    if not (args.scheduler or args.dask_local):
        return None
    from .distributed.cluster import connect, local_cluster
    if args.scheduler:
        client = connect(args.scheduler)
    else:
        client = local_cluster(args.dask_local, threads_per_worker=args.workers or 1)
    log(f"Dask cluster {client.scheduler.address}: {len(client.nthreads())} workers, "
        f"{sum(client.nthreads().values())} threads")
    return client


def _model_params(args):
    alpha = args.alpha if args.alpha is not None else 0.05 if args.cbow else 0.025
    # word2vec.c's rate falls to starting_alpha x 0.0001 (gensim's to a fixed min_alpha)
    min_alpha = args.min_alpha if args.min_alpha is not None else alpha * 1e-4
    return dict(vector_size=args.vector_size, window=args.window, negative=args.negative,
                sample=args.sample, epochs=args.epochs, min_count=args.min_count,
                workers=args.workers, min_alpha=min_alpha, alpha=alpha,
                seed=args.seed, max_vocab_size=args.max_vocab_size, lowercase=args.lowercase,
                sg=1 - args.cbow, hs=args.hs, loss=args.loss, cbow_mean=args.cbow_mean,
                batch_window=bool(args.batch_window), device=args.device,
                encoding=args.encoding, unicode_errors=args.unicode_errors)


class _Interrupted(Exception):
    """Ctrl-C: exit 130 with this one line."""


def _binary_output(path, binary):
    """-binary when given; else by extension (.bin binary, .txt/.vec text); else text, as
    word2vec.c writes by default."""
    if binary is not None:
        return bool(binary)
    return os.path.splitext(path)[1].lower() == ".bin"


def _write_vocab(path, model, read_vocab=None):
    from .corpus import write_vocab
    from .corpus.prepared import vocab_marker
    # word2vec.c's "</s>" count: the one of the -read-vocab file if it has one (word2vec.c
    # writes back what it read), else the newlines of the text the counts came from
    marker = vocab_marker(read_vocab) if read_vocab else None
    lines = model.corpus_line_ends if model.corpus_line_ends is not None else model.corpus_count
    write_vocab(path, model.vocab.words, model.vocab.counts,
                sentences=lines if marker is None else marker)


def _check_outputs(inputs=(), **paths):
    """Every output path can be written, before any long work: its directory exists and takes
    a new file, it is not a directory, no two outputs are one file, and none is one of the
    ``inputs`` (``(flag, path)`` pairs: the corpus's files, directories or patterns, a vocabulary
    read) or lies in an input directory (a prepared corpus, or a directory of text files whose
    next reading would take the output for text). word2vec.c would overwrite its -train file."""
    from ._files import check_writable
    read = _input_paths(inputs)
    seen = {}
    for what, path in paths.items():
        if not path:
            continue
        flag = "--" + what.replace("_", "-")
        full = os.path.realpath(path)
        if full in seen:
            raise _Stop(f"{flag} and --{seen[full].replace('_', '-')} are the same file {path!r}")
        seen[full] = what
        for source, given, real in read:
            inside = os.path.isdir(real) and full.startswith(real.rstrip(os.sep) + os.sep)
            if full == real or inside or (glob.has_magic(real) and fnmatch.fnmatch(full, real)):
                where = "is inside" if inside else "is" if full == real else "matches"
                raise _Stop(f"{flag} {path!r} {where} the {source} {given!r}: write it elsewhere")
        try:
            check_writable(path, flag)
        except ValueError as e:
            raise _Stop(str(e)) from None
    return list(paths.values())


def _input_paths(inputs):
    """(flag, given path, real path) of every file and directory the inputs name: a glob
    pattern's files and the pattern itself (a file written that it matches would be read next
    time), a prepared directory and the text it was prepared from."""
    from .corpus import is_prepared
    read = []
    for source, given in inputs:
        for one in ([given] if isinstance(given, (str, os.PathLike)) else given or ()):
            one = os.fspath(one)
            found = [one] if os.path.exists(one) or not glob.has_magic(one) else glob.glob(one) + [one]
            read += [(source, one, os.path.realpath(p)) for p in found]
            if is_prepared(one):
                try:
                    with open(os.path.join(one, "manifest.json"), encoding="utf-8") as f:
                        sources = [s["path"] for s in json.load(f)["sources"]]
                except (OSError, ValueError, KeyError, TypeError):
                    sources = []              # the corpus's own check names what is wrong
                read += [(f"text {one!r} was prepared from", p, os.path.realpath(p))
                         for p in sources]
    return read


def _prepare(args):
    from .corpus import prepare, write_vocab
    _check_outputs([("corpus", args.corpus)], save_vocab=args.save_vocab)
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    reading = {} if (args.encoding, args.unicode_errors) == ("utf-8", "strict") else \
        dict(encoding=args.encoding, unicode_errors=args.unicode_errors)
    prepared = prepare(args.corpus, args.output, lowercase=args.lowercase,
                       keep_min_count=args.keep_min_count, max_vocab_size=args.max_vocab_size,
                       threads=args.workers, progress=log, **reading)
    if args.save_vocab:
        write_vocab(args.save_vocab, prepared.words, prepared.counts,
                    sentences=prepared.manifest["line_ends"])


def _print_eval(kv, analogies=None, pairs=None, restrict_vocab=30000, sections=False):
    a = kv.evaluate_word_analogies(analogies, restrict_vocab=restrict_vocab)
    asked = a.correct + a.incorrect
    print(f"analogy accuracy: {_percent(a.correct, asked)} ({a.correct}/{asked}, "
          f"{a.skipped} questions skipped, restrict_vocab={restrict_vocab})")
    if sections:
        for s in a.sections:
            n = s["correct"] + s["incorrect"]
            print(f"  {s['section']:28s} {_percent(s['correct'], n):>7s}  ({s['correct']}/{n}"
                  f"{', ' + str(s['skipped']) + ' skipped' if s['skipped'] else ''})")
    w = kv.evaluate_word_pairs(pairs)
    print(f"word pairs: spearman {w.spearman:.4f}, pearson {w.pearson:.4f}, "
          f"{w.oov_ratio:.1f}% pairs out of vocabulary")


def _percent(correct, asked):
    """A percentage with two decimals, or ``n/a`` when no question could be asked."""
    return f"{100 * correct / asked:.2f}%" if asked else "n/a"


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


def _word2vec_c_habits(argv):
    """``fastw2v -train X ...`` means ``fastw2v train -train X ...``; in ``similar``, a word
    written ``-man`` is a word to subtract, not an option."""
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        return ["train"] + argv
    if argv and argv[0] == "similar":
        words, options, take_value, rest = [], [], False, False
        for arg in argv[1:]:
            if arg == "--" and not rest:
                rest = True
            elif not rest and (take_value or arg in ("-h", "--help", "--topn") or arg.startswith("--topn=")):
                options.append(arg)
                take_value = arg == "--topn"
            elif arg.startswith("-") and len(arg) > 1:
                options.append("--minus=" + arg[1:])
            else:
                words.append(arg)
        return ["similar"] + options + ["--"] + words   # argparse wants the positionals together
    return argv


def main(argv=None):
    argv = _word2vec_c_habits(list(sys.argv[1:] if argv is None else argv))
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
                if not args.words and not args.minus:
                    raise _Stop("give at least one query word")
                for word, sim in kv.most_similar(args.words, args.minus, topn=args.topn):
                    print(f"{word:20s} {sim:.4f}")
    except (_Interrupted, KeyboardInterrupt) as e:
        what = str(e) if isinstance(e, _Interrupted) else "interrupted; nothing written"
        by = "" if _stopped_by() == signal.SIGINT else f"{signal.Signals(_stopped_by()).name}: "
        try:
            print(f"fastw2v {args.command}: {by}{what}", file=sys.stderr)
        except OSError:                   # SIGHUP: the terminal that would show it is gone
            pass
        return 128 + _stopped_by()
    except (_Stop, ValueError, KeyError, TypeError, RuntimeError, OSError, LookupError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"fastw2v {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


def command():
    """The console script: ``main``, then ``gc.freeze()`` so that the exit skips a collection.

    Before ``main``: ``_startup.load_cython_blas()``, which spares numba's first dispatch the
    import of scipy.linalg (0.11-0.13 s a command; why only here: ``_startup.py``).

    At interpreter exit the garbage collector walks every object still alive; after numba has
    imported and dispatched they are a few hundred thousand (numba's types, llvmlite's
    bindings), and the walk is a visible part of a short command such as ``prepare``, paid
    alike with 1 and 2 threads (measured in bench_results/decisions.md#exit-freeze).
    ``gc.freeze()`` moves them to the permanent generation, which no collection visits; the
    process ends a moment later. Only for a process about to exit: after it nothing that
    lived then is ever collected. Tests and programs call ``main``.
    """
    import gc
    from ._startup import load_cython_blas
    load_cython_blas()
    taken = _stop_as_on_ctrl_c()
    try:
        code = main()
    except KeyboardInterrupt:             # before main's own handling: reading the arguments
        code = 128 + _stopped_by()
    for number in taken:                  # the exit's own cleanup (a prepared copy's removal)
        signal.signal(number, signal.SIG_IGN)     # runs whole
    gc.freeze()
    return code


# The signals that stopped the command and when: [(number, time.monotonic()), ...]; the
# first one names the exit status
_STOPPED_BY = []
# A repeat within this many seconds of the last signal that interrupted is ignored (a double
# Ctrl-C, or a job scheduler's SIGTERM after one); a later one interrupts again (the user
# insists, or the first was lost in a finalizer, where Python ignores an exception)
REPEAT_IGNORED_S = 5.0


def _stopped_by():
    """The signal that stopped the command (SIGINT when none was taken here: Ctrl-C in a
    program that calls ``main``)."""
    return _STOPPED_BY[0][0] if _STOPPED_BY else signal.SIGINT


def _stop_as_on_ctrl_c():
    """SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the command alike: the epoch in progress is
    dropped, the finished ones stay in the ``--save-model`` checkpoint, and the temporary
    files go (the prepared copy of a text corpus, a Dask run's shared rows in ``/dev/shm``,
    its LocalCluster). SIGTERM's and SIGHUP's default action ends Python at once, leaving all
    of them; a job scheduler stops a job with SIGTERM before its SIGKILL, and a closed
    terminal sends SIGHUP. A signal is taken only where it has its default (``nohup``
    ignores SIGHUP). A repeat soon after the first does not cut the first's cleanup short
    (``REPEAT_IGNORED_S``). In a process forked from this one (a LocalCluster's worker,
    which the signal reaches when it goes to the process group) the handler does nothing:
    the command stops the cluster. The console script only: a library leaves the signals to
    its program. Returns the signals taken."""
    owner = os.getpid()

    def handler(signum, frame):
        if os.getpid() != owner:
            return
        now = time.monotonic()
        if _STOPPED_BY and now - _STOPPED_BY[-1][1] < REPEAT_IGNORED_S:
            return
        _STOPPED_BY.append((signum, now))
        raise KeyboardInterrupt
    taken = []
    for name, default in (("SIGINT", signal.default_int_handler), ("SIGTERM", signal.SIG_DFL),
                          ("SIGHUP", signal.SIG_DFL)):
        number = getattr(signal, name, None)       # no SIGHUP on Windows
        if number is not None and signal.getsignal(number) == default:
            signal.signal(number, handler)
            taken.append(number)
    return taken


if __name__ == "__main__":
    sys.exit(command())
