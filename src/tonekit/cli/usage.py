"""The one error the command's verbs raise for bad input, and the options they share."""

import argparse


class UsageError(Exception):
    """A problem with the command's input: printed as one line, exit code 2."""


def add_text_col(parser: argparse.ArgumentParser) -> None:
    """``--text-col NAME``, the text column, as every verb names it (``args.text_col``);
    ``--text`` stays as a hidden alias, for the verbs that used to name it so."""
    parser.add_argument("--text-col", default="text", metavar="NAME", help="column holding the text (default: text)")
    parser.add_argument("--text", dest="text_col", help=argparse.SUPPRESS)
