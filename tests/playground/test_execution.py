"""Running one cell: output capture, the last expression, readable errors, interruption."""

import threading
import time

from playground.execution import RunInterrupted, execute, format_error, interrupt


def collect():
    out = []
    return out, lambda text, stream: out.append((stream, text))


def test_output_and_last_expression():
    out, sink = collect()
    ns = {}
    r = execute("print('hi')\n1 + 1", ns, sink)
    assert r.ok and r.output == "hi\n2\n"
    assert ("stdout", "hi") in out and ns["_"] == 2


def test_stderr_is_captured_separately():
    out, sink = collect()
    r = execute("import sys\nsys.stderr.write('warn\\n')", {}, sink)
    assert r.ok and ("stderr", "warn\n") in out


def test_syntax_error_names_the_line():
    r = execute("a = 1\nb = (\n", {}, lambda *_: None)
    assert not r.ok and r.error_line == 2
    assert "SyntaxError" in r.error


def test_traceback_is_trimmed_to_the_users_code():
    code = "def f(v):\n    return v / 0\n\nx = 1\nf(x)\n"
    r = execute(code, {}, lambda *_: None)
    assert not r.ok and r.error_line == 2
    assert r.error.splitlines() == [
        "Traceback (most recent call last):",
        '  File "<scratchpad>", line 5, in <module>',
        "    f(x)",
        '  File "<scratchpad>", line 2, in f',
        "    return v / 0",
        "ZeroDivisionError: division by zero",
    ]


def test_library_frames_are_counted_not_shown():
    r = execute("import json\njson.loads('{')", {}, lambda *_: None)
    assert "inside the library" in r.error and "json.loads('{')" in r.error
    assert r.error_line == 2


def test_line_numbers_follow_the_editor_for_a_selection():
    r = execute("raise ValueError('x')", {}, lambda *_: None, first_line=7)
    assert r.error_line == 7 and "line 7" in r.error


def test_system_exit_does_not_escape():
    r = execute("raise SystemExit(3)", {}, lambda *_: None)
    assert not r.ok and "SystemExit" in r.error


def test_interrupt_stops_an_endless_loop():
    results = []
    worker = threading.Thread(
        target=lambda: results.append(execute("while True:\n    pass", {}, lambda *_: None))
    )
    worker.start()
    time.sleep(0.05)
    assert interrupt(worker.ident)
    worker.join(2)
    assert not worker.is_alive()
    assert results[0].interrupted and results[0].error_line == 1


def test_format_error_of_an_interrupt():
    try:
        raise RunInterrupted()
    except RunInterrupted as exc:
        assert "RunInterrupted" in format_error(exc)


def test_the_real_streams_are_back_after_a_run():
    import sys

    before = sys.stdout, sys.stderr
    execute("print('x')", {}, lambda *_: None)
    assert (sys.stdout, sys.stderr) == before
