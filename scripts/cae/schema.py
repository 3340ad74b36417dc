"""The one declaration of every data field.

Each field is declared once here, as JSON Schema (draft 2020-12) with a French
``title`` and ``description``. Everything else is derived from it: the schema
files editors use for autocompletion (``schemas/*.schema.json``, also published
on ``/donnees/``), the structural part of the validator, the field tables of the
contributor guide and the columns of the open-data CSV.

Vocabularies and territories are data, so the enumerations are filled in from
them when the schemas are built (:func:`build_schemas`).
"""

from __future__ import annotations

import copy
from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?([/?#][^\s<>\"'`\\]*)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INSEE_PATTERN = r"^([0-9]{2}|2[AB])[0-9]{3}$"
POSTCODE_PATTERN = r"^[0-9]{5}$"
EMAIL_PATTERN = r"^[^@\s<>\"'`]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 .]{7,18}[0-9]$"

DESCRIPTION_MAX = 1000
FORBIDDEN_MEMBER_FIELDS = {
    "courriel", "email", "e-mail", "mail", "adresse_email", "telephone", "tel",
    "téléphone", "portable", "mobile", "phone", "adresse", "address", "domicile",
    "adresse_personnelle", "date_naissance", "naissance",
}


def _text(title: str, description: str, *, max_length: int = 200, min_length: int = 1) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "description": description,
        "minLength": min_length,
        "maxLength": max_length,
    }


def _url(title: str, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "description": description,
        "pattern": URL_PATTERN,
        "maxLength": 500,
        "errorMessage": "lien complet commençant par https:// ou http:// (les liens javascript:, data:, etc. sont refusés)",
    }


def _date(title: str, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date",
        "title": title,
        "description": description,
        "pattern": DATE_PATTERN,
        "errorMessage": "date au format AAAA-MM-JJ, par exemple 2025-03-14",
    }


def _vocabulary_list(title: str, description: str, ref: str, *, min_items: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "array",
        "title": title,
        "description": description,
        "items": {"$ref": ref},
        "uniqueItems": True,
    }
    if min_items:
        schema["minItems"] = min_items
    return schema


def _place_properties() -> dict[str, Any]:
    """Fields shared by a head office and an antenne (one establishment)."""
    return {
        "adresse": _text(
            "Adresse",
            "Numéro et voie de l'établissement (sans le code postal ni la commune). Laisser vide si inconnue.",
            max_length=200,
        ),
        "code_postal": {
            "type": "string",
            "title": "Code postal",
            "description": "Code postal à 5 chiffres.",
            "pattern": POSTCODE_PATTERN,
            "errorMessage": "code postal à 5 chiffres, par exemple 01000 ou 69003",
        },
        "commune": _text("Commune", "Nom de la commune, par exemple Lyon ou Saint-Pierre.", max_length=100),
        "insee": {
            "type": "string",
            "title": "Code INSEE de la commune",
            "description": "Code officiel géographique de la commune (5 caractères, par exemple 69123 pour Lyon, 2A004 pour Ajaccio). Facultatif si la commune et le code postal suffisent à la reconnaître.",
            "pattern": INSEE_PATTERN,
            "errorMessage": "code INSEE à 5 caractères, par exemple 69123 ou 2A004",
        },
        "departement": {
            "$ref": "#/$defs/departement",
            "title": "Département",
            "description": "À remplir seulement quand la commune n'est pas connue : l'établissement est alors placé au centre du département.",
        },
        "region": {
            "$ref": "#/$defs/region",
            "title": "Région",
            "description": "À remplir seulement quand ni la commune ni le département ne sont connus.",
        },
        "coordonnees": {
            "type": "object",
            "title": "Coordonnées",
            "description": "Latitude et longitude (WGS 84) si elles sont connues précisément ; sinon l'établissement est placé au centre de sa commune.",
            "additionalProperties": False,
            "required": ["lat", "lon"],
            "properties": {
                "lat": {"type": "number", "title": "Latitude", "description": "Latitude en degrés décimaux.", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "title": "Longitude", "description": "Longitude en degrés décimaux.", "minimum": -180, "maximum": 180},
            },
        },
    }


def _cooperative() -> dict[str, Any]:
    place = _place_properties()
    antenne = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "nom": _text("Nom de l'antenne", "Nom de l'établissement secondaire, par exemple « Antenne de Redon ».", max_length=120),
            **copy.deepcopy(place),
            "siret": {
                "type": "string",
                "title": "SIRET",
                "description": "Numéro SIRET de l'établissement (14 chiffres, sans espace).",
                "pattern": r"^[0-9]{14}$",
                "errorMessage": "SIRET à 14 chiffres sans espace",
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "nom", "sources", "verification", "mise_a_jour"],
        "properties": {
            "id": {
                "type": "string",
                "title": "Identifiant",
                "description": "Identifiant unique, en minuscules, chiffres et tirets ; il forme l'adresse de la page (/cooperatives/<id>/) et ne doit plus changer.",
                "pattern": SLUG_PATTERN,
                "maxLength": 60,
                "errorMessage": "minuscules sans accent, chiffres et tirets, par exemple « coop-exemple »",
            },
            "nom": _text("Nom", "Nom usuel de la coopérative.", max_length=120),
            "forme_juridique": {"$ref": "#/$defs/forme_juridique", "title": "Forme juridique", "description": "Forme juridique, par exemple scop-sa ou scic-sas."},
            "siren": {
                "type": "string",
                "title": "SIREN",
                "description": "Numéro SIREN de la coopérative (9 chiffres, sans espace) ; sa clé de contrôle est vérifiée.",
                "pattern": r"^[0-9]{9}$",
                "errorMessage": "SIREN à 9 chiffres, sans espace",
            },
            "reseaux": _vocabulary_list("Réseaux", "Réseaux et fédération dont la coopérative est membre.", "#/$defs/reseau"),
            "site_web": _url("Site web", "Adresse du site de la coopérative."),
            "contact": {
                "type": "object",
                "title": "Contact",
                "description": "Contact générique de la coopérative (jamais celui d'une personne).",
                "additionalProperties": False,
                "properties": {
                    "courriel": {
                        "type": "string",
                        "title": "Courriel",
                        "description": "Adresse générique, par exemple contact@exemple.coop.",
                        "pattern": EMAIL_PATTERN,
                        "maxLength": 120,
                        "errorMessage": "adresse de courriel, par exemple contact@exemple.coop",
                    },
                    "telephone": {
                        "type": "string",
                        "title": "Téléphone",
                        "description": "Numéro du standard, par exemple \"04 72 00 00 00\".",
                        "pattern": PHONE_PATTERN,
                        "errorMessage": "numéro de téléphone, par exemple 04 72 00 00 00 ou +262 262 00 00 00",
                    },
                    "formulaire": _url("Formulaire de contact", "Page de contact du site de la coopérative."),
                },
            },
            "siege": {
                "type": "object",
                "title": "Siège",
                "description": "Siège de la coopérative : au moins la commune (ou, à défaut, le département ou la région).",
                "additionalProperties": False,
                "properties": place,
            },
            "antennes": {
                "type": "array",
                "title": "Antennes",
                "description": "Autres établissements ou lieux d'accueil, avec la même forme que le siège et un nom.",
                "items": antenne,
                "maxItems": 50,
            },
            "territoires": {
                "type": "object",
                "title": "Territoires desservis",
                "description": "Départements et régions où la coopérative accueille des entrepreneurs, si la coopérative ou une source le précise.",
                "additionalProperties": False,
                "properties": {
                    "departements": {"type": "array", "title": "Départements desservis", "description": "Codes de départements, par exemple \"69\", \"2A\", \"974\".", "items": {"$ref": "#/$defs/departement"}, "uniqueItems": True},
                    "regions": {"type": "array", "title": "Régions desservies", "description": "Régions entières, par exemple auvergne-rhone-alpes.", "items": {"$ref": "#/$defs/region"}, "uniqueItems": True},
                },
            },
            "secteurs": _vocabulary_list("Secteurs", "Secteurs d'activité accueillis ; « generaliste » si la coopérative accueille toutes les activités.", "#/$defs/secteur"),
            "accepte_nouveaux_entrepreneurs": {
                "type": "boolean",
                "title": "Accueille de nouveaux entrepreneurs",
                "description": "true si la coopérative accueille actuellement de nouveaux porteurs de projet, false sinon ; laisser vide si on ne sait pas.",
                "errorMessage": "true (oui) ou false (non), sans guillemets",
            },
            "reunions_information": {
                "type": "object",
                "title": "Réunions d'information",
                "description": "Comment assister à une réunion d'information collective.",
                "additionalProperties": False,
                "properties": {
                    "texte": _text("Texte", "Par exemple « Chaque premier mardi du mois à 9 h 30, sur inscription ».", max_length=300),
                    "url": _url("Lien", "Page d'inscription ou d'agenda."),
                },
            },
            "annee_creation": {
                "type": "integer",
                "title": "Année de création",
                "description": "Année de création de la coopérative (ou de son activité de CAE).",
                "minimum": 1990,
                "maximum": 2100,
                "errorMessage": "année à 4 chiffres, par exemple 2004",
            },
            "entrepreneurs": {
                "type": "object",
                "title": "Nombre d'entrepreneurs",
                "description": "Nombre d'entrepreneurs-salariés, avec l'année du chiffre et sa source.",
                "additionalProperties": False,
                "required": ["nombre", "annee"],
                "properties": {
                    "nombre": {"type": "integer", "title": "Nombre", "description": "Nombre d'entrepreneurs.", "minimum": 0, "maximum": 100000},
                    "annee": {"type": "integer", "title": "Année", "description": "Année du chiffre.", "minimum": 1990, "maximum": 2100},
                    "source": _url("Source", "Page où le chiffre est publié."),
                },
            },
            "description": _text(
                "Description",
                f"Présentation courte ({DESCRIPTION_MAX} caractères au plus), en texte simple ; sont permis : *italique*, **gras**, les listes et les liens [texte](https://…).",
                max_length=DESCRIPTION_MAX,
            ),
            "annee_sources": {
                "type": "integer",
                "title": "Année des sources",
                "description": "Année de la source publique la plus récente qui décrit la coopérative comme active (fiches non confirmées).",
                "minimum": 1990,
                "maximum": 2100,
                "errorMessage": "année à 4 chiffres, par exemple 2024",
            },
            "sources": {
                "type": "array",
                "title": "Sources",
                "description": "Pages publiques d'où viennent les informations de la fiche.",
                "items": _url("Source", "Adresse d'une page publique."),
                "minItems": 1,
                "uniqueItems": True,
            },
            "verification": {
                "type": "string",
                "title": "Vérification",
                "description": "sources-publiques : fiche constituée à partir de sources publiques ; confirmee-par-la-cooperative : relue par la coopérative.",
                "enum": ["sources-publiques", "confirmee-par-la-cooperative"],
            },
            "mise_a_jour": _date("Mise à jour", "Date de la dernière vérification de la fiche."),
            "fictif": {
                "type": "boolean",
                "title": "Donnée fictive",
                "description": "Réservé au générateur de données de démonstration : une fiche fictive ne peut pas être publiée.",
            },
        },
    }


