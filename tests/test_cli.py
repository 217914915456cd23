"""cli.py: the fastw2v command, with readable and word2vec.c spellings."""
import os
import re
import signal
import subprocess
import sys

import pytest

from conftest import interrupt_after_epoch_2, require
from fastw2v import KeyedVectors, Word2Vec
from fastw2v.cli import main


def test_train_with_c_tool_flags(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.txt"
    rc = main(["train", "-train", str(corpus_file), "-output", str(out), "-size", "12", "-window", "3",
               "-negative", "4", "-sample", "0", "-iter", "2", "-min-count", "1", "-threads", "1",
               "-binary", "0", "-alpha", "0.03", "-cbow", "0", "--quiet"])
    assert rc == 0
    kv = KeyedVectors.load_word2vec_format(out, binary=False)
    assert kv.vectors.shape == (20, 12)


def test_save_vocab_without_output_counts_and_stops_as_word2vec_c(corpus_file, tmp_path, capsys,
                                                                   monkeypatch):
    from fastw2v import Word2Vec
    monkeypatch.setattr(Word2Vec, "train", lambda *a, **k: pytest.fail("trained"))
    vocab = tmp_path / "vocab.txt"
    assert main(["-train", str(corpus_file), "-save-vocab", str(vocab), "-min-count", "1",
                 "-debug", "0"]) == 0
    lines = vocab.read_text().splitlines()
    assert lines[0] == "</s> 300" and len(lines) == 21 and capsys.readouterr().err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.txt", "vocab.txt"]
    for flags in ([], ["-save-vocab", str(vocab), "--save-model", str(tmp_path / "m")]):
        assert main(["-train", str(corpus_file), "-min-count", "1"] + flags) == 2
        assert "give the vector file to write (-o/-output FILE)" in capsys.readouterr().err


def test_train_eval_similar(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.bin"
    assert main(["train", str(corpus_file), "-o", str(out), "--vector-size", "10", "--min-count", "1",
                 "--epochs", "2", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "vocabulary: 20 words" in err and "wrote" in err
    assert main(["similar", str(out), "t0w1", "--topn", "3"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 3
    assert main(["eval", str(out)]) == 0
    assert "analogy accuracy" in capsys.readouterr().out


def test_errors_are_clear_and_leave_no_file(tmp_path, capsys):
    out = tmp_path / "v.bin"
    assert main(["train", str(tmp_path / "nope.txt"), "-o", str(out)]) == 2
    assert "corpus file not found" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["train", str(empty), "-o", str(out)]) == 2
    assert "is empty" in capsys.readouterr().err
    assert main(["train", str(empty), "-o", str(out), "-size", "0"]) == 2
    assert "vector_size must be a positive integer" in capsys.readouterr().err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["empty.txt"]


def test_unknown_query_word(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.bin"
    main(["train", str(corpus_file), "-o", str(out), "--min-count", "1", "--epochs", "1", "-q"])
    assert main(["similar", str(out), "emperor"]) == 2
    assert "'emperor' not in vocabulary" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["-cbow", "1"], ["-hs", "1", "-negative", "0"],
                                   ["-cbow", "1", "-hs", "1", "-negative", "0", "--cbow-mean", "0"],
                                   ["--loss", "softmax"], ["-cbow", "1", "--loss", "softmax"],
                                   ["--batch-window", "0"], ["-cbow", "1", "--batch-window", "0"],
                                   ["-hs", "1", "-negative", "0", "--batch-window", "0"]])
def test_every_objective_from_the_command_line(corpus_file, tmp_path, flags):
    out = tmp_path / "v.bin"
    assert main(["train", str(corpus_file), "-o", str(out), "-size", "8", "-min-count", "1",
                 "-iter", "1", "-q"] + flags) == 0
    assert KeyedVectors.load_word2vec_format(out).vectors.shape == (20, 8)


def test_conflicting_objective_flags(corpus_file, tmp_path, capsys):
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "v"), "-hs", "1"]) == 2
    assert "set negative=0 for hierarchical softmax" in capsys.readouterr().err
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "v"), "-negative", "0"]) == 2
    assert "select no loss" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", str(corpus_file), "-o", str(tmp_path / "v"), "-cbow", "2"])


