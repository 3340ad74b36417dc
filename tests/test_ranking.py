"""The /trouver/ ranking rule (cae.ranking) on a small hand-built directory, and its command."""

from __future__ import annotations

import json

import pytest

from helpers import TODAY, make_data_dir
from cae import pipeline
from cae.ranking import (
    activity_notice,
    ambiguity_notice,
    displayed_km,
    match_activity,
    rank,
    resolve_place,
    search_json,
    territory_reason,
)

# Around Lyon: who serves the Rhône, how, and how far (the point of Lyon 3e is the query below).
COOPERATIVES = """\
- id: gen-lyon
  nom: Généraliste de Lyon
  siege: {commune: Lyon 3e Arrondissement, insee: "69383"}
  secteurs: [generaliste]
  accepte_nouveaux_entrepreneurs: true
  sources: [https://example.org/a]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: bat-villeurbanne
  nom: Bâtiment Villeurbanne
  siege: {commune: Villeurbanne, insee: "69266"}
  secteurs: [batiment]
  accepte_nouveaux_entrepreneurs: false
  sources: [https://example.org/b]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: gen-grenoble
  nom: Généraliste de Grenoble
  siege: {commune: Grenoble, insee: "38185"}
  antennes:
    - {nom: Antenne du Beaujolais, commune: Villefranche-sur-Saône, insee: "69264"}
  secteurs: [generaliste]
  sources: [https://example.org/c]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: com-bourg
  nom: Communication Bourg
  siege: {commune: Bourg-en-Bresse, insee: "01053"}
  territoires: {departements: ["01", "69"]}
  secteurs: [communication]
  sources: [https://example.org/d]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: region-ara
  nom: Régionale sans adresse
  siege: {region: auvergne-rhone-alpes}
  territoires: {regions: [auvergne-rhone-alpes]}
  secteurs: [communication]
  sources: [https://example.org/e]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: inconnue-vienne
  nom: Inconnue de Vienne
  siege: {commune: Vienne, insee: "38544"}
  sources: [https://example.org/f]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: gen-paris
  nom: Généraliste de Paris
  siege: {commune: Paris 13e Arrondissement, insee: "75113"}
  secteurs: [generaliste]
  sources: [https://example.org/g]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
- id: num-finistere
  nom: Numérique du Finistère
  siege: {departement: "29"}
  secteurs: [numerique, transition-ecologique]
  sources: [https://example.org/h]
  verification: sources-publiques
  mise_a_jour: 2026-01-01
"""


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    data_dir = make_data_dir(tmp_path_factory.mktemp("ranking") / "data", cooperatives=COOPERATIVES)
    outcome = pipeline.load_directory(data_dir, today=TODAY)
    assert outcome.directory is not None, [p.format() for p in outcome.problems]
    return outcome.directory


def _lyon3(directory):
    return directory.gazetteer.communes["69383"]


def _ids(search):
    return [r.cooperative.id for r in search.results]


def _reasons(search, identifier):
    return next(list(r.reasons) for r in search.results if r.cooperative.id == identifier)


def test_without_activity_those_serving_the_departement_come_first_then_the_nearest(directory):
    search = rank(directory, _lyon3(directory))
    # Vienne (Isère) is nearer than Bourg-en-Bresse, but Bourg's cooperative declares serving the Rhône.
    assert _ids(search) == ["gen-lyon", "bat-villeurbanne", "gen-grenoble", "com-bourg", "region-ara", "inconnue-vienne", "gen-paris", "num-finistere"]
    assert [r.serves for r in search.results] == [True] * 5 + [False] * 3
    assert search.notice == ""


def test_each_result_says_why_it_is_there(directory):
    search = rank(directory, _lyon3(directory))
    assert _reasons(search, "gen-lyon") == ["siège dans le département Rhône (69)", "à moins d'un km (siège : Lyon 3e Arrondissement)"]
    assert _reasons(search, "gen-grenoble") == ["antenne dans le département Rhône (69)", "à 27 km (antenne : Villefranche-sur-Saône)"]
    assert _reasons(search, "com-bourg") == ["dessert le département Rhône (69)", "à 57 km (siège : Bourg-en-Bresse)"]
    assert _reasons(search, "region-ara") == ["dessert la région Auvergne-Rhône-Alpes", "distance inconnue"]
    assert _reasons(search, "num-finistere")[-1].endswith("(siège : Finistère (29), position approximative)")
    accepts = {r.cooperative.id: r.accepts_newcomers for r in search.results}
    assert (accepts["gen-lyon"], accepts["bat-villeurbanne"], accepts["gen-paris"]) == ("Oui", "Non", "Non précisé")
    assert search.results[0].url == "cooperatives/gen-lyon/"


def test_an_activity_given_by_a_skill_synonym_keeps_its_sector_and_the_generalists(directory):
    search = rank(directory, _lyon3(directory), "menuisier")
    assert _ids(search) == ["gen-lyon", "bat-villeurbanne", "gen-grenoble", "gen-paris", "inconnue-vienne"]
    assert _reasons(search, "bat-villeurbanne") == [
        "siège dans le département Rhône (69)",
        "secteur Bâtiment et écoconstruction, d'après « menuisier »",
        "à 2 km (siège : Villeurbanne)",
    ]
    assert _reasons(search, "gen-lyon")[1] == "généraliste : accueille toutes les activités"
    # Unknown sectors are kept, after every eligible cooperative of their group, even a farther one.
    assert _reasons(search, "inconnue-vienne")[0] == "secteurs non précisés : à vérifier"
    assert search.notice.startswith("Activité « menuisier » : secteur Bâtiment et écoconstruction.")


