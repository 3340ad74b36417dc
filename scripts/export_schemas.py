"""make schemas: write the JSON Schemas of the data files into schemas/.

Editors find them through the first line of each data file
(``# yaml-language-server: $schema=...``). They are derived from
scripts/cae/schema.py and the vocabularies; a test fails when the committed
files are out of date.
"""

from __future__ import annotations

import sys

from cae.gazetteer import load_gazetteer
from cae.generate.exports import json_bytes
from cae.paths import DEFAULT_DATA_DIR, SCHEMAS_DIR
from cae.report import print_problems
from cae.validate import load_vocabularies


def main() -> int:
    _, schemas, problems = load_vocabularies(DEFAULT_DATA_DIR, load_gazetteer())
    if any(p.is_error for p in problems):
        print_problems(problems)
        return 1
    SCHEMAS_DIR.mkdir(exist_ok=True)
    for stale in SCHEMAS_DIR.glob("*.schema.json"):
        if stale.name not in schemas:
            stale.unlink()
    for name, schema in sorted(schemas.items()):
        (SCHEMAS_DIR / name).write_bytes(json_bytes(schema))
    print(f"{len(schemas)} schémas écrits dans {SCHEMAS_DIR}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
