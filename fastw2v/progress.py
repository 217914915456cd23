"""Training progress on stderr: percent, words/s, learning rate, ETA; one line per epoch."""
import sys
import time


def _si(x):
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if x >= scale:
            return f"{x / scale:.2f}{unit}"
    return f"{x:.0f}"


class Progress:
    """Reports training progress at most every ``interval`` seconds.

    On a terminal the progress line is redrawn in place; otherwise (logs, CI) only the
    per-epoch lines are written. ``enabled=False`` writes nothing.
    """

    def __init__(self, total_words, epochs, enabled=True, stream=None, interval=1.0):
        self.total_words = total_words       # raw words per epoch
        self.epochs = epochs
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interval = interval
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.restart()

    def restart(self, first_epoch=0):
        """Start the clock now (after compiling), training from ``first_epoch`` (a resumed run)."""
        self.first_epoch = first_epoch
        self.start = self._last = time.perf_counter()

    def update(self, epoch, words_done, lr):
        """``words_done``: raw words processed in this epoch so far."""
        now = time.perf_counter()
        if not self.tty or now - self._last < self.interval:
            return
        self._last = now
        done = epoch * self.total_words + words_done
        total = self.epochs * self.total_words
        elapsed = now - self.start
        rate = (done - self.first_epoch * self.total_words) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("inf")
        self.stream.write(f"\repoch {epoch + 1}/{self.epochs}  {100.0 * done / total:5.1f}%  "
                          f"{_si(rate)} words/s  lr {lr:.6f}  ETA {eta:.0f}s   ")
        self.stream.flush()

    def epoch_end(self, epoch, loss, pairs, seconds):
        """The epoch's line. Its loss is the online loss: each pair scored with the weights of
        the moment it was trained. As the learning rate decays to ~0 that loss loses the help
        of the updates just made, so the last epoch's can rise a little while the frozen
        model's loss still falls (bench_results/epoch_loss.md)."""
        if not self.enabled:
            return
        per_pair = loss / pairs if pairs else float("nan")
        rate = self.total_words / seconds if seconds > 0 else float("inf")
        self.stream.write(f"{chr(13) if self.tty else ''}epoch {epoch + 1}/{self.epochs}: "
                          f"loss {per_pair:.4f} per pair ({pairs} pairs), {_si(rate)} words/s, "
                          f"{seconds:.2f}s{' ' * 20 if self.tty else ''}\n")
        self.stream.flush()
