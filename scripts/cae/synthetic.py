"""Synthetic data for demos, tests and the benchmark: obviously fictional, valid, deterministic.

Every record carries ``fictif: true`` and a name that says it is fictional, so
the publishing build refuses it (see ``validate``). Places follow the real
population: a commune is drawn with a probability proportional to its
inhabitants, members live near their cooperative, skills follow its sectors.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .gazetteer import Commune, Gazetteer
from .vocabularies import Vocabularies

COOPERATIVES_PER_SCALE = 165
MEMBERS_PER_SCALE = 12_000
MAX_MEMBERS_PER_COOPERATIVE = 2_000  # keeps each member file well under the 1 MB limit
DATA_DATE = dt.date(2026, 1, 15)
FICTIONAL_DOMAIN = "exemple.invalid"  # a reserved top-level domain: no such site can exist

_WORDS = [
    "Tilleuls", "Trois Rivières", "Hirondelles", "Coteaux", "Quatre Vents", "Sources", "Mille Ateliers",
    "Grand Pré", "Lavandes", "Phare", "Ruches", "Passerelles", "Marronniers", "Embruns", "Cimes",
    "Moulins", "Fougères", "Étoiles", "Galets", "Vergers", "Forges", "Ponts", "Dunes", "Chênes",
]
_TRADE_WORDS = ["Atelier", "Studio", "Maison", "Comptoir", "Collectif", "Fabrique", "Cabinet", "Bureau"]
_AVAILABILITIES = ["sous-traitance", "co-traitance", "partenariat", "mentorat"]


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Compact YAML: block style for records, flow style for short lists and places."""


@dataclass
class _Sampler:
    """Draws communes with a probability proportional to their population."""

    communes: list[Commune]
    cumulative: list[int]

    @classmethod
    def of(cls, communes: list[Commune]) -> "_Sampler":
        weights = [max(c.population or 0, 50) for c in communes]
        return cls(communes, list(itertools.accumulate(weights)))

    def draw(self, rng: random.Random) -> Commune:
        return self.communes[bisect.bisect_right(self.cumulative, rng.randrange(self.cumulative[-1]))]


def _member_counts(rng: random.Random, cooperatives: int, members: int) -> list[int]:
    """A skewed split (a few large cooperatives, many small ones) summing to ``members``."""
    weights = [rng.paretovariate(1.3) for _ in range(cooperatives)]
    total = sum(weights)
    counts = [min(MAX_MEMBERS_PER_COOPERATIVE, max(1, round(members * w / total))) for w in weights]
    difference = members - sum(counts)
    index = 0
    while difference != 0 and cooperatives:
        step = 1 if difference > 0 else -1
        if 1 <= counts[index] + step <= MAX_MEMBERS_PER_COOPERATIVE:
            counts[index] += step
            difference -= step
        index = (index + 1) % cooperatives
    return counts


def _date(rng: random.Random, days_back: int = 365) -> str:
    return (DATA_DATE - dt.timedelta(days=rng.randrange(days_back))).isoformat()


def _place(commune: Commune) -> dict[str, Any]:
    return {"commune": commune.nom, "insee": commune.insee}


def _cooperative(rng: random.Random, number: int, commune: Commune, sampler_by_dep: dict[str, _Sampler], vocabularies: Vocabularies) -> dict[str, Any]:
    sectors = [s for s in vocabularies.secteurs if s != "generaliste"]
    chosen = ["generaliste"] if rng.random() < 0.45 else sorted(rng.sample(sectors, rng.randint(1, 3)))
    identifier = f"fictive-{number:04d}"
    record: dict[str, Any] = {
        "id": identifier,
        "nom": f"Coopérative fictive des {rng.choice(_WORDS)} n° {number}",
        "fictif": True,
        "siege": _place(commune),
    }
    if rng.random() < 0.3:
        local = sampler_by_dep[commune.departement]
        record["antennes"] = [
            {"nom": f"Antenne fictive {i + 1}", **_place(local.draw(rng))} for i in range(rng.randint(1, 2))
        ]
    if rng.random() < 0.5:
        record["territoires"] = {"departements": [commune.departement]}
    record["secteurs"] = chosen
    record["accepte_nouveaux_entrepreneurs"] = rng.random() < 0.85
    if rng.random() < 0.6:
        record["reunions_information"] = {
            "texte": "Réunion d'information fictive chaque premier lundi du mois.",
            "url": f"https://{identifier}.{FICTIONAL_DOMAIN}/reunions",
        }
    record["annee_creation"] = rng.randint(1996, 2025)
    record["description"] = "Coopérative fictive générée pour une démonstration : elle n'existe pas."
    record["sources"] = [f"https://{identifier}.{FICTIONAL_DOMAIN}/"]
    record["verification"] = "sources-publiques" if rng.random() < 0.7 else "confirmee-par-la-cooperative"
    record["mise_a_jour"] = _date(rng)
    return record


