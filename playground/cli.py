"""The `playground` command: open the app, render a screenshot, or hand over to a subcommand."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="playground",
        description="Tensor Playground: learn tensors, autograd and training by doing.",
        epilog="Subcommands: 'playground train --help' (where the training CLI is installed).",
    )
    p.add_argument("script", nargs="?", help="a .py script or tensor file to open")
    p.add_argument("--screenshot", metavar="PATH", help="render the window to a PNG and exit")
    p.add_argument("--theme", choices=("light", "dark"), help="colour theme (remembered)")
    p.add_argument("--no-example", action="store_true", help="start with an empty scratchpad")
    return p


def _train(argv: Sequence[str]) -> int:
    try:
        train_cli = importlib.import_module("playground.train_cli")
    except ModuleNotFoundError as exc:
        if exc.name != "playground.train_cli":
            raise
        print("playground: the 'train' command is not installed in this version", file=sys.stderr)
        return 2
    return int(train_cli.main(list(argv)) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from core import mkl_gemm

    mkl_gemm.torch_stays_out()  # `import torch` here means core: MKL (the extra) need not wait
    if argv and argv[0] == "train":
        return _train(argv[1:])
    args = _parser().parse_args(argv)
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.screenshot and sys.platform.startswith("linux") and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display: render anyway

    from playground.scripting import Playground
    from playground.window_files import open_path

    pg = Playground(show=True, example=not args.no_example, theme=args.theme)
    if args.script:
        open_path(pg.window, args.script)
    if args.screenshot:
        pg.wait_until(lambda: not pg.window.runner.running, timeout=30)
        pg.process_events(0.3)  # let the panels lay out and paint once
        pg.screenshot(args.screenshot)
        print(args.screenshot)
        pg.window.close()
        return 0
    return pg.app.exec()
