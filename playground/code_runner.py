"""Runs scratchpad cells on a worker thread and streams their output to the UI, throttled.

The worker only appends output to a locked buffer; a UI-thread timer drains it about 20 times a
second and passes on at most `FLUSH_LIMIT` characters, so `while True: print(1)` can neither
flood the event queue nor freeze the console. Stop raises an exception inside the worker.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from playground.execution import RunResult, execute, interrupt

FLUSH_MS = 50
FLUSH_LIMIT = 2_000  # characters passed to the console per flush (~40k/s); the rest is counted
SWITCH_INTERVAL = 0.001  # s; the GIL hand-over time while a cell runs (Python's default: 5 ms)
KEEP_LIMIT = 1_000_000  # characters kept in RunResult.output


class _OutputBuffer:
    """Thread-safe pending output holding only the newest FLUSH_LIMIT characters.

    The worker may write far faster than anyone can read; what the UI could not show in time is
    counted, not kept, so neither memory nor the next flush grows with the flood.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: deque[tuple[str, str]] = deque()
        self._size = 0
        self._dropped = 0

    def append(self, text: str, stream: str) -> None:
        with self._lock:
            self._chunks.append((text, stream))
            self._size += len(text)
            while self._size - len(self._chunks[0][0]) >= FLUSH_LIMIT:
                old, _ = self._chunks.popleft()
                self._size -= len(old)
                self._dropped += len(old)

    def take(self) -> tuple[list[tuple[str, str]], int]:
        """The pending output as (text, stream) runs, oldest first, and the characters skipped."""
        with self._lock:
            chunks, self._chunks, self._size = self._chunks, deque(), 0
            dropped, self._dropped = self._dropped, 0
        runs: list[tuple[list[str], str]] = []
        for text, stream in chunks:
            if runs and runs[-1][1] == stream:
                runs[-1][0].append(text)
            else:
                runs.append(([text], stream))
        merged = [("".join(parts), stream) for parts, stream in runs]
        excess = sum(len(t) for t, _ in merged) - FLUSH_LIMIT
        if excess > 0:  # one huge write: keep its end
            text, stream = merged[0]
            merged[0] = (text[excess:], stream)
            dropped += excess
        return merged, dropped


class CodeRunner(QObject):
    """One cell at a time on a worker thread. Signals arrive on the UI thread."""

    started = Signal()
    output = Signal(str, str)  # text, "stdout" | "stderr" | "info"
    finished = Signal(object)  # RunResult

    def __init__(self, namespace: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.namespace = namespace
        self._buffer = _OutputBuffer()
        self._thread: threading.Thread | None = None
        self._interval = sys.getswitchinterval()
        self._result: RunResult | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def thread_id(self) -> int | None:
        return self._thread.ident if self._thread else None

    def start(self, source: str, first_line: int = 1) -> None:
        """Begin running `source`; RuntimeError if a cell is already running."""
        if self.running:
            raise RuntimeError("a cell is already running; stop it first")
        self._result = None
        self._thread = threading.Thread(
            target=self._work, args=(source, first_line), name="scratchpad", daemon=True
        )
        # A busy cell holds the GIL; a short switch interval lets the UI thread take it back
        # within a millisecond instead of five, several times per frame.
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))
        self.started.emit()
        self._thread.start()
        self._timer.start()

    def stop(self) -> bool:
        """Interrupt the running cell (it stops at its next bytecode); False if none runs."""
        tid = self.thread_id
        return tid is not None and interrupt(tid)

    def _work(self, source: str, first_line: int) -> None:
        result = execute(source, self.namespace, self._buffer.append, first_line)
        if len(result.output) > KEEP_LIMIT:  # a flood: keep the start and say how much followed
            extra = len(result.output) - KEEP_LIMIT
            text = result.output[:KEEP_LIMIT] + f"\n[... {extra:,} more characters]\n"
            result = dataclasses.replace(result, output=text)
        self._result = result  # read by _poll on the UI thread once the thread is done

    def _poll(self) -> None:
        self._flush()
        thread = self._thread
        if thread is not None and not thread.is_alive():
            thread.join()
            self._flush()
            self._timer.stop()
            self._thread = None
            sys.setswitchinterval(self._interval)
            result = self._result or RunResult(False, error="the run ended without a result")
            self.finished.emit(result)

    def _flush(self) -> None:
        chunks, dropped = self._buffer.take()
        if dropped:
            self.output.emit(f"[... {dropped:,} characters of output skipped ...]\n", "info")
        for text, stream in chunks:
            self.output.emit(text, stream)
