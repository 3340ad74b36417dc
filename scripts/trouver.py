"""make trouver Q="69003 graphisme": the /trouver/ ranking from the command line.

The query is a postcode or a commune name, then optional activity words
(« 69003 graphisme », « Saint-Étienne menuisier », « Lyon, web »). ``--json``
prints the reference result the browser tests compare the site against.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from cae import pipeline
from cae.gazetteer import Gazetteer
from cae.paths import data_dir_from_env
from cae.places import find_communes, search_form
from cae.ranking import Resolution, Search, ambiguity_notice, rank, resolve_place, search_json
from cae.report import print_problems

INSEE_CODE = re.compile(r"^(\d{2}|2[AB])\d{3}$")


def split_query(query: str, gazetteer: Gazetteer) -> tuple[str, str]:
    """(place, activity): a comma separates them, else a postcode or the longest run of words naming a commune exactly."""
    if "," in query:
        place, _, activity = query.partition(",")
        return place.strip(), activity.strip()
    words = query.split()
    if not words:
        return "", ""
    if words[0][0].isdigit():
        return words[0], " ".join(words[1:])
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count])
        found = find_communes(candidate, gazetteer, 1)
        if found and search_form(found[0].nom) == search_form(candidate):
            return candidate, " ".join(words[count:])
    return words[0], " ".join(words[1:])


def resolve(place: str, gazetteer: Gazetteer) -> Resolution:
    """A postcode or a name; an INSEE code (« 75056 ») when no postcode has those digits."""
    resolution = resolve_place(place, gazetteer)
    if resolution.commune is None and INSEE_CODE.match(place) and place in gazetteer.communes:
        return Resolution(place, gazetteer.communes[place], [])
    return resolution


def table(search: Search) -> str:
    """The results as a French table: rank, cooperative, distance, accepts newcomers, reasons."""
    rows = [("n°", "coopérative", "distance", "accueille", "pourquoi")]
    for number, result in enumerate(search.results, start=1):
        km = f"{result.nearest.km:.1f} km".replace(".", ",") if result.nearest else "inconnue"
        rows.append((str(number), result.cooperative.nom, km, result.accepts_newcomers, " ; ".join(result.reasons)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] for row in rows)


def report(search: Search, resolution: Resolution | None) -> str:
    commune = search.commune
    lines = [f"Lieu : {commune.nom} ({commune.insee}), département {search.departement.nom} ({search.departement.code}), région {search.region.nom}."]
    if resolution and ambiguity_notice(resolution):
        lines.append(ambiguity_notice(resolution))
    if search.notice:
        lines.append(search.notice)
    if not search.results:
        lines.append("Aucune coopérative ne correspond.")
        return "\n".join(lines)
    shown, serving = len(search.results), sum(1 for r in search.results if r.serves)
    plural = "s" if shown > 1 else ""
    verb = "desservent" if serving > 1 else "dessert"
    lines.append(f"{shown} coopérative{plural} affichée{plural}, dont {serving} qui {verb} le département {search.departement.nom} ({search.departement.code}).")
    lines.append("")
    lines.append(table(search))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Trouver une CAE près d'une commune, pour une activité (même règle que la page /trouver/).")
    parser.add_argument("requete", nargs="?", default="", help="code postal ou commune, puis l'activité : « 69003 graphisme »")
    parser.add_argument("--commune", help="code INSEE de la commune (comme ?commune= dans l'adresse de la page)")
    parser.add_argument("--activite", help="activité (comme ?activite= dans l'adresse de la page)")
    parser.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    parser.add_argument("--json", action="store_true", help="résultat en JSON (référence des tests du navigateur)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data).resolve() if args.data else data_dir_from_env()
    # The command only reads the directory: fictional data are fine here (demos, benchmark data).
    outcome = pipeline.load_directory(data_dir, allow_fictional=True)
    if outcome.directory is None:
        print_problems([p for p in outcome.problems if p.is_error])
        return 1
    gazetteer = outcome.directory.gazetteer
    place, activity = split_query(args.requete, gazetteer)
    resolution = None
    if args.commune:
        commune = gazetteer.communes.get(args.commune)
    else:
        resolution = resolve(place, gazetteer)
        commune = resolution.commune
    if commune is None:
        print(f"Commune introuvable : « {args.commune or place} ». Donnez un code postal, un nom de commune ou un code INSEE.", file=sys.stderr)
        return 2
    search = rank(outcome.directory, commune, args.activite if args.activite is not None else activity)
    if args.json:
        print(json.dumps(search_json(search), ensure_ascii=False, indent=2))
    else:
        print(report(search, resolution))
    return 0


if __name__ == "__main__":
    sys.exit(main())
