"""Which URLs a page may link to: the one check behind every ``href`` made from data (a
fixture's source, a company's homepage, a Markdown link)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str) -> str | None:
    """``url`` if it is http(s), relative or a fragment; None for any other scheme."""
    url = url.strip()
    if not url or any(ord(c) < 0x20 or c in " \x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme:
        return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    # No scheme: relative or fragment. Reject "//host" (scheme-relative: another site in
    # disguise) and backslashes, which some browsers read as slashes.
    if url.startswith("//") or "\\" in url:
        return None
    return url


def offsite_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL, to link off-site; None otherwise (the page
    shows it as text)."""
    target = safe_url(url)
    if target is None or not target.lower().startswith(("http://", "https://")):
        return None
    return target