# ---- word2vec.c's habits ------------------------------------------------------------------------
def test_no_subcommand_means_train_and_the_extension_picks_the_format(corpus_file, tmp_path):
    common = ["-train", str(corpus_file), "-size", "8", "-iter", "1", "-min-count", "1", "-q"]
    for name, binary in (("v.txt", False), ("v.vec", False), ("v.bin", True), ("vectors", False)):
        assert main(common + ["-output", str(tmp_path / name)]) == 0
        raw = (tmp_path / name).read_bytes()
        assert (b"\x00" in raw or any(b > 127 for b in raw)) == binary, name
        KeyedVectors.load_word2vec_format(tmp_path / name, binary=binary)
    assert main(common + ["-output", str(tmp_path / "w.txt"), "-binary", "1"]) == 0
    KeyedVectors.load_word2vec_format(tmp_path / "w.txt", binary=True)   # -binary wins


def test_similar_takes_minus_words(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.bin"
    main(["train", str(corpus_file), "-o", str(out), "--min-count", "1", "--epochs", "1", "-q"])
    kv = KeyedVectors.load_word2vec_format(out)
    expected = kv.most_similar(["t0w1", "t1w2"], ["t2w1"], topn=4)
    for argv in (["t0w1", "-t2w1", "t1w2", "--topn", "4"], ["--topn=4", "t0w1", "-t2w1", "t1w2"],
                 ["--topn", "4", "--", "t0w1", "-t2w1", "t1w2"]):
        capsys.readouterr()
        assert main(["similar", str(out)] + argv) == 0
        got = [line.split()[0] for line in capsys.readouterr().out.strip().split("\n")]
        assert got == [w for w, _ in expected], argv


def test_version(capsys):
    from fastw2v import __version__
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"fastw2v {__version__}"


def test_prepare_does_not_import_the_model_or_the_training_kernels(tmp_path):
    # fastw2v/__init__.py imports Word2Vec and KeyedVectors on first use: a first pass is
    # a few seconds, and the model's modules were about 0.05 s of its start-up
    (tmp_path / "c.txt").write_text("a b c\n")
    code = ("import sys; from fastw2v.cli import main; main(['prepare', sys.argv[1], '-o', sys.argv[2], '-q']);"
            "print(sorted(m for m in sys.modules if m.startswith('fastw2v.')))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.txt"), str(tmp_path / "p")],
                         capture_output=True, text=True, check=True).stdout
    loaded = eval(out)
    assert "fastw2v.corpus.prepared" in loaded and (tmp_path / "p" / "manifest.json").exists()
    assert not {"fastw2v.model", "fastw2v.training", "fastw2v.keyedvectors", "fastw2v.cpu"} & set(loaded), loaded


