"""Rendering HTML fragments: the output boundary where every value is escaped.

Templates live in ``overrides/cae/`` and run in a Jinja environment with
autoescaping on, so contributor text is HTML-escaped by default, in text and
attributes alike. Other contexts have their own filter:

* ``href``: a link is only kept if it is ``http(s)``, ``mailto:`` or ``tel:``;
* ``tojson``: JSON inside ``<script>`` (Jinja escapes ``<``, ``>``, ``&`` and ``'``);
* ``markdown``: the safe Markdown subset of descriptions, sanitised by nh3;
* ``js_template_literal`` (:func:`js_template_literal`): HTML placed inside a
  JavaScript template literal, as folium does for popups.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from .paths import OVERRIDES_DIR

TEMPLATE_DIR = OVERRIDES_DIR / "cae"
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
_MARKDOWN_TAGS = {"p", "em", "strong", "ul", "ol", "li", "a", "br"}


@dataclass
class Page:
    """One generated page: where it goes, its title and its HTML body."""

    path: str  # site path of the page directory, e.g. "cooperatives/coopaname/" ("" for home)
    title: str
    description: str
    html: str
    hide: tuple[str, ...] = ("toc",)
    extra_meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the Markdown file name hand-written pages link to, when not <path>index.md
    edit_url: str = ""  # where "Modifier" leads (the record in the forge's editor); "" for none

    @property
    def src_uri(self) -> str:
        """The Markdown file MkDocs believes it renders (``carte.md``, ``cooperatives/coopaname/index.md``)."""
        return self.source or f"{self.path}index.md"


def safe_href(url: Any) -> str | None:
    """The URL if its scheme is allowed, else None (the caller then prints text only)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return None
    if scheme in ("http", "https") and not urlsplit(url).netloc:
        return None
    return url


def tel_href(phone: str) -> str | None:
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}" if len(digits) >= 8 else None


def mailto_href(address: str) -> str:
    return "mailto:" + quote(address, safe="@.+-_")


def relative_url(from_path: str, to_path: str) -> str:
    """Relative link between two site paths (directories end with ``/``), so the site works under any prefix."""
    if to_path.startswith(("http://", "https://", "#")):
        return to_path
    base = posixpath.dirname(from_path.rstrip("/") + "/x") if from_path else ""
    target, _, fragment = to_path.partition("#")
    relative = posixpath.relpath(target or ".", base or ".")
    if (not target or target.endswith("/")) and not relative.endswith("/"):
        relative += "/"
    return relative + (f"#{fragment}" if fragment else "")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("zero").enable(["emphasis", "list", "link", "newline"])


def markdown_subset(text: str | None) -> Markup:
    """Render a description: paragraphs, emphasis, lists and links only; raw HTML stays text."""
    if not text:
        return Markup("")
    rendered = _markdown().render(text)
    cleaned = nh3.clean(
        rendered,
        tags=_MARKDOWN_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(cleaned)


def js_template_literal(markup: str) -> str:
    """Escape text for a JavaScript template literal (`` `…` ``) inside an HTML ``<script>``.

    Backslashes, backticks and ``${`` would end or evaluate the literal; ``</``
    would close the script element. The text is expected to be HTML already
    escaped for its own context.
    """
    return (
        markup.replace("\\", "\\\\")
        .replace("`", "\\`")
        .replace("${", "\\${")
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--")
    )


def folium_markup(markup: str) -> str:
    """HTML (already escaped for HTML) made safe for the places folium puts it.

    folium writes popups and tooltips inside a JavaScript template literal, and
    branca then compiles its own output as a Jinja template a second time: so
    braces become HTML character references (no ``${…}`` and no ``{{ … }}``
    survive), then the text is escaped for the template literal.
    """
    return js_template_literal(markup.replace("{", "&#123;").replace("}", "&#125;"))


def json_for_script(value: Any) -> str:
    """JSON that is safe inside ``<script>`` whatever strings it holds."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def french_date(value: Any) -> str:
    """``2026-11-26`` → ``26 novembre 2026``."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS[day.month - 1]} {day.year}"


def french_number(value: int) -> str:
    """``12000`` → ``12 000`` (narrow no-break space, as French typography wants)."""
    return f"{value:,}".replace(",", "\u202f")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,  # records are sparse: a missing field renders as nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["href"] = safe_href
    env.filters["tel"] = tel_href
    env.filters["mailto"] = mailto_href
    env.filters["markdown"] = markdown_subset
    env.filters["number"] = french_number
    env.filters["date"] = french_date
    env.filters["json_script"] = lambda value: Markup(json_for_script(value))
    return env


def render(template: str, page_path: str, **context: Any) -> str:
    """Render ``overrides/cae/<template>`` for the page at ``page_path``."""
    def url(target: str) -> str:
        return relative_url(page_path, target)

    return environment().get_template(template).render(url=url, page_path=page_path, **context)


def escape_meta(text: str) -> str:
    """Page titles and descriptions are printed unescaped by mkdocs-material's templates: escape them here."""
    return html.escape(" ".join(text.split()), quote=True)
