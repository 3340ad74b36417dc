"""Master vocabularies (sectors, skills, networks, legal forms, availabilities).

They are data files under ``<data>/vocabulaires/``; this module turns their
validated records into lookups and matches free text against labels and
synonyms (accent- and case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .text import fold

KINDS = ("secteurs", "competences", "reseaux", "formes-juridiques", "disponibilites")


@dataclass(frozen=True)
class Term:
    id: str
    libelle: str
    synonymes: tuple[str, ...] = ()
    secteur: str = ""
    rome: str = ""
    description: str = ""
    sigle: str = ""
    site_web: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Term":
        return cls(
            id=record["id"],
            libelle=record["libelle"],
            synonymes=tuple(record.get("synonymes") or ()),
            secteur=record.get("secteur") or "",
            rome=record.get("rome") or "",
            description=record.get("description") or "",
            sigle=record.get("sigle") or "",
            site_web=record.get("site_web") or "",
            sources=tuple(record.get("sources") or ()),
        )

    def words(self) -> set[str]:
        """Every folded form a visitor may type for this term."""
        return {fold(self.libelle), fold(self.id.replace("-", " "))} | {fold(s) for s in self.synonymes}


@dataclass
class Vocabularies:
    terms: dict[str, dict[str, Term]] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: dict[str, list[dict[str, Any]]]) -> "Vocabularies":
        return cls({kind: {r["id"]: Term.from_record(r) for r in records.get(kind, [])} for kind in KINDS})

    @property
    def secteurs(self) -> dict[str, Term]:
        return self.terms["secteurs"]

    @property
    def competences(self) -> dict[str, Term]:
        return self.terms["competences"]

    @property
    def reseaux(self) -> dict[str, Term]:
        return self.terms["reseaux"]

    @property
    def formes_juridiques(self) -> dict[str, Term]:
        return self.terms["formes-juridiques"]

    @property
    def disponibilites(self) -> dict[str, Term]:
        return self.terms["disponibilites"]

    def ids(self) -> dict[str, list[str]]:
        return {kind: list(terms) for kind, terms in self.terms.items()}

    def label(self, kind: str, term_id: str) -> str:
        term = self.terms[kind].get(term_id)
        return term.libelle if term else term_id
