"""/trouver/: the page, and the small files the browser ranks cooperatives from.

The browser runs the rule of :mod:`cae.ranking` (``trouver.js``); it never
downloads the whole directory. Under ``donnees/trouver/``:

* ``departements/<code>.json``: for a place in that département, every
  cooperative that can be among the first results, whatever the activity
  typed (see :func:`candidates`), in the directory's order (folded name, id).
  Each is ``[id, nom, accepte, [sector numbers], territory reason, places]``
  where the territory reason is :func:`cae.ranking.territory_reason` for this
  département ("" when it does not serve it) and each place is
  ``[lat, lon, "siège : Lyon"]`` (only located places).
* ``activites/<xy>.json``: the labels and synonyms of sectors and skills
  whose first word begins with ``xy``, ``{compared form: [as written,
  [sector numbers]]}``; a query loads the files of its words' first letters.

The page holds the rest in a JSON block: sector ids and labels (the numbers
above), the keys of the activity files, the result limit and the map's tiles.
A query thus loads one département file and, with an activity, one activity
file per word (a few kilobytes each at ten times today's directory).
"""

from __future__ import annotations

import heapq
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from ..enrich import Cooperative, Directory
from ..gazetteer import Commune, Territory
from ..ranking import NEWCOMERS, RESULT_LIMIT, activity_phrases, place_text, territory_reason
from ..render import Page, render
from . import maps

if TYPE_CHECKING:
    from . import Site

BASE = "donnees/trouver"
GRID_DEGREES = 0.2  # communes of a département are grouped in cells this size (see candidates)
EARTH_RADIUS_KM = 6371.009  # geopy's, so the bound below is in the rule's kilometres
SAFETY_KM = 1.0  # margin for rounding between the fast formula here and the rule's


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Point = tuple[float, float, float]  # latitude and longitude in radians, cosine of the latitude


def _radians(lat: float, lon: float) -> Point:
    return math.radians(lat), math.radians(lon), math.cos(math.radians(lat))


def _km(a: Point, b: Point) -> float:
    """Haversine distance on geopy's sphere (fast; only used for the bound of :func:`candidates`)."""
    half = math.sin((b[0] - a[0]) / 2) ** 2 + a[2] * b[2] * math.sin((b[1] - a[1]) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half)))


@dataclass(frozen=True)
class _Cell:
    """Communes close together: their points, their centre and the farthest one's distance to it."""

    points: list[Point]
    centre: Point
    radius: float

    @classmethod
    def of(cls, communes: list[Commune]) -> "_Cell":
        points = [_radians(c.lat, c.lon) for c in communes]
        centre = _radians(sum(c.lat for c in communes) / len(communes), sum(c.lon for c in communes) / len(communes))
        return cls(points, centre, max(_km(centre, point) for point in points))


def _cells(communes: list[Commune]) -> list[_Cell]:
    groups: dict[tuple[int, int], list[Commune]] = defaultdict(list)
    for commune in communes:
        groups[(math.floor(commune.lat / GRID_DEGREES), math.floor(commune.lon / GRID_DEGREES))].append(commune)
    return [_Cell.of(members) for _, members in sorted(groups.items())]


def _nearest_km(point: Point, places: list[Point]) -> float:
    return _km(point, places[0]) if len(places) == 1 else min(_km(point, place) for place in places)


def _kth(values: Iterable[float], k: int) -> float:
    return heapq.nsmallest(k, values)[-1]


# (id, generalist?, located places) of a cooperative that does not serve the département.
Located = tuple[str, bool, list[Point]]


def _ring(cell: _Cell, located: list[Located], k: int) -> tuple[set[str], list[Located]]:
    """The cooperatives every commune of the cell needs, and those some of them may need.

    With ``d_k(c)`` the distance from the centre to its k-th nearest
    generalist, the triangle inequality gives: a cooperative within
    ``d_k(c) - 2r`` of the centre is needed by every commune of the cell, one
    farther than ``d_k(c) + 2r`` by none (and neither is such a generalist
    among any commune's k nearest).
    """
    near = [_nearest_km(cell.centre, places) for _, _, places in located]
    kth = _kth((km for km, (_, generalist, _) in zip(near, located) if generalist), k)
    everyone = {identifier for km, (identifier, _, _) in zip(near, located) if km <= kth - 2 * cell.radius}
    return everyone, [entry for km, entry in zip(near, located) if km <= kth + 2 * cell.radius + SAFETY_KM]


