"""TLS for SPDY: contexts that offer this library's SPDY versions by ALPN,
and the version a finished handshake picked.

The client and server layers (threaded and asyncio) share these, so that every
connection this package opens or accepts negotiates the same way: the
versions offered newest first, a verified server certificate by default on
the client side, and "no SPDY version" reported as 0, never guessed.
"""

from __future__ import annotations

import ssl

from ._errors import UnsupportedVersionError
from ._npn import get_npn_protocols, npn_get_version


def check_version(version: int | None) -> int | None:
    """``version`` itself when it is None or a ``PROTO_*`` constant this
    library speaks; UnsupportedVersionError otherwise."""
    if version is not None and not any(
        npn_get_version(name) == version for name in get_npn_protocols()
    ):
        raise UnsupportedVersionError("unsupported SPDY version %r" % (version,))
    return version


def spdy_protocols(version: int | None = None) -> list[str]:
    """The ALPN protocol names to offer, newest first: every SPDY version this
    library speaks, or only ``version``'s (a ``PROTO_*`` constant)."""
    protocols = get_npn_protocols()
    if version is None:
        return protocols
    chosen = [name for name in protocols if npn_get_version(name) == version]
    if not chosen:
        raise ValueError("not a SPDY version this library speaks: %r" % (version,))
    return chosen


def offer_spdy(context: ssl.SSLContext, version: int | None = None) -> ssl.SSLContext:
    """Make ``context`` (an ``ssl.SSLContext``) offer the SPDY versions by
    ALPN; returns it.  Used on contexts the application supplies too."""
    context.set_alpn_protocols(spdy_protocols(version))
    return context


def client_context(
    verify: bool = True, cafile: str | None = None, version: int | None = None
) -> ssl.SSLContext:
    """A client context: certificate and host name verified against the
    system's trust store (or ``cafile``) unless ``verify`` is false."""
    context = ssl.create_default_context(cafile=cafile)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return offer_spdy(context, version)


def server_context(cert_file: str, key_file: str, version: int | None = None) -> ssl.SSLContext:
    """A server context with the certificate chain in ``cert_file`` and its
    private key in ``key_file``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return offer_spdy(context, version)


def negotiated_version(tls: ssl.SSLSocket | ssl.SSLObject) -> int:
    """The ``PROTO_*`` constant the handshake on ``tls`` (an ``ssl.SSLSocket``
    or ``ssl.SSLObject``) agreed on, or 0 when the peer chose no SPDY
    version."""
    return npn_get_version(tls.selected_alpn_protocol())
