"""make geocode: locate the cooperatives' street addresses, results in <data>/geocodage.json.

The only command of the project that uses the network, run by a maintainer;
the results file is committed with the data. Exit code 0 when every address
was geocoded, is up to date or was rejected (warnings), 1 when the data have
errors or a geocoder failed for some address, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from cae.errors import display_path
from cae.gazetteer import load_gazetteer
from cae.geocode import (
    BAN_DELAY,
    BAN_DOMAIN,
    MIN_SCORE,
    NOMINATIM_DELAY,
    NOMINATIM_DOMAIN,
    ResultsFileError,
    ServiceSettings,
    ban_service,
    find_targets,
    geocode_places,
    nominatim_service,
    plan,
    read_results,
    results_path,
)
from cae.paths import REPO_ROOT, data_dir_from_env
from cae.report import print_problems
from cae.validate import validate_directory


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=(
            "Géocode les adresses des sièges et antennes (Base Adresse Nationale, Géoplateforme) "
            "et enregistre les résultats dans <données>/geocodage.json, à committer avec les données. "
            "Les adresses déjà géocodées ne sont pas redemandées."
        )
    )
    parser.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    parser.add_argument("--allow-fictional", action="store_true", help="accepter les fiches fictives (démonstration)")
    parser.add_argument("--dry-run", action="store_true", help="lister les adresses à géocoder sans envoyer de requête")
    parser.add_argument("--force", action="store_true", help="regéocoder aussi les adresses déjà géocodées")
    parser.add_argument("--nominatim", action="store_true", help="essayer Nominatim (OpenStreetMap) quand la BAN ne donne pas de résultat acceptable")
    parser.add_argument("--min-score", type=float, default=MIN_SCORE, help=f"score BAN minimal d'un résultat (par défaut : {MIN_SCORE})")
    parser.add_argument("--ban-domain", default=BAN_DOMAIN, help=f"domaine (et chemin) du service BAN (par défaut : {BAN_DOMAIN})")
    parser.add_argument("--ban-scheme", default="https", choices=("https", "http"), help="protocole du service BAN (par défaut : https)")
    parser.add_argument("--ban-delay", type=float, default=BAN_DELAY, help=f"secondes au moins entre deux requêtes BAN (par défaut : {BAN_DELAY})")
    parser.add_argument("--nominatim-domain", default=NOMINATIM_DOMAIN, help=f"domaine du service Nominatim (par défaut : {NOMINATIM_DOMAIN})")
    parser.add_argument("--nominatim-scheme", default="https", choices=("https", "http"), help="protocole du service Nominatim (par défaut : https)")
    parser.add_argument("--nominatim-delay", type=float, default=NOMINATIM_DELAY, help=f"secondes au moins entre deux requêtes Nominatim (par défaut et au moins sur le serveur public : {NOMINATIM_DELAY})")
    parser.add_argument("--timeout", type=float, default=10.0, help="secondes d'attente d'une réponse (par défaut : 10)")
    parser.add_argument("--retries", type=int, default=2, help="nouvelles tentatives après une erreur passagère (par défaut : 2)")
    parser.add_argument("--retry-wait", type=float, default=2.0, help="secondes avant une nouvelle tentative (par défaut : 2)")
    return parser


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 0 <= args.min_score <= 1:
        parser.error("--min-score doit être compris entre 0 et 1")
    if args.retries < 0:
        parser.error("--retries doit être positif ou nul")
    if args.timeout <= 0:
        parser.error("--timeout doit être strictement positif")
    if min(args.ban_delay, args.nominatim_delay, args.retry_wait) < 0:
        parser.error("les délais doivent être positifs ou nuls")


def _services(args: argparse.Namespace) -> list:
    common = dict(timeout=args.timeout, retries=args.retries, retry_wait=args.retry_wait)
    services = [ban_service(ServiceSettings(args.ban_domain, args.ban_scheme, args.ban_delay, **common), _say)]
    if args.nominatim:
        services.append(nominatim_service(ServiceSettings(args.nominatim_domain, args.nominatim_scheme, args.nominatim_delay, **common), _say))
    return services


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _check_arguments(parser, args)
    data_dir = data_dir_from_env() if args.data is None else Path(args.data).resolve()
    logging.getLogger("geopy").setLevel(logging.ERROR)  # its retry warnings carry English tracebacks; ours say it in French

    gazetteer = load_gazetteer()
    result = validate_directory(data_dir, gazetteer, allow_fictional=args.allow_fictional)
    if not result.ok:
        print_problems(result.errors, sys.stderr)
        _say("Données invalides : corrigez les erreurs ci-dessus (make validate) avant de géocoder.")
        return 1
    targets, notes = find_targets(result.dataset, gazetteer)
    print_problems(notes, sys.stderr)
    output = display_path(results_path(data_dir), REPO_ROOT)

    if args.dry_run:
        try:
            work = plan(targets, read_results(results_path(data_dir)), force=args.force)
        except ResultsFileError as error:
            _say(f"{output} : {error}")
            return 1
        for target in work.to_geocode:
            _say(f"à géocoder : {target.cooperative} ({target.label}) : « {target.requete} »")
        _say(f"{len(work.to_geocode)} adresse(s) à géocoder, {len(work.up_to_date)} déjà à jour ; aucune requête envoyée (--dry-run).")
        return 0

    if targets:
        _say(f"Géocodage vers {output} (Ctrl-C pour arrêter : les résultats obtenus sont gardés)…")
    try:
        summary = geocode_places(
            data_dir, targets, _services(args), gazetteer,
            today=dt.date.today(), force=args.force, min_score=args.min_score, progress=_say,
        )
    except ResultsFileError as error:
        _say(f"{output} : {error}")
        return 1
    except KeyboardInterrupt:
        _say(f"Interrompu : les adresses déjà géocodées sont enregistrées dans {output} ; relancez make geocode pour continuer.")
        return 130
    print_problems(summary.problems, sys.stderr)
    _say(summary.text())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
