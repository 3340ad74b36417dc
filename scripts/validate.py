"""make validate: check the data directory and print every problem in French.

Exit code 0 when the data are valid (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cae.gazetteer import load_gazetteer
from cae.paths import data_dir_from_env
from cae.report import print_problems, summary
from cae.validate import validate_directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vérifie les fichiers de données de l'annuaire.")
    parser.add_argument("--data", help="dossier de données (par défaut : data/ ou $DATA)")
    parser.add_argument("--allow-fictional", action="store_true", help="accepter les fiches fictives (démonstration)")
    parser.add_argument("--quiet-warnings", action="store_true", help="n'afficher que les erreurs")
    args = parser.parse_args(argv)
    data_dir = data_dir_from_env() if args.data is None else Path(args.data).resolve()
    result = validate_directory(data_dir, load_gazetteer(), allow_fictional=args.allow_fictional)
    print_problems(result.problems, show_warnings=not args.quiet_warnings)
    print(summary(result.problems), file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
