"""The headless trainer: `playground train`, the command-line twin of the app's training panel."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from core.training.config import LOSSES, OPTIMIZERS, SCHEDULERS, TrainConfig
from core.training.errors import ConfigError

__all__ = ["main"]

PROG = "playground train"

# flag dest -> TrainConfig field (same names)
_FLAGS = (
    "dataset",
    "model",
    "loss",
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "batch_size",
    "epochs",
    "seed",
    "device",
    "noise",
    "n",
    "val_fraction",
    "data_seed",
    "scheduler",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # noqa: D102  (exit 2 with a hint, as argparse does)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Train a model headlessly with the same engine and numbers as the app.",
        epilog="Examples: playground train --dataset moons --export out/ ; "
        "playground train --config run.toml --epochs 5",
    )
    p.add_argument("--config", metavar="FILE", help="TOML file whose keys are config fields")
    p.add_argument("--dataset", help="built-in dataset (see --list-datasets)")
    p.add_argument("--model", help="'linear', 'lenet' or 'mlp:64,64:relu[:dropout=0.1][:bn]'")
    p.add_argument("--loss", help=f"one of: {', '.join(LOSSES)}")
    p.add_argument("--optimizer", help=f"one of: {', '.join(OPTIMIZERS)}")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--momentum", type=float, help="SGD/RMSprop momentum (Adam: beta1)")
    p.add_argument("--weight-decay", type=float, help="L2 penalty")
    p.add_argument("--batch-size", type=int, help="mini-batch size")
    p.add_argument("--epochs", type=int, help="passes over the training data")
    p.add_argument("--seed", type=int, help="seed of initialisation and shuffling")
    p.add_argument("--device", help="cpu or cuda")
    p.add_argument("--noise", type=float, help="dataset noise")
    p.add_argument("--n", type=int, help="number of examples to generate")
    p.add_argument("--val-fraction", type=float, help="fraction held out for validation")
    p.add_argument("--data-seed", type=int, help="seed of the data and its split")
    p.add_argument("--scheduler", help=f"one of: {', '.join(SCHEDULERS)}")
    p.add_argument("--export", metavar="DIR", help="write the trained model and files here")
    p.add_argument("--overwrite", action="store_true", help="replace a previous export in DIR")
    p.add_argument("--list-datasets", action="store_true", help="list datasets and exit")
    p.add_argument(
        "--threads", type=int, default=1, help="BLAS threads (default 1: fastest for small models)"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or epoch lines")
    return p


def _list_datasets(out: TextIO) -> int:
    from core.datasets import DATASETS
    from core.training.defaults import default_config

    for name, info in DATASETS.items():
        cfg = default_config(name)
        out.write(
            f"{name:<10} {info.task:<14} n={info.default_n:<5} model={cfg.model}, "
            f"{cfg.optimizer} lr={cfg.lr:g}, batch {cfg.batch_size}, {cfg.epochs} epochs\n"
            f"{'':<10} {info.description}\n"
        )
    return 0


def build_config(args: argparse.Namespace) -> TrainConfig:
    """The config from --config (if any) with the flags given on top."""
    cfg = TrainConfig.from_toml(args.config) if args.config else TrainConfig()
    changes = {k: getattr(args, k) for k in _FLAGS if getattr(args, k) is not None}
    cfg = cfg.replace(**changes)
    cfg.validate()
    return cfg.resolved()


class _Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, else every 10 %."""

    def __init__(self, stream: TextIO, total: int, epochs: int) -> None:
        self.stream, self.total, self.epochs = stream, total, epochs
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_draw = 0.0
        self.last_decile = -1
        self.val = ""

    def update(self, r: Any, force: bool = False) -> None:
        if r.val_loss is not None:
            self.val = f" val {r.val_loss:.4g}"
            if r.val_accuracy is not None:
                self.val += f" acc {100 * r.val_accuracy:.1f}%"
        now = time.perf_counter()
        decile = int(10 * r.step / self.total)
        if self.tty and not force and now - self.last_draw < 0.1 and r.step < self.total:
            return
        if not self.tty and not force and decile == self.last_decile:
            return
        self.last_draw, self.last_decile = now, decile
        frac = r.step / self.total
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        eta = (r.elapsed / r.step) * (self.total - r.step) if r.step else 0.0
        line = (
            f"[{bar}] {100 * frac:3.0f}% epoch {r.epoch + 1}/{self.epochs} "
            f"loss {r.loss:.4g}{self.val} {r.examples_per_s:,.0f} ex/s ETA {eta:.0f}s"
        )
        self.stream.write(("\r" + line + "\x1b[K") if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _epoch_line(r: Any, epochs: int) -> str:
    line = f"epoch {r.epoch + 1:>{len(str(epochs))}}/{epochs}  loss {r.loss:.6g}"
    if r.val_loss is not None:
        line += f"  val_loss {r.val_loss:.6g}"
    if r.val_accuracy is not None:
        line += f"  val_accuracy {r.val_accuracy:.4f}"
    return line + f"  lr {r.lr:.4g}"


class _Interrupts(list):
    """Ctrl-C stops the run at the next step boundary; a second one interrupts at once."""

    def restore(self) -> None:
        if getattr(self, "previous", None) is not None:
            signal.signal(signal.SIGINT, self.previous)


def _stop_on_interrupt(run: Any) -> _Interrupts:
    seen = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        return seen

    def handler(signum: int, frame: Any) -> None:
        if seen:
            raise KeyboardInterrupt
        seen.append(True)
        run.stop()

    seen.previous = signal.signal(signal.SIGINT, handler)  # type: ignore[attr-defined]
    return seen


def _train(run: Any, args: argparse.Namespace) -> int:
    cfg = run.config
    out, err = sys.stdout, sys.stderr
    every = max(1, math.ceil(cfg.epochs / 50))
    progress = None if args.quiet else _Progress(err, run.total_steps, cfg.epochs)
    code = 0
    interrupted = _stop_on_interrupt(run)
    try:
        for r in run.steps():
            if progress:
                progress.update(r)
            if (
                r.epoch_end
                and not args.quiet
                and ((r.epoch + 1) % every == 0 or r.epoch + 1 == cfg.epochs)
            ):
                if progress and progress.tty:
                    err.write("\r\x1b[K")
                out.write(_epoch_line(r, cfg.epochs) + "\n")
                out.flush()
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside a step
        run.stop()
        interrupted.append(True)
    finally:
        interrupted.restore()  # type: ignore[attr-defined]
    if interrupted:
        err.write(f"\n{PROG}: interrupted after step {run.step}\n")
        code = 130
    if progress:
        progress.close()
    if run.failure is not None:
        err.write(f"{PROG}: training failed: {run.failure.message}\n")
        code = 1
    if len(run.data("val")[0]):
        loss, acc = run.evaluate("val")
        summary = f"final: validation loss {loss:.6g}"
        if acc is not None:
            summary += f", validation accuracy {acc:.4f}"
    else:
        summary = f"final: training loss {run.evaluate('train')[0]:.6g}, no validation split"
    out.write(summary + f" ({run.step} steps, {run._elapsed:.2f} s training)\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.list_datasets:
        return _list_datasets(sys.stdout)
    try:
        cfg = build_config(args)
    except ConfigError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    if args.export:
        from core.training.export import check_destination

        try:
            check_destination(args.export, args.overwrite)
        except FileExistsError as exc:
            msg = str(exc).replace(
                "pass overwrite=True (--export DIR --overwrite on the command line)",
                "add --overwrite",
            )
            sys.stderr.write(f"{PROG}: error: {msg}\n")
            return 2
    from core.blas_threads import set_blas_threads
    from core.training.engine import TrainingRun

    if args.threads < 1:
        sys.stderr.write(f"{PROG}: error: --threads must be >= 1, got {args.threads}\n")
        return 2
    set_blas_threads(args.threads)
    try:
        run = TrainingRun(cfg)
    except (ConfigError, RuntimeError) as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    if not args.quiet:
        sys.stdout.write(
            f"training {cfg.dataset}: model {run.spec} "
            f"({run.parameter_count:,} parameters), "
            f"{cfg.loss}, {cfg.optimizer} lr={cfg.lr:g}, batch {run.batch_size}, "
            f"{cfg.epochs} epochs, seed {cfg.seed}, {run.device}\n"
        )
    code = _train(run, args)
    if args.export:
        from core.training.export import export

        try:
            path = export(run, args.export, overwrite=args.overwrite)
        except OSError as exc:
            sys.stderr.write(f"{PROG}: error: export to {args.export!r} failed: {exc}\n")
            return 1
        sys.stdout.write(f"exported to {path}\n")
    return code
