"""Which web pages may stand behind a fact: the one list of refused source domains.

A rating rests on the company's own pages and on independent sources that established the
fact themselves (audits, regulators, courts, reputable newsrooms and NGOs). Copies of
someone else's document prove nothing about where it came from or whether it is current,
so document re-hosts, mirrors, web archives, content farms and "policy summary" sites are
refused by ``candor fixtures check``. The extension and the API never see this list: it
guards what maintainers may cite.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

# Registrable domains (each refused with every subdomain). Grouped by why.
REFUSED_SOURCE_DOMAINS: frozenset[str] = frozenset(
    {
        # Document and slide re-hosts: copies of other people's PDFs, of unknown age.
        "scribd.com",
        "slideshare.net",
        "docslib.org",
        "readkong.com",
        "dokumen.pub",
        "dokumen.tips",
        "studylib.net",
        "pdfcoffee.com",
        "yumpu.com",
        "issuu.com",
        "docplayer.net",
        "vdocuments.site",
        "vdocuments.net",
        "vdocuments.mx",
        "pdfslide.us",
        "pdfslide.net",
        "documents.pub",
        "fdocuments.in",
        "kupdf.net",
        "silo.tips",
        "manualzz.com",
        "fliphtml5.com",
        "anyflip.com",
        "coursehero.com",
        "documentcloud.org",
        "wixlib.com",
        # Web archives and mirrors: a copy is not the page; cite the page itself.
        "archive.org",
        "archive.ph",
        "archive.today",
        "archive.is",
        "archive.li",
        "archive.md",
        "cachedview.nl",
        # Policy-summary and aggregator sites: someone else's reading of a policy.
        "conductatlas.com",
        "tosdr.org",
        "fineprintly.io",
        "usedby.ai",
        "factually.co",
        "techminis.com",
        "googblogs.com",
        # Free blog hosts, where copies of company posts are re-published.
        "blogspot.com",
        # Content farms seen in earlier reviews.
        "umatechnology.org",
        "millcreek-trading.com",
        "eyetrodigital.com",
        "ihyperg.com",
        "odolatant.com",
        "askit.ro",
        "ayanrayne.com",
        "lucidtruthtechnologies.com",
        "jacobspradlin.com",
        "gobugfree.com",
        "osintsights.com",
        "techsecinfo.com",
        "blog.traffcloud.com",
        "ghost-protocol.app",
    }
)

# Locale markers in a path segment or a query parameter: /de/, /es-es/, /pt-br/, hl=fr.
_LOCALE_SEGMENT = re.compile(r"^([a-z]{2})(?:[-_]([a-z]{2}|latn|hans|hant))?$", re.IGNORECASE)
_LOCALE_PARAMS = frozenset({"hl", "lang", "locale", "language"})
# Languages that vendors' sites put in their paths (ISO 639-1). A fixed list, so that
# segments such as /us/, /kb/ or /hc/ are never taken for a language.
_LANGUAGES = frozenset(
    [
        "ar",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "es",
        "et",
        "fi",
        "fr",
        "he",
        "hi",
        "hr",
        "hu",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "nb",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sr",
        "sv",
        "th",
        "tr",
        "uk",
        "vi",
        "zh",
    ]
)


def refused_domain(host: str) -> str | None:
    """The refused domain that ``host`` lies under, or None."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in REFUSED_SOURCE_DOMAINS:
            return candidate
    return None


def url_language(url: str) -> str | None:
    """The non-English language a URL asks for by its path or query, or None.

    ``en``, ``en-us``, ``en-gb`` and unmarked URLs count as English. Only markers that
    plainly name a language are read, so that ``/us/`` or ``/kb/`` are not taken for one.
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in _LOCALE_PARAMS:
            language = value.lower().replace("_", "-").split("-")[0]
            if language in _LANGUAGES:
                return language
    for segment in parts.path.split("/"):
        match = _LOCALE_SEGMENT.match(segment)
        if match and match.group(1).lower() in _LANGUAGES:
            return match.group(1).lower()
    host_language = parts.hostname.split(".")[0] if parts.hostname else ""
    match = _LOCALE_SEGMENT.match(host_language)
    if match and "-" in host_language and match.group(1).lower() in _LANGUAGES:
        # es-la.facebook.com, de-de.facebook.com: a language sub-host.
        return match.group(1).lower()
    return None
