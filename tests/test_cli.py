"""cli.py: the fastw2v command, with readable and word2vec.c spellings."""
import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import KeyedVectors
from fastw2v.cli import main


@pytest.fixture
def corpus_file(tmp_path):
    corpus, _ = planted_corpus(np.random.default_rng(0), n_sentences=300)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    return path


def test_train_with_c_tool_flags(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.txt"
    rc = main(["train", "-train", str(corpus_file), "-output", str(out), "-size", "12", "-window", "3",
               "-negative", "4", "-sample", "0", "-iter", "2", "-min-count", "1", "-threads", "1",
               "-binary", "0", "-alpha", "0.03", "-cbow", "0", "--quiet"])
    assert rc == 0
    kv = KeyedVectors.load_word2vec_format(out, binary=False)
    assert kv.vectors.shape == (20, 12)


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
