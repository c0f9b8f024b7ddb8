"""Ctrl-C held back while a commit point runs (a rename, a swap of output files)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from paperweb.errors import Interrupted

__all__ = ["InterruptCheckpoints", "interrupts_deferred"]


@contextmanager
def interrupts_deferred(after: str) -> Iterator[None]:
    """Run the block with SIGINT held; one that came meanwhile raises :class:`Interrupted`
    (with the message ``after``) once the block is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise Interrupted(after)


class InterruptCheckpoints:
    """Within the block, Ctrl-C takes effect at :meth:`check` only (between build stages).

    A KeyboardInterrupt raised inside DuckDB's or igraph's threads can abort the process
    (``terminate called without an active exception``) or surface as a "Query
    interrupted" error; raised from Python between stages it cannot.
    """

    def __init__(self) -> None:
        self.caught = False
        self._previous: Any = None

    def _hold(self, signum: int, frame: FrameType | None) -> None:
        self.caught = True

    def __enter__(self) -> InterruptCheckpoints:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._hold)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C came since the block began."""
        if self.caught:
            raise KeyboardInterrupt
