"""Python syntax highlighting for the scratchpad, in a light and a dark palette."""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_PALETTES = {
    "light": {
        "keyword": "#0033b3",
        "builtin": "#8a3fb0",
        "string": "#067d17",
        "comment": "#8c8c8c",
        "number": "#1750eb",
        "decorator": "#9e880d",
        "self": "#94558d",
    },
    "dark": {
        "keyword": "#cc7832",
        "builtin": "#c77dbb",
        "string": "#6aab73",
        "comment": "#7a7e85",
        "number": "#2aacb8",
        "decorator": "#bbb529",
        "self": "#94558d",
    },
}

_BUILTINS = "print len range enumerate zip list dict set tuple int float str bool abs min max sum"
_RULES = [
    ("keyword", r"\b(" + "|".join(keyword.kwlist) + r")\b"),
    ("builtin", r"\b(" + "|".join(_BUILTINS.split()) + r")\b"),
    ("self", r"\bself\b"),
    ("number", r"\b(0[xob][0-9a-fA-F_]+|\d[\d_]*\.?\d*(e[+-]?\d+)?j?)\b"),
    ("decorator", r"^\s*@[\w.]+"),
    ("string", r"[rbfu]{0,2}(\"[^\"\\\n]*(\\.[^\"\\\n]*)*\"|'[^'\\\n]*(\\.[^'\\\n]*)*')"),
    ("comment", r"#[^\n]*"),
]
_TRIPLE = re.compile(r"\"\"\"|'''")


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings (triple-quoted across lines) and comments."""

    def __init__(self, document: QTextDocument, theme: str = "light") -> None:
        super().__init__(document)
        self._rules = [(re.compile(p), kind) for kind, p in _RULES]
        self.set_theme(theme)

    def set_theme(self, theme: str) -> None:
        self._formats = {}
        for kind, colour in _PALETTES.get(theme, _PALETTES["light"]).items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if kind == "keyword":
                fmt.setFontWeight(QFont.Weight.Bold)
            if kind == "comment":
                fmt.setFontItalic(True)
            self._formats[kind] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        for regex, kind in self._rules:  # later rules (strings, comments) paint over earlier ones
            for m in regex.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), self._formats[kind])
        self._highlight_triple(text)

    def _highlight_triple(self, text: str) -> None:
        """Block state 1 = inside a triple-quoted string carried over from the previous line."""
        start = 0
        inside = self.previousBlockState() == 1
        self.setCurrentBlockState(0)
        pos = 0
        while True:
            m = _TRIPLE.search(text, pos)
            if inside:
                end = m.end() if m else len(text)
                self.setFormat(start, end - start, self._formats["string"])
                if not m:
                    self.setCurrentBlockState(1)
                    return
                inside, pos = False, m.end()
            else:
                if not m:
                    return
                inside, start, pos = True, m.start(), m.end()
