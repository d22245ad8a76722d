"""The one error the command's verbs raise for bad input."""


class UsageError(Exception):
    """A problem with the command's input: printed as one line, exit code 2."""
