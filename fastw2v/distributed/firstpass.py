"""The first pass on the workers: each unit (a byte range or a compressed file) is counted and
its ids written to the shared output directory by a worker; the client merges the counts once,
in unit order, exactly as the local first pass does (``corpus/prepared.py``)."""
from ..corpus.firstpass import count_unit


def count_on_workers(client, units, spills, encoding, unicode_errors):
    """Yield every unit's ``UnitCount`` in unit order; on an error the rest are cancelled."""
    n = len(units)
    futures = client.map(_count, units, spills, [encoding] * n, [unicode_errors] * n, pure=False)
    try:
        for i in range(n):
            result = futures[i].result()
            futures[i] = None                  # the worker lets the unit's table go, as the
            yield result                       # local pass lets it go once merged
    except BaseException:                      # an error or Ctrl-C: the rest are not needed
        client.cancel([f for f in futures if f is not None])
        raise


def _count(unit, spill, encoding, unicode_errors):
    try:
        return count_unit(unit, spill, encoding, unicode_errors)
    except OSError as e:
        from distributed import get_worker
        raise OSError(f"worker {get_worker().address} cannot read {e.filename or unit.path!r}: "
                      f"{e.strerror or e} (the corpus and the output must be on a filesystem "
                      "every worker sees)") from None