def test_the_package_s_names_and_submodules_load_on_first_use():
    code = ("import sys, fastw2v; assert 'fastw2v.model' not in sys.modules;"
            "assert fastw2v.config.CACHE in (True, False) and 'fastw2v.model' not in sys.modules;"
            "from fastw2v import Word2Vec, KeyedVectors; assert Word2Vec.__module__ == 'fastw2v.model';"
            "assert fastw2v.Word2VecConfig.__module__ == 'fastw2v.params';"
            "print(hasattr(fastw2v, 'no_such_name'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("code", [0, 2, 130])
def test_the_console_script_is_command_and_keeps_main_s_exit_code(code, monkeypatch):
    import gc
    from pathlib import Path
    from fastw2v import cli
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    scripts = pyproject[pyproject.index("[project.scripts]"):].split("\n[", 1)[0]
    assert re.search(r'^fastw2v = "fastw2v\.cli:command"$', scripts, re.M), scripts
    monkeypatch.setattr(cli, "main", lambda: code)
    try:
        assert cli.command() == code and gc.get_freeze_count() > 0     # the heap frozen for the exit
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("flags, message", [
    (["-o", "{tmp}/nodir/v.bin"], "--output '{tmp}/nodir/v.bin': directory '{tmp}/nodir' does not exist"),
    (["-o", "{tmp}/v.bin", "--save-model", "{tmp}/nodir/m"], "--save-model .* does not exist"),
    (["-o", "{tmp}/v.bin", "--save-vocab", "{tmp}/nodir/vocab"], "--save-vocab .* does not exist"),
    (["-o", "{tmp}"], "is a directory"),
    (["-o", "{tmp}/v.bin", "--save-model", "{tmp}/v.bin"], "are the same file"),
    (["-o", "/proc/v.bin"], r"--output '/proc/v.bin': cannot write in '/proc'"),
])
def test_outputs_are_checked_before_training(corpus_file, tmp_path, capsys, flags, message):
    flags = [f.format(tmp=tmp_path) for f in flags]
    assert main(["train", str(corpus_file), "--min-count", "1"] + flags) == 2
    err = capsys.readouterr().err
    assert re.search(message.format(tmp=tmp_path), err), err
    assert "vocabulary:" not in err and "Traceback" not in err       # no work done first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.txt"]


@pytest.mark.parametrize("make, args, message", [
    (None, ["{c}", "-o", "{c}"], "--output '{c}' is the corpus '{c}'"),
    (None, ["-train", "{c}", "-output", "{t}/v.txt", "-save-vocab", "{c}"], "--save-vocab '{c}' is the corpus"),
    (None, ["{c}", "-o", "{t}/v.txt", "-read-vocab", "{t}/vocab.txt", "-save-vocab", "{t}/vocab.txt"],
     "--save-vocab '{t}/vocab.txt' is the --read-vocab"),
    ("dir", ["{t}/texts", "-o", "{t}/texts/v.txt"], "--output '{t}/texts/v.txt' is inside the corpus '{t}/texts'"),
    ("dir", ["{t}/texts/*.txt", "-o", "{t}/texts/a.txt"], "is the corpus '{t}/texts/\\*.txt'"),
    ("prepared", ["{t}/p", "-o", "{t}/p/vocab.txt"], "--output '{t}/p/vocab.txt' is inside the corpus '{t}/p'"),
    ("prepared", ["{t}/p", "-o", "{t}/v.txt", "--save-model", "{t}/p/manifest.json"], "is inside the corpus"),
    ("dir", ["{t}/texts/*.txt", "-o", "{t}/texts/new.txt"], "--output '{t}/texts/new.txt' matches the corpus"),
    ("prepared", ["{t}/p", "-o", "{c}"], "--output '{c}' is the text '{t}/p' was prepared from"),
])
def test_no_output_overwrites_an_input(corpus_file, tmp_path, capsys, make, args, message):
    """word2vec.c writes -output over its -train file if told to; fastw2v refuses before any
    work, for the corpus's files, directories and patterns and a vocabulary it reads."""
    from fastw2v.corpus import write_vocab
    write_vocab(tmp_path / "vocab.txt", ["the", "of"], [5, 4])
    if make == "dir":
        (tmp_path / "texts").mkdir()
        (tmp_path / "texts" / "a.txt").write_bytes(corpus_file.read_bytes())
    elif make == "prepared":
        assert main(["prepare", str(corpus_file), "-o", str(tmp_path / "p"), "-q"]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    args = [a.format(c=corpus_file, t=tmp_path) for a in args]
    assert main(["train", *args, "--min-count", "1"]) == 2
    err = capsys.readouterr().err
    assert re.search(message.format(c=corpus_file, t=tmp_path), err), err
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_prepare_does_not_write_its_vocabulary_over_the_corpus(corpus_file, tmp_path, capsys):
    text = corpus_file.read_bytes()
    assert main(["prepare", str(corpus_file), "-o", str(tmp_path / "p"), "-save-vocab",
                 str(corpus_file), "-q"]) == 2
    assert "--save-vocab" in capsys.readouterr().err and corpus_file.read_bytes() == text
    assert not (tmp_path / "p").exists()


def test_ctrl_c_in_process_exits_130_with_one_line(corpus_file, tmp_path, capsys, monkeypatch):
    from fastw2v import Word2Vec

    def interrupted(self, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(Word2Vec, "train", interrupted)
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "v.bin"), "--min-count", "1", "-q"]) == 130
    err = capsys.readouterr().err.strip().split("\n")
    assert len(err) == 1 and "interrupted during epoch 1; nothing written (--save-model" in err[0]
    assert not (tmp_path / "v.bin").exists()


