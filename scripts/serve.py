"""make serve: build from the data and serve on http://127.0.0.1:8000 with live reload.

A change to a data file, a content page or a template rebuilds the site and
reloads the browser. If the new data have errors they are printed here and the
last valid version stays on screen; the server keeps running.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from cae.gazetteer import load_gazetteer
from cae.paths import REPO_ROOT, data_dir_from_env
from cae.report import print_problems, summary
from cae.validate import validate_directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit et sert le site en local, avec rechargement automatique.")
    parser.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    parser.add_argument("--addr", default="127.0.0.1:8000", help="adresse d'écoute (par défaut : 127.0.0.1:8000)")
    parser.add_argument("--allow-fictional", action="store_true", help="accepter les données fictives (démonstration)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data).resolve() if args.data else data_dir_from_env()

    result = validate_directory(data_dir, load_gazetteer(), allow_fictional=args.allow_fictional)
    if not result.ok:
        print_problems(result.problems, show_warnings=False)
        print(summary(result.problems), file=sys.stderr)
        print("Corrigez ces erreurs puis relancez « make serve ».", file=sys.stderr)
        return 1

    os.environ["CAE_SERVE"] = "1"
    os.environ["CAE_DATA"] = str(data_dir)
    os.environ["CAE_ALLOW_FICTIONAL"] = "1" if args.allow_fictional else "0"
    from mkdocs.commands.serve import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")

    print(f"Site servi sur http://{args.addr}/ (Ctrl+C pour arrêter).", file=sys.stderr)
    serve(config_file=str(REPO_ROOT / "mkdocs.yml"), livereload=True, watch=[str(data_dir)], dev_addr=args.addr, strict=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
