"""The gazetteer, cut into small static files for the browser (never loaded whole).

Three ways in, each a folder of small JSON files under ``donnees/communes/``:

* ``noms/``: by the beginning of the name (accent- and case-free). A prefix
  with too many communes is split by one more letter; its own file then holds
  only its most populous communes, enough to suggest while the visitor types.
  ``noms/index.json`` lists the prefixes and whether each is complete.
* ``cp/<2 or 3 digits>.json``: by postcode (first two digits, three overseas).
* ``insee/<département>.json``: by département, to read a commune from its
  INSEE code (the address of a shared search) or to find the commune nearest
  to the visitor's position.

Each commune is ``[insee, nom, "cp1 cp2", département, lat, lon, population, parent]``
(``parent``: the city of a municipal arrondissement, else "").
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from ..gazetteer import Commune, Gazetteer
from ..places import search_form

MAX_SHARD = 400  # communes per name file, beyond which a prefix is split
SUMMARY_SIZE = 30  # communes kept in the file of a split prefix
MIN_PREFIX = 2
MAX_PREFIX = 12
BASE = "donnees/communes"


def _row(commune: Commune) -> list[Any]:
    return [commune.insee, commune.nom, " ".join(commune.codes_postaux), commune.departement, commune.lat, commune.lon, commune.population or 0, commune.parent]


def _by_importance(communes: list[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (-(c.population or 0), search_form(c.nom), c.insee))


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def file_name(prefix: str) -> str:
    return prefix.replace(" ", "_")


def name_shards(communes: list[Commune]) -> tuple[dict[str, bool], dict[str, list[Commune]]]:
    """Prefix -> complete?, and prefix -> communes of its file."""
    index: dict[str, bool] = {}
    shards: dict[str, list[Commune]] = {}

    def split(prefix: str, members: list[Commune]) -> None:
        complete = len(members) <= MAX_SHARD or len(prefix) >= MAX_PREFIX
        index[prefix] = complete
        ordered = _by_importance(members)
        shards[prefix] = ordered if complete else ordered[:SUMMARY_SIZE]
        if complete:
            return
        children: dict[str, list[Commune]] = defaultdict(list)
        for commune in members:
            name = search_form(commune.nom)
            if len(name) > len(prefix):
                children[name[: len(prefix) + 1]].append(commune)
        for child, items in sorted(children.items()):
            split(child, items)

    groups: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes:
        groups[search_form(commune.nom)[:MIN_PREFIX]].append(commune)
    for prefix, members in sorted(groups.items()):
        split(prefix, members)
    return index, shards


def postcode_key(postcode: str) -> str:
    return postcode[:3] if postcode.startswith("97") else postcode[:2]


def commune_files(gazetteer: Gazetteer) -> dict[str, bytes]:
    communes = sorted(gazetteer.communes.values(), key=lambda c: c.insee)
    files: dict[str, bytes] = {}
    index, shards = name_shards(communes)
    files[f"{BASE}/noms/index.json"] = _dump({"taille_min": MIN_PREFIX, "prefixes": index})
    for prefix, members in shards.items():
        files[f"{BASE}/noms/{file_name(prefix)}.json"] = _dump([_row(c) for c in members])

    by_postcode: dict[str, list[Commune]] = defaultdict(list)
    by_departement: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes:
        for key in {postcode_key(p) for p in commune.codes_postaux}:
            by_postcode[key].append(commune)
        by_departement[commune.departement].append(commune)
    for key, members in sorted(by_postcode.items()):
        files[f"{BASE}/cp/{key}.json"] = _dump([_row(c) for c in members])
    for key, members in sorted(by_departement.items()):
        files[f"{BASE}/insee/{key}.json"] = _dump([_row(c) for c in members])

    departements = [
        {"code": d.code, "nom": d.nom, "region": gazetteer.regions[d.region].slug, "lat": d.lat, "lon": d.lon, "bbox": list(d.bbox)}
        for d in sorted(gazetteer.departements.values(), key=lambda d: d.code)
    ]
    files[f"{BASE}/departements.json"] = _dump(departements)
    return files
