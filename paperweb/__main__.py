"""``python -m paperweb`` and the ``paperweb`` command.

The command line is imported inside :func:`main`, so that Ctrl-C while it loads (typer,
DuckDB, NumPy take a second) ends with one line too, not a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line; Ctrl-C before a command starts touches nothing."""
    try:
        from paperweb.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was changed\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
