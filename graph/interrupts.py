"""Ctrl-C held back while a commit point runs (a rename, a swap of output files)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from paperweb.errors import Interrupted

__all__ = ["interrupts_deferred"]


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
