"""make measure: what a visitor downloads and waits for, on a scale-10 fictional site, in Chromium.

For each page type the site is opened in Debian's chromium through
playwright; every response from the local server is counted at its
gzip-compressed size (what a server with compression sends), map tiles
excluded (they are stubbed). Times are medians of several loads. The table is
printed and written into README.md between the ``pages`` markers.

    python scripts/measure_pages.py [--site build/bench/site-echelle-10] [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cae.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
START, END = "<!-- pages:start -->", "<!-- pages:end -->"
DEFAULT_SITE = REPO_ROOT / "build" / "bench" / "site-echelle-10"
DEFAULT_DATA = REPO_ROOT / "build" / "bench" / "donnees-echelle-10"
TILE_HOSTS = ("data.geopf.fr", "tile.openstreetmap.org")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Load:
    gzip_bytes: int = 0
    requests: int = 0
    milliseconds: float = 0.0
    bodies: dict[str, int] = field(default_factory=dict)


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def ensure_site(site: Path) -> None:
    """Generate and build the scale-10 fictional site when it is not there yet."""
    if (site / "index.html").exists():
        return
    python = sys.executable
    scripts = REPO_ROOT / "scripts"
    if not (DEFAULT_DATA / "cooperatives.yaml").exists():
        subprocess.run([python, "generate_synthetic.py", "--scale", "10", "--seed", "1", "--output", str(DEFAULT_DATA)], cwd=scripts, check=True)
    subprocess.run([python, "build.py", "--data", str(DEFAULT_DATA), "--allow-fictional", "--output", str(site)], cwd=scripts, check=True)


def measure(browser, url: str, ready: str, action=None) -> Load:
    """Open ``url`` in a fresh context; bytes until ``ready`` (a JS expression) is true, and time to it."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    load = Load()

    def route(request_route):
        host = urlsplit(request_route.request.url).hostname or ""
        if host in TILE_HOSTS:
            request_route.fulfill(status=204, body=b"")
        elif host == "127.0.0.1":
            request_route.continue_()
        else:
            request_route.abort()

    def on_response(response):
        if urlsplit(response.url).hostname == "127.0.0.1" and response.status == 200:
            try:
                body = response.body()
            except PlaywrightError:  # the page went away while this response was arriving
                return
            load.bodies[response.url] = len(gzip.compress(body, 6))

    context.route("**/*", route)
    page.on("response", on_response)
    page.goto(url, wait_until="commit")
    if action:
        action(page)
    page.wait_for_function(ready, timeout=60_000)
    load.milliseconds = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    load.gzip_bytes = sum(load.bodies.values())
    load.requests = len(load.bodies)
    context.close()
    return load


def _median(loads: list[Load]) -> tuple[float, float, int]:
    return statistics.median(l.gzip_bytes for l in loads) / 1000, statistics.median(l.milliseconds for l in loads), int(statistics.median(l.requests for l in loads))


def journeys(site: Path) -> list[tuple[str, str, str, float | None, float | None]]:
    """(label, path, ready condition, budget in KB, budget in ms) — budgets of issue 3."""
    published = json.loads((site / "donnees" / "cooperatives.json").read_text(encoding="utf-8"))["cooperatives"]
    cooperative = published[len(published) // 2]["id"]
    return [
        ("accueil", "", "document.readyState === 'complete'", 200, None),
        ("page d'une coopérative", f"cooperatives/{cooperative}/", "document.readyState === 'complete'", 150, None),
        ("recherche « bâtiment » (requête)", "recherche/?q=b%C3%A2timent", "document.querySelectorAll('.cae-resultat').length > 0", 300, None),
        ("carte nationale (interactive)", "carte/", "document.readyState === 'complete' && Object.keys(window).some(k => k.startsWith('marker_cluster_') && window[k].getLayers().length > 0)", None, 1500),
        ("page d'un département", "departements/69/", "document.readyState === 'complete'", None, None),
    ]


def _verdict(measured: float, budget: float, unit: str) -> str:
    return f"≤ {budget:.0f} {unit} : " + ("tenu" if measured <= budget else "NON TENU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure le poids transféré et le temps d'affichage des pages (échelle 10).")
    parser.add_argument("--site", default=str(DEFAULT_SITE))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    site = Path(args.site).resolve()
    ensure_site(site)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    server, base = serve(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"])
            for label, path, ready, kb_budget, ms_budget in journeys(site):
                loads = [measure(browser, f"{base}/{path}", ready) for _ in range(args.runs)]
                kb, ms, requests = _median(loads)
                verdict = _verdict(kb, kb_budget, "Ko") if kb_budget else _verdict(ms, ms_budget, "ms") if ms_budget else "—"
                rows.append(f"| {label} | {kb:.0f} Ko | {requests} | {ms:.0f} ms | {verdict} |")
            browser.close()
    finally:
        server.shutdown()
    table = "\n".join(
        [
            "| page (échelle 10) | transféré (gzip, hors tuiles) | requêtes | prête après | objectif |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"Médianes de {args.runs} chargements dans chromium (cache vide), site servi en local ; « prête » : page chargée (et, pour la carte, repères ajoutés ; pour la recherche, résultats affichés).",
        ]
    )
    print(table)
    if not args.no_readme:
        content = README.read_text(encoding="utf-8")
        if START in content and END in content:
            before, rest = content.split(START, 1)
            _, after = rest.split(END, 1)
            README.write_text(f"{before}{START}\n{table}\n{END}{after}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
