"""python-igraph without its plotting: ``from graph.ig import ig``.

Importing igraph imports matplotlib and matplotlib.pyplot whenever matplotlib is
installed (its drawing package looks for them): a third of a 10k-paper build's
start-up. paperweb never plots through igraph, and draws its report pictures with
matplotlib's object interface in a helper process; so matplotlib is kept out while
igraph loads (igraph then has no matplotlib plotting, and says so if asked) and is
importable again after.
"""

from __future__ import annotations

import sys

_MATPLOTLIB = "matplotlib"

if "igraph" not in sys.modules and _MATPLOTLIB not in sys.modules:
    # A None entry makes the import fail with ImportError; igraph then uses stand-ins.
    sys.modules[_MATPLOTLIB] = None  # type: ignore[assignment]
    try:
        import igraph as ig
    finally:
        del sys.modules[_MATPLOTLIB]
else:
    import igraph as ig

__all__ = ["ig"]
