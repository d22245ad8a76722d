"""Values and types that every layer shares: the bottom of the house, importing nothing
of tonekit.

>>> unpaired_surrogate("idiot \\ud800!")
'an unpaired surrogate \\\\ud800 at character 6'
"""

from __future__ import annotations

import os
from typing import Union

#: A file path as users give it.
PathLike = Union[str, "os.PathLike[str]"]


def unpaired_surrogate(text: str) -> str | None:
    """Where ``text`` has a character UTF-8 cannot encode (an unpaired surrogate), said
    for the user: ``an unpaired surrogate \\ud800 at character 4``; None if nowhere."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        escape = text[exc.start].encode("unicode_escape").decode("ascii")
        return f"an unpaired surrogate {escape} at character {exc.start}"
    return None
