"""make partenaires Q="électricien menuisier près de 44000 rayon 50": partner members, from the data.

The matching rule of the /partenaires/ page (:mod:`cae.matching`) as a
command: the skills, place and radius are read from one sentence (or given as
options), and the members found, the proposed team and the skills nobody
covers are printed in French, or as JSON with ``--json``.

    python scripts/partenaires.py --data data "électricien menuisier près de Nantes rayon 30"
    python scripts/partenaires.py --competences electricite-batiment,menuiserie-bois --commune 44109 --json

It publishes nothing, so fictional (demo) data are accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cae import pipeline
from cae.enrich import Directory
from cae.gazetteer import Gazetteer
from cae.matching import DEFAULT_RADIUS_KM, Match, Origin, Query, SkillIndex, match, parse_request
from cae.paths import data_dir_from_env
from cae.places import find_communes
from cae.report import print_problems, summary


class RequestError(ValueError):
    """A request that cannot be answered (French message for the person who typed it)."""


def km_text(metres: int) -> str:
    """« 12,3 » km, rounded to the nearest 100 m with integers (the browser writes the same)."""
    tenths = (metres + 50) // 100
    return f"{tenths // 10},{tenths % 10}"


def load_directory(data_dir: Path) -> Directory:
    """The validated, enriched directory (geocoded addresses included), or RequestError."""
    outcome = pipeline.load_directory(data_dir, allow_fictional=True)
    if outcome.directory is None:
        print_problems(outcome.problems, show_warnings=False)
        raise RequestError(summary(outcome.problems))
    return outcome.directory


def origin_of(args: argparse.Namespace, place_text: str, gazetteer: Gazetteer) -> Origin:
    if args.commune:
        commune = gazetteer.communes.get(args.commune)
        if commune is None:
            raise RequestError(f"code INSEE inconnu : « {args.commune} »")
        return Origin.of_commune(commune)
    if args.lat is not None and args.lon is not None:
        return Origin(args.lat, args.lon, f"{args.lat}, {args.lon}")
    if not place_text:
        raise RequestError("lieu manquant : écrivez « près de <commune ou code postal> » ou utilisez --lieu")
    found = find_communes(place_text, gazetteer, limit=1)
    if not found:
        raise RequestError(f"aucune commune ne correspond à « {place_text} »")
    return Origin.of_commune(found[0])


def query_of(args: argparse.Namespace, directory: Directory) -> tuple[Query, tuple[str, ...]]:
    """The query, and the words of the request that name no skill."""
    request = parse_request(args.requete)
    skills = directory.vocabularies.competences
    unknown: tuple[str, ...] = ()
    if args.competences:
        ids = tuple(args.competences.split(","))
        missing = [i for i in ids if i not in skills]
        if missing:
            raise RequestError(f"compétence inconnue : {', '.join(missing)}")
    else:
        parsed = SkillIndex(skills).parse(request.skills_text)
        ids, unknown = parsed.ids, parsed.unknown
    if not ids:
        raise RequestError("aucune compétence reconnue" + (f" (mots inconnus : {', '.join(unknown)})" if unknown else ""))
    if args.disponibilite and args.disponibilite not in directory.vocabularies.disponibilites:
        raise RequestError(f"forme de collaboration inconnue : « {args.disponibilite} »")
    origin = origin_of(args, args.lieu or request.place_text, directory.gazetteer)
    radius = args.rayon or request.radius_km or DEFAULT_RADIUS_KM
    try:
        return Query(ids, origin, radius, args.disponibilite or ""), unknown
    except ValueError as error:
        raise RequestError(str(error)) from None


def match_record(found: Match, unknown: tuple[str, ...] = ()) -> dict[str, Any]:
    """The answer as plain data (``--json``; the browser tests compare the page with it)."""
    query = found.query
    return {
        "competences": list(query.skills),
        "mots_inconnus": list(unknown),
        "lieu": {"libelle": query.origin.label, "insee": query.origin.insee, "departement": query.origin.departement, "lat": query.origin.lat, "lon": query.origin.lon},
        "rayon_km": query.radius_km,
        "disponibilite": query.availability,
        "membres": [
            {
                "cooperative": c.member.cooperative_id,
                "id": c.member.id,
                "nom": c.member.nom,
                "activite": c.member.activite,
                "insee": c.member.commune.insee,
                "distance_m": c.distance_m,
                "competences": list(c.covered),
                "dessert_le_lieu": c.serves,
                "disponibilites": [t.id for t in c.member.disponibilites],
                "site_web": c.member.site_web,
            }
            for c in found.candidates
        ],
        "equipe": [list(c.key) for c in found.team],
        "non_couvertes": list(found.uncovered),
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def text_report(found: Match, directory: Directory, unknown: tuple[str, ...], limit: int) -> str:
    label = directory.vocabularies.label
    query = found.query
    lines = [
        "Compétences : " + ", ".join(label("competences", s) for s in query.skills),
        f"Lieu : {query.origin.label}, rayon de {query.radius_km} km"
        + (f", forme de collaboration : {label('disponibilites', query.availability)}" if query.availability else ""),
    ]
    if unknown:
        lines.append("Mots non reconnus : " + ", ".join(unknown))
    lines += ["", f"{_plural(len(found.candidates), 'membre')} dans ce rayon."]
    names = {c.id: c.nom for c in directory.cooperatives}
    for rank, candidate in enumerate(found.candidates[:limit], 1):
        member = candidate.member
        lines += [
            f"{rank:>3}. {member.nom} — {member.activite}",
            f"     {names[member.cooperative_id]} · {member.commune.nom} ({member.commune.departement}), à {km_text(candidate.distance_m)} km"
            f" · intervient sur place : {'oui' if candidate.serves else 'non'}",
            f"     compétences demandées : {', '.join(label('competences', s) for s in candidate.covered)} ({len(candidate.covered)} sur {len(query.skills)})"
            + (f" · collaboration : {', '.join(t.libelle for t in member.disponibilites)}" if member.disponibilites else ""),
            f"     contact : {member.site_web or f'par la coopérative, /cooperatives/{member.cooperative_id}/#contact'}",
        ]
    if len(found.candidates) > limit:
        lines.append(f"     … et {len(found.candidates) - limit} autres (--limite pour en voir plus).")
    lines += ["", f"Équipe proposée ({_plural(len(found.team), 'membre')}) :" if found.team else "Équipe proposée : personne dans ce rayon."]
    for candidate in found.team:
        lines.append(f"  - {candidate.member.nom} ({names[candidate.member.cooperative_id]}) : {', '.join(label('competences', s) for s in candidate.covered)}, à {km_text(candidate.distance_m)} km")
    if found.uncovered:
        lines.append("Compétences que personne ne couvre dans ce rayon : " + ", ".join(label("competences", s) for s in found.uncovered))
    else:
        lines.append("Toutes les compétences demandées sont couvertes.")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(description="Cherche des partenaires parmi les membres des coopératives (règle de la page /partenaires/).")
    command.add_argument("requete", nargs="?", default="", help="par exemple « électricien menuisier près de 44000 rayon 50 »")
    command.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    command.add_argument("--competences", help="identifiants de compétences séparés par des virgules (au lieu du texte)")
    command.add_argument("--lieu", help="commune ou code postal (au lieu de « près de … »)")
    command.add_argument("--commune", help="code INSEE de la commune")
    command.add_argument("--lat", type=float, help="latitude d'un point (avec --lon)")
    command.add_argument("--lon", type=float, help="longitude d'un point (avec --lat)")
    command.add_argument("--rayon", type=int, help=f"rayon en km (par défaut : {DEFAULT_RADIUS_KM})")
    command.add_argument("--disponibilite", help="forme de collaboration demandée (sous-traitance, co-traitance…)")
    command.add_argument("--limite", type=int, default=20, help="membres affichés (texte seulement ; par défaut : 20)")
    command.add_argument("--json", action="store_true", help="réponse complète en JSON")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data_dir = Path(args.data).resolve() if args.data else data_dir_from_env()
    try:
        directory = load_directory(data_dir)
        query, unknown = query_of(args, directory)
    except RequestError as error:
        print(f"Recherche impossible : {error}", file=sys.stderr)
        return 2
    found = match(directory.members, query)
    if args.json:
        print(json.dumps(match_record(found, unknown), ensure_ascii=False, indent=2))
    else:
        print(text_report(found, directory, unknown, args.limite))
    return 0


if __name__ == "__main__":
    sys.exit(main())
