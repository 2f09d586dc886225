"""spdylay._tls: ALPN offers and the version a real TLS handshake on
127.0.0.1 picks, shared by the client and server layers."""

import socket
import ssl
import threading

import pytest

import spdylay
from spdylay import _tls

TIMEOUT = 10


def handshake(client_context, server_context):
    """One TLS handshake over loopback; returns (client side's version,
    server side's version), or raises what the client's handshake raised."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    port = listener.getsockname()[1]
    server_result = {}

    def serve():
        try:
            conn, _ = listener.accept()
            conn.settimeout(TIMEOUT)
            with server_context.wrap_socket(conn, server_side=True) as tls:
                server_result["version"] = _tls.negotiated_version(tls)
                tls.recv(1)
        except (OSError, ssl.SSLError) as exc:
            server_result["error"] = exc

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), TIMEOUT) as raw:
            with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
                client_version = _tls.negotiated_version(tls)
    finally:
        thread.join(TIMEOUT)
        listener.close()
    assert not thread.is_alive()
    return client_version, server_result.get("version")


def test_offers_every_spdy_version_newest_first():
    assert _tls.spdy_protocols() == ["spdy/3.1", "spdy/3", "spdy/2"]


@pytest.mark.parametrize(
    "version, name",
    [
        (spdylay.PROTO_SPDY2, "spdy/2"),
        (spdylay.PROTO_SPDY3, "spdy/3"),
        (spdylay.PROTO_SPDY3_1, "spdy/3.1"),
    ],
)
def test_offers_only_the_requested_version(version, name):
    assert _tls.spdy_protocols(version) == [name]


def test_unknown_version_is_refused():
    with pytest.raises(ValueError):
        _tls.spdy_protocols(99)


def test_handshake_picks_the_newest_common_version(certificates):
    client = _tls.client_context(cafile=certificates.ca_file)
    server = _tls.server_context(certificates.cert_file, certificates.key_file)
    assert handshake(client, server) == (spdylay.PROTO_SPDY3_1, spdylay.PROTO_SPDY3_1)


@pytest.mark.parametrize("version", [spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3])
def test_server_limited_to_one_version_gets_it(certificates, version):
    client = _tls.client_context(cafile=certificates.ca_file)
    server = _tls.server_context(certificates.cert_file, certificates.key_file, version=version)
    assert handshake(client, server) == (version, version)


def test_peer_offering_no_spdy_version_negotiates_zero(certificates):
    client = ssl.create_default_context(cafile=certificates.ca_file)
    client.set_alpn_protocols(["http/1.1"])
    server = _tls.server_context(certificates.cert_file, certificates.key_file)
    assert handshake(client, server) == (0, 0)


def test_client_verifies_the_server_certificate_by_default(certificates):
    server = _tls.server_context(certificates.cert_file, certificates.key_file)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(_tls.client_context(), server)


def test_client_verification_can_be_turned_off(certificates):
    server = _tls.server_context(certificates.cert_file, certificates.key_file)
    client = _tls.client_context(verify=False)
    assert client.verify_mode == ssl.CERT_NONE
    assert handshake(client, server) == (spdylay.PROTO_SPDY3_1, spdylay.PROTO_SPDY3_1)


def test_offer_spdy_configures_an_application_context(certificates):
    client = ssl.create_default_context(cafile=certificates.ca_file)
    assert _tls.offer_spdy(client, spdylay.PROTO_SPDY3) is client
    server = _tls.server_context(certificates.cert_file, certificates.key_file)
    assert handshake(client, server) == (spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3)
