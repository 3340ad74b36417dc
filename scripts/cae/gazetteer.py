"""The French gazetteer: communes, départements and régions, read from ``reference/``.

The files are built once from packaged open data by ``scripts/build_gazetteer.py``
and committed, so that validation and builds never need the network.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .paths import REFERENCE_DIR
from .text import fold

# Tolerance around a territory's bounding box, in degrees (about 2 km).
BBOX_MARGIN = 0.02


@dataclass(frozen=True)
class Commune:
    insee: str
    nom: str
    type: str  # "commune" or "arrondissement"
    parent: str
    codes_postaux: tuple[str, ...]
    departement: str
    region: str
    epci: str
    population: int | None
    lat: float
    lon: float
    niveau: str  # "commune", "code-postal" or "departement": how precise lat/lon are


@dataclass(frozen=True)
class Territory:
    """A département or a région."""

    code: str
    nom: str
    slug: str
    chef_lieu: str
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon
    region: str = ""  # for a département: its région's code

    def contains(self, lat: float, lon: float, margin: float = BBOX_MARGIN) -> bool:
        min_lat, min_lon, max_lat, max_lon = self.bbox
        return min_lat - margin <= lat <= max_lat + margin and min_lon - margin <= lon <= max_lon + margin


@dataclass
class Gazetteer:
    communes: dict[str, Commune]
    departements: dict[str, Territory]
    regions: dict[str, Territory]
    by_postcode: dict[str, list[Commune]] = field(default_factory=dict)
    by_name: dict[str, list[Commune]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for commune in self.communes.values():
            for postcode in commune.codes_postaux:
                self.by_postcode.setdefault(postcode, []).append(commune)
            self.by_name.setdefault(fold(commune.nom), []).append(commune)

    @property
    def regions_by_slug(self) -> dict[str, Territory]:
        return {region.slug: region for region in self.regions.values()}

    def find(self, name: str | None = None, postcode: str | None = None, departement: str | None = None) -> list[Commune]:
        """Communes matching a name (accent- and case-insensitive), a postcode and/or a département."""
        if postcode:
            candidates = self.by_postcode.get(postcode, [])
            if name:
                candidates = [c for c in candidates if fold(c.nom) == fold(name)]
        elif name:
            candidates = self.by_name.get(fold(name), [])
        else:
            return []
        if departement:
            candidates = [c for c in candidates if c.departement == departement]
        return sorted(candidates, key=lambda c: c.insee)

    def departement_at(self, lat: float, lon: float) -> list[str]:
        """Codes of the départements whose bounding box holds the point."""
        return [code for code, dep in self.departements.items() if dep.contains(lat, lon)]

    def in_france(self, lat: float, lon: float) -> bool:
        return bool(self.departement_at(lat, lon))


def _float(value: str) -> float:
    return float(value)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _territory(row: dict[str, str]) -> Territory:
    return Territory(
        code=row["code"],
        nom=row["nom"],
        slug=row["slug"],
        chef_lieu=row["chef_lieu"],
        lat=_float(row["lat"]),
        lon=_float(row["lon"]),
        bbox=(_float(row["min_lat"]), _float(row["min_lon"]), _float(row["max_lat"]), _float(row["max_lon"])),
        region=row.get("region", ""),
    )


@lru_cache(maxsize=4)
def load_gazetteer(directory: Path = REFERENCE_DIR) -> Gazetteer:
    """Read the committed gazetteer (about 35,000 communes; cached per process)."""
    communes = {}
    for row in _read_csv(directory / "communes.csv"):
        communes[row["insee"]] = Commune(
            insee=row["insee"],
            nom=row["nom"],
            type=row["type"],
            parent=row["parent"],
            codes_postaux=tuple(row["codes_postaux"].split()),
            departement=row["departement"],
            region=row["region"],
            epci=row["epci"],
            population=int(row["population"]) if row["population"] else None,
            lat=_float(row["lat"]),
            lon=_float(row["lon"]),
            niveau=row["niveau"],
        )
    departements = {row["code"]: _territory(row) for row in _read_csv(directory / "departements.csv")}
    regions = {row["code"]: _territory(row) for row in _read_csv(directory / "regions.csv")}
    return Gazetteer(communes=communes, departements=departements, regions=regions)