def test_ctrl_c_keeps_the_finished_epochs_and_resume_finishes_them(corpus_file, tmp_path):
    # a real SIGINT to a real process, after it reported its second epoch
    out, ck = tmp_path / "v.bin", tmp_path / "ck.model"
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o", str(out),
           "--save-model", str(ck), "--min-count", "1", "--vector-size", "8", "--epochs", "100000",
           "--workers", "1"]
    # Python 3.10 once exited 2 here, 1 run in 10-15: np.fromfile on a file object turned the
    # Ctrl-C into a TypeError (a retry hid it until the epoch's reads grew; the corpus now
    # reads by readinto)
    rc, rest, seconds, _ = interrupt_after_epoch_2(cmd)
    assert rc == 130, rest[-2000:]
    assert seconds < 5                                         # stops within a block
    tail = [line for line in rest.split("\n") if line and not line.startswith("epoch ")]
    assert len(tail) == 1 and "interrupted during epoch" in tail[0], rest
    assert f"continue with --resume {ck}" in tail[0] and "Traceback" not in rest
    assert not out.exists()                                    # no vectors from half an epoch
    done = Word2Vec.load(ck)._state["done"]
    assert 2 <= done < 100000
    # --resume: the checkpoint's own run continues (its settings, its remaining epochs)
    model = Word2Vec.load(ck)
    model._state["total"] = done + 2                           # finish soon
    model.save(ck)
    assert main(["train", str(corpus_file), "-o", str(out), "--resume", str(ck), "-q"]) == 0
    assert Word2Vec.load(ck)._state["done"] == done + 2 and out.exists()


def test_sigterm_stops_as_ctrl_c_does_and_leaves_no_temporary_files(corpus_file, tmp_path):
    # a job scheduler's stop (or kill): the finished epochs kept, the epoch in progress
    # dropped, the prepared copy of the text (in TMPDIR) removed, exit 128 + 15. Python's
    # default action for SIGTERM ends the process at once, leaving that copy
    out, ck, tmpdir = tmp_path / "v.bin", tmp_path / "ck.model", tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o", str(out),
           "--save-model", str(ck), "--min-count", "1", "--vector-size", "8", "--epochs", "100000",
           "--workers", "1"]
    rc, rest, _, _ = interrupt_after_epoch_2(cmd, signal.SIGTERM, dict(os.environ, TMPDIR=str(tmpdir)))
    assert rc == 143, rest[-2000:]
    tail = [line for line in rest.split("\n") if line and not line.startswith("epoch ")]
    assert len(tail) == 1 and tail[0].startswith("fastw2v train: SIGTERM: interrupted during epoch")
    assert f"continue with --resume {ck}" in tail[0]
    assert not out.exists() and list(tmpdir.iterdir()) == []
    assert Word2Vec.load(ck)._state["done"] >= 2


def test_the_last_line_to_a_hung_up_terminal_does_not_change_the_exit(corpus_file, tmp_path,
                                                                       monkeypatch):
    # SIGHUP: the terminal is gone, and writing to it fails (EIO)
    from fastw2v import Word2Vec

    class HungUp:
        def write(self, text):
            raise OSError(5, "Input/output error")

        def flush(self):
            raise OSError(5, "Input/output error")

    def interrupted(self, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(Word2Vec, "train", interrupted)
    monkeypatch.setattr(sys, "stderr", HungUp())
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "v.bin"), "--min-count", "1",
                 "-q"]) == 130


def test_the_command_takes_a_signal_before_main_and_ignores_them_while_it_exits(monkeypatch):
    # a signal while the arguments are read exits as one during training; once main has
    # returned, the exit's own cleanup (a prepared copy's removal) is not cut short
    import gc

    from fastw2v import cli
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.getsignal(s) for s in numbers}
    monkeypatch.setattr(gc, "freeze", lambda: None)

    def main():
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli, "_STOPPED_BY", [])
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        assert cli.command() == 143
        assert [signal.getsignal(s) for s in numbers] == [signal.SIG_IGN] * 3
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_sighup_stops_as_ctrl_c_does_and_exits_129(corpus_file, tmp_path):
    # the terminal closed (its output is a pipe here, so the line can still be read)
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o",
           str(tmp_path / "v.bin"), "--min-count", "1", "--vector-size", "8", "--epochs", "100000",
           "--workers", "1"]
    rc, rest, _, _ = interrupt_after_epoch_2(cmd, signal.SIGHUP)
    assert rc == 129, rest[-2000:]
    tail = [line for line in rest.split("\n") if line and not line.startswith("epoch ")]
    assert tail == [tail[0]] and tail[0].startswith("fastw2v train: SIGHUP: interrupted during epoch")


