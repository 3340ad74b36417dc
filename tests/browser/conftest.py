"""Browser journeys: real sites built from fixtures, served on 127.0.0.1, driven in Debian's chromium.

Every page opened through the ``page`` fixture records the requests it makes:
requests to the site are served, map tiles (IGN, OpenStreetMap) are answered
with an empty image so tests stay offline, and anything else is blocked and
makes the test fail (the site must make no third-party request).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from helpers import FIXTURES, REPO_ROOT, make_data_dir

pytestmark = pytest.mark.browser

TILE_HOSTS = ("data.geopf.fr", "tile.openstreetmap.org")
# A 1×1 transparent PNG, returned for every map tile.
EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da636460f80f0000040101005a8f2c1b0000000049454e44ae426082"
)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is required for the browser tests: `make test` installs it (apt-get install chromium).")
    return path


def build_site(data_dir: Path, output: Path, *extra: str) -> Path:
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build.py"), "--data", str(data_dir), "--output", str(output), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    return output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature from the standard library
        pass


@dataclass
class Served:
    root: Path
    url: str

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}"


def serve(root: Path) -> Iterator[Served]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def built_fixture(tmp_path_factory, fixture: str) -> Iterator[Served]:
    """Build the site of tests/fixtures/<fixture> and serve it."""
    base = tmp_path_factory.mktemp(f"{fixture}-site")
    build_site(make_data_dir(base / "data", FIXTURES / fixture), base / "site")
    yield from serve(base / "site")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Iterator[Served]:
    """The site of tests/fixtures/valid (fictional cooperatives and members), served."""
    yield from built_fixture(tmp_path_factory, "valid")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Iterator[Served]:
    """The site of tests/fixtures/hostile: every text field tries to run script."""
    yield from built_fixture(tmp_path_factory, "hostile")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield instance
        instance.close()


@dataclass
class Traffic:
    """What a page asked for, and what went wrong in it."""

    site_requests: list[str] = field(default_factory=list)
    tile_requests: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser, traffic: Traffic):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()

    def route(route_request):
        url = route_request.request.url
        host = urlsplit(url).hostname or ""
        if host == "127.0.0.1" or url.startswith(("data:", "blob:")):
            traffic.site_requests.append(url)
            route_request.continue_()
        elif host in TILE_HOSTS:
            traffic.tile_requests.append(url)
            route_request.fulfill(status=200, content_type="image/png", body=EMPTY_PNG)
        else:
            traffic.third_party.append(url)
            route_request.abort()

    context.route("**/*", route)
    tab.on("pageerror", lambda error: traffic.errors.append(str(error)))
    tab.on("console", lambda message: traffic.errors.append(message.text) if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    tab.on("response", lambda response: traffic.errors.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None)

    def on_dialog(dialog):
        traffic.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert traffic.third_party == [], f"third-party requests: {traffic.third_party}"
