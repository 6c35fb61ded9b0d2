"""Training speed of core against PyTorch in the same run, single-threaded (issue 3, "Speed").

- the tutorials' linear regression, 500 epochs (target <= 40 ms)
- MLP 784-256-256-10, batch 128, SGD with momentum, one step (target: parity with PyTorch)
- LeNet (3x32x32, batch 32), one step (target <= 9 ms)
- peak memory (max RSS of a fresh process) of 20 MLP steps (target <= 60 MB)
- the training engine's overhead: TrainingRun steps against the plain loop on the same MLP

MyGrad, the pure-Python peer the issue set its targets against, runs the linear regression and the
MLP step too where it is installed (`benchmarks/peer_mygrad.py`). The absolute targets are also
given at this machine's speed: scaled by this run's PyTorch (and MyGrad) time against the issue's.

Medians of repeats. Run alone with ``python -m benchmarks.bench_training [--cpu-time]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy (and torch) are imported

import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import peer_mygrad  # noqa: E402
from benchmarks._common import without_mkl  # noqa: E402
from core import mkl_gemm  # noqa: E402

TARGETS = {
    "linear regression, 500 epochs": ("ms", 40.0),
    "MLP 784-256-256-10 step (b128)": ("ms", None),  # parity with PyTorch
    "LeNet 3x32x32 step (b32)": ("ms", 9.0),
    "peak memory, 20 MLP steps": ("MB", 60.0),
}

# What issue 3 ("Speed") measured on its machine beside its absolute targets: this run's times of
# the same frameworks say how fast this machine is now, and so what each target means here
# (this VM's speed swings by half between runs; the scaled targets do not). Each scaled target is
# a ratio to a framework timed in this run by the same clock, so --cpu-time reads it alike. The
# two yardsticks disagree where the issue's own figures do (its PyTorch took 1.73x MyGrad's time
# on the regression; here 1.0-2.0x, from run to run): both are printed, and the verdict is by
# VERDICT_BY's. The regression's 40 ms sits just under the pure-Python peer's 44 ms: it asks core
# to beat that peer by a tenth. Its epoch is a few dozen tiny ops, all per-op Python overhead,
# which MyGrad shares and PyTorch's C++ dispatch does not, so MyGrad's time is the one that
# moves with this machine's speed as core's does.
ISSUE_MEASURED = {
    "linear regression, 500 epochs": {"torch": 76.0, "mygrad": 44.0},
    "LeNet 3x32x32 step (b32)": {"torch": 6.0},
}
VERDICT_BY = {"linear regression, 500 epochs": "mygrad", "LeNet 3x32x32 step (b32)": "torch"}


def _frameworks() -> dict[str, ModuleType]:
    import core

    out: dict[str, ModuleType] = {"core": core}
    try:
        import torch

        torch.set_num_threads(1)
        out["torch"] = torch
    except ImportError:
        pass
    return out


# Wall time by default; `--cpu-time` measures the thread's CPU time instead, which a busy machine
# inflates far less (the same on an idle one: every workload here runs on one thread).
CLOCK: Callable[[], float] = time.perf_counter


def _medians(fns: dict[str, Callable[[], Any]], repeats: int, warmup: int = 2) -> dict[str, float]:
    """Median time of each function, run in turns so that all see the same machine load."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = CLOCK()
            fn()
            times[name].append(CLOCK() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


# ---------------------------------------------------------------------- workloads


def linear_regression(torch: Any) -> Callable[[], None]:
    """The tutorial's cell: y = pi x + 42 + noise, Linear(1, 1), SGD lr 0.05, 500 epochs."""
    import numpy as np

    F = torch.nn.functional
    torch.manual_seed(0)
    x = torch.rand(10, 1) * 5
    y = torch.Tensor([np.pi]) * x + torch.Tensor([42]) + torch.rand(10, 1)

    def run() -> None:
        model = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(500):
            model.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()

    return run


def mlp(torch: Any) -> tuple[Any, Any, Any, Any]:
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    return model, opt, x, y


def mlp_products(torch: Any) -> Callable[[], None]:
    """The eight matrix products of one MLP step alone, in the layouts and through the library
    each framework uses: core's `mkl_gemm.matmul` (MKL with the mkl extra, else NumPy's OpenBLAS),
    PyTorch's own BLAS for torch. What is left of a step's time outside them is the frameworks'
    own work."""
    import numpy as np

    from core.mkl_gemm import matmul

    rng = np.random.default_rng(0)
    shapes = {
        "x": (128, 784), "w1": (256, 784), "w2": (256, 256), "w3": (10, 256),
        "a1": (128, 256), "a2": (128, 256), "g1": (128, 256), "g2": (128, 256), "g3": (128, 10),
    }  # fmt: skip
    m = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    mm: Callable[[Any, Any], Any] = matmul
    if torch.__name__ == "torch":
        m = {k: torch.from_numpy(v) for k, v in m.items()}
        mm = torch.mm

    def products() -> None:
        mm(m["x"], m["w1"].T), mm(m["a1"], m["w2"].T), mm(m["a2"], m["w3"].T)  # forward
        mm(m["g3"].T, m["a2"]), mm(m["g3"], m["w3"]), mm(m["g2"].T, m["a1"]), mm(m["g2"], m["w2"])
        mm(m["g1"].T, m["x"])  # the first layer's weight gradient (its input needs none)

    return products


def lenet(torch: Any) -> tuple[Any, Any, Any, Any]:
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(32, 3, 32, 32)
    y = torch.randint(0, 10, (32,))
    return model, opt, x, y


def one_step(torch: Any, parts: tuple[Any, Any, Any, Any]) -> Callable[[], None]:
    model, opt, x, y = parts
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def engine_steps(steps: int = 20) -> Callable[[], None]:
    """TrainingRun on digits-sized data with the MLP above, `steps` steps per call."""
    import numpy as np

    from core.training import TrainConfig, TrainingRun

    rng = np.random.default_rng(0)
    X = rng.standard_normal((128 * 10, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128 * 10)
    cfg = TrainConfig(
        model="mlp:256,256:relu", optimizer="sgd", lr=0.01, momentum=0.9, batch_size=128,
        epochs=1000, val_fraction=0.0, task="classification",
    )  # fmt: skip
    run = TrainingRun(cfg, data=(X, y))

    def go() -> None:
        for _ in range(steps):
            run.step_once()

    return go


# ---------------------------------------------------------------------- memory (child process)


def _memory_child(name: str) -> None:
    import resource

    if name == "torch":  # import only the framework measured
        import torch

        torch.set_num_threads(1)
    else:
        import core as torch
    step = one_step(torch, mlp(torch))
    for _ in range(20):
        step()
    try:  # the peak of this process's own memory map (ru_maxrss survives exec from the parent)
        with open("/proc/self/status") as fh:
            kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(kib / 1024)


def peak_memory_mb(name: str, env: dict[str, str] | None = None) -> float | None:
    try:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_training", "--memory-child", name],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            env={**os.environ, **(env or {})},
        ).stdout
        return float(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------- table


def measure(fws: dict[str, ModuleType]) -> dict[str, dict[str, float | None]]:
    rows: dict[str, dict[str, float | None]] = {}
    workloads = (
        ("linear regression, 500 epochs", linear_regression, 7, 1, 1),
        ("MLP 784-256-256-10 step (b128)", lambda t: one_step(t, mlp(t)), 60, 5, 1),
        ("  its 8 matrix products alone", mlp_products, 60, 5, 1),
        ("LeNet 3x32x32 step (b32)", lambda t: one_step(t, lenet(t)), 40, 3, 1),
        ("TrainingRun MLP step (b128)", None, 12, 1, 20),
    )
    mg = peer_mygrad.mygrad_or_none()
    peers = {"linear regression": peer_mygrad.linear_regression, "MLP": peer_mygrad.mlp_step}
    for label, make, repeats, warmup, per in workloads:
        if make is None:  # the engine against the plain core loop it wraps
            fns = {
                "core": engine_steps(per),
                "plain": _repeat(one_step(fws["core"], mlp(fws["core"])), per),
            }
        else:
            fns = {name: make(torch) for name, torch in fws.items()}
            if mkl_gemm.active() and "step" in label:
                fns["numpy-blas"] = without_mkl(make(fws["core"]))
            peer = next((p for k, p in peers.items() if label.startswith(k)), None)
            if mg is not None and peer is not None:
                fns["mygrad"] = peer(mg)
        rows[label] = {k: 1e3 * v / per for k, v in _medians(fns, repeats, warmup).items()}
    # The child imports only core: CORE_MKL=1 keeps MKL on there as here, torch installed or not
    mkl = {"CORE_MKL": "1" if mkl_gemm.active() else "0"}
    memory = rows["peak memory, 20 MLP steps"] = {
        name: peak_memory_mb(name, mkl if name == "core" else None) for name in fws
    }
    if mkl_gemm.active():
        memory["numpy-blas"] = peak_memory_mb("core", {"CORE_MKL": "0"})
    return rows


def _repeat(fn: Callable[[], None], n: int) -> Callable[[], None]:
    def go() -> None:
        for _ in range(n):
            fn()

    return go


def main(argv: list[str] | None = None) -> None:
    global CLOCK
    argv = sys.argv[1:] if argv is None else argv
    if "--cpu-time" in argv:
        CLOCK = time.thread_time
        print("timing: CPU time of the benchmark thread (medians)")
    else:
        print("timing: wall clock (medians); --cpu-time for a busy machine")
    fws = _frameworks()  # torch before core's first product: each keeps its own MKL
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        cpus = os.cpu_count() or 1
        note = "  (busy machine: timings inflate)" if load > cpus * 0.5 else ""
        print(f"load average {load:.1f} on {cpus} CPUs{note}")
    print(
        "core's matrix products: "
        + (
            "MKL (the mkl extra)"
            if mkl_gemm.active()
            else f"NumPy's BLAS ({mkl_gemm.unavailable_reason()})"
        )
    )
    rows = measure(fws)
    has_torch = any("torch" in r for r in rows.values())
    head = f"{'benchmark':<34} {'core':>10} {'torch':>10} {'ratio':>7} {'target':>10}  ok"
    print(head)
    print("-" * len(head))
    for label, vals in rows.items():
        unit, target = TARGETS.get(label, ("ms", None))
        ours, theirs = vals.get("core"), vals.get("torch")
        ratio = f"{ours / theirs:6.2f}x" if ours and theirs else ""
        if label.startswith("MLP") and theirs:
            target, ok = theirs, ours is not None and ours <= theirs * 1.05
        else:
            ok = target is None or (ours is not None and ours <= target)

        def fmt(v: float | None, unit: str = unit) -> str:
            return "n/a" if v is None else f"{v:.2f} {unit}"

        tgt = "" if target is None else f"<= {target:.1f}"
        print(
            f"{label:<34} {fmt(ours):>10} {fmt(theirs) if has_torch else '':>10} {ratio:>7} "
            f"{tgt:>10}  {'' if target is None else 'yes' if ok else 'NO'}"
        )
    step, products = rows["MLP 784-256-256-10 step (b128)"], rows["  its 8 matrix products alone"]
    if has_torch and all(v is not None for v in (*step.values(), *products.values())):
        rest = {k: step[k] - products[k] for k in ("core", "torch")}  # type: ignore[operator]
        print(
            f"MLP step outside its matrix products: core {rest['core']:.2f} ms, "
            f"torch {rest['torch']:.2f} ms"
        )
    alone = {k: v["numpy-blas"] for k, v in rows.items() if v.get("numpy-blas")}
    for label, theirs in alone.items():
        unit = TARGETS.get(label, ("ms", None))[0]
        torch_v = rows[label].get("torch")
        vs = f" ({theirs / torch_v:.2f}x torch)" if torch_v else ""
        print(f"core without MKL (NumPy's BLAS alone): {label.strip()}: {theirs:.2f} {unit}{vs}")
    peer = {k: v["mygrad"] for k, v in rows.items() if v.get("mygrad")}
    for label, theirs in peer.items():
        ours = rows[label]["core"]
        print(f"against MyGrad, the issue's pure-Python peer: {label}: {theirs:.2f} ms, "
              f"core {ours / theirs:.2f}x")  # fmt: skip
    for line in scaled_targets(rows):
        print(line)
    plain = rows["TrainingRun MLP step (b128)"]["plain"]
    engine = rows["TrainingRun MLP step (b128)"]["core"]
    if plain and engine:
        print(f"training engine overhead over the plain loop: {100 * (engine / plain - 1):+.1f} %")


def scaled_targets(rows: dict[str, dict[str, float | None]]) -> list[str]:
    """Each absolute target at this machine's speed, by each framework the issue measured; the
    line of the framework in VERDICT_BY says "(the verdict)"."""
    lines = []
    for label, measured in ISSUE_MEASURED.items():
        (unit, target), ours = TARGETS[label], rows.get(label, {}).get("core")
        for name, theirs_there in measured.items():
            here = rows.get(label, {}).get(name)
            if target is None or ours is None or not here:
                continue
            scaled = target * here / theirs_there
            lines.append(
                f"{label}: <= {target:g} {unit} at this machine's speed by {name} "
                f"({here:.2f} {unit} here, {theirs_there:g} in the issue) is <= {scaled:.2f} "
                f"{unit}: core {ours:.2f} {unit}, {'met' if ours <= scaled else 'NOT met'}"
                + (" (the verdict)" if VERDICT_BY.get(label) == name else "")
            )
    return lines


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        _memory_child(sys.argv[2])
    else:
        main(sys.argv[1:])
