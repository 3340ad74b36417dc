"""Pages of the cooperatives: one per cooperative, and the list."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from ..enrich import Cooperative, Directory
from ..render import Page, render
from ..text import fold
from ..vocabularies import Term
from . import maps
from .partners import MEMBERS_ON_COOPERATIVE_PAGE

PRECISION_TEXT = {
    "adresse": "à l'adresse indiquée",
    "commune": "approximative : centre de la commune",
    "departement": "approximative : centre du département",
}


def _edit_url(base: str, cooperative: Cooperative) -> str:
    return f"{base}#L{cooperative.line}" if base else ""


def cooperative_jsonld(cooperative: Cooperative, page_url: str) -> dict[str, Any]:
    """schema.org description of a cooperative (Organization with address and geo)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": cooperative.nom,
    }
    if page_url:
        data["url"] = page_url
    record = cooperative.record
    if record.get("site_web"):
        data["sameAs"] = [record["site_web"]]
    if record.get("description"):
        data["description"] = " ".join(record["description"].split())
    if record.get("annee_creation"):
        data["foundingDate"] = str(record["annee_creation"])
    contact = record.get("contact") or {}
    if contact.get("courriel"):
        data["email"] = contact["courriel"]
    if contact.get("telephone"):
        data["telephone"] = contact["telephone"]
    if record.get("siren"):
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "SIREN", "value": record["siren"]}
    siege = cooperative.siege
    if siege:
        address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "FR"}
        if siege.adresse:
            address["streetAddress"] = siege.adresse
        if siege.code_postal:
            address["postalCode"] = siege.code_postal
        if siege.commune:
            address["addressLocality"] = siege.commune.nom
        if siege.region:
            address["addressRegion"] = siege.region.nom
        data["address"] = address
        if siege.on_map and siege.precision in ("adresse", "commune"):
            data["geo"] = {"@type": "GeoCoordinates", "latitude": siege.lat, "longitude": siege.lon}
    return data


def _filters(cooperative: Cooperative, directory: Directory) -> dict[str, list[str]]:
    """Search facets: the départements and régions where it is located or that it serves."""
    gazetteer = directory.gazetteer
    departements = sorted(cooperative.covered_departements)
    regions = sorted(cooperative.covered_regions)
    return {
        "departements": [f"{gazetteer.departements[c].nom} ({c})" for c in departements],
        "regions": [gazetteer.regions[c].nom for c in regions],
    }


def _top_skills(cooperative: Cooperative, count: int = 8) -> list[tuple[Term, int]]:
    """The skills most members of a cooperative have (for the summary of large cooperatives)."""
    tally = Counter(skill for member in cooperative.members for skill in member.competences)
    return sorted(tally.items(), key=lambda item: (-item[1], fold(item[0].libelle)))[:count]


def cooperative_page(cooperative: Cooperative, directory: Directory, options: Any) -> Page:
    path = f"cooperatives/{cooperative.id}/"
    page_url = f"{options.site_url.rstrip('/')}/{path}" if options.site_url else ""
    siege = cooperative.siege
    where = siege.label if siege else "lieu non précisé"
    html = render(
        "cooperative.html",
        path,
        c=cooperative,
        edit_url=_edit_url(options.edit_url, cooperative),
        jsonld=cooperative_jsonld(cooperative, page_url),
        map=maps.cooperative_map(cooperative, path),
        precision_text=PRECISION_TEXT.get(siege.precision, "") if siege else "",
        filters=_filters(cooperative, directory),
        members_on_page=MEMBERS_ON_COOPERATIVE_PAGE,
        top_skills=_top_skills(cooperative),
    )
    return Page(
        path=path,
        edit_url=_edit_url(options.edit_url, cooperative),
        title=cooperative.nom,
        description=f"{cooperative.nom}, coopérative d'activités et d'emploi ({where}) : contact, réunions d'information, secteurs.",
        html=html,
    )


def cooperative_pages(directory: Directory, options: Any) -> list[Page]:
    return [cooperative_page(c, directory, options) for c in directory.cooperatives]


def cooperative_list(directory: Directory) -> Page:
    path = "cooperatives/"
    groups = [
        (letter, list(group))
        for letter, group in itertools.groupby(directory.cooperatives, key=lambda c: (c.sort_key[:1] or "#").upper())
    ]
    html = render("cooperatives.html", path, cooperatives=directory.cooperatives, groups=groups, fictional=directory.fictional)
    return Page(
        path=path,
        title="Coopératives",
        description="Liste des coopératives d'activités et d'emploi de l'annuaire, par ordre alphabétique.",
        html=html,
    )
