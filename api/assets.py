"""The files under ``/static``: Candor's own (``api/static/``) and Swagger UI's.

Swagger UI comes from the PyPI package ``swagger-ui-py``, pinned in pyproject.toml: its
wheel ships the ``swagger-ui-dist`` build files, so the API reference needs no CDN, no
npm step at deploy time and no network at all. Only the two files /docs loads are served
from it (the package also carries Swagger Editor, source maps and a petstore demo page).

What is served is an allow-list from URL name to file, so no part of a request's path
ever reaches the disk. Each file is read once and re-read only when it changes on disk
(edits to api/static/ show without a restart), and its gzip form is made once with it:
Swagger UI's bundle is 1.4 MB as is and a quarter of that gzipped.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from api.responses import Rendered

STATIC_DIR = Path(__file__).resolve().parent / "static"

SWAGGER_UI_PACKAGE = "swagger_ui"
# /docs depends on these two names: the bundle defines the global SwaggerUIBundle.
SWAGGER_UI_SCRIPT = "swagger-ui/swagger-ui-bundle.js"
SWAGGER_UI_STYLES = "swagger-ui/swagger-ui.css"

JS_TYPE = "text/javascript; charset=utf-8"  # RFC 9239
CSS_TYPE = "text/css; charset=utf-8"


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it: swagger-ui-py's own code (Jinja
    # templates and handlers for other frameworks) is never run, only its files are read.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the {name!r} package (PyPI: swagger-ui-py) is missing; run `make setup`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


SWAGGER_UI_DIR = _package_dir(SWAGGER_UI_PACKAGE) / "static"


@dataclass(frozen=True, slots=True)
class StaticFile:
    path: Path
    media_type: str


FILES: dict[str, StaticFile] = {
    "candor.css": StaticFile(STATIC_DIR / "candor.css", CSS_TYPE),
    "docs.js": StaticFile(STATIC_DIR / "docs.js", JS_TYPE),
    SWAGGER_UI_SCRIPT: StaticFile(SWAGGER_UI_DIR / "swagger-ui-bundle.js", JS_TYPE),
    SWAGGER_UI_STYLES: StaticFile(SWAGGER_UI_DIR / "swagger-ui.css", CSS_TYPE),
}


@dataclass(frozen=True, slots=True)
class Asset:
    plain: Rendered
    gzipped: Rendered
    # A hash of the bytes, for the ?v= in links: a changed file gets a new URL, so each
    # URL can be cached for a year.
    digest: str


_cache: dict[str, tuple[tuple[int, int], Asset]] = {}


def asset(name: str) -> Asset:
    """The asset's bytes, re-read only when the file changes.

    Read synchronously: a stat per request and a read on change cost less than a thread
    hop (the one large file, Swagger UI's bundle, lives in site-packages and never changes
    while the process runs).
    """
    spec = FILES[name]
    stat = spec.path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(name)
    if cached and cached[0] == stamp:
        return cached[1]
    body = spec.path.read_bytes()
    digest = hashlib.blake2b(body, digest_size=6).hexdigest()
    # mtime=0: the same bytes every time, so the gzip ETag is stable across replicas.
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    entry = Asset(
        Rendered.of(body, "static", spec.media_type),
        Rendered.of(packed, "static-gz", spec.media_type),
        digest,
    )
    _cache[name] = (stamp, entry)
    return entry


def href(name: str) -> str:
    """The versioned URL of an asset (cacheable for a year)."""
    return f"/static/{name}?v={asset(name).digest}"


_VERSION = re.compile(rb'PACKAGE_VERSION:"(\d+\.\d+\.\d+)"')


def swagger_ui_version() -> str:
    """The Swagger UI version inside the pinned package, as its bundle reports it."""
    found = _VERSION.search(asset(SWAGGER_UI_SCRIPT).plain.body)
    return found.group(1).decode() if found else "unknown"
