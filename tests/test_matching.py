"""The matching rule of /partenaires/ (cae.matching) and its command (scripts/partenaires.py)."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys

import pytest

from cae.enrich import Member
from cae.matching import MAX_SKILLS, Origin, Query, SkillIndex, build_team, candidates, distance_m, match, parse_request
from cae.validate import load_vocabularies
from helpers import FIXTURES, REPO_ROOT, make_data_dir

ELEC, MENUI, PLOMB, PEINT = "electricite-batiment", "menuiserie-bois", "plomberie-chauffage", "peinture-batiment"
NANTES, REZE, ANGERS, RENNES, FORT_DE_FRANCE, LE_LAMENTIN = "44109", "44143", "49007", "35238", "97209", "97213"


@pytest.fixture(scope="module")
def vocabularies(gazetteer):
    found, _, problems = load_vocabularies(REPO_ROOT / "data", gazetteer)
    assert not [p for p in problems if p.is_error]
    return found


@pytest.fixture(scope="module")
def skills(vocabularies) -> SkillIndex:
    return SkillIndex(vocabularies.competences)


@pytest.fixture
def make(gazetteer, vocabularies):
    def member(cooperative: str, identifier: str, competences: list[str], insee: str, *, rayon: int = 30, departements=(), disponibilites=("sous-traitance",), nom: str = "") -> Member:
        return Member(
            id=identifier,
            cooperative_id=cooperative,
            nom=nom or identifier.replace("-", " ").title(),
            activite="activité fictive",
            competences=tuple(vocabularies.competences[c] for c in competences),
            mots_cles=(),
            commune=gazetteer.communes[insee],
            rayon_km=rayon,
            departements=tuple(departements),
            disponibilites=tuple(vocabularies.disponibilites[d] for d in disponibilites),
            site_web="",
        )

    return member


def near(gazetteer, insee: str) -> Origin:
    return Origin.of_commune(gazetteer.communes[insee])


def keys(found) -> list[tuple[str, str]]:
    return [c.key for c in found]


# --- Reading skills --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("électricien", (ELEC,)),
        ("ELECTRICIENNE", (ELEC,)),  # case and accents
        ("Électriciens et menuisiers", (ELEC, MENUI)),  # plural, small word skipped
        ("menuisière, plombier", (MENUI, PLOMB)),
        ("electricite-batiment", (ELEC,)),  # an id
        ("Électricité du bâtiment", (ELEC,)),  # a label
        ("peintre en bâtiment", (PEINT,)),  # a multi-word synonym holding a small word
        ("pompe à chaleur", ("pompes-a-chaleur",)),  # one skill, not « pompe » + « chaleur »
        ("installation électrique et électricien", (ELEC,)),  # the same skill once
    ],
)
def test_typed_text_names_skills_through_labels_synonyms_and_ids(skills, text, expected):
    parsed = skills.parse(text)
    assert parsed.ids == expected
    assert parsed.unknown == ()


def test_words_that_name_no_skill_are_reported_once(skills):
    parsed = skills.parse("électricien zorglub et zorglub menuisier du")
    assert parsed.ids == (ELEC, MENUI)
    assert parsed.unknown == ("zorglub",)


def test_a_request_sentence_gives_skills_place_and_radius():
    request = parse_request("Électricien menuisier près de 44000 rayon 50")
    assert (request.skills_text, request.place_text, request.radius_km) == ("electricien menuisier", "44000", 50)
    request = parse_request("plombier autour de Saint-Étienne 30 km")
    assert (request.skills_text, request.place_text, request.radius_km) == ("plombier", "saint etienne", 30)
    assert parse_request("traducteur").place_text == ""


def test_a_query_refuses_too_many_skills_and_odd_radii(gazetteer, vocabularies):
    many = tuple(sorted(vocabularies.competences))[: MAX_SKILLS + 1]
    with pytest.raises(ValueError):
        Query(many, near(gazetteer, NANTES))
    with pytest.raises(ValueError):
        Query((ELEC,), near(gazetteer, NANTES), radius_km=0)


# --- Candidates and ranking ------------------------------------------------------------------

def test_coverage_comes_first_then_serving_the_place_then_distance(gazetteer, make):
    members = [
        make("coop-a", "proche-un-seul", [ELEC], NANTES),  # 0 km, one skill
        make("coop-b", "loin-deux", [ELEC, MENUI], ANGERS, rayon=10),  # ~80 km, both skills, does not come that far
        make("coop-c", "reze-ne-vient-pas", [MENUI], REZE, rayon=1),  # ~5 km, one skill, radius too small
        make("coop-c", "reze-vient", [MENUI], REZE, rayon=20),
    ]
    found = match(members, Query((ELEC, MENUI), near(gazetteer, NANTES), radius_km=100))
    assert keys(found.candidates) == [("coop-b", "loin-deux"), ("coop-a", "proche-un-seul"), ("coop-c", "reze-vient"), ("coop-c", "reze-ne-vient-pas")]
    assert [c.serves for c in found.candidates] == [False, True, True, False]
    assert found.candidates[0].covered == (ELEC, MENUI)


def test_equal_members_are_ordered_by_folded_name_then_ids(gazetteer, make):
    members = [make("coop-b", "m1", [ELEC], NANTES, nom="Zèbre"), make("coop-b", "m2", [ELEC], NANTES, nom="ébène"), make("coop-a", "m3", [ELEC], NANTES, nom="Ebene")]
    found = match(members, Query((ELEC,), near(gazetteer, NANTES)))
    assert keys(found.candidates) == [("coop-a", "m3"), ("coop-b", "m2"), ("coop-b", "m1")]


def test_the_radius_is_counted_in_whole_metres(gazetteer, make):
    nantes, angers = gazetteer.communes[NANTES], gazetteer.communes[ANGERS]
    metres = distance_m((nantes.lat, nantes.lon), (angers.lat, angers.lon))
    assert 75_000 < metres < 90_000
    member = make("coop-a", "angers", [ELEC], ANGERS)
    just_in = Query((ELEC,), near(gazetteer, NANTES), radius_km=-(-metres // 1000))
    just_out = Query((ELEC,), near(gazetteer, NANTES), radius_km=metres // 1000)
    assert [c.distance_m for c in candidates([member], just_in)] == [metres]
    assert candidates([member], just_out) == []


def test_a_member_serves_the_departements_it_declares(gazetteer, make):
    member = make("coop-a", "rennes", [ELEC], RENNES, rayon=10, departements=["44"])
    found = candidates([member], Query((ELEC,), near(gazetteer, NANTES), radius_km=150))
    assert found[0].serves
    assert not candidates([member], Query((ELEC,), near(gazetteer, ANGERS), radius_km=150))[0].serves
    assert not candidates([member], Query((ELEC,), Origin(47.2, -1.55, "point"), radius_km=150))[0].serves  # a bare point has no département


def test_a_form_of_collaboration_filters_members(gazetteer, make):
    members = [make("coop-a", "sous-traite", [ELEC], NANTES), make("coop-a", "co-traite", [ELEC], NANTES, disponibilites=("co-traitance", "mentorat"))]
    found = match(members, Query((ELEC,), near(gazetteer, NANTES), availability="co-traitance"))
    assert keys(found.candidates) == [("coop-a", "co-traite")]


def test_overseas_members_are_found_near_overseas_places_only(gazetteer, make):
    members = [make("coop-mornes", "lamentin", [ELEC], LE_LAMENTIN), make("coop-a", "nantes", [ELEC], NANTES)]
    found = match(members, Query((ELEC,), near(gazetteer, FORT_DE_FRANCE), radius_km=50))
    assert keys(found.candidates) == [("coop-mornes", "lamentin")]
    assert found.candidates[0].distance_m < 20_000
    assert keys(match(members, Query((ELEC,), near(gazetteer, NANTES), radius_km=200)).candidates) == [("coop-a", "nantes")]


def test_nobody_in_range_gives_an_empty_answer_with_every_skill_uncovered(gazetteer, make):
    found = match([make("coop-a", "nantes", [ELEC], NANTES)], Query((ELEC, MENUI), near(gazetteer, FORT_DE_FRANCE), radius_km=200))
    assert found.candidates == () and found.team == ()
    assert found.uncovered == (ELEC, MENUI)


# --- Team ------------------------------------------------------------------------------------

def test_the_team_is_the_smallest_even_when_farther(gazetteer, make):
    members = [
        make("coop-a", "elec", [ELEC], NANTES),
        make("coop-a", "menui", [MENUI], NANTES),
        make("coop-b", "tout", [ELEC, MENUI], ANGERS),
    ]
    found = match(members, Query((ELEC, MENUI), near(gazetteer, NANTES), radius_km=100))
    assert keys(found.team) == [("coop-b", "tout")]
    assert found.uncovered == ()


def test_teams_of_the_same_size_prefer_the_smallest_total_distance(gazetteer, make):
    members = [
        make("coop-a", "elec-loin", [ELEC], ANGERS),
        make("coop-b", "elec-proche", [ELEC], REZE),
        make("coop-c", "menui-angers", [MENUI], ANGERS),
        make("coop-c", "menui-nantes", [MENUI], NANTES),
    ]
    found = match(members, Query((ELEC, MENUI), near(gazetteer, NANTES), radius_km=100))
    assert sorted(keys(found.team)) == [("coop-b", "elec-proche"), ("coop-c", "menui-nantes")]


def test_equal_teams_are_settled_by_the_sorted_ids(gazetteer, make):
    members = [make("coop-b", "elec", [ELEC], NANTES), make("coop-a", "elec", [ELEC], NANTES), make("coop-c", "menui", [MENUI], NANTES)]
    found = match(members, Query((ELEC, MENUI), near(gazetteer, NANTES)))
    assert sorted(keys(found.team)) == [("coop-a", "elec"), ("coop-c", "menui")]


def test_a_team_across_three_cooperatives_and_the_skill_nobody_has(gazetteer, make):
    members = [
        make("coop-a", "elec", [ELEC], NANTES),
        make("coop-b", "menui", [MENUI], REZE),
        make("coop-c", "plomb", [PLOMB, ELEC], ANGERS),
        make("coop-d", "peintre-loin", [PEINT], RENNES),  # ~100 km: out of range
    ]
    found = match(members, Query((ELEC, MENUI, PLOMB, PEINT), near(gazetteer, NANTES), radius_km=90))
    assert {c.member.cooperative_id for c in found.team} == {"coop-b", "coop-c"}
    assert found.uncovered == (PEINT,)
    found = match(members, Query((ELEC, MENUI, PLOMB), near(gazetteer, NANTES), radius_km=90))
    assert len(found.team) == 2  # the plumber also brings electricity
    members[2] = make("coop-c", "plomb", [PLOMB], ANGERS)
    found = match(members, Query((ELEC, MENUI, PLOMB), near(gazetteer, NANTES), radius_km=90))
    assert {c.member.cooperative_id for c in found.team} == {"coop-a", "coop-b", "coop-c"}
    assert keys(found.team) == keys(c for c in found.candidates if c in found.team)  # in ranking order


def _exhaustive_team(ranked, skills):
    """Every subset of candidates, smallest first: the definition of the best team, by brute force."""
    wanted = {s for c in ranked for s in c.covered}
    for size in range(0, len(wanted) + 1):
        covers = [team for team in itertools.combinations(ranked, size) if {s for c in team for s in c.covered} == wanted]
        if covers:
            return min(covers, key=lambda team: (sum(c.distance_m for c in team), sorted(c.key for c in team)))
    raise AssertionError("no cover")


def test_the_team_equals_an_exhaustive_search_on_random_cases(gazetteer, make):
    rng = random.Random(5)
    pool = [ELEC, MENUI, PLOMB, PEINT, "carrelage", "charpente-bois"]
    places = [NANTES, REZE, ANGERS, RENNES, "44184", "85191", "56260"]
    for _ in range(150):
        skills = tuple(rng.sample(pool, rng.randint(1, 5)))
        members = [
            make(f"coop-{rng.randint(1, 4)}", f"m{index}", rng.sample(pool, rng.randint(1, 3)), rng.choice(places))
            for index in range(rng.randint(1, 11))
        ]
        found = match(members, Query(skills, near(gazetteer, NANTES), radius_km=rng.choice([20, 80, 150])))
        expected = _exhaustive_team(list(found.candidates), skills)
        assert sorted(keys(found.team)) == sorted(keys(expected))
        covered = {s for c in found.candidates for s in c.covered}
        assert found.uncovered == tuple(s for s in skills if s not in covered)


def test_the_team_stays_fast_with_many_members(gazetteer, make):
    rng = random.Random(9)
    pool = [ELEC, MENUI, PLOMB, PEINT, "carrelage", "charpente-bois", "couverture", "isolation-thermique"]
    ranked = list(candidates([make(f"coop-{i % 50}", f"m{i}", rng.sample(pool, rng.randint(1, 4)), REZE) for i in range(5000)], Query(tuple(pool), near(gazetteer, NANTES))))
    team, uncovered = build_team(ranked, tuple(pool))
    assert uncovered == () and 2 <= len(team) <= 4


# --- The command ------------------------------------------------------------------------------

def test_the_command_answers_in_french_and_in_json(tmp_path):
    data = make_data_dir(tmp_path / "data", FIXTURES / "valid")
    command = [sys.executable, str(REPO_ROOT / "scripts" / "partenaires.py"), "--data", str(data)]
    text = subprocess.run([*command, "électriciens menuisier zorglub près de Bourg-en-Bresse rayon 60"], capture_output=True, text=True, check=True).stdout
    assert "Compétences : Électricité du bâtiment, Menuiserie bois" in text
    assert "Mots non reconnus : zorglub" in text
    assert "Équipe proposée (2 membres)" in text and "Toutes les compétences demandées sont couvertes." in text
    answer = json.loads(subprocess.run([*command, "--json", "--competences", f"{ELEC},{PLOMB}", "--commune", "01053", "--rayon", "40"], capture_output=True, text=True, check=True).stdout)
    assert [(m["cooperative"], m["id"]) for m in answer["membres"]] == [("coop-de-l-ain", "elec-exemple")]
    assert answer["non_couvertes"] == [PLOMB]
    failed = subprocess.run([*command, "zorglub près de Nantes"], capture_output=True, text=True)
    assert failed.returncode == 2 and "aucune compétence reconnue" in failed.stderr
