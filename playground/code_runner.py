"""Runs scratchpad cells on a worker thread and streams their output to the UI, throttled.

The worker only appends output to a locked buffer; a UI-thread timer drains it about 20 times a
second and passes on at most `FLUSH_LIMIT` characters, so `while True: print(1)` can neither
flood the event queue nor freeze the console. Stop raises an exception inside the worker.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from playground.execution import RunResult, execute, interrupt

FLUSH_MS = 50
FLUSH_LIMIT = 20_000  # characters passed to the console per flush; the rest is summarised
KEEP_LIMIT = 1_000_000  # characters kept in RunResult.output


class _OutputBuffer:
    """Thread-safe pending output; keeps only the newest text when the UI falls behind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[tuple[str, str]] = []
        self._size = 0
        self.dropped = 0

    def append(self, text: str, stream: str) -> None:
        with self._lock:
            self._chunks.append((text, stream))
            self._size += len(text)
            while self._size > FLUSH_LIMIT * 4 and len(self._chunks) > 1:
                old, _ = self._chunks.pop(0)
                self._size -= len(old)
                self.dropped += len(old)

    def take(self) -> tuple[list[tuple[str, str]], int]:
        """The pending chunks (merged by stream, newest FLUSH_LIMIT chars) and chars skipped."""
        with self._lock:
            chunks, self._chunks, self._size = self._chunks, [], 0
            dropped, self.dropped = self.dropped, 0
        merged: list[tuple[str, str]] = []
        for text, stream in chunks:
            if merged and merged[-1][1] == stream:
                merged[-1] = (merged[-1][0] + text, stream)
            else:
                merged.append((text, stream))
        total = sum(len(t) for t, _ in merged)
        while total > FLUSH_LIMIT:  # trim from the oldest end
            text, stream = merged[0]
            cut = min(len(text), total - FLUSH_LIMIT)
            dropped += cut
            total -= cut
            merged[0] = (text[cut:], stream)
            if not merged[0][0]:
                merged.pop(0)
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
            result = RunResult(**{**result.__dict__, "output": text})
        self._result = result  # read by _poll on the UI thread once the thread is done

    def _poll(self) -> None:
        self._flush()
        thread = self._thread
        if thread is not None and not thread.is_alive():
            thread.join()
            self._flush()
            self._timer.stop()
            self._thread = None
            result = self._result or RunResult(False, error="the run ended without a result")
            self.finished.emit(result)

    def _flush(self) -> None:
        chunks, dropped = self._buffer.take()
        if dropped:
            self.output.emit(f"[... {dropped:,} characters of output skipped ...]\n", "info")
        for text, stream in chunks:
            self.output.emit(text, stream)
