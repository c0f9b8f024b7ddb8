"""Decoding JSON from files and services without letting its corner cases crash a build.

Three things valid-looking JSON can do that ``json.loads`` passes on: nest deeper than
Python's recursion limit (``json.loads`` raises ``RecursionError``, which is no
``ValueError``), hold a number of more than 4,300 digits (a plain ``ValueError``), and carry a lone surrogate escape such as ``"\\ud800"`` (decoded to a
string that cannot be encoded as UTF-8, so DuckDB refuses it when the build stores it).
:func:`load_json` turns the first two into a :class:`json.JSONDecodeError` and replaces
lone surrogates with U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["clean_text", "load_json"]

# An escape that may decode to a surrogate; pairs are joined by the decoder, so any
# surrogate left in a decoded string is a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def load_json(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)``; too-deep nesting is a ``JSONDecodeError``, lone surrogates are replaced."""
    if isinstance(data, (bytes, bytearray)):
        # What json.loads does with bytes, so the surrogate check below sees the text.
        data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", data, 0) from None
    except ValueError as exc:
        # int() refuses numbers of more than 4,300 digits with a plain ValueError.
        raise json.JSONDecodeError("a number too long to read", data, 0) from exc
    if _SURROGATE_ESCAPE.search(data) is None and _SURROGATE.search(data) is None:
        return value
    return _scrubbed(value)


def _scrubbed(value: Any) -> Any:
    """``value`` with lone surrogates replaced in every string, key or value (no recursion)."""
    if isinstance(value, str):
        return clean_text(value)
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            for index, element in enumerate(item):
                if isinstance(element, str):
                    item[index] = clean_text(element)
                elif isinstance(element, (list, dict)):
                    pending.append(element)
        elif isinstance(item, dict):
            for key in list(item):
                element = item[key]
                if isinstance(key, str) and _SURROGATE.search(key):
                    del item[key]
                    key = clean_text(key)
                if isinstance(element, str):
                    element = clean_text(element)
                elif isinstance(element, (list, dict)):
                    pending.append(element)
                item[key] = element
    return value
