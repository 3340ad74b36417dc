"""Partner matchmaking: /partenaires/, the skill pages and the static index the browser searches.

Pages: ``/partenaires/`` (the search, run in the browser by
``partenaires.js``), ``/competences/`` (every skill by sector) and
``/competences/<id>/`` (the members with a skill, by région). Cooperative
pages list their own members (``members-table.html``). Members never get a
page or a navigation entry each.

The index, under ``donnees/partenaires/``, is cut so that a search only
downloads members near the place who have a requested skill:

* ``vocabulaire.json``: skills (id, label, synonyms) and forms of
  collaboration, read once per visit (autocomplete, reading typed text);
* ``index.json``: per skill, the boxes of its files (south, west, north,
  east), read once per visit;
* ``<skill>/<n>.json``: the members with that skill in one box. A skill's
  members are split in two at the median of the box's longer side until a
  part holds at most :data:`LEAF_SIZE` members, so dense areas get small boxes
  and a search fetches, per requested skill, only the boxes its circle
  reaches. A member with several skills is in several files; the browser
  joins the rows (the file says the skill). Only published fields, never
  keywords.

At scale 10 (120,000 members, about 240,000 member-skill pairs) this makes
about 1,500 files of at most 200 members.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..enrich import Cooperative, Directory, Member
from ..matching import DEFAULT_RADIUS_KM, MAX_SKILLS
from ..render import Page, render
from ..text import fold

if TYPE_CHECKING:
    from . import Site

BASE = "donnees/partenaires"
RADII_KM = (10, 20, 30, 50, 100, 150, 200)
LEAF_SIZE = 200  # members per index file at most
OPEN_UP_TO = 20  # a région group with more members than this starts folded on skill pages
# Beyond this, a cooperative page shows a summary and links to /cooperatives/<id>/membres/
# (keeps the cooperative page under its 150 KB budget).
MEMBERS_ON_COOPERATIVE_PAGE = 100


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _member_order(member: Member) -> tuple:
    return (member.commune.departement, fold(member.nom), member.cooperative_id, member.id)


def vocabulary_file(directory: Directory) -> bytes:
    vocabularies = directory.vocabularies
    return _dump(
        {
            "competences": [[t.id, t.libelle, list(t.synonymes)] for t in sorted(vocabularies.competences.values(), key=lambda t: t.id)],
            "disponibilites": [[t.id, t.libelle] for t in vocabularies.disponibilites.values()],
        }
    )


def _row(member: Member) -> list[Any]:
    return [
        member.cooperative_id,
        member.id,
        member.nom,
        member.activite,
        member.commune.insee,
        member.rayon_km,
        list(member.departements),
        [t.id for t in member.disponibilites],
        member.site_web,
    ]


def _leaf(members: list[Member], names: dict[str, str]) -> bytes:
    ordered = sorted(members, key=lambda m: (m.cooperative_id, m.id))
    communes = {m.commune.insee: [m.commune.nom, m.commune.departement, m.commune.lat, m.commune.lon] for m in ordered}
    return _dump(
        {
            "cooperatives": {c: names[c] for c in sorted({m.cooperative_id for m in ordered})},
            "communes": dict(sorted(communes.items())),
            "membres": [_row(m) for m in ordered],
        }
    )


def _box(members: list[Member]) -> list[float]:
    """The box around members' communes, widened to the next 1/10,000 of a degree (it must hold them all)."""
    lats = [m.commune.lat for m in members]
    lons = [m.commune.lon for m in members]
    return [math.floor(min(lats) * 1e4) / 1e4, math.floor(min(lons) * 1e4) / 1e4, math.ceil(max(lats) * 1e4) / 1e4, math.ceil(max(lons) * 1e4) / 1e4]


def split(members: list[Member]) -> list[list[Member]]:
    """Members cut at the median of the longer side of their box until each part holds at most LEAF_SIZE."""
    if len(members) <= LEAF_SIZE:
        return [members]
    south, west, north, east = _box(members)
    along_latitude = north - south >= (east - west) * math.cos(math.radians((north + south) / 2))
    ordered = sorted(members, key=lambda m: ((m.commune.lat, m.commune.lon) if along_latitude else (m.commune.lon, m.commune.lat), m.cooperative_id, m.id))
    half = len(ordered) // 2
    return split(ordered[:half]) + split(ordered[half:])


