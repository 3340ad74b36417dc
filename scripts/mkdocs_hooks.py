"""The thin MkDocs layer (registered under ``hooks:`` in mkdocs.yml).

It runs the pipeline, adds the generated pages and files to MkDocs' file list,
swaps in their pre-rendered HTML after Markdown, and indexes the built site
with Pagefind. Nothing else in ``cae`` imports MkDocs: moving to another site
generator means rewriting this file only.

Under ``mkdocs serve`` a data error must not stop the server: the errors are
printed and the last good generation is served again. Under ``mkdocs build``
the build fails (the build command validates before it even starts MkDocs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # MkDocs loads hooks by path, not as a package

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage

from cae import pipeline, search_index  # noqa: E402
from cae.generate import Options, Site, snippets
from cae.paths import data_dir_from_env
from cae.render import Page, escape_meta
from cae.report import print_problems

_state: dict[str, Any] = {"site": None, "html": {}, "edit": {}}


def _serving() -> bool:
    return os.environ.get("CAE_SERVE") == "1"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    options = Options.from_site_config(config.site_url, config.repo_url, config.edit_uri)
    outcome = pipeline.cached_run(data_dir_from_env(), options, allow_fictional=os.environ.get("CAE_ALLOW_FICTIONAL") == "1")
    if not outcome.ok:
        print_problems([p for p in outcome.problems if p.is_error])
        if not _serving() or _state["site"] is None:
            raise PluginError("Les données contiennent des erreurs : le site n'a pas été construit (voir ci-dessus).")
        print("Données invalides : le site affiché reste celui de la dernière version valide.", file=sys.stderr)
        return config
    _state["site"] = outcome.site
    config.extra["demo"] = outcome.directory.fictional  # shows the "fictional data" banner (overrides/main.html)
    return config


def _front_matter(page: Page) -> str:
    meta = {"title": escape_meta(page.title), "description": escape_meta(page.description), "hide": list(page.hide)}
    meta.update(page.extra_meta)
    return "---\n" + json.dumps(meta, ensure_ascii=True) + "\n---\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    site: Site = _state["site"]
    _state["html"], _state["edit"] = {}, {}
    for page in site.pages:
        existing = files.get_file_from_path(page.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, page.src_uri, content=_front_matter(page)))
        _state["html"][page.src_uri] = page.html
        _state["edit"][page.src_uri] = page.edit_url
    for path, content in sorted(site.files.items()):
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
    """Hand-written pages: swap <!-- cae:NAME --> markers for generated blocks."""
    if page.file.src_uri in _state["html"]:
        page.edit_url = _state["edit"].get(page.file.src_uri) or None  # the data record, not a Markdown file
        return ""
    try:
        return snippets.fill(markdown, _state["site"].snippets, page.file.src_uri)
    except KeyError as error:
        raise PluginError(str(error.args[0])) from None


def on_page_content(html: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
    return _state["html"].get(page.file.src_uri, html)


def on_post_build(config: MkDocsConfig) -> None:
    """Index the built pages with Pagefind (a static, chunked search index)."""
    command = [sys.executable, "-m", "pagefind", "--site", config.site_dir, "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PluginError(f"Pagefind a échoué : {result.stderr or result.stdout}")
    search_index.stabilise(Path(config.site_dir) / "pagefind")
