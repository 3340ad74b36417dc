"""Generated pieces of hand-written pages.

A page in ``content/`` writes ``<!-- cae:NAME -->`` where a generated block
belongs (counts on the home page, field tables on the contribution page,
column table on the open-data page); the MkDocs layer swaps the marker for the
HTML below and fails the build on an unknown name.
"""

from __future__ import annotations

import re

from .. import schema as schema_module
from ..enrich import Directory
from ..render import render
from .exports import csv_columns

MARKER = re.compile(r"<!--\s*cae:([a-z0-9-]+)\s*-->")


def _field_table(directory: Directory, schema_name: str) -> str:
    collection = directory.schemas[schema_name]
    rows = schema_module.field_rows(collection["items"], collection)
    return render("field-table.html", "", rows=rows)


def snippets(directory: Directory) -> dict[str, str]:
    cooperatives = directory.cooperatives
    located_departements = set()
    for cooperative in cooperatives:
        located_departements |= cooperative.located_departements()
    return {
        "chiffres": render(
            "home-figures.html",
            "",
            total=len(cooperatives),
            confirmed=sum(1 for c in cooperatives if c.confirmed),
            departements=len(located_departements),
            members=len(directory.members),
            data_date=directory.data_date,
            fictional=directory.fictional,
        ),
        "champs-cooperative": _field_table(directory, "cooperatives.schema.json"),
        "champs-membre": _field_table(directory, "membres.schema.json"),
        "colonnes-csv": render("csv-columns.html", "", columns=csv_columns(directory)),
        "date-donnees": render("data-date.html", "", data_date=directory.data_date),
    }


def fill(markdown: str, pieces: dict[str, str], page: str) -> str:
    """Replace every marker of a hand-written page; an unknown marker is an error."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in pieces:
            raise KeyError(f"{page}: bloc généré inconnu « {name} » (connus : {', '.join(sorted(pieces))})")
        return "\n\n" + pieces[name].strip() + "\n\n"

    return MARKER.sub(replace, markdown)
