"""A guard against C extensions that lose references to True, False or None.

PySide6 6.12 (built for the immortal singletons of CPython 3.12+) returns `True` from a
successful `signal.disconnect(slot)`, and `None` from void Qt calls, without taking a new
reference. Each call drops one reference, and after enough of them Python 3.11 aborts the
process ("Fatal Python error: bool_dealloc" / "none_dealloc"), usually at exit. Python 3.12
made these singletons immortal; on older Pythons we do the same by giving them a reference
count that no leak can exhaust.
"""

from __future__ import annotations

import ctypes
import sys

_BUMP = 1 << 40  # references added; a leak of one per microsecond would take 12 days
_applied = False


def apply() -> bool:
    """Make True, False and None effectively immortal; returns whether anything was done."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return _applied  # already done, already immortal, or a debug build (other layout)
    for singleton in (True, False, None):
        # ob_refcnt is the first field of every object in a release build of CPython
        ctypes.c_ssize_t.from_address(id(singleton)).value += _BUMP
    _applied = True
    return True
