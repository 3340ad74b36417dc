"""Generation: the directory model → pages, data files and maps, in plain Python.

Nothing here knows about MkDocs: :func:`generate_site` returns pages (HTML
bodies with a title) and files (bytes); the thin layer in
:mod:`cae.mkdocs_hooks` hands them to the site generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..enrich import Directory
from ..render import Page
from . import communes, cooperatives, exports, finder, partners, snippets, territories, vendor


@dataclass(frozen=True)
class Options:
    """Settings that come from the site configuration."""

    edit_url: str = ""  # forge web-editor URL of data/cooperatives.yaml, "" to hide "Modifier cette fiche"
    site_url: str = ""  # absolute URL of the published site, for JSON-LD and open data ("" if unknown)

    @classmethod
    def from_site_config(cls, site_url: str | None, repo_url: str | None, edit_uri: str | None) -> "Options":
        edit = ""
        if repo_url and edit_uri:
            edit = f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/data/cooperatives.yaml"
        return cls(edit_url=edit, site_url=site_url or "")


@dataclass
class Site:
    pages: list[Page] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # site path -> content
    snippets: dict[str, str] = field(default_factory=dict)  # <!-- cae:NAME --> in hand-written pages -> HTML

    def page(self, path: str) -> Page:
        return next(p for p in self.pages if p.path == path)


def generate_site(directory: Directory, options: Options = Options()) -> Site:
    site = Site()
    site.pages.extend(cooperatives.cooperative_pages(directory, options))
    site.pages.append(cooperatives.cooperative_list(directory))
    site.pages.extend(territories.territory_pages(directory, options.site_url))
    site.files.update(territories.territory_files(directory, options.site_url))
    site.files.update(exports.data_files(directory, options))
    site.files.update(vendor.vendor_files())
    site.files.update(communes.commune_files(directory.gazetteer))
    site.snippets.update(snippets.snippets(directory))
    partners.add_partner_pages(site, directory)
    finder.add_finder(site, directory)
    return site
