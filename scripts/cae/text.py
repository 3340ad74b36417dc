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


def slugify(text: str) -> str:
    """ASCII lower-case words joined by hyphens (``"Côtes-d'Armor"`` → ``"cotes-d-armor"``)."""
    return fold(text).replace(" ", "-")
