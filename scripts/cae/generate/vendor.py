"""Front-end libraries served by the site itself, copied from the pinned npm packages.

Nothing is loaded from a CDN: ``make`` installs the exact versions of
package-lock.json into node_modules/ and the build copies the files below.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import NODE_MODULES

# site path -> file inside node_modules
VENDOR_FILES = {
    "assets/vendor/leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "assets/vendor/leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "assets/vendor/leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "assets/vendor/leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "assets/vendor/leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "assets/vendor/leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "assets/vendor/leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "assets/vendor/leaflet/LICENSE": "leaflet/LICENSE",
    "assets/vendor/leaflet.markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "assets/vendor/leaflet.markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "assets/vendor/leaflet.markercluster/MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "assets/vendor/leaflet.markercluster/MIT-LICENCE.txt": "leaflet.markercluster/MIT-LICENCE.txt",
}


class MissingFrontEndPackages(RuntimeError):
    """node_modules/ is missing: ``make`` (npm ci) installs it."""


def vendor_files(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    files = {}
    for site_path, package_path in VENDOR_FILES.items():
        source = node_modules / package_path
        if not source.exists():
            raise MissingFrontEndPackages(f"{source} manquant : lancez « make » (npm ci) pour installer les bibliothèques du site.")
        files[site_path] = source.read_bytes()
    return files
