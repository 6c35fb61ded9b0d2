"""The benchmarks' own logic: which scaled target is the verdict, and the studio's windowed
throughput leaving the app as it found it. (The figures themselves come from `make bench`.)"""

import sys

from benchmarks import bench_studio, bench_training


def test_scaled_targets_mark_the_verdicts_yardstick():
    rows = {
        "linear regression, 500 epochs": {"core": 50.0, "torch": 100.0, "mygrad": 60.0},
        "LeNet 3x32x32 step (b32)": {"core": 8.0, "torch": 6.0},
    }
    lines = bench_training.scaled_targets(rows)
    by_torch, by_mygrad, lenet = lines
    # 40 ms at torch's 100/76 of the speed is 52.6 ms; at MyGrad's 60/44, 54.5 ms
    assert "by torch" in by_torch and "<= 52.63 ms" in by_torch
    assert "met" in by_torch and "(the verdict)" not in by_torch
    assert "by mygrad" in by_mygrad and "<= 54.55 ms" in by_mygrad
    assert by_mygrad.endswith("met (the verdict)")
    assert "<= 9.00 ms" in lenet and lenet.endswith("met (the verdict)")
    rows["linear regression, 500 epochs"]["core"] = 55.0
    assert bench_training.scaled_targets(rows)[1].endswith("NOT met (the verdict)")


def test_windowed_ratios_compare_like_with_like_and_leave_the_app_idle(pg):
    panel = pg.window.panels["training"]
    ratios, running = bench_studio.windowed_ratios(pg, windows=3, window=0.3)
    assert len(ratios) == 3
    # the same config trained in both windows: the app's speed is the headless one's give or
    # take the machine's swings and the UI's share, never a different workload's
    assert all(0.3 < r < 3.0 for r in ratios), ratios
    if sys.platform == "linux":  # the training thread trained through most of each window
        assert len(running) == 3 and all(0.3 < r <= 1.05 for r in running), running
    assert not panel.busy and panel.controller.state == "stopped"
