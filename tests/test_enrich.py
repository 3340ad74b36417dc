"""Enrichment: places located as precisely as the data allow; territories a cooperative covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cae.enrich import enrich
from cae.geocode import GeocodedPoint
from cae.validate import validate_directory
from helpers import FIXTURES, TODAY, make_data_dir


@pytest.fixture
def dataset(tmp_path: Path, gazetteer):
    result = validate_directory(make_data_dir(tmp_path / "data", FIXTURES / "valid"), gazetteer, today=TODAY)
    assert result.ok
    return result.dataset


def _cooperative(directory, identifier):
    return directory.cooperative(identifier)


def test_each_place_gets_the_best_known_position(dataset, gazetteer):
    directory = enrich(dataset, gazetteer)
    ain = _cooperative(directory, "coop-de-l-ain")
    assert ain.siege.precision == "adresse" and (ain.siege.lat, ain.siege.lon) == (46.2052, 5.2255)  # typed coordinates
    assert ain.antennes[0].precision == "commune" and ain.antennes[0].commune.nom == "Oyonnax"
    lyon = _cooperative(directory, "batisseurs-du-rhone")
    assert lyon.siege.commune.insee == "69383"  # found from its name and postcode: Lyon 3e Arrondissement
    breton = _cooperative(directory, "numerique-breton")
    assert breton.siege.precision == "departement" and breton.siege.departement.code == "29"
    grand_est = _cooperative(directory, "coop-du-grand-est")
    assert grand_est.siege.precision == "region" and not grand_est.siege.on_map
    assert _cooperative(directory, "coop-sans-lieu").places == []


def test_a_geocoded_address_is_used_only_while_the_address_is_unchanged(dataset, gazetteer):
    query = "1 rue de l'Exemple, 01000 Bourg-en-Bresse"
    point = GeocodedPoint(46.2, 5.22, 0.97, "BAN (Géoplateforme)", "2026-10-01", query)
    ain = _cooperative(enrich(dataset, gazetteer, {("coop-de-l-ain", "siege"): point}), "coop-de-l-ain")
    assert (ain.siege.lat, ain.siege.lon, ain.siege.precision) == (46.2, 5.22, "adresse")
    stale = GeocodedPoint(46.0, 5.0, 0.97, "BAN (Géoplateforme)", "2026-10-01", "3 rue Ancienne, 01000 Bourg-en-Bresse")
    ain = _cooperative(enrich(dataset, gazetteer, {("coop-de-l-ain", "siege"): stale}), "coop-de-l-ain")
    assert (ain.siege.lat, ain.siege.lon) == (46.2052, 5.2255)


def test_territories_a_cooperative_covers(dataset, gazetteer):
    directory = enrich(dataset, gazetteer)
    ain = _cooperative(directory, "coop-de-l-ain")
    assert ain.serves_departement("01")  # located there
    assert ain.serves_departement("71")  # declared
    assert not ain.serves_departement("69")
    breton = _cooperative(directory, "numerique-breton")
    assert all(breton.serves_departement(code) for code in ("22", "29", "35", "56"))  # the whole région declared
    assert breton.serves_region("53") and not breton.serves_region("52")