def index_files(directory: Directory, by_skill: dict[str, list[Member]]) -> dict[str, bytes]:
    """``index.json``, ``vocabulaire.json`` and the files of every skill's boxes."""
    names = {c.id: c.nom for c in directory.cooperatives}
    files: dict[str, bytes] = {}
    boxes: dict[str, list[list[float]]] = {}
    for skill_id in sorted(by_skill):
        leaves = split(by_skill[skill_id])
        boxes[skill_id] = [_box(leaf) for leaf in leaves]
        for number, leaf in enumerate(leaves):
            files[f"{BASE}/{skill_id}/{number}.json"] = _leaf(leaf, names)
    files[f"{BASE}/index.json"] = _dump({"competences": boxes})
    files[f"{BASE}/vocabulaire.json"] = vocabulary_file(directory)
    return files


def members_by_skill(directory: Directory) -> dict[str, list[Member]]:
    found: dict[str, list[Member]] = defaultdict(list)
    for member in directory.members:
        for skill in member.competences:
            found[skill.id].append(member)
    return found


def skill_page(directory: Directory, skill_id: str, members: list[Member]) -> Page:
    """/competences/<id>/: who declares the skill, by région (folded when long)."""
    skill = directory.vocabularies.competences[skill_id]
    path = f"competences/{skill_id}/"
    regions = directory.gazetteer.regions
    ordered = sorted(members, key=lambda m: (fold(regions[m.commune.region].nom), *_member_order(m)))
    groups = [(regions[code], list(group)) for code, group in itertools.groupby(ordered, key=lambda m: m.commune.region)]
    names = {c.id: c.nom for c in directory.cooperatives}
    html = render(
        "competence.html",
        path,
        skill=skill,
        sector=directory.vocabularies.secteurs.get(skill.secteur),
        groups=groups,
        total=len(members),
        names=names,
        open_up_to=OPEN_UP_TO,
    )
    count = f"{len(members)} membre{'s' if len(members) > 1 else ''}" if members else "aucun membre pour l'instant"
    return Page(
        path=path,
        title=f"{skill.libelle} : membres des CAE",
        description=f"Entrepreneurs des coopératives d'activités et d'emploi qui exercent la compétence « {skill.libelle} », par région ({count}).",
        html=html,
    )


def skills_index(directory: Directory, counts: dict[str, int]) -> Page:
    vocabularies = directory.vocabularies
    sectors = []
    for sector in vocabularies.secteurs.values():
        skills = sorted((t for t in vocabularies.competences.values() if t.secteur == sector.id), key=lambda t: fold(t.libelle))
        if skills:
            sectors.append((sector, skills))
    return Page(
        path="competences/",
        title="Compétences des membres",
        description="Toutes les compétences des entrepreneurs des CAE, par secteur, avec le nombre de membres qui les exercent.",
        html=render("competences.html", "competences/", sectors=sectors, counts=counts),
    )


def search_page(directory: Directory) -> Page:
    return Page(
        path="partenaires/",
        title="Trouver des partenaires",
        description="Trouver des partenaires parmi les entrepreneurs des CAE, par compétence et près d'un lieu, et une équipe qui couvre toutes les compétences d'un chantier.",
        html=render(
            "partenaires.html",
            "partenaires/",
            radii=RADII_KM,
            default_radius=DEFAULT_RADIUS_KM,
            max_skills=MAX_SKILLS,
            availabilities=list(directory.vocabularies.disponibilites.values()),
            members=len(directory.members),
        ),
        source="partenaires.md",
    )


def members_page(cooperative: Cooperative) -> Page:
    """/cooperatives/<id>/membres/: the whole list, for cooperatives too large to list on their page."""
    path = f"cooperatives/{cooperative.id}/membres/"
    return Page(
        path=path,
        title=f"Membres de {cooperative.nom}",
        description=f"Les {len(cooperative.members)} entrepreneurs de {cooperative.nom} qui ont accepté de figurer dans l'annuaire.",
        html=render("members-page.html", path, c=cooperative),
    )


def add_partner_pages(site: "Site", directory: Directory) -> None:
    """Everything of this feature: the pages and the static index."""
    by_skill = members_by_skill(directory)
    site.pages.extend(members_page(c) for c in directory.cooperatives if len(c.members) > MEMBERS_ON_COOPERATIVE_PAGE)
    site.pages.append(search_page(directory))
    site.pages.append(skills_index(directory, {skill: len(members) for skill, members in by_skill.items()}))
    site.pages.extend(skill_page(directory, skill_id, by_skill.get(skill_id, [])) for skill_id in sorted(directory.vocabularies.competences))
    site.files.update(index_files(directory, by_skill))