def test_an_activity_matching_nothing_is_said_and_leaves_generalists_and_unknown_ones(directory):
    search = rank(directory, _lyon3(directory), "astrophysique")
    assert _ids(search) == ["gen-lyon", "gen-grenoble", "gen-paris", "inconnue-vienne"]
    assert search.notice.startswith("Aucun secteur de l'annuaire ne correspond à « astrophysique »")


def test_territory_first_even_against_a_much_nearer_cooperative(directory):
    vienne = directory.gazetteer.communes["38544"]
    search = rank(directory, vienne, "graphiste")
    # In Isère: Grenoble's generalist serves it; Lyon's communication cooperatives do not.
    assert _ids(search)[0] == "gen-grenoble"
    assert _reasons(search, "gen-grenoble")[0] == "siège dans le département Isère (38)"
    assert "com-bourg" in _ids(search) and "bat-villeurbanne" not in _ids(search)


def test_activity_words_are_matched_whole_plural_free_and_longest_first(directory):
    vocabularies = directory.vocabularies
    assert match_activity("Graphistes indépendants", vocabularies).sectors == {"communication": ("graphiste",)}
    assert match_activity("développement durable", vocabularies).sectors == {"transition-ecologique": ("développement durable",)}
    assert match_activity("web et logiciel", vocabularies).sectors == {"numerique": ("web", "logiciel")}
    assert match_activity("graph", vocabularies).sectors == {}
    both = match_activity("menuisier et graphiste", vocabularies)
    assert list(both.sectors) == ["batiment", "communication"]
    assert "secteurs Bâtiment et écoconstruction ; Communication, graphisme et édition." in activity_notice(both, vocabularies)
    assert not match_activity("  ", vocabularies).given


def test_the_number_of_results_is_capped(directory):
    assert len(rank(directory, _lyon3(directory), limit=3).results) == 3


def test_territory_reason_agrees_with_the_territory_pages(directory):
    gazetteer = directory.gazetteer
    for code in ("01", "29", "38", "69", "75", "2A"):
        departement = gazetteer.departements[code]
        region = gazetteer.regions[departement.region]
        for cooperative in directory.cooperatives:
            assert bool(territory_reason(cooperative, departement, region)) == cooperative.serves_departement(code), (code, cooperative.id)


def test_kilometres_are_rounded_half_up():
    assert [displayed_km(k) for k in (0.49, 0.5, 2.5, 3.4999)] == [0, 1, 3, 3]


def test_json_gives_what_the_page_shows(directory):
    data = search_json(rank(directory, _lyon3(directory), "menuisier"))
    assert data["lieu"] == {"insee": "69383", "nom": "Lyon 3e Arrondissement", "departement": "69", "region": "Auvergne-Rhône-Alpes"}
    assert data["activite"]["secteurs"] == {"batiment": ["menuisier"]}
    first = data["resultats"][0]
    assert (first["rang"], first["id"], first["km_affiche"], first["dessert"], first["a_verifier"]) == (1, "gen-lyon", 0, True, False)
    assert data["resultats"][-1]["a_verifier"] is True
    json.dumps(data)


@pytest.mark.parametrize(
    ("typed", "chosen", "others"),
    [
        ("69003", "69383", ["69123"]),  # an arrondissement is preferred to its city
        ("75013", "75113", ["75056"]),
        ("13001", "13201", ["13055"]),
        ("01400", "01093", None),  # shared by many communes: the most populous, the others listed
        ("saint etienne", "42218", []),  # only names beginning so, not the same name
        ("Ajaccio", "2A004", []),
    ],
)
def test_a_typed_place_resolves_to_the_commune_meant(gazetteer, typed, chosen, others):
    resolution = resolve_place(typed, gazetteer)
    assert resolution.commune.insee == chosen
    if others is None:
        assert len(resolution.others) >= 5 and all(typed in c.codes_postaux for c in resolution.others)
    else:
        assert [c.insee for c in resolution.others] == others


def test_ambiguity_is_explained_in_french(gazetteer):
    notice = ambiguity_notice(resolve_place("69003", gazetteer))
    assert notice == "« 69003 » peut désigner plusieurs communes : résultats pour Lyon 3e Arrondissement (69). Autres : Lyon (69)."
    assert ambiguity_notice(resolve_place("Ajaccio", gazetteer)) == ""
    assert resolve_place("zzzz", gazetteer).commune is None


def test_the_command_splits_place_and_activity(gazetteer):
    from trouver import split_query

    assert split_query("69003 graphisme", gazetteer) == ("69003", "graphisme")
    assert split_query("Saint-Étienne menuisier bois", gazetteer) == ("Saint-Étienne", "menuisier bois")
    assert split_query("Aix en Provence graphiste", gazetteer) == ("Aix en Provence", "graphiste")
    assert split_query("Lyon, aide à domicile", gazetteer) == ("Lyon", "aide à domicile")


def test_the_command_prints_a_table_and_json(tmp_path, capsys):
    from trouver import main

    data_dir = make_data_dir(tmp_path / "data", cooperatives=COOPERATIVES)
    assert main(["--data", str(data_dir), "69003 menuisier"]) == 0
    text = capsys.readouterr().out
    assert "Lieu : Lyon 3e Arrondissement (69383)" in text and "« 69003 » peut désigner plusieurs communes" in text
    assert "Bâtiment Villeurbanne" in text and "Communication Bourg" not in text
    assert main(["--data", str(data_dir), "--json", "--commune", "2A004"]) == 0
    assert json.loads(capsys.readouterr().out)["lieu"]["nom"] == "Ajaccio"
    assert main(["--data", str(data_dir), "zzzz"]) == 2
