"""Validation: every problem of a data directory, in French, with its position.

Order of work: read every file strictly (:mod:`cae.load`), check the
vocabularies, build the schemas from them, then check each record against its
schema (structure, types, enumerations) and against the rules a schema cannot
say (checksums, gazetteer, dates, cross-record references). All problems of a
run are collected; nothing stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import schema as schema_module
from .errors import WARNING, Problem, display_path
from .gazetteer import Commune, Gazetteer
from .paths import REPO_ROOT
from .load import Document, KeyPath, PlainScalar, dotted, load_file
from .text import fold
from .vocabularies import KINDS, Vocabularies

STALE_AFTER_DAYS = 365
_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9]+([eE][-+]?[0-9]+)?")
_EMAIL_IN_TEXT = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+33\s?|0)[1-9](?:[\s.-]?[0-9]{2}){4}(?![0-9])")


@dataclass
class Dataset:
    """Everything read from a data directory, with values typed by the schema."""

    data_dir: Path
    cooperatives: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    vocabularies: Vocabularies = field(default_factory=Vocabularies)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    record_lines: dict[str, int] = field(default_factory=dict)  # cooperative id -> line of its record in cooperatives.yaml


@dataclass
class Result:
    dataset: Dataset
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- typing


Coercion = Callable[[Any], Any]


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, PlainScalar) else value


def _integer(value: Any) -> Any:
    if isinstance(value, PlainScalar) and _INTEGER.fullmatch(value):
        return int(value)
    return _text(value)


def _number(value: Any) -> Any:
    if isinstance(value, PlainScalar) and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else str(value)
    return _text(value)


def _boolean(value: Any) -> Any:
    if isinstance(value, PlainScalar) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _text(value)


def compile_coercion(schema: dict[str, Any], root: dict[str, Any]) -> Coercion:
    """A function giving unquoted scalars the type the schema asks for.

    Anything that cannot be converted stays text, so the schema check then
    reports it with its position (``"2004"`` quoted for a year, ``.nan`` for a
    latitude, ``oui`` for a boolean…).
    """
    schema = schema_module.resolve(schema, root)
    kind = schema.get("type")
    if kind == "integer":
        return _integer
    if kind == "number":
        return _number
    if kind == "boolean":
        return _boolean
    if kind == "object":
        fields = {key: compile_coercion(sub, root) for key, sub in schema.get("properties", {}).items()}

        def coerce_object(value: Any) -> Any:
            if not isinstance(value, dict):
                return _text(value)
            return {key: fields.get(key, _leave)(item) for key, item in value.items()}

        return coerce_object
    if kind == "array":
        item = compile_coercion(schema.get("items", {}), root)

        def coerce_array(value: Any) -> Any:
            return [item(v) for v in value] if isinstance(value, list) else _text(value)

        return coerce_array
    return _text


def _leave(value: Any) -> Any:
    """Unknown fields are reported by the schema check; their values are kept as read."""
    if isinstance(value, dict):
        return {key: _leave(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_leave(item) for item in value]
    return _text(value)


# --------------------------------------------------------------------------- schema errors

_TYPE_NAMES = {
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "true ou false",
    "array": "une liste (une ligne « - valeur » par élément)",
    "object": "des champs « nom: valeur » indentés en dessous",
}
_PYTHON_TYPE_NAMES = {str: "un texte", int: "un nombre", float: "un nombre", bool: "un booléen", list: "une liste", dict: "des champs", type(None): "une valeur vide"}
_ENUM_LIST_LIMIT = 15


def _suggest(word: str, choices: Iterable[str]) -> str:
    """`` ; vouliez-vous dire « x » ?`` for the closest choice (or one it begins), else ``""``."""
    choices = list(choices)
    by_fold = {fold(c): c for c in choices}
    folded = fold(str(word))
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    if not close and len(folded) >= 4:
        close = [f for f in sorted(by_fold) if f.startswith(folded)][:1]
    return f" ; vouliez-vous dire « {by_fold[close[0]]} » ?" if close else ""


def _allowed(values: list[str], vocabulary: str | None) -> str:
    if len(values) <= _ENUM_LIST_LIMIT:
        return " Valeurs permises : " + ", ".join(values) + "."
    if vocabulary:
        return f" La liste des valeurs permises est dans {vocabulary}."
    return ""


_VOCABULARY_FILES = {
    "Secteur": "data/vocabulaires/secteurs.yaml",
    "Compétence": "data/vocabulaires/competences.yaml",
    "Réseau": "data/vocabulaires/reseaux.yaml",
    "Forme juridique": "data/vocabulaires/formes-juridiques.yaml",
    "Disponibilité": "data/vocabulaires/disponibilites.yaml",
    "Département": "reference/departements.csv",
    "Région": "reference/regions.csv",
}


def _schema_problems(document: Document, base: KeyPath, error: ValidationError, forbidden: set[str]) -> list[Problem]:
    """Turn one jsonschema error into French problems with positions."""
    path = base + tuple(error.absolute_path)
    name = dotted(path[1:])
    field_name = name or "fiche"
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    value = error.instance

    if kind == "required":
        missing = [key for key in error.validator_value if key not in value]
        properties = schema.get("properties", {})
        return [
            document.problem(path, _join(name, key), f"champ obligatoire manquant ({properties.get(key, {}).get('title', key)})")
            for key in missing
        ]
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        problems = []
        for key in value:
            if key in allowed:
                continue
            if key in forbidden:
                message = (
                    f"champ « {key} » interdit : une adresse, un courriel ou un téléphone personnel ne sont jamais publiés ; "
                    "le contact passe par la coopérative ou par le site professionnel (site_web)"
                )
            else:
                message = f"champ inconnu « {key} »{_suggest(key, allowed) or '.'} Champs permis ici : {', '.join(allowed)}."
            problems.append(document.problem(path + (key,), _join(name, key), message, key=True))
        return problems
    if kind == "type":
        expected = error.validator_value
        expected_text = _TYPE_NAMES.get(expected, str(expected))
        if value is None:
            message = f"valeur vide : il faut {expected_text}"
        elif expected in ("integer", "number") and isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            message = f"il faut {expected_text} sans guillemets"
        else:
            message = f"il faut {expected_text}, pas {_PYTHON_TYPE_NAMES.get(type(value), 'cette valeur')}"
        if custom:
            message += f" ({custom})"
        return [document.problem(path, field_name, message)]
    if kind == "enum":
        values = [str(v) for v in error.validator_value]
        vocabulary = _VOCABULARY_FILES.get(schema.get("title", ""))
        message = f"valeur inconnue « {value} »{_suggest(str(value), values) or '.'}{_allowed(values, vocabulary)}"
        return [document.problem(path, field_name, message)]
    if kind == "pattern":
        return [document.problem(path, field_name, f"« {_clip(value)} » n'a pas le bon format : {custom or 'format invalide'}")]
    if kind == "minLength":
        return [document.problem(path, field_name, "texte vide : écrivez une valeur (ou supprimez la ligne si le champ est facultatif)")]
    if kind == "maxLength":
        return [document.problem(path, field_name, f"texte trop long : {len(value)} caractères, {error.validator_value} au plus")]
    if kind == "minimum":
        return [document.problem(path, field_name, f"{value} est trop petit : au moins {error.validator_value}")]
    if kind == "maximum":
        return [document.problem(path, field_name, f"{value} est trop grand : au plus {error.validator_value}")]
    if kind == "minItems":
        return [document.problem(path, field_name, f"liste trop courte : au moins {error.validator_value} élément(s)")]
    if kind == "maxItems":
        return [document.problem(path, field_name, f"liste trop longue : {len(value)} éléments, {error.validator_value} au plus")]
    if kind == "uniqueItems":
        return [document.problem(path, field_name, "valeur en double dans la liste : gardez-en une seule")]
    return [document.problem(path, field_name, f"valeur refusée ({error.message})")]


def _join(name: str, key: str) -> str:
    return f"{name}.{key}" if name else key


def _clip(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_against_schema(document: Document, base: KeyPath, record: Any, validator: "RecordValidator", forbidden: set[str] = frozenset()) -> list[Problem]:
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_schema_problems(document, base, error, forbidden))
    return list(dict.fromkeys(problems))  # "required" reports every missing key once per key


# --------------------------------------------------------------------------- rules a schema cannot say


def luhn_valid(digits: str) -> bool:
    """Luhn checksum, as used by SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    """SIRET checksum; La Poste's establishments (SIREN 356000000) use a digit sum instead."""
    if siret.startswith("356000000") and siret != "35600000000048":
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class Checker:
    """Record-level rules; each method checks one thing and returns problems."""

    document: Document
    gazetteer: Gazetteer
    today: dt.date

    def problem(self, path: KeyPath, message: str, *, severity: str = "erreur") -> Problem:
        return self.document.problem(path, dotted(path[1:]), message, severity=severity)

    def date(self, path: KeyPath, value: Any, *, allow_future: bool = False) -> list[Problem]:
        if not isinstance(value, str) or not re.fullmatch(schema_module.DATE_PATTERN, value):
            return []  # the schema reports the format
        day = parse_date(value)
        if day is None:
            return [self.problem(path, f"date impossible « {value} » : ce jour n'existe pas dans le calendrier")]
        if not allow_future and day > self.today:
            return [self.problem(path, f"date dans le futur « {value} » : la date du jour est {self.today.isoformat()}")]
        return []

    def year(self, path: KeyPath, value: Any) -> list[Problem]:
        if isinstance(value, int) and not isinstance(value, bool) and value > self.today.year:
            return [self.problem(path, f"année dans le futur ({value})")]
        return []

    def siren(self, path: KeyPath, value: Any) -> list[Problem]:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{9}", value) and not luhn_valid(value):
            return [self.problem(path, f"SIREN « {value} » invalide : la clé de contrôle ne correspond pas (faute de frappe ?)")]
        return []

    def siret(self, path: KeyPath, value: Any) -> list[Problem]:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{14}", value) and not siret_valid(value):
            return [self.problem(path, f"SIRET « {value} » invalide : la clé de contrôle ne correspond pas (faute de frappe ?)")]
        return []

    def siret_matches_siren(self, path: KeyPath, siret: Any, siren: Any) -> list[Problem]:
        if isinstance(siret, str) and isinstance(siren, str) and len(siret) == 14 and not siret.startswith(siren):
            return [self.problem(path, f"le SIRET « {siret} » ne commence pas par le SIREN de la coopérative ({siren})")]
        return []

    def place(self, path: KeyPath, place: Any) -> list[Problem]:
        """A head office or antenne: the commune exists and agrees with postcode, département and coordinates."""
        if not isinstance(place, dict):
            return []
        problems: list[Problem] = []
        commune, found = self._commune(path, place)
        problems.extend(found)
        if not any(place.get(k) for k in ("insee", "commune", "departement", "region")):
            problems.append(self.problem(path, "lieu inconnu : indiquez au moins la commune (ou à défaut le département ou la région)"))
        departement = commune.departement if commune else place.get("departement")
        if commune and place.get("departement") and place["departement"] != commune.departement:
            problems.append(self.problem(path + ("departement",), f"le département « {place['departement']} » ne correspond pas à la commune {commune.nom} ({commune.departement})"))
        if commune and place.get("code_postal") and place["code_postal"] not in commune.codes_postaux:
            known = ", ".join(commune.codes_postaux) or "aucun"
            problems.append(self.problem(path + ("code_postal",), f"le code postal « {place['code_postal']} » n'est pas celui de {commune.nom} ({known})"))
        problems.extend(self._coordinates(path + ("coordonnees",), place.get("coordonnees"), departement))
        return problems

    def _commune(self, path: KeyPath, place: dict[str, Any]) -> tuple[Commune | None, list[Problem]]:
        insee, name, postcode = place.get("insee"), place.get("commune"), place.get("code_postal")
        if not isinstance(insee, (str, type(None))) or not isinstance(name, (str, type(None))) or not isinstance(postcode, (str, type(None))):
            return None, []
        if insee and re.fullmatch(schema_module.INSEE_PATTERN, insee):
            commune = self.gazetteer.communes.get(insee)
            if commune is None:
                return None, [self.problem(path + ("insee",), f"code INSEE « {insee} » inconnu dans le Code officiel géographique 2026")]
            if name and fold(name) != fold(commune.nom):
                return commune, [self.problem(path + ("commune",), f"la commune « {name} » ne correspond pas au code INSEE {insee}, qui est {commune.nom}")]
            return commune, []
        if not name:
            return None, []
        departement = place.get("departement") if isinstance(place.get("departement"), str) else None
        postcode = postcode if postcode and re.fullmatch(schema_module.POSTCODE_PATTERN, postcode) else None
        candidates = self.gazetteer.find(name=name, postcode=postcode, departement=departement)
        if len(candidates) == 1:
            return candidates[0], []
        if not candidates and departement:
            elsewhere = self.gazetteer.find(name=name, postcode=postcode)
            if elsewhere:
                listed = ", ".join(f"{c.nom} ({c.departement}, INSEE {c.insee})" for c in elsewhere[:6])
                return None, [self.problem(path + ("commune",), f"aucune commune « {name} » dans le département {departement} ; il existe : {listed}")]
        if not candidates and postcode:
            elsewhere = self.gazetteer.find(name=name, departement=departement)
            if elsewhere:
                listed = ", ".join(f"{c.nom} ({', '.join(c.codes_postaux) or c.departement})" for c in elsewhere[:6])
                return None, [self.problem(path + ("code_postal",), f"le code postal {postcode} ne correspond pas à la commune « {name} » : {listed}")]
        if not candidates:
            hint = _suggest(name, [c.nom for c in self.gazetteer.find(postcode=postcode)] if postcode else [])
            if not hint:
                close = difflib.get_close_matches(fold(name), list(self.gazetteer.by_name), n=1, cutoff=0.85)
                if close:
                    options = self.gazetteer.by_name[close[0]]
                    listed = ", ".join(f"{c.nom} ({c.departement}, INSEE {c.insee})" for c in sorted(options, key=lambda c: c.insee)[:4])
                    hint = f" ; vouliez-vous dire {listed} ?"
            where = f" avec le code postal {postcode}" if postcode else ""
            return None, [self.problem(path + ("commune",), f"commune « {name} » introuvable{where}{hint}")]
        listed = ", ".join(f"{c.nom} ({c.departement}, INSEE {c.insee})" for c in candidates[:6])
        return None, [self.problem(path + ("commune",), f"plusieurs communes s'appellent « {name} » : {listed} ; ajoutez le code postal ou le code INSEE")]

    def _coordinates(self, path: KeyPath, coordinates: Any, departement: str | None) -> list[Problem]:
        if not isinstance(coordinates, dict):
            return []
        lat, lon = coordinates.get("lat"), coordinates.get("lon")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            return []
        if not self.gazetteer.in_france(lat, lon):
            return [self.problem(path, f"coordonnées ({lat}, {lon}) hors de France (métropole et outre-mer) : latitude et longitude inversées ?")]
        dep = self.gazetteer.departements.get(departement or "")
        if dep and not dep.contains(lat, lon):
            return [self.problem(path, f"coordonnées ({lat}, {lon}) hors du département {dep.nom} ({dep.code}) indiqué pour ce lieu")]
        return []

    def personal_data_in_text(self, path: KeyPath, value: Any) -> list[Problem]:
        if isinstance(value, str) and (_EMAIL_IN_TEXT.search(value) or _PHONE_IN_TEXT.search(value)):
            return [self.problem(path, "ce texte contient un courriel ou un numéro de téléphone : les coordonnées personnelles ne sont jamais publiées")]
        return []


