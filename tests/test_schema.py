"""One declaration per field: the committed JSON Schemas, the data files' first lines and the docs agree."""

from __future__ import annotations

import json

from cae import schema as schema_module
from cae.load import schema_comment
from cae.validate import load_vocabularies
from helpers import REPO_ROOT

DATA = REPO_ROOT / "data"


def test_committed_schemas_are_up_to_date(gazetteer):
    _, schemas, problems = load_vocabularies(DATA, gazetteer)
    assert not [p for p in problems if p.is_error]
    committed = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in (REPO_ROOT / "schemas").glob("*.schema.json")}
    assert committed == schemas, "schemas/ is stale: run `make schemas`"


def test_every_data_file_names_its_schema_on_line_one():
    expected = {DATA / "cooperatives.yaml": "cooperatives.schema.json"}
    expected.update({path: f"vocabulaire-{path.stem}.schema.json" for path in (DATA / "vocabulaires").glob("*.yaml")})
    expected.update({path: "membres.schema.json" for path in (DATA / "members").glob("*.yaml")})
    for path, name in expected.items():
        declared = schema_comment(path)
        assert declared is not None, f"{path} has no yaml-language-server line"
        assert (path.parent / declared).resolve() == (REPO_ROOT / "schemas" / name).resolve(), path


def test_field_rows_cover_nested_fields_and_say_what_is_required(gazetteer):
    _, schemas, _ = load_vocabularies(DATA, gazetteer)
    collection = schemas["cooperatives.schema.json"]
    rows = {row["champ"]: row for row in schema_module.field_rows(collection["items"], collection)}
    assert rows["id"]["obligatoire"] == "oui"
    assert rows["siege.commune"]["obligatoire"] == "non"
    assert rows["antennes[].insee"]["type"] == "texte"
    assert rows["secteurs"]["type"] == "liste de valeurs"
    assert rows["mise_a_jour"]["type"] == "date"
    assert all(row["description"] for row in rows.values()), [name for name, row in rows.items() if not row["description"]]


def test_vocabulary_enumerations_come_from_the_data(gazetteer):
    vocabularies, schemas, _ = load_vocabularies(DATA, gazetteer)
    defs = schemas["membres.schema.json"]["$defs"]
    assert set(defs["competence"]["enum"]) == set(vocabularies.competences)
    assert "2A" in schemas["cooperatives.schema.json"]["$defs"]["departement"]["enum"]
    assert len(schemas["cooperatives.schema.json"]["$defs"]["departement"]["enum"]) == 101
    assert len(schemas["cooperatives.schema.json"]["$defs"]["region"]["enum"]) == 18
