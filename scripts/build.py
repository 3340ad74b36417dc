"""make build: validate, generate, build with MkDocs into a temporary folder, then swap it into site/.

A failing build (bad data, MkDocs error, search indexing error) leaves the
previous ``site/`` exactly as it was. The build date is the date of the data,
so two builds of the same data give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from cae import pipeline
from cae.generate import Options
from cae.paths import REPO_ROOT, data_dir_from_env
from cae.report import print_problems, summary


def _mkdocs_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False


def publish(built: Path, target: Path) -> None:
    """Replace ``target`` by ``built`` with two renames on the same file system."""
    old = target.with_name(f"{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(built, target)
    shutil.rmtree(old, ignore_errors=True)


def build_site(data_dir: Path, output: Path, *, allow_fictional: bool = False) -> int:
    """Build into ``output`` atomically; returns a process exit code."""
    temporary = output.with_name(f"{output.name}.tmp-{os.getpid()}")
    try:
        return _build(data_dir, output, temporary, allow_fictional)
    except Exception as error:  # noqa: BLE001 - a bug must not leave a half-built site or a bare traceback
        shutil.rmtree(temporary, ignore_errors=True)
        if os.environ.get("CAE_DEBUG") == "1":
            raise
        print(f"Erreur interne pendant la construction ({type(error).__name__} : {error}).", file=sys.stderr)
        print(f"{output} n'a pas changé. Signalez-la aux mainteneurs ; CAE_DEBUG=1 affiche le détail.", file=sys.stderr)
        return 1


def _build(data_dir: Path, output: Path, temporary: Path, allow_fictional: bool) -> int:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ["CAE_DATA"] = str(data_dir)
    os.environ["CAE_ALLOW_FICTIONAL"] = "1" if allow_fictional else "0"
    shutil.rmtree(temporary, ignore_errors=True)

    _mkdocs_logging()
    config = load_config(str(REPO_ROOT / "mkdocs.yml"), site_dir=str(temporary))
    options = Options.from_site_config(config.site_url, config.repo_url, config.edit_uri)
    outcome = pipeline.cached_run(data_dir, options, allow_fictional=allow_fictional)
    print_problems(outcome.problems, show_warnings=False)
    if not outcome.ok:
        print(summary(outcome.problems), file=sys.stderr)
        print(f"Le site n'a pas été construit ; {output} n'a pas changé.", file=sys.stderr)
        return 1
    epoch = dt.datetime.combine(outcome.directory.data_date, dt.time(), dt.timezone.utc)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch.timestamp()))
    try:
        mkdocs_build(config)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(temporary, ignore_errors=True)
        print(f"La construction du site a échoué : {error}", file=sys.stderr)
        print(f"{output} n'a pas changé.", file=sys.stderr)
        return 1
    publish(temporary, output)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit le site statique dans site/ (de façon atomique).")
    parser.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    parser.add_argument("--output", default=str(REPO_ROOT / "site"), help="dossier du site (par défaut : site/)")
    parser.add_argument("--allow-fictional", action="store_true", help="accepter les données fictives (démonstration, banc d'essai)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data).resolve() if args.data else data_dir_from_env()
    started = time.perf_counter()
    code = build_site(data_dir, Path(args.output).resolve(), allow_fictional=args.allow_fictional)
    if code == 0:
        print(f"Site construit dans {args.output} en {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