def _member() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "nom", "activite", "competences", "zone", "consentement"],
        "properties": {
            "id": {
                "type": "string",
                "title": "Identifiant",
                "description": "Identifiant unique dans le fichier de la coopérative (minuscules, chiffres, tirets).",
                "pattern": SLUG_PATTERN,
                "maxLength": 60,
                "errorMessage": "minuscules sans accent, chiffres et tirets, par exemple « atelier-du-bois »",
            },
            "nom": _text("Nom commercial", "Nom sous lequel l'activité est connue (nom commercial ou marque).", max_length=120),
            "activite": _text("Activité", "Intitulé de l'activité, par exemple « Menuiserie et agencement ».", max_length=150),
            "competences": _vocabulary_list("Compétences", "Compétences du vocabulaire (identifiants), de 1 à 10.", "#/$defs/competence", min_items=1) | {"maxItems": 10},
            "mots_cles": {
                "type": "array",
                "title": "Mots-clés",
                "description": "Mots libres pour préciser l'activité (10 au plus).",
                "items": _text("Mot-clé", "Un mot ou une courte expression.", max_length=60),
                "maxItems": 10,
                "uniqueItems": True,
            },
            "zone": {
                "type": "object",
                "title": "Zone d'intervention",
                "description": "Commune de rattachement de l'activité et rayon d'intervention (jamais une adresse personnelle).",
                "additionalProperties": False,
                "required": ["insee", "rayon_km"],
                "properties": {
                    "insee": {
                        "type": "string",
                        "title": "Commune (code INSEE)",
                        "description": "Code INSEE de la commune où l'activité est basée.",
                        "pattern": INSEE_PATTERN,
                        "errorMessage": "code INSEE à 5 caractères, par exemple 44109",
                    },
                    "rayon_km": {"type": "integer", "title": "Rayon (km)", "description": "Distance maximale de déplacement, en kilomètres.", "minimum": 1, "maximum": 1000},
                    "departements": {"type": "array", "title": "Départements couverts", "description": "Départements entiers couverts en plus du rayon.", "items": {"$ref": "#/$defs/departement"}, "uniqueItems": True},
                },
            },
            "disponibilites": _vocabulary_list("Disponibilités", "Formes de collaboration acceptées : sous-traitance, co-traitance, partenariat…", "#/$defs/disponibilite"),
            "site_web": _url("Site professionnel", "Site professionnel de l'activité (le seul moyen de contact direct publié)."),
            "consentement": {
                "type": "object",
                "title": "Consentement",
                "description": "Date et forme de l'accord donné par la personne pour figurer dans l'annuaire.",
                "additionalProperties": False,
                "required": ["date", "moyen"],
                "properties": {
                    "date": _date("Date du consentement", "Date à laquelle la personne a donné son accord."),
                    "moyen": _text("Moyen", "Comment l'accord a été recueilli, par exemple « formulaire d'adhésion signé ».", max_length=200),
                },
            },
            "fictif": {
                "type": "boolean",
                "title": "Donnée fictive",
                "description": "Réservé au générateur de données de démonstration : une fiche fictive ne peut pas être publiée.",
            },
        },
    }


