"""``python -m paperweb`` and the ``paperweb`` command.

The command line is imported inside :func:`main`, so that Ctrl-C while it loads (typer,
DuckDB, NumPy, igraph take a second) ends with one line too, not a traceback.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType


def main() -> None:
    """Run the command line; Ctrl-C before a command starts touches nothing."""
    try:
        _load_then_run()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was changed\n")
        sys.stderr.flush()
        # half-imported modules may hold threads or handlers that a normal exit would run
        # into (Python then re-raises SIGINT at exit); nothing was opened yet
        os._exit(130)
    finally:
        # Everything alive now lives until the process ends anyway: moved out of the
        # collector's reach, it is not collected again while the interpreter shuts down
        # (0.6 s of a 10k-paper build went there). Files and the database are closed by now.
        gc.freeze()


def _load_then_run() -> None:
    # Ctrl-C is held while the modules load and acted on once they have: raised inside an
    # extension module's initialisation (NumPy, matplotlib through igraph) it comes out as
    # "ImportError: initialization failed" or a RuntimeError, and a library that catches
    # it leaves a half-imported module behind.
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        from paperweb.cli import main as run
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt
    run()


if __name__ == "__main__":
    main()
