"""The scripting face: Playground as scripts, tests and the scratchpad itself use it."""

import pytest


def test_run_code_and_namespace(fresh):
    r = fresh.run_code("a = torch.ones(3)\nprint(a.sum())")
    assert r.ok and r.output == "tensor(3.)\n" and r.error is None
    assert tuple(fresh.namespace["a"].shape) == (3,)


def test_run_code_error_result(fresh):
    r = fresh.run_code("torch.ones(2) @ torch.ones(3)")
    assert not r.ok and r.error_line == 1 and "RuntimeError" in r.error


def test_run_code_without_waiting_then_stop(fresh):
    assert fresh.run_code("while True:\n    pass", wait=False) is None
    with pytest.raises(RuntimeError, match="already running"):
        fresh.run_code("1")
    fresh.stop()
    assert fresh.wait_until(lambda: not fresh.window.runner.running, 5)
    assert fresh.window.last_result.interrupted


def test_inspect_by_name_and_by_object(fresh):
    fresh.run_code("b = torch.arange(6).reshape(2, 3)")
    assert fresh.inspect("b") is fresh.namespace["b"]
    assert fresh.window.inspector.name == "b"
    with pytest.raises(KeyError, match="no variable named 'nope'"):
        fresh.inspect("nope")
    anonymous = fresh.namespace["torch"].zeros(4)
    fresh.inspect(anonymous)
    assert fresh.window.inspector.obj is anonymous


def test_the_scratchpad_can_drive_its_own_window(fresh):
    r = fresh.run_code(
        "c = torch.ones(2, 2)\nplayground.inspect('c')\n"
        "inner = playground.run_code('d = c * 2')\nprint(inner.ok, d.sum().item())"
    )
    assert r.ok, r.error
    assert r.output.strip().endswith("True 8.0")
    assert fresh.window.inspector.name == "c"


def test_set_device(fresh):
    fresh.set_device("cpu")
    assert fresh.device == "cpu"
    r = fresh.run_code("t = torch.ones(2)\nplayground.set_device('cpu')\nprint(playground.device)")
    assert r.ok and r.output == "cpu\n", r.error
    with pytest.raises(RuntimeError, match="unknown device"):
        fresh.set_device("tpu")


def test_screenshot(fresh, tmp_path):
    path = fresh.screenshot(tmp_path / "shot.png")
    assert path.stat().st_size > 1000


def test_graph_stepping_from_the_face(fresh):
    if fresh.window.graph is None:
        pytest.skip("graph panel not built")
    fresh.run_code(
        "x = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()"
    )
    fresh.show_graph("out")
    first = fresh.step_backward()
    assert first.node.name() == "MeanBackward0"
    fresh.run_backward()
    assert fresh.namespace["x"].grad is not None
    assert fresh.namespace["x"].grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    fresh.reset_backward()
    assert fresh.namespace["x"].grad is None


def test_node_clicks_open_tensors_in_the_inspector(fresh):
    graph = fresh.window.graph
    if graph is None:
        pytest.skip("graph panel not built")
    fresh.run_code("w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()")
    fresh.inspect("loss")
    graph.select("w")  # a node's title
    assert fresh.window.inspector.obj is fresh.namespace["w"]


def test_training_from_the_face(fresh):
    if "training" not in fresh.window.panels:
        pytest.skip("training panel not built")
    history = fresh.train({"epochs": 1}, wait=True, timeout=60)
    assert history and history[-1].progress == 1.0
    assert fresh.training_history == history


def test_wait_until_checks_on_the_signals_it_is_given(fresh):
    from PySide6.QtCore import QTimer

    fired, checks = [], []
    timer = QTimer(singleShot=True, interval=30)
    timer.timeout.connect(lambda: fired.append(True))

    def condition():
        checks.append(1)
        return bool(fired)

    timer.start()
    assert fresh.wait_until(condition, 5, wake=(timer.timeout,))
    # once at the start, once when the signal came: no 10 ms polling in between
    assert len(checks) == 2
