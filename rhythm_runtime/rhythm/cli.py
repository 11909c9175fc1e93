"""`rhythm`, the command of the runtime. It has no commands yet: the runtime arrives later."""

from __future__ import annotations

import argparse

from rhythm import __version__


def main(argv: list[str] | None = None) -> int:
    """Run `rhythm` with `argv` (default: the process arguments) and return the exit code."""
    parser = argparse.ArgumentParser(
        prog="rhythm",
        description=(
            "The Rhythm runtime for .flow workflows. It has no commands yet: the runtime "
            "arrives in later work. To check workflows, use `flowc check`."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rhythm {__version__}")
    try:
        parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version and usage errors
        return exit_request.code if isinstance(exit_request.code, int) else 2
    parser.print_help()
    return 0