# --------------------------------------------------------------------------- files


def _vocabulary_path(data_dir: Path, kind: str) -> Path:
    return data_dir / "vocabulaires" / f"{kind}.yaml"


def _top_level_list(document: Document, what: str) -> list[Any]:
    """The records of a file, which must be a YAML list."""
    if document.value is None:
        return []
    if not isinstance(document.value, list):
        document.problems.append(document.problem((), "", f"le fichier doit être une liste de {what} (chaque fiche commence par « - »)"))
        return []
    return document.value


def _records(document: Document, what: str, validator: "RecordValidator") -> list[tuple[KeyPath, Any]]:
    return [((index,), validator.coerce(record)) for index, record in enumerate(_top_level_list(document, what))]


def _unique_ids(document: Document, records: list[tuple[KeyPath, Any]], what: str) -> list[Problem]:
    seen: dict[str, KeyPath] = {}
    problems = []
    for path, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            continue
        identifier = record["id"]
        if identifier in seen:
            first = document.position(seen[identifier] + ("id",)).line
            problems.append(document.problem(path + ("id",), "id", f"identifiant « {identifier} » déjà utilisé par {what} de la ligne {first}"))
        else:
            seen[identifier] = path
    return problems


class RecordValidator:
    """Types and checks records against a schema: fast when a record is valid, thorough when not.

    fastjsonschema compiles the schema to Python and answers "valid or not"
    quickly but stops at the first error; for an invalid record jsonschema
    then lists every error with its path, which the messages need.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self.coerce = compile_coercion(schema, schema)
        self.thorough = Draft202012Validator(schema)
        fast_schema, formats = _with_set_enums({k: v for k, v in schema.items() if k != "$schema"})
        self.fast = fastjsonschema.compile(fast_schema, formats={"date": lambda _: True, **formats})

    def iter_errors(self, record: Any) -> Iterable[ValidationError]:
        try:
            self.fast(record)
        except fastjsonschema.JsonSchemaException:
            return self.thorough.iter_errors(record)
        return ()


def _with_set_enums(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Callable[[Any], bool]]]:
    """Long vocabularies checked by set membership (fastjsonschema scans enum lists)."""
    formats: dict[str, Callable[[Any], bool]] = {}
    definitions = {}
    for name, definition in schema.get("$defs", {}).items():
        if len(definition.get("enum", ())) > 20:
            allowed = frozenset(definition["enum"])
            formats[f"vocabulaire-{name}"] = allowed.__contains__
            definition = {"type": "string", "format": f"vocabulaire-{name}"}
        definitions[name] = definition
    return {**schema, "$defs": definitions}, formats


_validators: dict[int, tuple[dict[str, Any], RecordValidator]] = {}


def _validator(collection_schema: dict[str, Any]) -> RecordValidator:
    """The validator of a collection's records, compiled once per schema object."""
    cached = _validators.get(id(collection_schema))
    if cached is None or cached[0] is not collection_schema:
        item = dict(collection_schema["items"])
        item["$defs"] = collection_schema.get("$defs", {})
        cached = (collection_schema, RecordValidator(item))
        if len(_validators) > 32:  # a long "make serve" session builds new schemas at each change
            _validators.clear()
        _validators[id(collection_schema)] = cached
    return cached[1]