def test_stop_signals_are_taken_only_where_their_default_stands(monkeypatch):
    # nohup starts a command with SIGHUP ignored: it stays ignored. The first signal stops the
    # command; a repeat soon after, while the first's cleanup runs, does not cut that short,
    # and a later one stops it again (the first may have been lost in a finalizer). In a
    # process forked from the command (a LocalCluster's worker) the handler does nothing
    from fastw2v import cli
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.getsignal(s) for s in numbers}
    clock = [100.0]
    monkeypatch.setattr(cli, "_STOPPED_BY", [])
    monkeypatch.setattr(cli.time, "monotonic", lambda: clock[0])
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        assert cli._stop_as_on_ctrl_c() == [signal.SIGINT, signal.SIGTERM]
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        handler = signal.getsignal(signal.SIGTERM)
        assert signal.getsignal(signal.SIGINT) is handler
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGTERM, None)
        clock[0] += cli.REPEAT_IGNORED_S - 1
        handler(signal.SIGINT, None)                         # during the cleanup: ignored
        clock[0] += 2
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
        assert [number for number, _ in cli._STOPPED_BY] == [signal.SIGTERM, signal.SIGINT]
        monkeypatch.setattr(cli.os, "getpid", lambda: -1)    # a forked child
        clock[0] += 100
        handler(signal.SIGTERM, None)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_resume_of_a_finished_model_trains_more_epochs(corpus_file, tmp_path, capsys):
    ck, out = tmp_path / "m", tmp_path / "v.bin"
    main(["train", str(corpus_file), "-o", str(out), "--save-model", str(ck), "--min-count", "1",
          "--epochs", "2", "-q"])
    assert main(["train", str(corpus_file), "-o", str(out), "--resume", str(ck), "--epochs", "3"]) == 0
    assert "training 3 more epochs" in capsys.readouterr().err
    assert len(Word2Vec.load(ck).epoch_losses) == 5
    other = tmp_path / "other.txt"
    other.write_text("not a model\n")
    assert main(["train", str(corpus_file), "-o", str(out), "--resume", str(other)]) == 2
    assert "not a fastw2v model file" in capsys.readouterr().err
    # the corpus itself: refused before it is read as a model (it would be saved over)
    text = corpus_file.read_bytes()
    assert main(["train", str(corpus_file), "-o", str(out), "--resume", str(corpus_file)]) == 2
    assert "--resume" in capsys.readouterr().err and corpus_file.read_bytes() == text


