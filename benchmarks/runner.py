"""What every benchmark's ``main`` shares: its options, Django's stdout convention, errors."""

import argparse
import sys
from collections.abc import Callable, Sequence


class BenchmarkError(Exception):
    """A benchmark refuses to run or found a fault: printed, and the exit status is 1."""


def write(text: str = "") -> None:
    """One line, as a management command's stdout.write: a newline unless the text ends in one
    (so the tables print exactly as the old manage.py commands did)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def run(
    doc: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    measure: Callable[[argparse.Namespace], None],
    argv: Sequence[str] | None = None,
) -> None:
    """Parse ``argv`` with the module's options (its docstring as help) and measure."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        measure(options)
    except BenchmarkError as error:
        sys.stderr.write(f"Error: {error}\n")
        raise SystemExit(1) from error
