"""The output boundary: every context gets its own escaping."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from cae.generate.exports import _cell
from cae.render import folium_markup, js_template_literal, json_for_script, markdown_subset, relative_url, safe_href


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("mailto:contact@example.org", True),
        ("tel:+33102030405", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("vbscript:x", False),
        ("https:///no-host", False),
        ("//example.org", False),
    ],
)
def test_only_web_mail_and_phone_links_survive(url, kept):
    assert (safe_href(url) is not None) is kept


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_descriptions_keep_a_small_markdown_subset_and_nothing_executable():
    html = str(markdown_subset("**gras** *it* [lien](https://example.org) [piège](javascript:alert(1))\n\n<script>alert(1)</script>\n{: onclick=\"x\"}"))
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} == {"p", "strong", "em", "a"}
    assert [attrs["href"] for tag, attrs in parser.tags if tag == "a"] == ["https://example.org"]
    assert all(not name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    assert "[piège](javascript:alert(1))" in html  # a refused link stays visible as text


def test_template_literal_escaping_closes_every_door():
    escaped = js_template_literal("a`b ${x} \\ </script> <!--")
    assert escaped == "a\\`b \\${x} \\\\ <\\/script> <\\!--"


def test_folium_markup_leaves_no_braces_for_jinja_or_template_literals():
    escaped = folium_markup("{{ 7*7 }} ${alert(1)} {% raw %}")
    assert "{" not in escaped and "}" not in escaped
    assert "&#123;&#123; 7*7 &#125;&#125;" in escaped


def test_json_in_script_cannot_close_the_script():
    text = json_for_script({"nom": "</script><script>alert(1)</script>", "x": "\u2028"})
    assert "</" not in text and "<" not in text
    assert json.loads(text)["nom"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("", "cooperatives/", "cooperatives/"),
        ("cooperatives/x/", "cooperatives/", "../"),
        ("cooperatives/x/", "", "../../"),
        ("departements/69/", "regions/auvergne-rhone-alpes/", "../../regions/auvergne-rhone-alpes/"),
        ("carte/", "cooperatives/a/#contact", "../cooperatives/a/#contact"),
    ],
)
def test_links_between_pages_are_relative(source, target, expected):
    assert relative_url(source, target) == expected


@pytest.mark.parametrize("value", ["=SUM(A1)", "+33 1", "-1", "@cmd", " =1"])
def test_csv_cells_never_start_a_formula(value):
    assert _cell(value).startswith("'")


def test_csv_cells_keep_ordinary_text_and_lists():
    assert _cell("Coop & Bât") == "Coop & Bât"
    assert _cell(["batiment", "culture"]) == "batiment | culture"
    assert _cell(True) == "oui" and _cell(None) == ""