def _vocabulary_entry(kind: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string", "title": "Identifiant", "description": "Identifiant stable (minuscules, chiffres, tirets).", "pattern": SLUG_PATTERN, "maxLength": 60},
        "libelle": _text("Libellé", "Nom affiché sur le site.", max_length=120),
        "synonymes": {"type": "array", "title": "Synonymes", "description": "Mots qu'un visiteur peut taper pour ce terme.", "items": _text("Synonyme", "Un mot ou une expression.", max_length=80), "uniqueItems": True},
        "description": _text("Description", "Explication courte.", max_length=300),
    }
    required = ["id", "libelle"]
    if kind == "competences":
        properties["secteur"] = {"$ref": "#/$defs/secteur_competence", "title": "Secteur", "description": "Secteur d'activité de la compétence."}
        properties["rome"] = {"type": "string", "title": "Code ROME", "description": "Code de la fiche métier ROME de France Travail, si elle est connue.", "pattern": r"^[A-N][0-9]{4}$"}
        properties["synonymes"]["minItems"] = 1
        required += ["secteur", "synonymes"]
    if kind == "reseaux":
        properties["sigle"] = _text("Sigle", "Sigle usuel.", max_length=20)
        properties["site_web"] = _url("Site web", "Site du réseau.")
        properties["sources"] = {"type": "array", "title": "Sources", "description": "Pages publiques.", "items": _url("Source", "Adresse d'une page publique."), "minItems": 1}
        required.append("sources")
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


