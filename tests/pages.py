"""Reading back what a written graph page carries (the packed ``pw-data`` element)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any

_DATA = re.compile(
    r'<script id="pw-data" type="application/octet-stream" data-encoding="gzip\+base64">'
    r"([A-Za-z0-9+/=]*)</script>"
)


def page_payload(page: str) -> dict[str, Any]:
    """The data a page's script opens: vis nodes and edges, details, index, status, ..."""
    found = _DATA.findall(page)
    assert len(found) == 1, "a page holds exactly one packed data element"
    payload: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(found[0])))
    return payload
