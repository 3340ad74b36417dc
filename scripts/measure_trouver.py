"""What one « trouver une CAE » query costs at scale 10 (1,650 fictional cooperatives), in Chromium.

Each query runs in a fresh context (empty cache) on the scale-10 site served
locally, in two ways: a visitor types the commune in the field and picks the
first suggestion (the activity typed first), or opens a shared address
(``?commune=…&activite=…``). Bytes: every response of the local server,
page included (HTML, CSS, mkdocs-material's bundle, Leaflet, commune files,
/trouver/ data), at its gzip-compressed size; map tiles are stubbed and not
counted (see :mod:`measure_pages`). Time: from the key press that picks the
commune to the frame after the results are in the page. Medians of several runs.

    python scripts/measure_trouver.py [--site build/bench/site-echelle-10] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

from measure_pages import DEFAULT_SITE, Load, ensure_site, measure, serve

# (commune typed, its INSEE code, activity): big cities, the largest département files, small places.
QUERIES = [
    ("Lyon", "69123", "graphiste"),
    ("Lille", "59350", ""),
    ("Nantes", "44109", "menuisier"),
    ("Beauvais", "60057", "aide à domicile"),
    ("Arras", "62041", ""),
    ("Brest", "29019", "développement web"),
    ("Ajaccio", "2A004", ""),
    ("Guéret", "23096", "maraîchage"),
]
SHOWN = "document.querySelector('.cae-trouver__resultats[data-commune]') !== null"
# When Enter picks the suggestion, and the frame after the results are in the page.
TIMING = """() => {
  window.__trouver = {};
  document.getElementById("trouver-lieu").addEventListener("keydown", (event) => {
    if (event.key === "Enter") window.__trouver.start = performance.now();
  }, { capture: true });
  new MutationObserver(() => {
    if (document.querySelector(".cae-trouver__resultats[data-commune]") && !window.__trouver.seen) {
      window.__trouver.seen = true;
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__trouver.end = performance.now(); }));
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-commune"] });
}"""


def typed_query(browser, base: str, commune: str, activity: str) -> tuple[Load, float]:
    """Bytes of the page and the query, and milliseconds from picking the commune to the results."""
    timing: dict[str, float] = {}

    def type_and_pick(page) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate(TIMING)
        page.fill("#trouver-activite", activity)
        page.locator("#trouver-lieu").press_sequentially(commune)
        page.wait_for_selector("#trouver-lieu-suggestions li")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function("window.__trouver.end !== undefined")
        timing["ms"] = page.evaluate("window.__trouver.end - window.__trouver.start")

    return measure(browser, f"{base}/trouver/", SHOWN, type_and_pick), timing["ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure le poids transféré et le temps de réponse de « Trouver une CAE » (échelle 10).")
    parser.add_argument("--site", default=str(DEFAULT_SITE))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    site = Path(args.site).resolve()
    ensure_site(site)
    if not (site / "donnees" / "trouver").is_dir():
        print(f"{site} a été construit avant la page « Trouver une CAE » : supprimez-le et relancez.", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    rows, all_ms, all_kb = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            for commune, insee, activity in QUERIES:
                typed = [typed_query(browser, base, commune, activity) for _ in range(args.runs)]
                shared = [measure(browser, f"{base}/trouver/?commune={insee}&activite={quote(activity)}", SHOWN) for _ in range(args.runs)]
                typed_kb = statistics.median(load.gzip_bytes for load, _ in typed) / 1000
                shared_kb = statistics.median(load.gzip_bytes for load in shared) / 1000
                ms = statistics.median(milliseconds for _, milliseconds in typed)
                all_ms.append(ms)
                all_kb += [typed_kb, shared_kb]
                label = f"{commune}{f' + « {activity} »' if activity else ''}"
                rows.append(f"| {label} | {typed_kb:.1f} Ko | {shared_kb:.1f} Ko | {int(statistics.median(load.requests for load, _ in typed))} | {ms:.0f} ms |")
            browser.close()
    finally:
        server.shutdown()
    print("| requête (échelle 10) | transféré, commune tapée (gzip) | transféré, adresse partagée (gzip) | requêtes | choix → résultats |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print(
        f"\nMédianes de {args.runs} essais par ligne, page comprise, tuiles exclues ; transfert médian {statistics.median(all_kb):.0f} Ko, "
        f"maximal {max(all_kb):.0f} Ko ; temps médian des lignes {statistics.median(all_ms):.0f} ms, maximal {max(all_ms):.0f} ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
