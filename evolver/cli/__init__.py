"""`evolve`: run, resume, watch and export evolutionary runs from the terminal.

Each subcommand is a module of this package with `add_parser(subparsers)` and `run(args)`;
bare `evolve --target=...` starts a run. Bad input exits with code 2 and one line on stderr,
before any work starts; no traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from evolver.cli import export, resume, run, score, status
from evolver.config import ConfigError
from evolver.store import RunStoreError

#: subcommands in the order `--help` lists them
COMMANDS = [resume, status, export, score]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for config errors
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evolve",
        description="Archipelago: evolve data mixtures, prompts, templates and routers on "
        "island populations. `evolve --target=mix` starts a run; the subcommands below "
        "work on run directories.",
    )
    run.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler if args.command else run.run
    try:
        return handler(args)
    except (ConfigError, RunStoreError) as exc:
        print(f"evolve: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `evolve export ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("evolve: interrupted; continue with `evolve resume RUN_DIR`", file=sys.stderr)
        return 130