def candidates(directory: Directory, departement: Territory, communes: list[Commune], limit: int = RESULT_LIMIT) -> list[Cooperative]:
    """Every cooperative that can be in the first ``limit`` results for a commune of the département.

    Those that serve the département, and the others as near as needed.
    Generalists are eligible whatever the activity and serving cooperatives
    come first: with ``g`` located generalists serving the département, at
    most ``k = limit - g`` others are shown, none farther from the commune
    than its k-th nearest non-serving generalist. So a cooperative is kept
    when, for some commune of the département, it is no farther than that
    (plus :data:`SAFETY_KM`); with fewer than ``k`` such generalists, every
    cooperative is kept. To stay fast, :func:`_ring` narrows the comparison
    for the whole département, then for each cell of its communes.
    """
    region = directory.gazetteer.regions[departement.region]
    serving = {c.id for c in directory.cooperatives if territory_reason(c, departement, region)}
    located = [
        (c.id, c.is_generalist, [_radians(p.lat, p.lon) for p in c.places if p.on_map])
        for c in directory.cooperatives
        if c.id not in serving and any(p.on_map for p in c.places)
    ]
    k = limit - sum(1 for c in directory.cooperatives if c.id in serving and c.is_generalist and any(p.on_map for p in c.places))
    if k <= 0:
        return [c for c in directory.cooperatives if c.id in serving]
    if sum(1 for _, generalist, _ in located if generalist) < k:
        return list(directory.cooperatives)
    kept, nearby = _ring(_Cell.of(communes), located, k)
    kept |= serving
    for cell in _cells(communes):
        everyone, some = _ring(cell, nearby, k)
        kept |= everyone
        generalists = [places for _, generalist, places in some if generalist]
        pending = [(identifier, places) for identifier, _, places in some if identifier not in kept]
        for point in cell.points:
            if not pending:
                break
            bound = _kth((_nearest_km(point, places) for places in generalists), k) + SAFETY_KM
            kept |= {identifier for identifier, places in pending if _nearest_km(point, places) <= bound}
            pending = [(identifier, places) for identifier, places in pending if identifier not in kept]
    return [c for c in directory.cooperatives if c.id in kept]


def _sector_numbers(directory: Directory) -> dict[str, int]:
    """Sectors are numbered in the vocabulary's order, as in the page's JSON block."""
    return {sector: number for number, sector in enumerate(directory.vocabularies.secteurs)}


def _cooperative_row(cooperative: Cooperative, departement: Territory, region: Territory, sector_numbers: dict[str, int]) -> list[Any]:
    return [
        cooperative.id,
        cooperative.nom,
        NEWCOMERS[cooperative.accepts_newcomers],
        [sector_numbers[t.id] for t in cooperative.secteurs],
        territory_reason(cooperative, departement, region),
        [[p.lat, p.lon, place_text(p)] for p in cooperative.places if p.on_map],
    ]


def departement_files(directory: Directory) -> dict[str, bytes]:
    gazetteer = directory.gazetteer
    sector_numbers = _sector_numbers(directory)
    communes_by_departement: dict[str, list[Commune]] = defaultdict(list)
    for commune in sorted(gazetteer.communes.values(), key=lambda c: c.insee):
        communes_by_departement[commune.departement].append(commune)
    files = {}
    for code, departement in sorted(gazetteer.departements.items()):
        region = gazetteer.regions[departement.region]
        rows = [_cooperative_row(c, departement, region, sector_numbers) for c in candidates(directory, departement, communes_by_departement[code])]
        files[f"{BASE}/departements/{code}.json"] = _dump({"departement": f"{departement.nom} ({code})", "cooperatives": rows})
    return files


def activity_key(phrase: str) -> str:
    """The activity file of a compared form: the first two letters of its first word."""
    return phrase.split(" ")[0][:2]


def activity_files(directory: Directory) -> dict[str, bytes]:
    sector_numbers = _sector_numbers(directory)
    shards: dict[str, dict[str, Any]] = defaultdict(dict)
    for phrase, entry in sorted(activity_phrases(directory.vocabularies).items()):
        shards[activity_key(phrase)][phrase] = [entry.written, [sector_numbers[s] for s in entry.sectors]]
    return {f"{BASE}/activites/{key}.json": _dump(phrases) for key, phrases in sorted(shards.items())}


def finder_page(directory: Directory, activity_keys: list[str]) -> Page:
    path = "trouver/"
    config = {
        "limite": RESULT_LIMIT,
        "secteurs": [[t.id, t.libelle] for t in directory.vocabularies.secteurs.values()],
        "activites": activity_keys,
        "fond": {"url": maps.PLAN_IGN, "attribution": maps.PLAN_IGN_ATTRIBUTION},
    }
    return Page(
        path=path,
        title="Trouver une CAE",
        description="Trouver une coopérative d'activités et d'emploi près d'une commune ou d'un code postal, qui accueille votre activité.",
        html=render("trouver.html", path, config=config, limit=RESULT_LIMIT),
        hide=("navigation", "toc"),  # the list and its map need the width
        source="trouver.md",
    )


def add_finder(site: "Site", directory: Directory) -> None:
    """The /trouver/ page and its data files."""
    activities = activity_files(directory)
    keys = [path.rsplit("/", 1)[1].removesuffix(".json") for path in activities]
    site.pages.append(finder_page(directory, keys))
    site.files.update(activities)
    site.files.update(departement_files(directory))
