"""The worker-thread runner: results arrive on the UI thread, Stop works, floods are throttled."""

import pytest

from playground.code_runner import FLUSH_LIMIT, CodeRunner


@pytest.fixture
def runner(qapp):
    r = CodeRunner({})
    yield r
    if r.running:
        r.stop()


def test_runs_off_the_ui_thread_and_reports(qtbot, runner):
    outputs = []
    runner.output.connect(lambda text, stream: outputs.append(text))
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start("import threading\nprint(threading.current_thread().name)")
    result = blocker.args[0]
    assert result.ok and result.output == "scratchpad\n"
    assert "".join(outputs) == "scratchpad\n"
    assert not runner.running


def test_a_second_start_while_running_is_refused(qtbot, runner):
    runner.start("while True:\n    pass")
    with pytest.raises(RuntimeError, match="already running"):
        runner.start("1")
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.stop()


def test_stop_interrupts_an_endless_loop(qtbot, runner):
    runner.start("n = 0\nwhile True:\n    n += 1")
    qtbot.wait(50)
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        assert runner.stop()
    result = blocker.args[0]
    assert result.interrupted and not result.ok
    assert result.error_line in (2, 3)
    assert runner.namespace["n"] > 0  # state up to the stop is kept


def test_an_output_flood_is_throttled(qtbot, runner):
    chunks = []
    runner.output.connect(lambda text, stream: chunks.append((text, stream)))
    with qtbot.waitSignal(runner.finished, timeout=20000) as blocker:
        runner.start("for i in range(300_000):\n    print(i)")
    assert blocker.args[0].ok
    total = sum(len(t) for t, _ in chunks)
    assert total < 2_000_000  # the UI got a bounded amount
    assert all(len(t) <= FLUSH_LIMIT + 100 for t, _ in chunks)
    assert chunks[-1][0].endswith("299999\n")  # the newest output always arrives
    assert any(s == "info" and "skipped" in t for t, s in chunks)
