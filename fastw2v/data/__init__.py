"""Paths to the data files shipped with fastw2v (sources and licences in README.md here)."""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

#: text8-head, xz-compressed: 2,139,748 lowercase words of Wikipedia (CC BY-SA).
TEXT8_SAMPLE = DATA_DIR / "text8-head.txt.xz"
#: Google's analogy questions (Apache 2.0), the file word2vec's compute-accuracy reads.
QUESTIONS_WORDS = DATA_DIR / "questions-words.txt"
#: WordSim-353 similarity pairs, tab-separated, '#' comments.
WORDSIM353 = DATA_DIR / "wordsim353.tsv"


def datapath(name):
    """The path of a bundled file by name, as gensim's ``gensim.test.utils.datapath``
    (``datapath("questions-words.txt")``, ``datapath("wordsim353.tsv")``)."""
    path = DATA_DIR / name
    if name.startswith((".", "_")) or not path.is_file():
        have = sorted(p.name for p in DATA_DIR.iterdir() if p.is_file() and p.suffix != ".py"
                      and not p.name.startswith("."))
        raise FileNotFoundError(f"no bundled data file {name!r}; fastw2v ships {', '.join(have)}")
    return str(path)
