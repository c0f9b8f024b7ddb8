"""LaTeX in titles and other short fields, decoded to readable Unicode text (pylatexenc).

pylatexenc knows accents, symbols, dashes, quotes and most text macros. On top of it:

- logos (``\\TeX``, ``\\LaTeX``, ``\\BibTeX``, ...) and the dash and hyphen macros of
  biblatex and babel (``\\hyphen``, ``\\mdash``, ``\\ndash``) become their text, where
  pylatexenc would drop them and glue the words around them;
- an accent with an empty argument is the character itself (``\\~{}`` is a tilde);
- math stays readable: ``$O(n^2)$`` gives ``O(n^2)``, ``$\\alpha$`` gives ``α``, and
  operator names keep the space after them (``$\\log n$`` gives ``log n``, not ``logn``).
"""

from __future__ import annotations

import re
from typing import Any

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

__all__ = ["decode_latex"]

_LOGOS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX",
    "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX",
    "ConTeXt": "ConTeXt",
    "AmS": "AMS",
    "AmSTeX": "AMS-TeX",
    "METAFONT": "METAFONT",
    "MF": "METAFONT",
    "MP": "MetaPost",
    "eTeX": "e-TeX",
    "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX",
    "hyphen": "-",
    "hyph": "-",
    "mdash": "—",
    "ndash": "–",
    "textendash": "–",
    "textemdash": "—",
    "slash": "/",
}
_OPERATORS = (
    "log ln lg exp sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth "
    "max min sup inf lim limsup liminf arg det dim ker deg gcd hom Pr mod bmod"
).split()
# Accents that are a character of their own when nothing is under them: \~{} and \^{}.
_BARE_ACCENTS = {"~": "~", "^": "^", "'": "'", "`": "`", '"': '"'}


def _operator(name: str) -> Any:
    def text(n: latexwalker.LatexMacroNode) -> str:
        # LaTeX sets an operator apart from what follows; plain text needs the space.
        return name + (" " if n.macro_post_space else "")

    return text


def _accent(char: str, spec: MacroTextSpec) -> Any:
    def text(n: latexwalker.LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
        args = n.nodeargd.argnlist if n.nodeargd is not None else []
        arg = args[-1] if args else None
        if arg is None or (
            isinstance(arg, latexwalker.LatexGroupNode)
            and not "".join(l2tobj.nodelist_to_text(arg.nodelist).split())
        ):
            return char
        repl = spec.simplify_repl
        return str(repl(n, l2tobj=l2tobj) if callable(repl) else repl)

    return text


def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    macros = [MacroTextSpec(name, simplify_repl=text) for name, text in _LOGOS.items()]
    macros += [MacroTextSpec(name, simplify_repl=_operator(name)) for name in _OPERATORS]
    for char, bare in _BARE_ACCENTS.items():
        spec = context.get_macro_spec(char)
        if isinstance(spec, MacroTextSpec):
            macros.append(MacroTextSpec(char, simplify_repl=_accent(bare, spec)))
    # \url{...} is the address itself, not "<address>".
    macros.append(MacroTextSpec("url", simplify_repl="%s"))
    context.add_context_category("paperweb", macros=macros, prepend=True)
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)


_DECODER = _decoder()
# Text without a backslash, brace, $, ~ or TeX ligature (--, ``, '') has nothing to decode.
_PLAIN = re.compile(r"(?:[^\\{}$~`'-]|-(?!-)|'(?!')|`(?!`))*")


def decode_latex(text: str) -> str:
    """Readable text for a LaTeX fragment, whitespace collapsed.

    >>> decode_latex(r"The {\\TeX book} -- {Schr\\\"{o}dinger} \\& $O(\\log n)$")
    'The TeXbook – Schrödinger & O(log n)'
    """
    if _PLAIN.fullmatch(text):
        return " ".join(text.split())
    try:
        decoded = _DECODER.latex_to_text(text)
    except (latexwalker.LatexWalkerError, IndexError, ValueError):
        # Malformed LaTeX (an unclosed brace or $): the text as written reads better than nothing.
        decoded = text
    return " ".join(decoded.split())
