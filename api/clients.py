"""Who is asking: the client's IP address, honouring X-Forwarded-For only from proxies
the operator trusts (CANDOR_TRUSTED_PROXIES); anyone can forge the header otherwise.

This is the one place that decides a client's address: ``candor serve`` turns uvicorn's
own proxy-header handling off (api/cli/serve.py), since uvicorn would believe X-Forwarded-For
from any local client before this check ran."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(scope: Scope, proxies: Sequence[Network]) -> str:
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    if not proxies or not _trusted(address, proxies):
        return address
    forwarded = b",".join(value for name, value in scope["headers"] if name == b"x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.decode("latin-1").split(",") if hop.strip()]
    # Walk back from the nearest hop: the first address we do not trust is the client.
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address
        address = hop
    return address


def bucket_of(address: str) -> str:
    """The rate-limit identity of an address: the address itself for IPv4, its /64 for
    IPv6 (one subscriber usually holds a whole /64, and could take a fresh address from
    it for every request)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "ip:" + address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "ip:" + str(ip.ipv4_mapped)
        return "ip6:" + str(ipaddress.IPv6Network((ip, 64), strict=False))
    return "ip:" + address
