"""Helpers for browser tests."""

from __future__ import annotations

from helpers import REPO_ROOT

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(tab, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core (from npm, injected) on the current page; violations of the given impacts."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]
