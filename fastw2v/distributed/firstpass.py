"""The first pass on the workers: each unit (a byte range or a compressed file) is counted and
its ids written to the shared output directory by a worker, into a word table of its own (a
task must not depend on which worker ran the ones before, so that Dask can run it again
anywhere); the client merges the tables as they come, as it merges the local threads' tables
(``corpus/prepared.py``), into the same vocabulary."""
from ..corpus.firstpass import count_unit


def count_on_workers(client, units, spills, encoding, unicode_errors):
    """Yield every unit's ``UnitCount`` and then its ``TableCount`` (numbered as the unit), in
    the order the units finish, so that the client merges each table while the workers count
    the rest (in unit order, a table that came first waited for the units before it; the
    caller orders the ``UnitCount``s by ``index``); on an error the rest are cancelled."""
    from distributed import as_completed
    n = len(units)
    futures = client.map(_count, units, spills, [encoding] * n, [unicode_errors] * n, range(n),
                         pure=False)
    try:
        for future in as_completed(futures, loop=client.loop):
            counted, table = future.result()
            future.release()                   # the worker lets the unit's table go, as the
            yield counted                      # caller lets it go once merged
            yield table
    except BaseException:                      # an error or Ctrl-C: the rest are not needed
        client.cancel(futures)
        raise


def _count(unit, spill, encoding, unicode_errors, index):
    try:
        return count_unit(unit, spill, encoding, unicode_errors, index=index)
    except OSError as e:
        from distributed import get_worker
        raise OSError(f"worker {get_worker().address} cannot read {e.filename or unit.path!r}: "
                      f"{e.strerror or e} (the corpus and the output must be on a filesystem "
                      "every worker sees)") from None
