"""Enrichment: validated records + gazetteer + vocabularies → the directory model.

Places get a commune, département, région, coordinates and the precision of
those coordinates; vocabulary ids become terms; members are attached to their
cooperative. Generation only ever reads this model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from .gazetteer import Commune, Gazetteer, Territory
from .geocode import GeocodedPoint, query_text
from .text import fold
from .validate import Dataset
from .vocabularies import Term, Vocabularies

# How precisely a place is known, from best to worst.
PRECISION_LABELS = {
    "adresse": "à l'adresse",
    "commune": "au centre de la commune",
    "departement": "au centre du département",
    "region": "à l'échelle de la région (pas de position sur la carte)",
}


@dataclass(frozen=True)
class Place:
    """A head office or an antenne, located as precisely as the data allow."""

    kind: str  # "siege" or "antenne"
    index: int  # position in the record (0 for the head office, antennes from 0)
    nom: str
    adresse: str
    code_postal: str
    commune: Commune | None
    departement: Territory | None
    region: Territory | None
    lat: float | None
    lon: float | None
    precision: str

    @property
    def on_map(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def label(self) -> str:
        """Where it is, in words: ``Flers (61)``, ``Finistère (29)``, ``Grand Est``."""
        if self.commune:
            return f"{self.commune.nom} ({self.commune.departement})"
        if self.departement:
            return f"{self.departement.nom} ({self.departement.code})"
        if self.region:
            return self.region.nom
        return "lieu inconnu"


@dataclass(frozen=True)
class Member:
    id: str
    cooperative_id: str
    nom: str
    activite: str
    competences: tuple[Term, ...]
    mots_cles: tuple[str, ...]
    commune: Commune
    rayon_km: int
    departements: tuple[str, ...]
    disponibilites: tuple[Term, ...]
    site_web: str


@dataclass
class Cooperative:
    id: str
    nom: str
    record: dict[str, Any]
    siege: Place | None
    antennes: list[Place]
    secteurs: list[Term]
    reseaux: list[Term]
    forme_juridique: Term | None
    served_departements: list[Territory]
    served_regions: list[Territory]
    members: list[Member] = field(default_factory=list)
    fictional: bool = False
    line: int = 1  # where the record starts in cooperatives.yaml (for "Modifier cette fiche")
    covered_departements: frozenset[str] = frozenset()  # see serves_departement
    covered_regions: frozenset[str] = frozenset()  # see serves_region

    @property
    def places(self) -> list[Place]:
        return ([self.siege] if self.siege else []) + self.antennes

    @property
    def is_generalist(self) -> bool:
        return any(term.id == "generaliste" for term in self.secteurs)

    @property
    def confirmed(self) -> bool:
        return self.record.get("verification") == "confirmee-par-la-cooperative"

    @property
    def accepts_newcomers(self) -> bool | None:
        return self.record.get("accepte_nouveaux_entrepreneurs")

    @property
    def sort_key(self) -> str:
        return fold(self.nom)

    def located_departements(self) -> set[str]:
        return {p.departement.code for p in self.places if p.departement}

    def located_regions(self) -> set[str]:
        return {p.region.code for p in self.places if p.region}

    def serves_departement(self, code: str) -> bool:
        """Located in the département, or declared as serving it (directly or through its région)."""
        return code in self.covered_departements

    def serves_region(self, code: str) -> bool:
        """Located in the région, or declared as serving it or one of its départements."""
        return code in self.covered_regions


@dataclass
class Directory:
    """Everything the generators need, already joined and sorted."""

    cooperatives: list[Cooperative]
    vocabularies: Vocabularies
    gazetteer: Gazetteer
    schemas: dict[str, dict[str, Any]]
    data_date: dt.date  # the newest "mise_a_jour": the date of the data, used for reproducible builds
    fictional: bool

    @property
    def members(self) -> list[Member]:
        return [member for cooperative in self.cooperatives for member in cooperative.members]

    def cooperative(self, identifier: str) -> Cooperative:
        return next(c for c in self.cooperatives if c.id == identifier)

    @cached_property
    def by_departement(self) -> dict[str, list[Cooperative]]:
        """Département code → the cooperatives serving it (in directory order)."""
        return _group(self.cooperatives, lambda c: c.covered_departements)

    @cached_property
    def by_region(self) -> dict[str, list[Cooperative]]:
        """Région code → the cooperatives serving it (in directory order)."""
        return _group(self.cooperatives, lambda c: c.covered_regions)


def _group(cooperatives: list[Cooperative], codes: Callable[[Cooperative], frozenset[str]]) -> dict[str, list[Cooperative]]:
    found: dict[str, list[Cooperative]] = {}
    for cooperative in cooperatives:
        for code in sorted(codes(cooperative)):
            found.setdefault(code, []).append(cooperative)
    return found


def _place(kind: str, index: int, raw: dict[str, Any], gazetteer: Gazetteer, geocoded: GeocodedPoint | None = None) -> Place:
    commune = gazetteer.communes.get(raw.get("insee") or "")
    if commune is None and raw.get("commune"):
        candidates = gazetteer.find(name=raw["commune"], postcode=raw.get("code_postal"), departement=raw.get("departement"))
        commune = candidates[0] if len(candidates) == 1 else None
    departement = gazetteer.departements.get(commune.departement if commune else raw.get("departement") or "")
    region_code = commune.region if commune else (departement.region if departement else "")
    region = gazetteer.regions.get(region_code) or gazetteer.regions_by_slug.get(raw.get("region") or "")
    coordinates = raw.get("coordonnees")
    if geocoded is not None and raw.get("adresse") and commune and geocoded.requete == query_text(raw["adresse"], raw.get("code_postal") or "", commune.nom):
        lat, lon, precision = geocoded.lat, geocoded.lon, "adresse"
    elif coordinates:
        lat, lon = float(coordinates["lat"]), float(coordinates["lon"])
        precision = "adresse" if raw.get("adresse") else "commune"
    elif commune:
        lat, lon, precision = commune.lat, commune.lon, "commune"
    elif departement:
        lat, lon, precision = departement.lat, departement.lon, "departement"
    else:
        lat, lon, precision = None, None, "region"
    return Place(
        kind=kind,
        index=index,
        nom=raw.get("nom") or ("Siège" if kind == "siege" else "Antenne"),
        adresse=raw.get("adresse") or "",
        code_postal=raw.get("code_postal") or "",
        commune=commune,
        departement=departement,
        region=region,
        lat=lat,
        lon=lon,
        precision=precision,
    )


def _terms(ids: list[str] | None, terms: dict[str, Term]) -> list[Term]:
    return [terms[i] for i in ids or [] if i in terms]


def _member(cooperative_id: str, raw: dict[str, Any], vocabularies: Vocabularies, gazetteer: Gazetteer) -> Member:
    zone = raw["zone"]
    return Member(
        id=raw["id"],
        cooperative_id=cooperative_id,
        nom=raw["nom"],
        activite=raw["activite"],
        competences=tuple(_terms(raw.get("competences"), vocabularies.competences)),
        mots_cles=tuple(raw.get("mots_cles") or ()),
        commune=gazetteer.communes[zone["insee"]],
        rayon_km=int(zone["rayon_km"]),
        departements=tuple(zone.get("departements") or ()),
        disponibilites=tuple(_terms(raw.get("disponibilites"), vocabularies.disponibilites)),
        site_web=raw.get("site_web") or "",
    )


def _coverage(cooperative: Cooperative, gazetteer: Gazetteer) -> tuple[frozenset[str], frozenset[str]]:
    """Départements and régions a cooperative serves: where it is, what it declares."""
    declared_regions = {t.code for t in cooperative.served_regions}
    departements = (
        cooperative.located_departements()
        | {t.code for t in cooperative.served_departements}
        | {code for code, d in gazetteer.departements.items() if d.region in declared_regions}
    )
    regions = cooperative.located_regions() | declared_regions | {t.region for t in cooperative.served_departements}
    return frozenset(departements), frozenset(regions)


def enrich(dataset: Dataset, gazetteer: Gazetteer, geocoded: dict[tuple[str, str], GeocodedPoint] | None = None) -> Directory:
    """Build the directory model from a dataset that passed validation.

    ``geocoded`` holds the committed results of ``make geocode``; a result is
    used only while the address it was computed from is unchanged.
    """
    geocoded = geocoded or {}
    vocabularies = dataset.vocabularies
    regions_by_slug = gazetteer.regions_by_slug
    cooperatives = []
    for record in dataset.cooperatives:
        territories = record.get("territoires") or {}
        cooperative = Cooperative(
            id=record["id"],
            nom=record["nom"],
            record=record,
            siege=_place("siege", 0, record["siege"], gazetteer, geocoded.get((record["id"], "siege"))) if record.get("siege") else None,
            antennes=[_place("antenne", i, raw, gazetteer, geocoded.get((record["id"], f"antennes[{i + 1}]"))) for i, raw in enumerate(record.get("antennes") or [])],
            secteurs=_terms(record.get("secteurs"), vocabularies.secteurs),
            reseaux=_terms(record.get("reseaux"), vocabularies.reseaux),
            forme_juridique=vocabularies.formes_juridiques.get(record.get("forme_juridique") or ""),
            served_departements=[gazetteer.departements[c] for c in territories.get("departements") or []],
            served_regions=[regions_by_slug[s] for s in territories.get("regions") or []],
            fictional=bool(record.get("fictif")),
            line=dataset.record_lines.get(record["id"], 1),
        )
        cooperative.covered_departements, cooperative.covered_regions = _coverage(cooperative, gazetteer)
        members = sorted(
            (_member(cooperative.id, raw, vocabularies, gazetteer) for raw in dataset.members.get(cooperative.id, [])),
            key=lambda m: (fold(m.nom), m.id),
        )
        cooperative.members = members
        cooperatives.append(cooperative)
    cooperatives.sort(key=lambda c: (c.sort_key, c.id))
    dates = [dt.date.fromisoformat(c.record["mise_a_jour"]) for c in cooperatives]
    return Directory(
        cooperatives=cooperatives,
        vocabularies=vocabularies,
        gazetteer=gazetteer,
        schemas=dataset.schemas,
        data_date=max(dates) if dates else dt.date(1970, 1, 1),
        fictional=any(c.fictional for c in cooperatives) or any(m.get("fictif") for ms in dataset.members.values() for m in ms),
    )
