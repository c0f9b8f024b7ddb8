"""The build's memory budget: how much DuckDB may hold before it spills to disk (issue 17).

Sizes are written as DuckDB writes them (``8GB``, ``512MiB``) or as a share of the
machine's memory (``50%``); the default is :data:`DEFAULT_SHARE` of it.
"""

from __future__ import annotations

import os
import re

from paperweb.errors import UsageError

__all__ = ["DEFAULT_SHARE", "default_memory_limit", "machine_memory", "parse_size"]

#: share of the machine's memory DuckDB may use by default (DuckDB's own default is 80%,
#: which leaves too little for the Python side of the keyword and metrics stages)
DEFAULT_SHARE = 0.5
#: below this DuckDB cannot run a build's queries
SMALLEST = 64 * 2**20

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*|%)\s*", re.IGNORECASE)


def machine_memory() -> int:
    """Physical memory of this machine in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def default_memory_limit() -> int:
    """:data:`DEFAULT_SHARE` of the machine's memory, in bytes."""
    return int(machine_memory() * DEFAULT_SHARE)


def parse_size(text: str, option: str = "--memory-limit") -> int:
    """Bytes of a size such as ``8GB``, ``512MiB`` or ``40%`` (of the machine's memory).

    >>> parse_size("8GB"), parse_size("512MiB"), parse_size("1.5gb")
    (8000000000, 536870912, 1500000000)
    """
    found = _SIZE.fullmatch(text)
    unit = found.group(2).lower() if found else ""
    if found is None or (unit != "%" and unit not in _UNITS):
        raise UsageError(
            f"{option} {text!r} is not a size: write e.g. 8GB, 512MiB or 50% (of the machine's memory)"
        )
    number = float(found.group(1))
    if unit == "%":
        if not 0 < number <= 100:
            raise UsageError(f"{option} {text!r}: a share of memory is above 0% and at most 100%")
        size = int(machine_memory() * number / 100)
    else:
        size = int(number * _UNITS[unit])
    if size < SMALLEST:
        raise UsageError(f"{option} {text!r} is below the {SMALLEST // 2**20} MiB a build needs")
    return size
