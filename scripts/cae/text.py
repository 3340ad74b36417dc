"""Small text helpers shared by every stage: folding for matching, slugs."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation as single spaces: the form used to compare words.

    ``fold("Saint-Étienne")`` and ``fold("saint etienne")`` are both ``"saint etienne"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub(" ", ascii_text).strip()


def singular(word: str) -> str:
    """A folded word without a final plural « s » or « x » (words of more than three letters).

    « graphistes » → « graphiste », « travaux » → « travau »: crude, but the same
    on both sides of every comparison, and mirrored by ``singular`` in communes.js.
    """
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def slugify(text: str) -> str:
    """ASCII lower-case words joined by hyphens (``"Côtes-d'Armor"`` → ``"cotes-d-armor"``)."""
    return fold(text).replace(" ", "-")
