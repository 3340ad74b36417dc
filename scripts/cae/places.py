"""Places typed by a visitor (« 69003 », « st etienne », « Nantes »), and distances.

The browser does the same in ``overrides/assets/javascripts/communes.js``
(``findCommunes``, ``searchForm``, ``distanceKm``): keep the two in step, the
browser tests compare them.
"""

from __future__ import annotations

import re

from geopy.distance import great_circle

from .gazetteer import Commune, Gazetteer
from .text import fold

_POSTCODE_PREFIX = re.compile(r"^\d{2,5}$")


def search_form(text: str) -> str:
    """How names and queries are compared: folded, with « St »/« Ste » written out."""
    folded = fold(text)
    folded = re.sub(r"\bste\b", "sainte", folded)
    return re.sub(r"\bst\b", "saint", folded)


def _population(commune: Commune) -> int:
    return commune.population or 0


def find_communes(text: str, gazetteer: Gazetteer, limit: int = 10) -> list[Commune]:
    """Communes matching a postcode (or its first digits) or the beginning of a name, most likely first.

    A full postcode first gives the communes that have it; a name first gives
    exact matches, then the most populous communes whose name starts with it.
    """
    typed = text.strip()
    if _POSTCODE_PREFIX.match(typed):
        found = [c for c in gazetteer.communes.values() if any(p.startswith(typed) for p in c.codes_postaux)]
        found.sort(key=lambda c: (typed not in c.codes_postaux, -_population(c), search_form(c.nom), c.insee))
        return found[:limit]
    wanted = search_form(typed)
    if len(wanted) < 2:
        return []
    exact, starts = [], []
    for commune in gazetteer.communes.values():
        name = search_form(commune.nom)
        if name == wanted:
            exact.append(commune)
        elif name.startswith(wanted):
            starts.append(commune)
    key = lambda c: (-_population(c), search_form(c.nom), c.insee)  # noqa: E731
    return (sorted(exact, key=key) + sorted(starts, key=key))[:limit]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres (geopy; the browser uses the same formula and radius)."""
    return great_circle(a, b).km
