"""What one partner search costs at scale 10 (120,000 fictional members), in Chromium.

For each query the /partenaires/ page is opened in a fresh context (empty
cache), the skills and the place are typed as a visitor would and the form
is sent. A query's bytes are the responses of the local server that the page
load alone does not fetch (commune lookups while typing, then the index
files of the search), each at its gzip-compressed size (what a server with
compression sends); its time runs from sending the form to the results on
screen. The page load itself (HTML, scripts, vocabulary, index) is reported
apart. Medians of several runs.

    python scripts/measure_partenaires.py [--site build/bench/site-echelle-10] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from measure_pages import DEFAULT_SITE, Load, ensure_site, measure, serve

# (label, skills typed, place typed, radius km)
QUERIES = [
    ("électricien + menuisier près de Nantes", "électricien menuisier", "44000", 50),
    ("plombier + carreleur + peintre à Paris", "plombier carreleur peintre en bâtiment", "75011", 30),
    ("développeur web + graphiste près de Lyon", "développeur web graphiste", "69003", 100),
    ("traducteur autour de Marseille", "traducteur", "13001", 200),
    ("photographe + vidéaste + traducteur à Toulouse", "photographe vidéaste traducteur", "31000", 50),
    ("électricien en Martinique", "électricien", "97200", 50),
    ("8 compétences de 8 secteurs, Paris, 200 km (pire cas)", "électricien céramiste développeur web graphiste sophrologue chauffeur formateur maraîcher", "75011", 200),
]
READY = "document.querySelector('.cae-puces') !== null"
ANSWERED = "performance.getEntriesByName('partenaires').length > 0"


def run_query(browser, base: str, skills: str, place: str, radius: int) -> tuple[Load, float]:
    """Everything the page and the query download, and the milliseconds from sending the form to the results."""
    timing: dict[str, float] = {}

    def type_and_send(page) -> None:
        page.wait_for_function(READY)
        page.wait_for_load_state("networkidle")
        page.fill("#partenaires-competences", skills)
        page.fill("#partenaires-lieu", place)
        page.select_option("#partenaires-rayon", str(radius))
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelector('.cae-partenaires__formulaire').addEventListener('submit', () => performance.mark('envoi'), {capture: true})")
        page.click(".cae-partenaires__formulaire button[type=submit]")
        page.wait_for_function(ANSWERED, timeout=60_000)
        timing["ms"] = page.evaluate(
            "(() => { const m = performance.getEntriesByName('partenaires')[0]; return m.startTime + m.duration - performance.getEntriesByName('envoi')[0].startTime; })()"
        )

    return measure(browser, f"{base}/partenaires/", ANSWERED, type_and_send), timing["ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure le poids transféré et le temps de réponse d'une recherche de partenaires (échelle 10).")
    parser.add_argument("--site", default=str(DEFAULT_SITE))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    site = Path(args.site).resolve()
    ensure_site(site)
    if not (site / "donnees" / "partenaires" / "index.json").exists():
        print(f"{site} a été construit avant la recherche de partenaires : supprimez-le et relancez.", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    rows = []
    medians = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page_load = measure(browser, f"{base}/partenaires/", READY)
            for label, skills, place, radius in QUERIES:
                runs = [run_query(browser, base, skills, place, radius) for _ in range(args.runs)]
                query_bytes = [sum(size for url, size in load.bodies.items() if url not in page_load.bodies) for load, _ in runs]
                requests = [sum(1 for url in load.bodies if url not in page_load.bodies) for load, _ in runs]
                ms = statistics.median(milliseconds for _, milliseconds in runs)
                medians.append(ms)
                rows.append(f"| {label} | {radius} km | {statistics.median(query_bytes) / 1000:.0f} Ko | {int(statistics.median(requests))} | {ms:.0f} ms |")
            browser.close()
    finally:
        server.shutdown()
    print("| recherche (échelle 10) | rayon | transféré (gzip) | requêtes | envoi → résultats |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print(f"\nMédianes de {args.runs} recherches par ligne ; médiane des lignes : {statistics.median(medians):.0f} ms. Chargement de la page (HTML, scripts, vocabulaire, index) : {page_load.gzip_bytes / 1000:.0f} Ko.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
