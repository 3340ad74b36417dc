"""The partner pages and the static index (cae.generate.partners)."""

from __future__ import annotations

import json

import pytest

from cae.enrich import enrich
from cae.generate import Site, partners
from cae.validate import validate_directory
from helpers import FIXTURES, TODAY, make_data_dir


@pytest.fixture(scope="module")
def directory(tmp_path_factory, gazetteer):
    data = make_data_dir(tmp_path_factory.mktemp("partners") / "data", FIXTURES / "valid")
    result = validate_directory(data, gazetteer, today=TODAY)
    assert result.ok
    return enrich(result.dataset, gazetteer)


def test_every_member_of_a_skill_is_in_exactly_one_file_whose_box_holds_them(directory, monkeypatch):
    monkeypatch.setattr(partners, "LEAF_SIZE", 1)
    by_skill = partners.members_by_skill(directory)
    files = partners.index_files(directory, by_skill)
    boxes = json.loads(files["donnees/partenaires/index.json"])["competences"]
    assert sorted(boxes) == sorted(by_skill) == ["agencement-interieur", "electricite-batiment", "menuiserie-bois", "plomberie-chauffage"]
    for skill, members in by_skill.items():
        found = []
        for number, (south, west, north, east) in enumerate(boxes[skill]):
            leaf = json.loads(files[f"donnees/partenaires/{skill}/{number}.json"])
            assert len(leaf["membres"]) <= partners.LEAF_SIZE
            for cooperative, member, *_ in leaf["membres"]:
                found.append((cooperative, member))
            for _, _, lat, lon in leaf["communes"].values():
                assert south <= lat <= north and west <= lon <= east
        assert sorted(found) == sorted((m.cooperative_id, m.id) for m in members)


def test_the_index_holds_published_fields_only(directory):
    files = partners.index_files(directory, partners.members_by_skill(directory))
    text = b"".join(files.values()).decode("utf-8")
    assert "Atelier Bois Exemple" in text and "https://atelier-bois.example.org" in text
    assert "escaliers" not in text and "bois local" not in text  # keywords stay on the pages
    assert "consentement" not in text and "formulaire d'adhésion" not in text


def test_a_page_per_skill_of_the_vocabulary_and_members_grouped_by_region(directory):
    site = Site()
    partners.add_partner_pages(site, directory)
    pages = {page.path: page for page in site.pages}
    assert len([p for p in pages if p.startswith("competences/") and p != "competences/"]) == len(directory.vocabularies.competences)
    assert pages["partenaires/"].src_uri == "partenaires.md"
    menuiserie = pages["competences/menuiserie-bois/"].html
    assert "Auvergne-Rhône-Alpes (1)" in menuiserie and "Atelier Bois Exemple" in menuiserie
    assert "Aucun membre des coopératives ne déclare encore cette compétence." in pages["competences/traduction/"].html
    assert "menuiserie-bois/\">Menuiserie bois</a> : 1 membre" in pages["competences/"].html


def test_a_large_cooperative_lists_its_members_on_a_page_of_their_own(directory, monkeypatch):
    from cae.generate import Options, cooperatives

    monkeypatch.setattr(partners, "MEMBERS_ON_COOPERATIVE_PAGE", 1)
    monkeypatch.setattr(cooperatives, "MEMBERS_ON_COOPERATIVE_PAGE", 1)
    site = Site()
    partners.add_partner_pages(site, directory)
    paths = {page.path for page in site.pages}
    assert "cooperatives/coop-de-l-ain/membres/" in paths  # two members: over the (patched) limit
    assert "cooperatives/batisseurs-du-rhone/membres/" not in paths  # one member: listed on its page
    members_page = next(p for p in site.pages if p.path == "cooperatives/coop-de-l-ain/membres/")
    assert "Atelier Bois Exemple" in members_page.html and "Élec Exemple" in members_page.html
    ain = cooperatives.cooperative_page(directory.cooperative("coop-de-l-ain"), directory, Options())
    assert "Atelier Bois Exemple" not in ain.html
    assert 'href="membres/"' in ain.html and "Voir les 2 membres" in ain.html
    small = cooperatives.cooperative_page(directory.cooperative("batisseurs-du-rhone"), directory, Options())
    assert "Plomberie Exemple" in small.html
