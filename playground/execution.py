"""Running one scratchpad cell, free of Qt: compile, execute, capture output, explain failures.

`execute` runs in whatever thread calls it. Output written by that thread (print, warnings,
sys.stdout.write) goes to a sink instead of the terminal; other threads are untouched. `interrupt`
raises `RunInterrupted` inside another thread at its next bytecode, which stops even `while True:
pass`.
"""

from __future__ import annotations

import ast
import ctypes
import linecache
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

FILENAME = "<scratchpad>"

Sink = Callable[[str, str], None]  # (text, "stdout" | "stderr")


class RunInterrupted(KeyboardInterrupt):
    """Raised inside a running cell when the user presses Stop."""


@dataclass(frozen=True)
class RunResult:
    """What one run left behind: `ok`, all its `output`, and a readable `error` when it failed."""

    ok: bool
    output: str = ""
    error: str | None = None
    error_line: int | None = None  # line of the failure in the editor, 1-based
    interrupted: bool = False
    duration: float = 0.0
    exception: BaseException | None = None


class _Router:
    """Stands in for sys.stdout/sys.stderr: a thread with a sink writes there, others pass by."""

    def __init__(self, original: TextIO, stream: str) -> None:
        self.original = original
        self.stream = stream

    def write(self, text: str) -> int:
        sink = _sinks.get(threading.get_ident())
        if sink is None:
            return self.original.write(text)
        if not isinstance(text, str):  # as a real text stream would
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        sink(text, self.stream)
        return len(text)

    def flush(self) -> None:
        if threading.get_ident() not in _sinks:
            self.original.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, ... of the real stream
        return getattr(self.original, name)


_sinks: dict[int, Sink] = {}
_route_lock = threading.Lock()


def _route(tid: int, sink: Sink | None) -> None:
    """Give thread `tid` a sink (None: take it away); the stand-ins are in place only while
    some thread has one, so the real streams (or a test runner's) are left as they were."""
    with _route_lock:
        if sink is None:
            _sinks.pop(tid, None)
        else:
            _sinks[tid] = sink
        for name, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
            if _sinks and not isinstance(stream, _Router):
                setattr(sys, name, _Router(stream, name))
            elif not _sinks and isinstance(stream, _Router):
                setattr(sys, name, stream.original)


def _compile_cell(source: str, first_line: int) -> tuple[Any, Any]:
    """(body, last expression or None): a trailing expression is shown, as in a notebook."""
    padded = "\n" * (first_line - 1) + source  # line numbers match the editor for a selection
    linecache.cache[FILENAME] = (len(padded), None, padded.splitlines(True), FILENAME)
    tree = ast.parse(padded, FILENAME, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), FILENAME, "eval")
    return compile(tree, FILENAME, "exec"), last


def execute(source: str, namespace: dict[str, Any], sink: Sink, first_line: int = 1) -> RunResult:
    """Run `source` in `namespace`, sending output to `sink`; never raises."""
    tid = threading.get_ident()
    outer = _sinks.get(tid)  # a nested run (playground.run_code from a cell) keeps the outer sink
    chunks: list[str] = []

    def both(text: str, stream: str) -> None:
        chunks.append(text)
        sink(text, stream)
        if outer is not None:
            outer(text, stream)

    _route(tid, both)
    start = time.perf_counter()
    try:
        body, last = _compile_cell(source, first_line)
        exec(body, namespace)
        if last is not None:
            value = eval(last, namespace)
            if value is not None:
                namespace["_"] = value
                print(repr(value))
    except RunInterrupted as exc:
        return RunResult(
            False, "".join(chunks), "Stopped by the user.", _failing_line(exc), True,
            time.perf_counter() - start, exc,
        )  # fmt: skip
    except BaseException as exc:  # the cell's own SystemExit or KeyboardInterrupt must not escape
        return RunResult(
            False, "".join(chunks), format_error(exc), _failing_line(exc), False,
            time.perf_counter() - start, exc,
        )  # fmt: skip
    finally:
        _route(tid, outer)
    return RunResult(True, "".join(chunks), duration=time.perf_counter() - start)


def _user_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]


def _failing_line(exc: BaseException) -> int | None:
    if isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        return exc.lineno
    frames = _user_frames(exc)
    return frames[-1].lineno if frames else None


def format_error(exc: BaseException) -> str:
    """A traceback cut down to the user's code: their frames, then the error.

    Frames inside core or the app are left out (counted), so the last line shown is the line of
    the scratchpad that failed.
    """
    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    frames = traceback.extract_tb(exc.__traceback__)
    first = next((i for i, f in enumerate(frames) if f.filename == FILENAME), None)
    frames = frames[first:] if first is not None else []
    lines = ["Traceback (most recent call last):"]
    hidden = 0
    for frame in frames:
        if frame.filename != FILENAME:
            hidden += 1
            continue
        if hidden:
            lines.append(f"  ... {hidden} frame(s) inside the library")
            hidden = 0
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    if hidden:
        lines.append(f"  ... {hidden} frame(s) inside the library")
    lines.extend(s.rstrip("\n") for s in traceback.format_exception_only(type(exc), exc))
    return "\n".join(lines)


def interrupt(thread_id: int) -> bool:
    """Raise RunInterrupted in thread `thread_id` at its next bytecode; False if it is gone."""
    n = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(RunInterrupted)
    )
    if n > 1:  # never expected: undo rather than interrupt the wrong threads
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
        return False
    return n == 1
