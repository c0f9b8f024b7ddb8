"""Ranges of rows handed to a pool of forked processes, so the keyword stage uses every core.

The workers are forked with the stage's inputs already in memory (a module global set
just before the pool starts), so nothing of the corpus is pickled on the way in; a task
is a ``(first, last)`` range of rows and its answer compact arrays or counters, merged
in range order by the caller so that the result is the one a single pass gives.
Small inputs, one core, or a platform without ``fork`` run the ranges in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = [
    "MIN_BACKGROUND_ROWS",
    "MIN_PARALLEL_ROWS",
    "SharedClaims",
    "Steps",
    "available_workers",
    "background",
    "each_range",
    "in_threads",
    "map_batches",
    "map_ranges",
    "no_steps",
]
_Argument = TypeVar("_Argument")

#: progress within a stage: (what is under way, rows done, rows in all)
Steps = Callable[[str, int, int], None]


def no_steps(what: str, done: int, total: int) -> None:
    """Default :data:`Steps` sink: say nothing."""


_Shared = TypeVar("_Shared")
_Result = TypeVar("_Result")
_Batch = TypeVar("_Batch")

#: below this many rows a pool costs about what it saves (forking, pickling answers,
#: each range tokenising its own distinct words): whole builds of 5k papers took
#: 6.6-6.7 s either way, of 10k papers 8.0-8.3 s with pools against 8.2-8.3 s without
MIN_PARALLEL_ROWS = 5_000
#: rows from which a single task runs in a forked process of its own (:func:`background`):
#: a fork costs about 10 ms, against tenths of a second of Leiden, betweenness or word
#: frequencies at a few thousand papers
MIN_BACKGROUND_ROWS = 2000
#: most workers started; answers are merged by the parent, which bounds the gain
MAX_WORKERS = 8

# What the forked workers read: set only while a pool runs.
_shared: Any = None


def available_workers() -> int:
    """The cores this process may run on (its CPU affinity), at most ``MAX_WORKERS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _run(task: tuple[Callable[[Any, int, int], Any], int, int]) -> Any:
    function, first, last = task
    return function(_shared, first, last)


def map_ranges(
    function: Callable[[_Shared, int, int], _Result],
    shared: _Shared,
    rows: int,
    workers: int,
    chunk: int,
    steps: Steps = no_steps,
    what: str = "",
) -> list[_Result]:
    """``function(shared, first, last)`` for consecutive ranges of ``chunk`` rows, in order.

    ``function`` must be a module-level function (it is pickled by name). With
    ``workers`` >= 2 and at least two ranges the ranges run in forked processes.
    ``steps(what, done, rows)`` hears of every range done (and once before the first).
    """
    return list(each_range(function, shared, rows, workers, chunk, steps, what))


def each_range(
    function: Callable[[_Shared, int, int], _Result],
    shared: _Shared,
    rows: int,
    workers: int,
    chunk: int,
    steps: Steps = no_steps,
    what: str = "",
) -> Iterator[_Result]:
    """:func:`map_ranges` handing on each range's answer as soon as it and those before it
    are done, so that the caller merges them while the workers still run (its merge
    then shares the cores with them instead of running alone after the pool)."""
    global _shared
    ranges = [(first, min(first + chunk, rows)) for first in range(0, rows, max(chunk, 1))]
    steps(what, 0, rows)
    if workers < 2 or len(ranges) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for first, last in ranges:
            yield function(shared, first, last)
            steps(what, last, rows)
        return
    _shared = shared
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(ranges)), mp_context=context) as pool:
            # Every range is submitted (and the workers forked) before the first answer
            # is handed on: a worker forked later would copy whatever the caller has
            # built by then.
            tasks = deque(pool.submit(_run, (function, first, last)) for first, last in ranges)
            _shared = None
            for _, last in ranges:
                # Let go of the future: the caller decides how long an answer lives.
                yield tasks.popleft().result()
                steps(what, last, rows)
    finally:
        _shared = None


