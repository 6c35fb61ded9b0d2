"""Guard against a reference-count bug of PySide6 6.12 on CPython 3.11.

There, every call of a Qt method that returns nothing (``item.update()``, ``label.setText()``)
drops one reference to ``None`` instead of returning a new one (the build assumes the immortal
``None`` of CPython 3.12+). After a few thousand such calls CPython frees ``None`` and aborts with
"Fatal Python error: none_dealloc". Stepping a large graph makes thousands of those calls.

``make_singletons_immortal`` detects the bug and, only where it is present, gives ``None``,
``True`` and ``False`` a reference count so large that it can never reach zero, which is what
CPython 3.12 does for them by design. It is idempotent and does nothing on CPython 3.12+.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_done = False


def pyside_drops_none() -> bool:
    """True when a void Qt call loses a reference to None (the bug)."""
    from PySide6.QtCore import QPointF

    p = QPointF()
    before = sys.getrefcount(None)
    for _ in range(64):
        p.setX(1.0)
    return sys.getrefcount(None) < before


def make_singletons_immortal() -> bool:
    """Apply the guard if needed; returns whether it is (now) in place."""
    global _done
    if _done:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not pyside_drops_none():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _done = True
    return True