VOCABULARY_KINDS = ("secteurs", "competences", "reseaux", "formes-juridiques", "disponibilites")


def _enum(values: list[str], title: str) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values), "title": title}


def build_schemas(vocabulary_ids: dict[str, list[str]], departements: list[str], regions: list[str]) -> dict[str, dict[str, Any]]:
    """Every JSON Schema, keyed by file name, with enumerations filled in.

    ``vocabulary_ids`` maps a vocabulary kind (``secteurs``…) to its ids;
    ``departements`` are codes and ``regions`` slugs from the gazetteer.
    """
    defs = {
        "secteur": _enum(vocabulary_ids["secteurs"], "Secteur"),
        "secteur_competence": _enum([s for s in vocabulary_ids["secteurs"] if s != "generaliste"], "Secteur"),
        "competence": _enum(vocabulary_ids["competences"], "Compétence"),
        "reseau": _enum(vocabulary_ids["reseaux"], "Réseau"),
        "forme_juridique": _enum(vocabulary_ids["formes-juridiques"], "Forme juridique"),
        "disponibilite": _enum(vocabulary_ids["disponibilites"], "Disponibilité"),
        "departement": _enum(departements, "Département"),
        "region": _enum(regions, "Région"),
    }
    schemas = {
        "cooperatives.schema.json": _collection("cooperatives", "Coopératives d'activités et d'emploi", "Liste des coopératives de l'annuaire (data/cooperatives.yaml).", _cooperative(), defs),
        "membres.schema.json": _collection("membres", "Membres d'une coopérative", "Membres consentants d'une coopérative (data/members/<id-de-la-cooperative>.yaml).", _member(), defs),
    }
    for kind in VOCABULARY_KINDS:
        schemas[f"vocabulaire-{kind}.schema.json"] = _collection(f"vocabulaire-{kind}", f"Vocabulaire : {kind}", f"Entrées du vocabulaire {kind} (data/vocabulaires/{kind}.yaml).", _vocabulary_entry(kind), defs)
    return schemas


