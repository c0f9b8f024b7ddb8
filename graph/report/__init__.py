"""The centrality report: what is central and why, as Markdown, JSON, CSV and pictures.

``data.report_data`` reads everything once from the store into plain data;
``markdown.render_markdown`` turns that data into text, so the report is testable
without files, and the JSON carries the same facts for scripts. The pictures
(:mod:`graph.figures`, drawn by :mod:`graph.pictures`) come from ``maps.figure_inputs``; ``files.write_report``
writes them all (``files.writing_report`` draws the pictures in another process while
the build writes its page). The SQL is in :mod:`graph.store.report`.
"""

from __future__ import annotations

from graph.report.data import report_data
from graph.report.files import (
    REPORT_FORMATS,
    PictureHelper,
    picture_helper,
    write_report,
    writing_report,
)
from graph.report.maps import figure_inputs
from graph.report.markdown import md, ordinal, render_markdown

__all__ = [
    "REPORT_FORMATS",
    "PictureHelper",
    "figure_inputs",
    "md",
    "ordinal",
    "picture_helper",
    "render_markdown",
    "report_data",
    "write_report",
    "writing_report",
]
