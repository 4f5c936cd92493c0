"""The Host allow-list (``CANDOR_ALLOWED_HOSTS``).

Candor builds no link and no cache key from the Host header (absolute links come only from
``CANDOR_PUBLIC_URL``), so a forged Host cannot poison anything; the allow-list is the
second wall, as Starlette's ``TrustedHostMiddleware`` would be, done inside the edge layer
(api/middleware.py) to keep one middleware on the hot path. Health and readiness answer
any Host: orchestrators probe them by address.
"""

from __future__ import annotations

from collections.abc import Iterable

HOST_EXEMPT = frozenset({"/healthz", "/readyz"})


def host_name(raw: bytes) -> str:
    """The host of a Host header value, without its port, lowercase."""
    text = raw.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    name, colon, port = text.rpartition(":")
    return name if colon and port.isdigit() else text


class HostPolicy:
    def __init__(self, allowed: Iterable[str]) -> None:
        patterns = [host.strip().lower() for host in allowed if host.strip()]
        self.any = "*" in patterns or not patterns
        self.exact = frozenset(p for p in patterns if not p.startswith("*."))
        # "*.example.org" allows every subdomain of example.org (not example.org itself).
        self.suffixes = tuple(p[1:] for p in patterns if p.startswith("*."))

    def allows(self, host: bytes | None, path: str) -> bool:
        if self.any or path in HOST_EXEMPT:
            return True
        if host is None:
            return False
        name = host_name(host)
        return name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))
