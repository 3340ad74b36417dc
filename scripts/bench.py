"""make bench: validation and full build at scales 1 and 10, medians of several runs.

Each measured step runs as its own process: wall time with a monotonic clock,
peak memory from the kernel's accounting of that process and every process it
waited for (``wait4``), output size and file count from the built folder. The
table is printed and written into README.md between the ``bench`` markers,
with the targets of the foundation issue.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cae.paths import REPO_ROOT

SCRIPTS = REPO_ROOT / "scripts"
BENCH_DIR = REPO_ROOT / "build" / "bench"
README = REPO_ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Measure:
    seconds: float
    peak_mib: float


def run(command: list[str]) -> Measure:
    """Run a command to completion; its wall time and the peak RSS of it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=SCRIPTS)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"Échec de {' '.join(command)} :\n{errors}")
    return Measure(elapsed, usage.ru_maxrss / 1024)


def folder_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def median(measures: list[Measure]) -> Measure:
    return Measure(statistics.median(m.seconds for m in measures), max(m.peak_mib for m in measures))


def bench_scale(scale: int, runs: int) -> list[dict[str, str]]:
    data = BENCH_DIR / f"donnees-echelle-{scale}"
    site = BENCH_DIR / f"site-echelle-{scale}"
    python = sys.executable
    run([python, "generate_synthetic.py", "--scale", str(scale), "--seed", "1", "--output", str(data)])
    cooperatives = sum(1 for line in (data / "cooperatives.yaml").read_text(encoding="utf-8").splitlines() if line.startswith("- id:"))
    members = sum(path.read_text(encoding="utf-8").count("\n- id:") for path in (data / "members").glob("*.yaml"))
    rows = []
    validate = median([run([python, "validate.py", "--data", str(data), "--allow-fictional", "--quiet-warnings"]) for _ in range(runs)])
    rows.append(_row("validation", scale, cooperatives, members, validate, "", ""))
    build = median([run([python, "build.py", "--data", str(data), "--allow-fictional", "--output", str(site)]) for _ in range(runs)])
    size, count = folder_size(site)
    rows.append(_row("construction complète", scale, cooperatives, members, build, f"{size / 1e6:.0f} Mo", str(count)))
    return rows


def _row(step: str, scale: int, cooperatives: int, members: int, measure: Measure, size: str, files: str) -> dict[str, str]:
    return {
        "étape": step,
        "échelle": str(scale),
        "coopératives": f"{cooperatives:,}".replace(",", " "),
        "membres": f"{members:,}".replace(",", " "),
        "temps médian": f"{measure.seconds:.1f} s",
        "mémoire max": f"{measure.peak_mib:.0f} Mio",
        "taille du site": size or "—",
        "fichiers": files or "—",
        "_seconds": f"{measure.seconds}",
        "_mib": f"{measure.peak_mib}",
    }


def targets(rows: list[dict[str, str]]) -> list[str]:
    """The foundation issue's targets, checked against the measures."""
    def find(step: str, scale: int) -> dict[str, str] | None:
        return next((r for r in rows if r["étape"] == step and r["échelle"] == str(scale)), None)

    lines = []
    checks = [
        ("validation", 10, 10.0, "validation à l'échelle 10 ≤ 10 s"),
        ("construction complète", 1, 30.0, "construction à l'échelle 1 ≤ 30 s"),
        ("construction complète", 10, 300.0, "construction à l'échelle 10 ≤ 5 min"),
    ]
    for step, scale, limit, label in checks:
        row = find(step, scale)
        if row:
            value = float(row["_seconds"])
            lines.append(f"- {label} : {value:.1f} s — {'tenu' if value <= limit else 'NON TENU'}")
    big, small = find("construction complète", 10), find("construction complète", 1)
    if big:
        mib = float(big["_mib"])
        lines.append(f"- mémoire de la construction à l'échelle 10 ≤ 2 Go : {mib:.0f} Mio — {'tenu' if mib <= 2048 else 'NON TENU'}")
    if big and small:
        ratio = float(big["_seconds"]) / float(small["_seconds"])
        lines.append(f"- rapport des temps de construction échelle 10 / échelle 1 ≤ 12 : {ratio:.1f} — {'tenu' if ratio <= 12 else 'NON TENU'}")
    return lines


def table(rows: list[dict[str, str]]) -> str:
    columns = [c for c in rows[0] if not c.startswith("_")]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(" --- " for _ in columns) + "|"]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def update_readme(text: str) -> None:
    content = README.read_text(encoding="utf-8")
    if START not in content or END not in content:
        raise SystemExit(f"README.md n'a pas les marqueurs {START} … {END}")
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure la validation et la construction du site aux échelles 1 et 10.")
    parser.add_argument("--scales", default="1,10", help="échelles, séparées par des virgules (par défaut : 1,10)")
    parser.add_argument("--runs", type=int, default=3, help="nombre d'exécutions par mesure (médiane ; par défaut : 3)")
    parser.add_argument("--no-readme", action="store_true", help="ne pas réécrire le tableau dans README.md")
    args = parser.parse_args(argv)
    rows = []
    for scale in (int(s) for s in args.scales.split(",")):
        print(f"Échelle {scale}…", file=sys.stderr)
        rows.extend(bench_scale(scale, args.runs))
    machine = f"{os.cpu_count()} cœurs, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    text = "\n".join([table(rows), "", f"Médiane de {args.runs} exécutions ; mémoire : maximum du processus et de ses enfants ({machine}).", "", *targets(rows)])
    print(text)
    if not args.no_readme:
        update_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
