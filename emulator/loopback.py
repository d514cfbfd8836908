"""Is an address this machine's loopback? One answer for the CLI's bind check and the control
API's client check, so that the two cannot disagree."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ``::1``, ``localhost``, and IPv4 loopback as a dual-stack socket reports it
    (``::ffff:127.0.0.1``), which ``ipaddress`` alone calls not loopback."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.partition("%")[0])  # "::1%lo": a scoped address
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
