"""Open data: the cooperatives as JSON, CSV and GeoJSON, the JSON Schemas, robots.txt.

Columns and fields come from the schema (one declaration per field) plus a few
derived ones (page URL, coordinates and their precision, labels of vocabulary
ids). Files are written with sorted, stable content so builds are reproducible.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .. import schema as schema_module
from ..enrich import Cooperative, Directory, Place

LICENCE = "Licence Ouverte 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# Cells a spreadsheet would read as a formula are prefixed with an apostrophe (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = " | "


def json_bytes(value: Any) -> bytes:
    """Stable, readable JSON (UTF-8, final newline) so builds are reproducible."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _place(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "nom": place.nom,
        "adresse": place.adresse or None,
        "code_postal": place.code_postal or None,
        "commune": place.commune.nom if place.commune else None,
        "insee": place.commune.insee if place.commune else None,
        "departement": place.departement.code if place.departement else None,
        "region": place.region.slug if place.region else None,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision,
    }


def cooperative_record(cooperative: Cooperative, site_url: str) -> dict[str, Any]:
    """One cooperative as published: the record's fields, places resolved, URL of its page."""
    record = cooperative.record
    return {
        "id": cooperative.id,
        "nom": cooperative.nom,
        "url": f"{site_url.rstrip('/')}/cooperatives/{cooperative.id}/" if site_url else f"/cooperatives/{cooperative.id}/",
        "forme_juridique": record.get("forme_juridique"),
        "siren": record.get("siren"),
        "reseaux": [t.id for t in cooperative.reseaux],
        "site_web": record.get("site_web"),
        "contact": record.get("contact"),
        "siege": _place(cooperative.siege),
        "antennes": [_place(p) for p in cooperative.antennes],
        "territoires": {
            "departements": [t.code for t in cooperative.served_departements],
            "regions": [t.slug for t in cooperative.served_regions],
        },
        "secteurs": [t.id for t in cooperative.secteurs],
        "accepte_nouveaux_entrepreneurs": record.get("accepte_nouveaux_entrepreneurs"),
        "reunions_information": record.get("reunions_information"),
        "annee_creation": record.get("annee_creation"),
        "entrepreneurs": record.get("entrepreneurs"),
        "description": record.get("description"),
        "annee_sources": record.get("annee_sources"),
        "sources": record.get("sources") or [],
        "verification": record.get("verification"),
        "mise_a_jour": record.get("mise_a_jour"),
    }


def _metadata(directory: Directory, site_url: str) -> dict[str, Any]:
    return {
        "titre": "Annuaire des coopératives d'activités et d'emploi",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "date_des_donnees": directory.data_date.isoformat(),
        "nombre": len(directory.cooperatives),
        "schema": "schemas/cooperatives.schema.json",
        "avertissement": "Les fiches « sources-publiques » ont été constituées à partir de sources publiques et ne sont pas vérifiées par les coopératives.",
        "site": site_url or None,
    }


# Column name -> (description, how to read it from a published record). The
# descriptions of schema fields come from the schema itself (see csv_columns).
_DERIVED = {
    "url": "Adresse de la page de la coopérative sur ce site.",
    "siege.lat": "Latitude du siège (WGS 84) ; vide si le siège n'est connu qu'à l'échelle de la région.",
    "siege.lon": "Longitude du siège (WGS 84).",
    "siege.precision": "Précision de la position du siège : adresse, commune (centre de la commune), departement (centre du département) ou region (pas de position).",
    "antennes": "Antennes, au format « nom (commune ou département) », séparées par « | ».",
}
_CSV_FIELDS = [
    "id", "nom", "url", "forme_juridique", "siren", "reseaux", "site_web", "contact.courriel", "contact.telephone",
    "contact.formulaire", "siege.adresse", "siege.code_postal", "siege.commune", "siege.insee", "siege.departement",
    "siege.region", "siege.lat", "siege.lon", "siege.precision", "antennes", "territoires.departements",
    "territoires.regions", "secteurs", "accepte_nouveaux_entrepreneurs", "reunions_information.texte",
    "reunions_information.url", "annee_creation", "entrepreneurs.nombre", "entrepreneurs.annee", "entrepreneurs.source",
    "description", "annee_sources", "sources", "verification", "mise_a_jour",
]


def csv_columns(directory: Directory) -> list[tuple[str, str]]:
    """(column, description) of cooperatives.csv: schema descriptions, plus the derived columns."""
    collection = directory.schemas["cooperatives.schema.json"]
    described = {row["champ"]: row["description"] for row in schema_module.field_rows(collection["items"], collection)}
    columns = []
    for name in _CSV_FIELDS:
        description = _DERIVED.get(name) or described.get(name)
        if description is None:
            raise KeyError(f"CSV column {name!r} is neither a schema field nor a derived column")
        if name in ("reseaux", "secteurs", "sources", "territoires.departements", "territoires.regions"):
            description += " Valeurs séparées par « | »."
        columns.append((name, description))
    return columns


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_cell(v) for v in value)
    text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _lookup(record: dict[str, Any], name: str) -> Any:
    if name == "antennes":
        return [f"{a['nom']} ({a['commune'] or a['departement'] or a['region'] or 'lieu inconnu'})" for a in record["antennes"]]
    value: Any = record
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def cooperatives_csv(directory: Directory, site_url: str, cooperatives: list[Cooperative] | None = None) -> bytes:
    """The cooperatives (all of them unless given) as CSV, columns of :func:`csv_columns`."""
    columns = [name for name, _ in csv_columns(directory)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for cooperative in directory.cooperatives if cooperatives is None else cooperatives:
        record = cooperative_record(cooperative, site_url)
        writer.writerow([_cell(_lookup(record, name)) for name in columns])
    return buffer.getvalue().encode("utf-8")


def cooperatives_geojson(directory: Directory, site_url: str) -> dict[str, Any]:
    features = []
    for cooperative in directory.cooperatives:
        record = cooperative_record(cooperative, site_url)
        for place in cooperative.places:
            if not place.on_map:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(place.lon, 6), round(place.lat, 6)]},
                    "properties": {
                        "id": cooperative.id,
                        "nom": cooperative.nom,
                        "lieu": place.nom,
                        "type": place.kind,
                        "commune": place.commune.nom if place.commune else None,
                        "insee": place.commune.insee if place.commune else None,
                        "departement": place.departement.code if place.departement else None,
                        "precision": place.precision,
                        "secteurs": record["secteurs"],
                        "reseaux": record["reseaux"],
                        "url": record["url"],
                    },
                }
            )
    return {"type": "FeatureCollection", "metadata": _metadata(directory, site_url), "features": features}


def robots_txt(site_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")


def data_files(directory: Directory, options: Any) -> dict[str, bytes]:
    site_url = options.site_url
    files = {f"donnees/schemas/{name}": json_bytes(schema) for name, schema in sorted(directory.schemas.items())}
    files["donnees/cooperatives.json"] = json_bytes(
        {"metadonnees": _metadata(directory, site_url), "cooperatives": [cooperative_record(c, site_url) for c in directory.cooperatives]}
    )
    files["donnees/cooperatives.csv"] = cooperatives_csv(directory, site_url)
    files["donnees/cooperatives.geojson"] = json_bytes(cooperatives_geojson(directory, site_url))
    files["robots.txt"] = robots_txt(site_url)
    return files
