"""Step reports handed from the training thread to the UI thread without a signal per batch.

The training thread only appends; the UI thread takes what is there when it is about to draw.
Both are single list operations under the GIL (append; a slice copy then a slice delete of
exactly the items copied), so nothing is lost or taken twice, and a step costs one append: no
lock, no Qt signal, no wake-up of the UI thread.
"""

from __future__ import annotations

import bisect
from typing import Any


class Outbox:
    """Reports of one run (`generation`: the load that made the run), oldest first; each has a
    `.step`, increasing."""

    def __init__(self, generation: int = 0) -> None:
        self.generation = generation
        self._items: list[Any] = []
        self.put = self._items.append  # the training thread's only call, once per step

    def extend(self, items: list[Any]) -> None:
        self._items.extend(items)

    def take(self, upto: int | None = None) -> list[Any]:
        """What was put so far (UI thread), only the reports of steps <= `upto` if given; later
        ones wait for the next take."""
        items = self._items
        n = len(items)
        if upto is not None:
            n = bisect.bisect_right(items, upto, hi=n, key=lambda r: r.step)
        batch = items[:n]
        del items[:n]  # only what was copied: a put in between stays for the next take
        return batch

    def __len__(self) -> int:
        return len(self._items)
