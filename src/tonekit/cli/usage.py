"""The one error the command's verbs raise for bad input, and the options they share."""

import argparse
import os
import sys
from typing import Any


class UsageError(Exception):
    """A problem with the command's input: printed as one line, exit code 2."""


def add_text_col(parser: argparse.ArgumentParser) -> None:
    """``--text-col NAME``, the text column, as every verb names it (``args.text_col``);
    ``--text`` stays as a hidden alias, for the verbs that used to name it so."""
    parser.add_argument("--text-col", default="text", metavar="NAME", help="column holding the text (default: text)")
    parser.add_argument("--text", dest="text_col", help=argparse.SUPPRESS)


def add_force(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace an output file that is write-protected."""
    parser.add_argument("--force", action="store_true",
                        help="replace the output file even if it is write-protected")


def check_output(output: str, force: bool = False) -> None:
    """Refuse, before any work, an output path that cannot be written, naming it; a
    write-protected file is replaced only with ``--force``, as ``mv -i`` and ``cp -i``
    ask first. Standard output (``-``), pipes and devices are written into."""
    if output == "-" or (os.path.exists(output) and not os.path.isfile(output) and not os.path.isdir(output)):
        return
    if os.path.isdir(output):
        raise UsageError(f"output is a directory: {output}")
    parent = os.path.dirname(output) or "."
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {output}: no such directory {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {output}: directory {parent} is not writable")
    # The superuser may write any file: a file without write permission bits is still
    # one its owner has protected.
    if os.path.isfile(output) and not force and (not os.access(output, os.W_OK) or not os.stat(output).st_mode & 0o222):
        raise UsageError(f"output {output} is write-protected; pass --force to replace it")


def show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """A warning as one line on stderr, without Python's source location
    (a ``warnings.showwarning`` for the verbs)."""
    text = str(message).strip()
    print(f"warning: {text.splitlines()[0] if text else category.__name__}", file=sys.stderr)


def one_line(exc: BaseException) -> str:
    """The first problem of an error, on one line (with a count of the others)."""
    problems = getattr(exc, "problems", None)
    if problems:
        rest = len(problems) - 1
        return str(problems[0]) + (f" (and {rest} more problem{'s' * (rest > 1)})" if rest else "")
    text = str(exc).strip().strip('"')
    return text.splitlines()[0] if text else type(exc).__name__