def _collection(name: str, title: str, description: str, item: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    used = _used_defs(item, defs)
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": title,
        "description": description,
        "type": "array",
        "items": item,
    }
    if used:
        schema["$defs"] = {key: defs[key] for key in sorted(used)}
    return schema


def _used_defs(schema: Any, defs: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            found.add(ref.removeprefix("#/$defs/"))
        for value in schema.values():
            found |= _used_defs(value, defs)
    elif isinstance(schema, list):
        for value in schema:
            found |= _used_defs(value, defs)
    return found


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (keeping the sibling title/description)."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    merged = dict(target)
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return merged


def field_rows(schema: dict[str, Any], root: dict[str, Any] | None = None, prefix: str = "") -> list[dict[str, str]]:
    """Flatten a record schema into documentation rows (field, required, title, description, kind)."""
    root = root or schema
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        prop = resolve(prop, root)
        path = f"{prefix}{name}"
        rows.append(
            {
                "champ": path,
                "obligatoire": "oui" if name in required else "non",
                "titre": prop.get("title", ""),
                "description": prop.get("description", ""),
                "type": _kind(prop, root),
            }
        )
        if prop.get("type") == "object":
            rows.extend(field_rows(prop, root, f"{path}."))
        elif prop.get("type") == "array" and resolve(prop.get("items", {}), root).get("type") == "object":
            rows.extend(field_rows(resolve(prop["items"], root), root, f"{path}[]."))
    return rows


def _kind(prop: dict[str, Any], root: dict[str, Any]) -> str:
    kind = prop.get("type", "")
    if "enum" in prop:
        return "valeur de liste"
    if kind == "array":
        item = resolve(prop.get("items", {}), root)
        if "enum" in item:
            return "liste de valeurs"
        return "liste d'objets" if item.get("type") == "object" else "liste de textes"
    return {
        "string": "date" if prop.get("format") == "date" else ("lien" if prop.get("pattern") == URL_PATTERN else "texte"),
        "integer": "nombre entier",
        "number": "nombre",
        "boolean": "true ou false",
        "object": "objet",
    }.get(kind, kind)
