"""Generate a fictional data directory (demo, tests, benchmark).

    python scripts/generate_synthetic.py --scale 1 --seed 1 --output build/demo-data

Scale 1 is today's movement (about 165 cooperatives, 12,000 members); scale 10
is ten times that. The same seed always gives the same files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cae.gazetteer import load_gazetteer
from cae.paths import DEFAULT_DATA_DIR
from cae.report import print_problems
from cae.synthetic import generate
from cae.validate import load_vocabularies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère des données fictives (démonstration, tests, banc d'essai).")
    parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ 165 coopératives et 12 000 membres")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True, help="dossier à créer (remplacé s'il existe)")
    parser.add_argument("--vocabularies", default=str(DEFAULT_DATA_DIR), help="dossier de données dont on reprend les vocabulaires")
    args = parser.parse_args(argv)
    output = Path(args.output).resolve()
    if output == DEFAULT_DATA_DIR.resolve() or DEFAULT_DATA_DIR.resolve() in output.parents:
        print("Refusé : les données fictives ne doivent jamais être écrites dans data/.", file=sys.stderr)
        return 2
    gazetteer = load_gazetteer()
    source = Path(args.vocabularies).resolve()
    vocabularies, _, problems = load_vocabularies(source, gazetteer)
    if any(p.is_error for p in problems):
        print_problems(problems)
        return 1
    started = time.perf_counter()
    cooperatives, members = generate(output, gazetteer, vocabularies, source / "vocabulaires", scale=args.scale, seed=args.seed)
    print(f"{cooperatives} coopératives et {members} membres fictifs écrits dans {output} en {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
