"""The files of /trouver/ (cae.generate.finder): a département's file holds every result the rule can give there."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from helpers import REPO_ROOT
from cae import pipeline
from cae.generate import finder
from cae.ranking import activity_phrases, rank
from cae.synthetic import generate
from cae.validate import load_vocabularies

LIMIT = 5  # a small limit makes the files hold only part of this small directory
ACTIVITIES = ["", "menuisier", "graphiste web", "astrophysique"]
DEPARTEMENTS = ["01", "13", "23", "2B", "59", "69", "75", "93", "974"]


@pytest.fixture(scope="module")
def directory(tmp_path_factory, gazetteer):
    data_dir = tmp_path_factory.mktemp("finder") / "data"
    vocabularies, _, _ = load_vocabularies(REPO_ROOT / "data", gazetteer)
    generate(data_dir, gazetteer, vocabularies, REPO_ROOT / "data" / "vocabulaires", scale=0.4, seed=3)
    outcome = pipeline.load_directory(data_dir, allow_fictional=True)
    assert outcome.directory is not None
    return outcome.directory


def _communes(directory, code):
    return sorted((c for c in directory.gazetteer.communes.values() if c.departement == code), key=lambda c: c.insee)


@pytest.mark.parametrize("code", DEPARTEMENTS)
def test_a_departement_file_holds_every_result_for_its_communes(directory, code):
    communes = _communes(directory, code)
    kept = finder.candidates(directory, directory.gazetteer.departements[code], communes, limit=LIMIT)
    assert len(kept) < len(directory.cooperatives), "the test needs files that leave cooperatives out"
    partial = dataclasses.replace(directory, cooperatives=kept)
    for commune in random.Random(code).sample(communes, min(12, len(communes))):
        for activity in ACTIVITIES:
            expected = [r.cooperative.id for r in rank(directory, commune, activity, limit=LIMIT).results]
            assert [r.cooperative.id for r in rank(partial, commune, activity, limit=LIMIT).results] == expected, (commune.nom, activity)


def test_departement_files_give_the_rule_what_it_needs(directory):
    files = finder.departement_files(directory)
    assert len(files) == len(directory.gazetteer.departements)
    rhone = json.loads(files["donnees/trouver/departements/69.json"])
    assert rhone["departement"] == "Rhône (69)"
    ids = [row[0] for row in rhone["cooperatives"]]
    assert ids == [c.id for c in directory.cooperatives if c.id in set(ids)]  # the directory's order
    for identifier, name, newcomers, sectors, territory, places in rhone["cooperatives"]:
        assert newcomers in ("Oui", "Non", "Non précisé") and all(isinstance(s, int) for s in sectors)
        assert territory == "" or territory.endswith("Rhône (69)") or territory == "dessert la région Auvergne-Rhône-Alpes"
        assert all(len(place) == 3 and place[2].startswith(("siège : ", "antenne : ")) for place in places)


def test_activity_files_hold_every_phrase_once(directory):
    files = finder.activity_files(directory)
    merged = {}
    for path, content in files.items():
        phrases = json.loads(content)
        key = path.rsplit("/", 1)[1].removesuffix(".json")
        assert all(phrase.split(" ")[0].startswith(key) for phrase in phrases)
        merged.update(phrases)
    assert merged.keys() == activity_phrases(directory.vocabularies).keys()
    assert merged["menuisier"][0] == "menuisier"


def test_the_page_and_its_files_are_the_same_on_every_build(directory):
    class Collect:
        def __init__(self):
            self.pages, self.files = [], {}

    first, second = Collect(), Collect()
    finder.add_finder(first, directory)
    finder.add_finder(second, directory)
    assert first.files == second.files and first.pages[0].html == second.pages[0].html
    page = first.pages[0]
    assert (page.path, page.source) == ("trouver/", "trouver.md")
    assert 'id="trouver-config"' in page.html and "assets/javascripts/trouver.js" in page.html
