"""make geocode: every answer a geocoder may give, served by a local fake server (never the network)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.geocoders import BANFrance

import geocode as geocode_command
from cae import geocode
from cae.geocode import (
    BAN_SOURCE,
    NOMINATIM_SOURCE,
    Candidate,
    Entry,
    ResultsFileError,
    Service,
    choose,
    find_targets,
    geocode_places,
    load_geocoded,
    results_text,
)
from cae.validate import validate_directory
from helpers import REPO_ROOT, TODAY, make_data_dir

# --------------------------------------------------------------------------- data

COOPERATIVES = """\
- id: alpha
  nom: Alpha (fictive)
  siege:
    adresse: 12 bis rue Charles Mousset
    code_postal: "61100"
    commune: Flers
    insee: "61169"
  antennes:
    - nom: Antenne de La Réunion
      adresse: 5 rue de Paris
      code_postal: "97400"
      insee: "97411"
  sources: [https://example.org/alpha]
  verification: sources-publiques
  mise_a_jour: 2026-01-15

- id: beta
  nom: Bêta (fictive)
  siege:
    adresse: 3 place du Caquet
    code_postal: "93200"
    insee: "93066"
  sources: [https://example.org/beta]
  verification: sources-publiques
  mise_a_jour: 2026-01-15

- id: gamma
  nom: Gamma (fictive, sans adresse)
  siege:
    insee: "61169"
  sources: [https://example.org/gamma]
  verification: sources-publiques
  mise_a_jour: 2026-01-15
"""

FLERS = "12 bis rue Charles Mousset, 61100 Flers"
REUNION = "5 rue de Paris, 97400 Saint-Denis"  # the commune's name comes from the gazetteer (only insee is given)
SAINT_DENIS_93 = "3 place du Caquet, 93200 Saint-Denis"


def feature(label: str, lat: float, lon: float, *, postcode: str, citycode: str, city: str, score: float = 0.93, kind: str = "housenumber") -> dict[str, Any]:
    """One result as the Géoplateforme returns it (GeoJSON: longitude first)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": label, "score": score, "postcode": postcode, "citycode": citycode, "city": city, "type": kind},
    }


FEATURES = {
    FLERS: feature("12 bis Rue Charles Mousset 61100 Flers", 48.7492341, -0.5661237, postcode="61100", citycode="61169", city="Flers", score=0.9612345),
    REUNION: feature("5 Rue de Paris 97400 Saint-Denis", -20.8781, 55.4482, postcode="97400", citycode="97411", city="Saint-Denis", score=0.88),
    SAINT_DENIS_93: feature("3 Place du Caquet 93200 Saint-Denis", 48.9358, 2.3597, postcode="93200", citycode="93066", city="Saint-Denis", score=0.91),
}
WRONG_SAINT_DENIS = feature("5 Rue de Paris 93200 Saint-Denis", 48.9362, 2.3574, postcode="93200", citycode="93066", city="Saint-Denis", score=0.97)


# --------------------------------------------------------------------------- the fake geocoders


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a JSON value, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def collection(*features: dict[str, Any]) -> Reply:
    return Reply(body={"type": "FeatureCollection", "features": list(features)})


def ban_success(query: str, attempt: int) -> Reply:
    return collection(FEATURES[query]) if query in FEATURES else collection()


@dataclass
class FakeServer:
    """BAN under /geocodage/search and Nominatim under /nominatim/search, like the real domains with a path."""

    port: int = 0
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)  # (path, params, headers)
    ban: Callable[[str, int], Reply] = ban_success
    nominatim: Callable[[str, int], Reply] = lambda query, attempt: Reply(body=[])
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def domain(self, path: str) -> str:
        return f"127.0.0.1:{self.port}/{path}"

    def queries(self, path: str = "/geocodage/search") -> list[str]:
        return [params.get("q", "") for p, params, _ in self.requests if p == path]

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Reply:
        with self.lock:
            attempt = sum(1 for p, q, _ in self.requests if p == path and q.get("q") == params.get("q"))
            self.requests.append((path, params, headers))
        if path == "/geocodage/search":
            return self.ban(params.get("q", ""), attempt)
        if path in ("/nominatim/search", "/nominatim/search.php"):
            return self.nominatim(params.get("q", ""), attempt)
        return Reply(404, {"error": "inconnu"})


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            params = {key: values[-1] for key, values in parse_qs(url.query).items()}
            reply = fake.answer(url.path, params, dict(self.headers))
            if reply.delay:
                fake.stopping.wait(reply.delay)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass

    return Handler


@pytest.fixture
def fake(monkeypatch) -> FakeServer:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server_state = FakeServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server_state))
    server_state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server_state
    server_state.stopping.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection elsewhere than this machine fails the test."""
    connect = socket.socket.connect

    def local_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not isinstance(address, (str, bytes)):
            raise AssertionError(f"network access attempted: {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path / "data", cooperatives=COOPERATIVES)


@pytest.fixture
def run(fake: FakeServer, capsys):
    """``make geocode`` against the fake server, with tiny delays: (exit code, stderr)."""

    def run_command(data_dir: Path, *extra: str) -> tuple[int, str]:
        code = geocode_command.main([
            "--data", str(data_dir),
            "--ban-domain", fake.domain("geocodage"), "--ban-scheme", "http", "--ban-delay", "0",
            "--nominatim-domain", fake.domain("nominatim"), "--nominatim-scheme", "http", "--nominatim-delay", "0",
            "--timeout", "0.3", "--retries", "1", "--retry-wait", "0",
            *extra,
        ])
        return code, capsys.readouterr().err

    return run_command


def stored(data_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    document = json.loads((data_dir / "geocodage.json").read_text(encoding="utf-8"))
    return {(e["cooperative"], e["lieu"]): e for e in document["resultats"]}


# --------------------------------------------------------------------------- success and incremental runs


def test_success_writes_every_address_sorted_and_deterministic(data_dir: Path, fake: FakeServer, run):
    code, err = run(data_dir)
    assert code == 0, err
    text = (data_dir / "geocodage.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Réunion" not in text and "Bêta" not in text  # ids, not names, are stored
    document = json.loads(text)
    assert document["schema"] == 1
    assert [(e["cooperative"], e["lieu"]) for e in document["resultats"]] == [("alpha", "siege"), ("alpha", "antennes[1]"), ("beta", "siege")]
    flers = document["resultats"][0]
    assert flers == {
        "cooperative": "alpha",
        "lieu": "siege",
        "requete": FLERS,
        "lat": 48.749234,
        "lon": -0.566124,
        "score": 0.9612,
        "insee": "61169",
        "code_postal": "61100",
        "libelle": "12 bis Rue Charles Mousset 61100 Flers",
        "source": BAN_SOURCE,
        "date": flers["date"],
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", flers["date"])
    assert text == results_text({(e["cooperative"], e["lieu"]): geocode._entry(e) for e in reversed(document["resultats"])})
    # The query, the result limit and a user agent naming the project; the domain's path is kept.
    assert sorted(fake.queries()) == sorted([FLERS, REUNION, SAINT_DENIS_93])
    path, params, headers = fake.requests[0]
    assert path == "/geocodage/search" and params["limit"] == "5"
    assert headers["User-Agent"].startswith("annuaire-cae/1.0")
    assert "[1/3] alpha (siège) : 48.74923, -0.56612 (score 0.96)" in err
    assert "3 adresses géocodées" in err


def test_second_run_sends_no_request_and_force_asks_again(data_dir: Path, fake: FakeServer, run):
    assert run(data_dir)[0] == 0
    before = (data_dir / "geocodage.json").stat().st_mtime_ns
    fake.requests.clear()
    code, err = run(data_dir)
    assert code == 0 and fake.requests == []
    assert "3 déjà à jour" in err
    assert (data_dir / "geocodage.json").stat().st_mtime_ns == before  # not even rewritten
    code, _ = run(data_dir, "--force")
    assert code == 0 and len(fake.requests) == 3


def test_force_keeps_a_result_on_failure_and_drops_it_on_rejection(data_dir: Path, fake: FakeServer, run):
    assert run(data_dir)[0] == 0
    fake.ban = lambda query, attempt: Reply(500, {}) if query == FLERS else collection(WRONG_SAINT_DENIS) if query == REUNION else ban_success(query, attempt)
    code, _ = run(data_dir, "--force")
    assert code == 1
    assert set(stored(data_dir)) == {("alpha", "siege"), ("beta", "siege")}


def test_changed_address_is_geocoded_again_and_removed_place_dropped(data_dir: Path, fake: FakeServer, run):
    assert run(data_dir)[0] == 0
    moved = "14 rue Charles Mousset, 61100 Flers"
    FEATURES_MOVED = {moved: feature("14 Rue Charles Mousset 61100 Flers", 48.7494, -0.5663, postcode="61100", citycode="61169", city="Flers")}
    fake.ban = lambda query, attempt: collection(FEATURES_MOVED[query]) if query in FEATURES_MOVED else ban_success(query, attempt)
    text = COOPERATIVES.replace("12 bis rue Charles Mousset", "14 rue Charles Mousset").replace('    adresse: 3 place du Caquet\n', "")
    (data_dir / "cooperatives.yaml").write_text(text, encoding="utf-8")
    fake.requests.clear()
    code, err = run(data_dir)
    assert code == 0, err
    assert fake.queries() == [moved]
    entries = stored(data_dir)
    assert set(entries) == {("alpha", "siege"), ("alpha", "antennes[1]")}
    assert entries[("alpha", "siege")]["requete"] == moved and entries[("alpha", "siege")]["lat"] == 48.7494


def test_dry_run_lists_addresses_without_any_request(data_dir: Path, fake: FakeServer, run):
    code, err = run(data_dir, "--dry-run")
    assert code == 0 and fake.requests == []
    assert f"à géocoder : alpha (antenne 1) : « {REUNION} »" in err
    assert not (data_dir / "geocodage.json").exists()


def test_invalid_data_stop_before_any_request(data_dir: Path, fake: FakeServer, run):
    (data_dir / "cooperatives.yaml").write_text(COOPERATIVES.replace('insee: "93066"', 'insee: "93999"'), encoding="utf-8")
    code, err = run(data_dir)
    assert code == 1 and fake.requests == []
    assert "code INSEE « 93999 » inconnu" in err and "avant de géocoder" in err


# --------------------------------------------------------------------------- errors: retried, reported, the run goes on


def test_timeout_is_retried_then_reported_and_the_run_continues(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: Reply(delay=1.0) if query == FLERS else ban_success(query, attempt)
    started = time.monotonic()
    code, err = run(data_dir)
    assert code == 1
    assert time.monotonic() - started < 2.5
    assert fake.queries().count(FLERS) == 2  # one attempt and one retry (--retries 1)
    assert set(stored(data_dir)) == {("alpha", "antennes[1]"), ("beta", "siege")}
    assert "pas de réponse dans le délai" in err and "après 2 tentatives" in err
    assert "1 en échec" in err


def test_rate_limited_429_then_success(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: Reply(429, {"message": "Too many requests"}, {"Retry-After": "0"}) if attempt == 0 else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0, err
    assert len(fake.requests) == 6  # each address: a 429, then the retry
    assert len(stored(data_dir)) == 3
    assert "trop de requêtes (HTTP 429)" in err


def test_persistent_server_error_is_reported_and_the_run_continues(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: Reply(503 if query == REUNION else 500, {"error": "panne"}) if query != SAINT_DENIS_93 else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 1
    assert fake.queries().count(FLERS) == 2 and fake.queries().count(REUNION) == 2
    assert set(stored(data_dir)) == {("beta", "siege")}
    assert "erreur du serveur (HTTP 500), après 2 tentatives" in err and "erreur du serveur (HTTP 503)" in err
    assert "alpha (antenne 1) : ÉCHEC" in err
    assert "antennes[1].adresse: géocodage impossible" in err
    assert "2 en échec" in err


def test_malformed_json_is_reported(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: Reply(body=b'{"type": "FeatureCollection", "features": [') if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 1
    assert "réponse illisible" in err
    assert ("alpha", "siege") not in stored(data_dir)


def test_unexpected_feature_shape_is_reported_not_crashing(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: collection({"type": "Feature", "properties": {"label": "x"}}) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 1 and "réponse illisible" in err
    assert len(stored(data_dir)) == 2


def test_bad_request_is_not_retried(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: Reply(400, {"message": "q must contain between 3 and 200 chars"}) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 1
    assert fake.queries().count(FLERS) == 1
    assert "requête refusée par le service (HTTP 400)" in err


# --------------------------------------------------------------------------- checks on results


def test_ambiguous_result_is_rejected(data_dir: Path, fake: FakeServer, run):
    far = feature("12 bis Rue Charles Mousset (lieu-dit) 61100 Flers", 48.7701, -0.5402, postcode="61100", citycode="61169", city="Flers", score=0.9612345)
    fake.ban = lambda query, attempt: collection(FEATURES[FLERS], far) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0  # a rejection is a warning, not a failure
    assert ("alpha", "siege") not in stored(data_dir)
    assert "adresse ambiguë" in err and "km l'un de l'autre" in err
    assert "siege.adresse: adresse non géocodée" in err and "1 rejetée" in err


def test_equal_scores_close_together_are_not_ambiguous(data_dir: Path, fake: FakeServer, run):
    near = feature("12 Rue Charles Mousset 61100 Flers", 48.7495, -0.5665, postcode="61100", citycode="61169", city="Flers", score=0.9612345)
    fake.ban = lambda query, attempt: collection(FEATURES[FLERS], near) if query == FLERS else ban_success(query, attempt)
    assert run(data_dir)[0] == 0
    assert stored(data_dir)[("alpha", "siege")]["libelle"] == "12 bis Rue Charles Mousset 61100 Flers"


def test_saint_denis_93_is_rejected_for_a_place_in_la_reunion(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: collection(WRONG_SAINT_DENIS) if query == REUNION else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0
    assert ("alpha", "antennes[1]") not in stored(data_dir)
    assert "est à Saint-Denis (93066), pas à Saint-Denis (97411) comme la fiche" in err


def test_the_result_in_the_right_commune_is_kept_even_when_not_first(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: collection(WRONG_SAINT_DENIS, FEATURES[REUNION]) if query == REUNION else ban_success(query, attempt)
    assert run(data_dir)[0] == 0
    assert stored(data_dir)[("alpha", "antennes[1]")]["insee"] == "97411"


def test_low_score_is_rejected_unless_the_minimum_is_lowered(data_dir: Path, fake: FakeServer, run):
    weak = dict(FEATURES[FLERS], properties={**FEATURES[FLERS]["properties"], "score": 0.31})
    fake.ban = lambda query, attempt: collection(weak) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0 and ("alpha", "siege") not in stored(data_dir)
    assert "score trop faible (0.31, au moins 0.50 demandé)" in err
    assert run(data_dir, "--min-score", "0.3")[0] == 0
    assert stored(data_dir)[("alpha", "siege")]["score"] == 0.31


def test_a_result_locating_only_the_commune_is_rejected(data_dir: Path, fake: FakeServer, run):
    town = feature("Flers", 48.7503, -0.5700, postcode="61100", citycode="61169", city="Flers", score=0.7, kind="municipality")
    fake.ban = lambda query, attempt: collection(town) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0 and ("alpha", "siege") not in stored(data_dir)
    assert "« Flers » ne situe que la commune, pas l'adresse" in err


def test_point_outside_the_departement_is_rejected(data_dir: Path, fake: FakeServer, run):
    misplaced = feature("12 bis Rue Charles Mousset 61100 Flers", 47.2, -1.55, postcode="61100", citycode="61169", city="Flers")
    fake.ban = lambda query, attempt: collection(misplaced) if query == FLERS else ban_success(query, attempt)
    code, err = run(data_dir)
    assert code == 0 and ("alpha", "siege") not in stored(data_dir)
    assert "hors du département Orne (61)" in err


def test_nothing_found_falls_back_to_nominatim(data_dir: Path, fake: FakeServer, run):
    fake.ban = lambda query, attempt: collection() if query == FLERS else ban_success(query, attempt)
    fake.nominatim = lambda query, attempt: Reply(body=[{
        "lat": "48.7491", "lon": "-0.5660", "display_name": "12 bis, Rue Charles Mousset, Flers, Orne, 61100, France",
        "addresstype": "building",
        "address": {"house_number": "12 bis", "road": "Rue Charles Mousset", "town": "Flers", "postcode": "61100", "country_code": "fr"},
    }])
    code, err = run(data_dir)
    assert code == 0 and fake.queries("/nominatim/search") == []  # no fallback unless asked
    assert "BAN (Géoplateforme) : adresse introuvable" in err
    code, err = run(data_dir, "--nominatim")
    assert code == 0, err
    entry = stored(data_dir)[("alpha", "siege")]
    assert entry["source"] == NOMINATIM_SOURCE and entry["score"] is None and entry["lat"] == 48.7491
    [(_, params, headers)] = [r for r in fake.requests if r[0] == "/nominatim/search"]
    assert params["q"] == FLERS and params["format"] == "json" and params["addressdetails"] == "1" and params["bounded"] == "1"
    assert "github.com/annuaire-cae" in headers["User-Agent"]


def test_arrondissement_result_belongs_to_its_city(gazetteer, tmp_path: Path):
    data_dir = make_data_dir(tmp_path / "data", cooperatives=COOPERATIVES.replace(
        '    adresse: 3 place du Caquet\n    code_postal: "93200"\n    insee: "93066"',
        '    adresse: 20 avenue Daumesnil\n    code_postal: "75012"\n    commune: Paris',
    ))
    result = validate_directory(data_dir, gazetteer, today=TODAY)
    assert result.ok, result.errors
    targets, _ = find_targets(result.dataset, gazetteer)
    paris = next(t for t in targets if t.cooperative == "beta")
    assert paris.requete == "20 avenue Daumesnil, 75012 Paris"
    candidate = Candidate(48.8462, 2.3731, 0.95, "75112", "75012", "Paris", "20 Avenue Daumesnil 75012 Paris")
    assert choose(paris, [candidate], gazetteer, 0.5) == (candidate, "")
    lyon = Candidate(48.8462, 2.3731, 0.95, "69383", "75012", "Lyon", "20 Avenue Daumesnil 69003 Lyon")
    assert "est à Lyon 3e Arrondissement (69383)" in choose(paris, [lyon], gazetteer, 0.5)[1]


# --------------------------------------------------------------------------- the results file survives interruptions


def test_interrupted_run_keeps_what_was_already_geocoded(data_dir: Path, fake: FakeServer, run, monkeypatch):
    original = BANFrance.geocode
    calls = []

    def interrupted_after_first(self, query, **options):
        calls.append(query)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return original(self, query, **options)

    monkeypatch.setattr(BANFrance, "geocode", interrupted_after_first)
    code, err = run(data_dir)
    assert code == 130 and "Interrompu" in err
    assert set(stored(data_dir)) == {("alpha", "siege")}  # valid JSON, with the first result
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []
    (data_dir / ".geocodage.json.abc123.tmp").write_text('{"schema": 1, "resul', encoding="utf-8")  # as left by kill -9
    monkeypatch.setattr(BANFrance, "geocode", original)
    fake.requests.clear()
    assert run(data_dir)[0] == 0
    assert sorted(fake.queries()) == sorted([REUNION, SAINT_DENIS_93])  # the next run carries on
    assert len(stored(data_dir)) == 3 and not (data_dir / ".geocodage.json.abc123.tmp").exists()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is POSIX")
def test_kill_9_during_a_run_leaves_a_whole_file(data_dir: Path, fake: FakeServer):
    fake.ban = lambda query, attempt: Reply(delay=20) if query == REUNION else ban_success(query, attempt)
    command = [
        sys.executable, "geocode.py", "--data", str(data_dir),
        "--ban-domain", fake.domain("geocodage"), "--ban-scheme", "http", "--ban-delay", "0", "--timeout", "30",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT / "scripts", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while REUNION not in fake.queries() and time.monotonic() < deadline:  # first address saved, second one pending
            time.sleep(0.02)
        assert REUNION in fake.queries()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert set(stored(data_dir)) == {("alpha", "siege")}


def test_a_failed_write_leaves_the_previous_file_whole(gazetteer, data_dir: Path, monkeypatch):
    result = validate_directory(data_dir, gazetteer, today=TODAY)
    targets, _ = find_targets(result.dataset, gazetteer)
    answers = {t.requete: Candidate(t.commune.lat, t.commune.lon, 0.9, t.commune.insee, t.postcodes[0], t.commune.nom, t.requete) for t in targets}
    service = Service(BAN_SOURCE, lambda target: [answers[target.requete]])
    geocode_places(data_dir, targets[:1], [service], gazetteer, today=TODAY)
    before = (data_dir / "geocodage.json").read_text(encoding="utf-8")

    def broken_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(geocode.os, "replace", broken_replace)
    with pytest.raises(OSError):
        geocode_places(data_dir, targets, [service], gazetteer, today=TODAY)
    assert (data_dir / "geocodage.json").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["cooperatives.yaml", "geocodage.json", "vocabulaires"]


def test_a_damaged_results_file_stops_the_run(data_dir: Path, fake: FakeServer, run):
    (data_dir / "geocodage.json").write_text('{"schema": 1, "resultats": [', encoding="utf-8")
    code, err = run(data_dir)
    assert code == 1 and fake.requests == []
    assert "n'est pas du JSON valide (ligne 1" in err
    with pytest.raises(ResultsFileError):
        load_geocoded(data_dir)


# --------------------------------------------------------------------------- for the build


def test_load_geocoded_without_a_file_is_empty(tmp_path: Path):
    assert load_geocoded(tmp_path) == {}


def test_load_geocoded_returns_points_by_cooperative_and_place(data_dir: Path, run):
    assert run(data_dir)[0] == 0
    points = load_geocoded(data_dir)
    assert set(points) == {("alpha", "siege"), ("alpha", "antennes[1]"), ("beta", "siege")}
    point = points[("alpha", "antennes[1]")]
    assert (point.lat, point.lon, point.score, point.source, point.requete) == (-20.8781, 55.4482, 0.88, BAN_SOURCE, REUNION)
    assert dt.date.fromisoformat(point.date)
    with pytest.raises(AttributeError):
        point.lat = 0  # frozen


def test_results_are_sorted_by_cooperative_then_place_order():
    def entry(cooperative: str, lieu: str) -> Entry:
        return Entry(cooperative, lieu, "q", 1.0, 2.0, None, "", "", "", BAN_SOURCE, "2026-01-01")

    entries = {e.key: e for e in (entry("b", "siege"), entry("a", "antennes[10]"), entry("a", "antennes[2]"), entry("a", "siege"))}
    order = [(e["cooperative"], e["lieu"]) for e in json.loads(results_text(entries))["resultats"]]
    assert order == [("a", "siege"), ("a", "antennes[2]"), ("a", "antennes[10]"), ("b", "siege")]
