"""Measured numbers live in bench_results/, and the code points there: a speed quoted in a
docstring goes stale as soon as the kernel changes, while a pointer does not."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "fastw2v").rglob("*.py"))
# a measured speed, speed-up or accuracy: "1.2M words/s", "0.94-1.00M", "1.8x", "8.05 %"
MEASURED = re.compile(r"\d(\.\d+)?M\b|\d\.\d+x\b|\d\.\d+ ?%|words/s[^\"'{]*\d")


def test_no_measured_numbers_in_the_package():
    found = [f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
             for path in SOURCES for i, line in enumerate(path.read_text().splitlines(), 1)
             if MEASURED.search(line)]
    assert found == []


def test_pointers_to_the_decision_ledger_resolve():
    ledger = (ROOT / "bench_results" / "decisions.md").read_text()
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', ledger))
    text = "\n".join(path.read_text() for path in SOURCES)
    text = re.sub(r"\s*\n\s*#\s*", "", text)          # a pointer split over a comment line
    pointed = set(re.findall(r"decisions\.md\s*#([a-z0-9-]+)", text))
    assert pointed, "the code points to no entry of bench_results/decisions.md"
    assert pointed <= anchors, pointed - anchors
