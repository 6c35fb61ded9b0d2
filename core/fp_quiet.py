"""Floating-point warnings off inside core's ops: PyTorch never warns on overflow, 0/0 or log(0).

Every op's forward (``autograd.function.forward_quiet``, under ``apply_op``, ``apply_cast`` and
``apply_optional``), every node the backward loops run (``_drain``, and ``_run`` node by node),
optimizer steps, casts, fills and item assignment run quiet, so ``tensor * 1e300`` gives inf
without NumPy's RuntimeWarning, as in PyTorch. The user's own NumPy code keeps its error state,
except code core calls back from inside such a scope: tensor and module hooks during
``backward()``, and an optimizer's ``closure``, run quiet too (and an ``np.seterr`` there lasts
until the scope ends).

``np.errstate`` builds its state anew on every entry, about a microsecond: a tenth of a small
op's whole cost. Here one state, built at import (every condition ignored; NumPy's buffer size of
that moment, which only tunes speed), is set on NumPy's own context variable: per thread and per
task as ``np.errstate`` is, nesting, at a fifth of the cost. NumPy 1.x, which has no such
variable, gets ``np.seterr`` (thread-local there too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # NumPy 2's private home of the error state; a NumPy without it takes the public path
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # pragma: no cover - NumPy 1.x
    _extobj_contextvar = None

if _extobj_contextvar is not None:
    _IGNORE_ALL: Any = _make_extobj(all="ignore")

    def ignore_all() -> Any:
        """Turn every floating-point condition off; returns what ``restore`` takes."""
        return _extobj_contextvar.set(_IGNORE_ALL)

    def restore(token: Any) -> None:
        _extobj_contextvar.reset(token)

else:  # pragma: no cover - NumPy 1.x

    def ignore_all() -> Any:
        return np.seterr(all="ignore")

    def restore(token: Any) -> None:
        np.seterr(**token)


class quiet:  # noqa: N801  (used as a function: ``with quiet():``, like np.errstate)
    """``with quiet():`` as ``with np.errstate(all="ignore"):``, without building the state.
    One instance is entered once, as ``np.errstate``'s."""

    __slots__ = ("_token",)

    def __init__(self) -> None:
        self._token: Any = None

    def __enter__(self) -> None:
        if self._token is not None:
            raise TypeError("Cannot enter `quiet()` twice: use a new one.")
        self._token = ignore_all()

    def __exit__(self, *exc: object) -> None:
        restore(self._token)