def test_eval_says_n_a_for_a_section_with_no_question(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.bin"
    main(["train", str(corpus_file), "-o", str(out), "--min-count", "1", "--epochs", "1", "-q"])
    questions = tmp_path / "q.txt"
    questions.write_text(": known\nt0w1 t0w2 t1w1 t1w2\n: unknown\nking queen man woman\n")
    assert main(["eval", str(out), "--analogies", str(questions), "--sections"]) == 0
    lines = capsys.readouterr().out.split("\n")
    assert re.search(r"known +\d+\.\d\d%  \(\d/1\)", lines[1])
    assert re.search(r"unknown +n/a  \(0/0, 1 skipped\)", lines[2])


def test_encoding_options(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café olé señor\n".encode("latin-1") * 30)
    out = tmp_path / "v.txt"
    assert main(["train", str(path), "-o", str(out), "--min-count", "1", "-q"]) == 2
    assert "invalid UTF-8 byte" in capsys.readouterr().err
    assert main(["train", str(path), "-o", str(out), "--min-count", "1", "-q",
                 "--encoding", "latin-1"]) == 0
    assert sorted(KeyedVectors.load_word2vec_format(out).index_to_key) == ["café", "olé", "señor"]


def test_cbow_starts_at_word2vec_c_s_rate_and_ends_at_its_floor(corpus_file, tmp_path, monkeypatch):
    """word2vec.c starts CBOW at 0.05 and skip-gram at 0.025 and never lets the rate fall below
    starting_alpha x 0.0001 (gensim: a fixed min_alpha, which --min-alpha still sets)."""
    seen = []
    original = Word2Vec.train

    def spy(self, *a, **k):
        seen.append((self.sg, self.alpha, self.min_alpha))
        return original(self, *a, **k)
    monkeypatch.setattr(Word2Vec, "train", spy)
    for flags in (["-cbow", "1"], ["-cbow", "0"], ["-cbow", "1", "-alpha", "0.01"],
                  ["-cbow", "0", "--min-alpha", "0.001"]):
        main(["-train", str(corpus_file), "-output", str(tmp_path / "v.txt"), "-min-count", "1",
              "-iter", "1", "-q"] + flags)
    assert seen == [(0, 0.05, 0.05 * 1e-4), (1, 0.025, 0.025 * 1e-4), (0, 0.01, 0.01 * 1e-4),
                    (1, 0.025, 0.001)]


def test_read_vocab_in_the_corpus_encoding(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes("café olé señor\n".encode("latin-1") * 30)
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes("café 30\nolé 30\n".encode("latin-1"))
    out = tmp_path / "v.txt"
    common = ["train", str(corpus), "-o", str(out), "--min-count", "1", "-q", "-read-vocab", str(vocab)]
    assert main(common) == 2
    assert re.search(r"vocab\.txt: line 1: invalid utf-8 byte b'\\xe9'", capsys.readouterr().err)
    assert main(common + ["--encoding", "latin-1"]) == 0
    assert KeyedVectors.load_word2vec_format(out).index_to_key == ["café", "olé"]


def test_dask_options(corpus_file, tmp_path, capsys):
    require("distributed")
    out = tmp_path / "v.txt"
    assert main(["train", str(corpus_file), "-o", str(out), "--min-count", "1", "--epochs", "1",
                 "--dask-local", "2", "-threads", "1"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"Dask cluster tcp://127\.0\.0\.1:\d+: 2 workers, 2 threads", err)
    assert len(KeyedVectors.load_word2vec_format(out)) == 20
    assert main(["train", str(corpus_file), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in capsys.readouterr().err
    assert main(["train", str(corpus_file), "-o", str(out), "--dask-local", "0"]) == 2
    assert "--dask-local needs at least 1 worker, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("group", [False, True], ids=["to the command", "to its process group"])
def test_sigterm_on_a_dask_run_leaves_no_rows_no_prepared_copy_and_one_line(corpus_file,
                                                                           tmp_path, group):
    # the shared rows in /dev/shm and the prepared copy beside the corpus both go, the
    # LocalCluster closes, and its workers add nothing to the command's line: not the log
    # of closing them under a running command (_worker_startup.QuietClose), nor, when the
    # signal goes to the whole process group as a job scheduler's does, a traceback or a
    # restart of their own (they ignore it; the command stops them)
    require("distributed")
    import glob
    before = set(glob.glob("/dev/shm/fastw2v-*.rows"))
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o",
           str(tmp_path / "v.bin"), "--min-count", "1", "--vector-size", "8", "--epochs", "100000",
           "--dask-local", "2", "-threads", "1"]
    rc, rest, _, _ = interrupt_after_epoch_2(cmd, signal.SIGTERM, group=group)
    assert rc == 143, rest[-3000:]
    tail = [line for line in rest.split("\n") if line and not line.startswith("epoch ")]
    assert len(tail) == 1 and "SIGTERM: interrupted during epoch" in tail[0], rest[-3000:]
    assert set(glob.glob("/dev/shm/fastw2v-*.rows")) <= before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.txt"]


def test_a_scheduler_given_by_address_keeps_running_and_the_command_lets_go(corpus_file,
                                                                            tmp_path):
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(1)
    try:
        clients = lambda: client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.clients))  # noqa: E731
        before = clients()
        assert main(["train", str(corpus_file), "-o", str(tmp_path / "v.txt"), "--min-count", "1",
                     "--epochs", "1", "-q", "--scheduler", client.scheduler.address]) == 0
        assert client.status == "running" and clients() == before      # its client closed
    finally:
        client.close()
        client.cluster.close()