def _load_vocabularies(data_dir: Path, display: Callable[[Path], str]) -> tuple[dict[str, Document], list[Problem]]:
    documents, problems = {}, []
    for kind in KINDS:
        path = _vocabulary_path(data_dir, kind)
        if not path.exists():
            problems.append(Problem(display(path), 0, 0, "", "fichier de vocabulaire manquant"))
            continue
        documents[kind] = load_file(path, display(path))
    return documents, problems


def _vocabulary_ids(documents: dict[str, Document]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind, document in documents.items():
        for record in _top_level_list(document, "termes"):
            if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"] not in ids[kind]:
                ids[kind].append(record["id"])
    return ids


def build_schemas_for(vocabulary_ids: dict[str, list[str]], gazetteer: Gazetteer) -> dict[str, dict[str, Any]]:
    return schema_module.build_schemas(
        vocabulary_ids,
        sorted(gazetteer.departements),
        sorted(region.slug for region in gazetteer.regions.values()),
    )


def load_vocabularies(data_dir: Path, gazetteer: Gazetteer, display: Callable[[Path], str] = str) -> tuple[Vocabularies, dict[str, dict[str, Any]], list[Problem]]:
    """The vocabularies of a data directory, the schemas built from them, and their problems."""
    documents, problems = _load_vocabularies(data_dir, display)
    schemas = build_schemas_for(_vocabulary_ids(documents), gazetteer)
    records_by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, document in documents.items():
        collection = schemas[f"vocabulaire-{kind}.schema.json"]
        validator = _validator(collection)
        records = _records(document, "termes", validator)
        for path, record in records:
            problems.extend(check_against_schema(document, path, record, validator))
        problems.extend(_unique_ids(document, records, "le terme"))
        records_by_kind[kind] = [r for _, r in records if isinstance(r, dict) and isinstance(r.get("id"), str)]
        problems.extend(document.problems)
    return Vocabularies.from_records(records_by_kind), schemas, problems


def validate_directory(data_dir: Path, gazetteer: Gazetteer, *, today: dt.date | None = None, allow_fictional: bool = False, root: Path | None = None) -> Result:
    """Read and check a whole data directory; never raises on bad data."""
    today = today or dt.date.today()
    display = lambda path: display_path(path, root or REPO_ROOT)  # noqa: E731 - tiny adapter
    dataset = Dataset(data_dir=data_dir)
    problems: list[Problem] = []

    dataset.vocabularies, dataset.schemas, found = load_vocabularies(data_dir, gazetteer, display)
    problems.extend(found)
    schemas = dataset.schemas

    cooperatives_path = data_dir / "cooperatives.yaml"
    if not cooperatives_path.exists():
        problems.append(Problem(display(cooperatives_path), 0, 0, "", "fichier des coopératives manquant"))
        return Result(dataset, problems)
    document = load_file(cooperatives_path, display(cooperatives_path))
    collection = schemas["cooperatives.schema.json"]
    validator = _validator(collection)
    records = _records(document, "coopératives", validator)
    for path, record in records:
        problems.extend(check_against_schema(document, path, record, validator))
        problems.extend(_cooperative_rules(Checker(document, gazetteer, today), path, record, allow_fictional))
    problems.extend(_unique_ids(document, records, "la coopérative"))
    problems.extend(document.problems)
    dataset.cooperatives = [r for _, r in records if isinstance(r, dict)]
    cooperative_ids = {r.get("id") for r in dataset.cooperatives}
    for path, record in records:
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            dataset.record_lines[record["id"]] = document.position(path).line

    members_dir = data_dir / "members"
    member_files = sorted(members_dir.iterdir()) if members_dir.is_dir() else []
    context = _MemberContext(gazetteer, schemas["membres.schema.json"], today, frozenset(i for i in cooperative_ids if isinstance(i, str)), allow_fictional, root or REPO_ROOT)
    for cooperative_id, members, found in _check_member_files(member_files, context):
        problems.extend(found)
        if members is not None:
            dataset.members[cooperative_id] = members

    return Result(dataset, problems)


@dataclass(frozen=True)
class _MemberContext:
    """What checking one member file needs (shared with worker processes)."""

    gazetteer: Gazetteer
    schema: dict[str, Any]
    today: dt.date
    cooperative_ids: frozenset[str]
    allow_fictional: bool
    root: Path


PARALLEL_FROM_FILES = 100  # below this, starting processes costs more than it saves
_worker_context: _MemberContext | None = None


def _check_member_files(paths: list[Path], context: _MemberContext) -> list[tuple[str, list[dict[str, Any]] | None, list[Problem]]]:
    """Check member files, on every core when there are many (each file is independent)."""
    global _worker_context
    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_FROM_FILES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_member_file(path, context) for path in paths]
    _worker_context = context  # inherited by the forked workers, never pickled
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_member_file_in_worker, paths, chunksize=max(1, len(paths) // (workers * 8)))
    finally:
        _worker_context = None


def _member_file_in_worker(path: Path) -> tuple[str, list[dict[str, Any]] | None, list[Problem]]:
    assert _worker_context is not None
    return _member_file(path, _worker_context)


def _cooperative_rules(check: Checker, path: KeyPath, record: Any, allow_fictional: bool) -> list[Problem]:
    if not isinstance(record, dict):
        return []
    problems: list[Problem] = []
    problems += check.siren(path + ("siren",), record.get("siren"))
    problems += check.date(path + ("mise_a_jour",), record.get("mise_a_jour"))
    problems += check.year(path + ("annee_creation",), record.get("annee_creation"))
    problems += check.year(path + ("annee_sources",), record.get("annee_sources"))
    entrepreneurs = record.get("entrepreneurs")
    if isinstance(entrepreneurs, dict):
        problems += check.year(path + ("entrepreneurs", "annee"), entrepreneurs.get("annee"))
    problems += check.place(path + ("siege",), record.get("siege"))
    antennes = record.get("antennes")
    for index, antenne in enumerate(antennes if isinstance(antennes, list) else []):
        problems += check.place(path + ("antennes", index), antenne)
        if isinstance(antenne, dict):
            problems += check.siret(path + ("antennes", index, "siret"), antenne.get("siret"))
            problems += check.siret_matches_siren(path + ("antennes", index, "siret"), antenne.get("siret"), record.get("siren"))
    if record.get("fictif") is True and not allow_fictional:
        problems.append(check.problem(path, "fiche fictive (fictif: true) : les données de démonstration ne peuvent pas être publiées"))
    problems += _cooperative_warnings(check, path, record)
    return problems


def _cooperative_warnings(check: Checker, path: KeyPath, record: dict[str, Any]) -> list[Problem]:
    problems = []
    updated = parse_date(record["mise_a_jour"]) if isinstance(record.get("mise_a_jour"), str) else None
    if updated and (check.today - updated).days > STALE_AFTER_DAYS:
        problems.append(check.problem(path + ("mise_a_jour",), f"fiche non mise à jour depuis plus de 12 mois ({updated.isoformat()})", severity=WARNING))
    if record.get("verification") == "sources-publiques":
        problems.append(check.problem(path + ("verification",), "fiche constituée à partir de sources publiques, pas encore confirmée par la coopérative", severity=WARNING))
    if record.get("siege") is None and isinstance(record.get("id"), str):
        problems.append(check.problem(path, "siège inconnu : la coopérative n'apparaîtra ni sur la carte ni dans la recherche par lieu", severity=WARNING))
    return problems


def _member_file(path: Path, context: _MemberContext) -> tuple[str, list[dict[str, Any]] | None, list[Problem]]:
    """One cooperative's member file: (its cooperative id, its records or None, its problems)."""
    display = display_path(path, context.root)
    if path.name.startswith(".") or path.name == "README.md":
        return path.stem, None, []
    if path.suffix != ".yaml":
        return path.stem, None, [Problem(display, 0, 0, "", "fichier inattendu dans data/members/ : un fichier par coopérative, nommé <id-de-la-cooperative>.yaml")]
    document = load_file(path, display)
    problems: list[Problem] = []
    cooperative_id = path.stem
    if cooperative_id not in context.cooperative_ids:
        problems.append(Problem(display, 1, 1, "", f"aucune coopérative d'identifiant « {cooperative_id} » dans cooperatives.yaml{_suggest(cooperative_id, context.cooperative_ids) or '.'} Le nom du fichier doit être l'identifiant de la coopérative."))
    validator = _validator(context.schema)
    records = _records(document, "membres", validator)
    check = Checker(document, context.gazetteer, context.today)
    for record_path, record in records:
        problems.extend(check_against_schema(document, record_path, record, validator, schema_module.FORBIDDEN_MEMBER_FIELDS))
        problems.extend(_member_rules(check, record_path, record, context.allow_fictional))
    problems.extend(_unique_ids(document, records, "le membre"))
    problems.extend(document.problems)
    return cooperative_id, [r for _, r in records if isinstance(r, dict)], problems


def _member_rules(check: Checker, path: KeyPath, record: Any, allow_fictional: bool) -> list[Problem]:
    if not isinstance(record, dict):
        return []
    problems: list[Problem] = []
    consent = record.get("consentement")
    if isinstance(consent, dict):
        problems += check.date(path + ("consentement", "date"), consent.get("date"))
    zone = record.get("zone")
    if isinstance(zone, dict) and isinstance(zone.get("insee"), str) and re.fullmatch(schema_module.INSEE_PATTERN, zone["insee"]):
        if zone["insee"] not in check.gazetteer.communes:
            problems.append(check.problem(path + ("zone", "insee"), f"code INSEE « {zone['insee']} » inconnu dans le Code officiel géographique 2026"))
    for key in ("nom", "activite"):
        problems += check.personal_data_in_text(path + (key,), record.get(key))
    if isinstance(consent, dict):
        problems += check.personal_data_in_text(path + ("consentement", "moyen"), consent.get("moyen"))
    keywords = record.get("mots_cles")
    for index, keyword in enumerate(keywords if isinstance(keywords, list) else []):
        problems += check.personal_data_in_text(path + ("mots_cles", index), keyword)
    if record.get("fictif") is True and not allow_fictional:
        problems.append(check.problem(path, "fiche fictive (fictif: true) : les données de démonstration ne peuvent pas être publiées"))
    return problems