def _members(rng: random.Random, cooperative: dict[str, Any], count: int, local: _Sampler, vocabularies: Vocabularies) -> list[dict[str, Any]]:
    sectors = set(cooperative["secteurs"]) - {"generaliste"}
    skills = [s for s in vocabularies.competences.values() if not sectors or s.secteur in sectors] or list(vocabularies.competences.values())
    members = []
    for index in range(count):
        own = rng.sample(skills, min(len(skills), rng.randint(1, 3)))
        member: dict[str, Any] = {
            "id": f"membre-{index + 1:04d}",
            "nom": f"{rng.choice(_TRADE_WORDS)} fictif {cooperative['id'][-4:]}-{index + 1}",
            "activite": f"{own[0].libelle} (activité fictive)",
            "competences": [s.id for s in own],
            "zone": {"insee": local.draw(rng).insee, "rayon_km": rng.choice([10, 20, 30, 50, 80])},
            "disponibilites": sorted(rng.sample(_AVAILABILITIES, rng.randint(1, 2))),
            "fictif": True,
            "consentement": {"date": _date(rng, 700), "moyen": "donnée fictive générée"},
        }
        if rng.random() < 0.3:
            member["site_web"] = f"https://{member['id']}.{cooperative['id']}.{FICTIONAL_DOMAIN}/"
        members.append(member)
    return members


def _dump(records: list[dict[str, Any]], path: Path) -> None:
    body = yaml.dump(records, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    header = "# Données FICTIVES générées par scripts/generate_synthetic.py : elles ne peuvent pas être publiées.\n"
    path.write_text(header + body, encoding="utf-8")


def generate(output: Path, gazetteer: Gazetteer, vocabularies: Vocabularies, vocabulary_dir: Path, *, scale: float = 1.0, seed: int = 1) -> tuple[int, int]:
    """Write a complete data directory at ``output``; returns (cooperatives, members)."""
    rng = random.Random(seed)
    communes = sorted((c for c in gazetteer.communes.values() if c.type == "commune"), key=lambda c: c.insee)
    national = _Sampler.of(communes)
    by_dep: dict[str, list[Commune]] = {}
    for commune in communes:
        by_dep.setdefault(commune.departement, []).append(commune)
    sampler_by_dep = {code: _Sampler.of(items) for code, items in by_dep.items()}

    cooperative_count = max(1, round(COOPERATIVES_PER_SCALE * scale))
    member_total = round(MEMBERS_PER_SCALE * scale)
    counts = _member_counts(rng, cooperative_count, member_total)

    if output.exists():
        shutil.rmtree(output)
    (output / "members").mkdir(parents=True)
    shutil.copytree(vocabulary_dir, output / "vocabulaires")

    cooperatives = []
    for number in range(1, cooperative_count + 1):
        commune = national.draw(rng)
        cooperative = _cooperative(rng, number, commune, sampler_by_dep, vocabularies)
        cooperatives.append(cooperative)
        members = _members(rng, cooperative, counts[number - 1], sampler_by_dep[commune.departement], vocabularies)
        _dump(members, output / "members" / f"{cooperative['id']}.yaml")
    _dump(cooperatives, output / "cooperatives.yaml")
    return cooperative_count, sum(counts)
