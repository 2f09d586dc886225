"""URLs the clients fetch: split, and checked the same on every Python
version, each error a ValueError that names the URL."""

from __future__ import annotations

import ipaddress
import urllib.parse

DEFAULT_PORTS = {"http": 80, "https": 443}


def checked_urlsplit(url: str) -> urllib.parse.SplitResult:
    """``urllib.parse.urlsplit(url)``, with a host that no connection could
    be made to refused, and the ValueError naming the URL (urlsplit's own,
    "Invalid IPv6 URL", does not say which)."""
    try:
        parts = urllib.parse.urlsplit(url)
        # Python 3.11.4 and later refuse a bracketed host that is no IPv6
        # address; earlier ones take it as it is.
        host = parts.netloc.rpartition("@")[2]
        if host.startswith("["):
            address, _, after = host[1:].partition("]")
            ipaddress.IPv6Address(address.partition("%")[0])
            if after and not after.startswith(":"):
                raise ValueError("%r after the IPv6 address" % (after,))
        if any(c.isspace() or not c.isprintable() for c in host):
            raise ValueError("a space or control character in the host")
    except ValueError as exc:
        raise ValueError("bad URL %r: %s" % (url, exc)) from None
    return parts


def split_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port (the scheme's default if the URL has none)
    an ``http://`` or ``https://`` URL names; ValueError, naming the URL,
    for any other, or one that cannot be parsed or has a bad port."""
    parts = checked_urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("not an http:// or https:// URL: %r" % (url,))
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("bad port in URL %r: %s" % (url, exc)) from None
    if port == 0:
        raise ValueError("bad port in URL %r: 0 cannot be connected to" % (url,))
    if not parts.hostname:
        raise ValueError("no host in URL %r" % (url,))
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]
