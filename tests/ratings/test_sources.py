from __future__ import annotations

import pytest

from ratings.sources import REFUSED_SOURCE_DOMAINS, refused_domain, url_language


@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("www.scribd.com", "scribd.com"),
        ("vi.scribd.com", "scribd.com"),
        ("web.archive.org", "archive.org"),
        ("briskinfosec.blogspot.com", "blogspot.com"),
        ("CONDUCTATLAS.COM.", "conductatlas.com"),
        ("edit.tosdr.org", "tosdr.org"),
        ("zoom.us", None),
        ("notscribd.com", None),
        ("scribd.com.evil.example", None),
        ("archive.org.example", None),
    ],
)
def test_refused_domains_match_on_label_boundaries(host: str, refused: str | None) -> None:
    assert refused_domain(host) == refused


def test_the_list_is_registrable_domains_in_lowercase() -> None:
    for domain in REFUSED_SOURCE_DOMAINS:
        assert domain == domain.lower().strip(".") and "." in domain and "/" not in domain


@pytest.mark.parametrize(
    ("url", "language"),
    [
        ("https://www.zoom.com/en/trust/transparency/", None),
        ("https://support.zoom.com/hc/en-us/article?id=1", None),
        ("https://learn.microsoft.com/en-gb/x", None),
        ("https://zoom.us/j/123", None),
        ("https://www.zoom.com/us/x", None),
        ("https://www.zoom.com/it/trust/reporting-vulnerability", "it"),
        ("https://learn.microsoft.com/de-de/microsoftteams/x", "de"),
        ("https://www.larksuite.com/zh_cn/privacy", "zh"),
        ("https://support.google.com/meet/answer/1?hl=fr", "fr"),
        ("https://support.google.com/meet/answer/1?hl=en", None),
        ("https://es-la.facebook.com/help/1", "es"),
        ("https://pt-br.facebook.com/help/1", "pt"),
    ],
)
def test_url_language(url: str, language: str | None) -> None:
    assert url_language(url) == language