def _run_batch(task: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    function, batch = task
    return function(_shared, batch)


def map_batches(
    function: Callable[[_Shared, _Batch], _Result],
    shared: _Shared,
    batches: Iterable[_Batch],
    workers: int,
) -> Iterator[_Result]:
    """``function(shared, batch)`` for each of ``batches`` (read as they come), in order.

    For work whose input streams (rows from the database, say) rather than sits in
    memory: each batch is pickled to one of ``workers`` forked processes, which see
    ``shared`` as it was when they started; a few batches per worker are in flight at
    a time, so the input is never all held at once. With ``workers`` < 2 (or no
    ``fork``) the batches run in this process.
    """
    global _shared
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            yield function(shared, batch)
        return
    _shared = shared
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending: deque[Future[_Result]] = deque()
            for batch in batches:
                pending.append(pool.submit(_run_batch, (function, batch)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _shared = None


def in_threads(function: Callable[[int], None], starts: range, workers: int) -> None:
    """``function(start)`` for every start of ``starts``, on ``workers`` threads when there
    are two starts or more.

    For NumPy work on disjoint slices of arrays this process holds: sorting, searching
    and fancy indexing of numeric arrays let go of the GIL, so threads keep both cores
    busy with nothing copied or forked (1.6-1.8x on two cores for chunked gathers and
    sorts of 100M entries). ``function`` must write only its own slice.
    """
    if workers < 2 or len(starts) < 2:
        for start in starts:
            function(start)
        return
    with ThreadPoolExecutor(min(workers, len(starts))) as pool:
        # list() re-raises the first exception of a chunk here.
        list(pool.map(function, starts))


def _run_inherited(function: Callable[[Any], Any]) -> Any:
    return function(_shared)


@contextmanager
def background(
    function: Callable[[_Argument], _Result],
    argument: _Argument,
    workers: int,
    inherit: bool = False,
) -> Iterator[Callable[[], _Result]]:
    """Start ``function(argument)`` in a forked process; the block gets a call that waits for it.

    The caller goes on with other work meanwhile. ``function`` and the result are
    pickled; so is ``argument``, unless ``inherit`` is true: then the process reads it
    as it was at the fork (a graph of a million nodes costs nothing to hand over), so
    the caller must not change it in place meanwhile. With ``workers`` < 2 (or no
    ``fork``) the call computes the result here when first asked for.
    """
    global _shared
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        found: list[_Result] = []

        def here() -> _Result:
            if not found:
                found.append(function(argument))
            return found[0]

        yield here
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        if inherit:
            # The pool forks its process inside the first submit, which is when it copies _shared.
            _shared = argument
            try:
                future = pool.submit(_run_inherited, function)
            finally:
                _shared = None
        else:
            future = pool.submit(function, argument)
        # The process ends once its answer is sent, not at the end of the block: idle, it
        # would keep its copy of every page this process changes meanwhile (GBs at 2.7M
        # papers while the keywords are extracted).
        pool.shutdown(wait=False)
        yield future.result


class SharedClaims:
    """Items ``0 .. count - 1`` shared out between a forked helper and this process,
    each taken once.

    Made before the fork, which the helper inherits it through (:func:`background` with
    ``inherit``). The helper takes items from the front, this process from the back
    once its own work is done, so the two meet wherever the work runs out: a job the
    helper has not started by then is done here instead of waited for.
    """

    def __init__(self, count: int) -> None:
        self._taken = multiprocessing.Array("b", count)

    def _take(self, index: int) -> bool:
        with self._taken.get_lock():
            if self._taken[index]:
                return False
            self._taken[index] = 1
            return True

    def front(self, count: int | None = None) -> Iterator[int]:
        """The items this caller takes, from the first on (the helper's side); ``count``
        shares out only the first ``count`` items (both sides must pass the same)."""
        for index in range(len(self._taken) if count is None else count):
            if self._take(index):
                yield index

    def back(self, count: int | None = None) -> Iterator[int]:
        """The items this caller takes, from the last down to one the other side has."""
        for index in reversed(range(len(self._taken) if count is None else count)):
            if not self._take(index):
                return
            yield index
