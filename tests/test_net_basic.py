"""ThreadedSPDYServer and UrlFetcher against each other over real sockets on
127.0.0.1: every version, plain TCP with prior knowledge and TLS with ALPN."""

import socket
import ssl

import pytest
from helpers import VERSIONS, wire_version
from netkit import TIMEOUT, QuietHandler, fetch, running

import spdylay
from spdylay._loop import SessionLoop


class Hello(QuietHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.wfile.write(("hello %s over %s\n" % (self.path, self.request_version)).encode())


def frames_seen(log, direction, frame_type):
    return [
        frame
        for seen, frame in log
        if seen == direction and getattr(frame, "frame_type", None) == frame_type
    ]


def test_get_over_plain_tcp(version):
    log = []
    with running(Hello, version) as server:
        first, second = fetch(
            server, ["/a", "/b?x=1"], version, on_frame=lambda *seen: log.append(seen)
        )
    assert first.status_code == second.status_code == spdylay.OK
    assert first.header(":status") == "200 OK"
    assert first.header(":version") == "HTTP/1.1"
    assert first.header("content-type") == "text/plain"
    assert first.header("server").startswith("spdylay/")
    assert first.header("date").endswith(" GMT")
    assert bytes(first.body) == b"hello /a over HTTP/1.1\n"
    assert bytes(second.body) == b"hello /b?x=1 over HTTP/1.1\n"
    replies = frames_seen(log, "recv", spdylay.SYN_REPLY)
    assert {frame.version for frame in replies} == {wire_version(version)}
    assert {first.stream_id, second.stream_id} == {1, 3}


def test_get_over_tls(version, certificates):
    log = []
    with running(Hello, version, certificates) as server:
        (response,) = fetch(
            server, ["/secure"], version, certificates, on_frame=lambda *seen: log.append(seen)
        )
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"hello /secure over HTTP/1.1\n"
    replies = frames_seen(log, "recv", spdylay.SYN_REPLY)
    assert [frame.version for frame in replies] == [wire_version(version)]


@pytest.mark.parametrize("client_version", VERSIONS)
def test_tls_server_offering_all_versions_serves_the_one_the_client_asks(
    client_version, certificates
):
    log = []
    with running(Hello, None, certificates) as server:
        (response,) = fetch(
            server, ["/"], client_version, certificates, on_frame=lambda *seen: log.append(seen)
        )
    assert response.status_code == spdylay.OK
    replies = frames_seen(log, "recv", spdylay.SYN_REPLY)
    assert [frame.version for frame in replies] == [wire_version(client_version)]


class Versions(Hello):
    seen = []

    def do_GET(self):
        self.seen.append(self.spdy_version)
        Hello.do_GET(self)


def test_tls_offering_every_version_picks_spdy3_1(certificates):
    Versions.seen = []
    with running(Versions, None, certificates) as server:
        (response,) = fetch(server, ["/"], None, certificates)
        assert response.fetcher.spdy_version == spdylay.PROTO_SPDY3_1
    assert Versions.seen == [spdylay.PROTO_SPDY3_1]


def test_urlfetch_with_one_url_and_the_readme_handler_shape(certificates):
    received = []

    class Handler(spdylay.BaseSPDYStreamHandler):
        def on_header(self, nv):
            received.append(("header", self.stream_id, dict(nv)[":status"]))

        def on_data(self, data):
            received.append(("data", self.stream_id, data))

        def on_close(self, status_code):
            received.append(("close", self.stream_id, status_code))

    with running(Hello, None, certificates) as server:
        url = "https://127.0.0.1:%d/readme" % server.server_address[1]
        spdylay.urlfetch(
            url,
            Handler,
            timeout=TIMEOUT,
            ssl_context=ssl.create_default_context(cafile=certificates.ca_file),
        )
    assert received == [
        ("header", 1, "200 OK"),
        ("data", 1, b"hello /readme over HTTP/1.1\n"),
        ("close", 1, spdylay.OK),
    ]


def test_a_call_handed_to_a_closed_session_loop_is_refused():
    # What a handler thread does when its connection has just ended: the
    # call is dropped (False), not an OSError from the closed wake-up pair.
    ours, theirs = socket.socketpair()
    try:
        loop = SessionLoop(ours, spdylay.SERVER, spdylay.PROTO_SPDY3_1)
        loop.close()
        assert loop.call_soon(loop.stop) is False
    finally:
        theirs.close()
