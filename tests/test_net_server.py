"""ThreadedSPDYServer and BaseSPDYRequestHandler: dispatch, errors, request
bodies, SETTINGS and GOAWAY on the wire, and streams that must not hold each
other back."""

import hashlib
import io
import socket
import ssl
import threading

import pytest
from helpers import nv_on_wire
from netkit import TIMEOUT, Collect, QuietHandler, RawPeer, fetch, running

import spdylay

import spdywire


class Echo(QuietHandler):
    """GET: the path; POST: the body's length and SHA-256; /missing: 404;
    /boom: raises before answering; /boom-late raises in the middle of its
    body; /nothing returns without answering."""

    def do_GET(self):
        if self.path == "/missing":
            self.send_error(404)
            return
        if self.path == "/boom":
            raise RuntimeError("the handler broke")
        if self.path == "/nothing":
            return
        if self.path == "/bad-header":
            self.send_response(200)
            self.send_header("", "a header needs a name")
            self.wfile.write(b"never sent")
        self.send_response(200)
        self.send_header("x-seen", dict(self.headers).get("x-test", "-"))
        self.wfile.write(self.path.encode())
        if self.path == "/boom-late":
            raise RuntimeError("the handler broke after the headers")

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("content-length", "5")

    def do_POST(self):
        body = self.rfile.read()
        self.send_response(201)
        self.wfile.write(b"%d %s" % (len(body), hashlib.sha256(body).hexdigest().encode()))


def test_send_error_page(version):
    with running(Echo, version) as server:
        (response,) = fetch(server, ["/missing"], version)
    assert response.status_code == spdylay.OK
    assert response.header(":status") == "404 Not Found"
    assert response.header("content-type") == "text/html;charset=utf-8"
    assert b"Error code: 404" in response.body
    assert response.header("content-length") == str(len(response.body))


def test_method_without_handler_is_501(version):
    with running(Echo, version) as server:
        (response,) = fetch(server, ["/"], version, method="BREW")
    assert response.header(":status") == "501 Not Implemented"
    assert b"Unsupported method ('BREW')" in response.body


def test_head_has_headers_and_no_body(version):
    with running(Echo, version) as server:
        (response,) = fetch(server, ["/"], version, method="HEAD")
    assert response.status_code == spdylay.OK
    assert response.header(":status") == "200 OK"
    assert response.header("content-length") == "5"
    assert response.body == b""


def test_request_headers_reach_the_handler(version):
    with running(Echo, version) as server:
        (response,) = fetch(server, ["/h"], version, headers=[("X-Test", "forty-two")])
    assert response.header("x-seen") == "forty-two"


def test_handler_that_raises_gets_500_and_a_log_line(version, capsys):
    with running(Echo, version) as server:
        boom, ok = fetch(server, ["/boom", "/after"], version)
        (later,) = fetch(server, ["/later"], version)
    assert boom.header(":status") == "500 Internal Server Error"
    assert boom.status_code == spdylay.OK
    assert bytes(ok.body) == b"/after" and bytes(later.body) == b"/later"
    err = capsys.readouterr().err
    assert "handler for stream %d from 127.0.0.1 failed" % boom.stream_id in err
    assert "RuntimeError: the handler broke" in err


def test_handler_that_raises_mid_body_resets_its_stream(version, capsys):
    with running(Echo, version) as server:
        late, ok = fetch(server, ["/boom-late", "/fine"], version)
    assert late.status_code == spdylay.INTERNAL_ERROR
    assert ok.status_code == spdylay.OK and bytes(ok.body) == b"/fine"
    assert "the handler broke after the headers" in capsys.readouterr().err


def test_header_the_session_refuses_fails_in_the_handler(version, capsys):
    with running(Echo, version) as server:
        bad, ok = fetch(server, ["/bad-header", "/fine"], version)
    assert bad.header(":status") == "500 Internal Server Error"
    assert ok.status_code == spdylay.OK and bytes(ok.body) == b"/fine"
    assert "InvalidArgumentError: nv name must not be empty" in (capsys.readouterr().err)


def test_wfile_is_closed_once_the_handler_returns(version):
    kept = []

    class KeepsWfile(QuietHandler):
        def do_GET(self):
            self.send_response(200)
            self.wfile.write(b"in time")
            kept.append(self.wfile)

    with running(KeepsWfile, version) as server:
        (response,) = fetch(server, ["/"], version)
    assert bytes(response.body) == b"in time"
    with pytest.raises(ValueError, match="finished response"):
        kept[0].write(b"too late")


def test_handler_that_sends_nothing_gets_500(version):
    with running(Echo, version) as server:
        (response,) = fetch(server, ["/nothing"], version)
    assert response.header(":status") == "500 Internal Server Error"


def _digest(body):
    return b"%d %s" % (len(body), hashlib.sha256(body).hexdigest().encode())


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_post_body_reaches_rfile(version, kind):
    body = bytes(range(256)) * 1000
    sent = body if kind == "bytes" else io.BytesIO(body)
    with running(Echo, version) as server:
        responses = fetch(server, ["/up", "/up", "/up"], version, method="POST", body=sent)
    for response in responses:
        assert response.header(":status") == "201 Created"
        assert bytes(response.body) == _digest(body)


def test_request_body_over_the_limit_is_413(version):
    called = []

    class Counting(Echo):
        def do_POST(self):
            called.append(self.path)
            Echo.do_POST(self)

    with running(Counting, version, request_body_limit=10000) as server:
        small, large = fetch(
            server, ["/small", "/large"], version, method="POST", body=b"x" * 10000
        )
        (too_large,) = fetch(server, ["/large"], version, method="POST", body=b"x" * 10001)
    assert small.header(":status") == "201 Created"
    # The reason phrase is http.server's, which Python 3.13 renamed
    # ("Content Too Large", after RFC 9110).
    assert too_large.header(":status") == "413 " + spdylay.BaseSPDYRequestHandler.responses[413][0]
    assert b"larger than 10000 bytes" in too_large.body
    # The two requests of the first fetch are handled concurrently.
    assert sorted(called) == ["/large", "/small"]


def test_request_headers_grown_past_the_limit_are_431(version):
    called = []

    class Counting(Echo):
        def do_GET(self):
            called.append(self.path)
            Echo.do_GET(self)

    request = [
        (":method", "GET"),
        (":scheme", "http"),
        (":version", "HTTP/1.1"),
        (":host", "localhost"),
    ]
    filler = [("x-filler", "f" * 8000)]
    status = "status" if version == spdylay.PROTO_SPDY2 else ":status"

    def reply_to(stream_id):
        return peer.next_frame(
            lambda frame: (
                frame.control and frame.type == spdylay.SYN_REPLY and frame.stream_id == stream_id
            )
        )

    with running(Counting, version) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(peer.enc.syn_stream(1, nv_on_wire(version, request + [(":path", "/grown")])))
            # 5 frames of 8 KiB: past the 32 KiB the server allows, within
            # the core's own 64 KiB bound (which would reset the stream).
            for _ in range(5):
                peer.send(peer.enc.headers(1, filler))
            refused = reply_to(1)
            peer.send(
                peer.enc.syn_stream(
                    3,
                    nv_on_wire(version, request + [(":path", "/next")]),
                    flags=spdylay.CTRL_FLAG_FIN,
                )
            )
            served = reply_to(3)
        finally:
            peer.close()
    assert refused.headers_dict()[status] == "431 Request Header Fields Too Large"
    assert served.headers_dict()[status] == "200 OK"
    assert called == ["/next"]


def test_request_without_method_is_400(version):
    with running(Echo, version) as server:
        peer = RawPeer(server.server_address, version)
        try:
            nv = nv_on_wire(
                version,
                [
                    (":path", "/"),
                    (":scheme", "http"),
                    (":version", "HTTP/1.1"),
                    (":host", "localhost"),
                ],
            )
            peer.send(peer.enc.syn_stream(1, nv, flags=spdylay.CTRL_FLAG_FIN))
            reply = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.SYN_REPLY)
        finally:
            peer.close()
    status = "status" if version == spdylay.PROTO_SPDY2 else ":status"
    assert reply.stream_id == 1
    assert reply.headers_dict()[status] == "400 Bad Request"


@pytest.mark.parametrize("limit", [100, 7])
def test_settings_max_concurrent_streams_on_the_wire(version, limit):
    with running(Echo, version, max_concurrent_streams=limit) as server:
        peer = RawPeer(server.server_address, version)
        try:
            settings = peer.next_frame()
        finally:
            peer.close()
    assert settings.control and settings.type == spdylay.SETTINGS
    assert settings.entries == [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, limit)]


def goaway_after_a_ping(version, then=lambda server: None, **kwargs):
    """Pings a server (traffic, but no stream), runs ``then(server)``, and
    returns the GOAWAY that follows and what comes after it."""
    with running(Echo, version, **kwargs) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(peer.enc.ping(1))
            assert peer.next_frame(lambda frame: frame.control and frame.type == spdylay.PING)
            then(server)
            goaway = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.GOAWAY)
            return goaway, peer.next_frame()
        finally:
            peer.close()


def test_shutdown_sends_goaway_and_closes_an_idle_connection(version):
    goaway, end = goaway_after_a_ping(version, lambda server: server.shutdown())
    assert goaway.last_good_stream_id == 0
    assert goaway.status_code == (None if version == spdylay.PROTO_SPDY2 else spdylay.GOAWAY_OK)
    assert end is None


class Gate(QuietHandler):
    """Waits on ``release`` before answering, after setting ``entered``."""

    entered = None
    release = None

    def do_GET(self):
        if self.path == "/fast":
            self.send_response(200)
            self.wfile.write(b"fast")
            return
        self.entered.set()
        self.send_response(200)
        self.wfile.write(b"first half, ")
        if not self.release.wait(TIMEOUT):
            raise AssertionError("the gate was never opened")
        try:
            self.wfile.write(b"second half")
        except ConnectionResetError:
            pass  # the test closed the server under this stream


@pytest.fixture
def gate():
    Gate.entered = threading.Event()
    Gate.release = threading.Event()
    yield Gate
    Gate.release.set()


def _fetch_in_thread(server, paths, version, **kwargs):
    result = {}

    def run():
        result["responses"] = fetch(server, paths, version, **kwargs)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_slow_stream_does_not_hold_back_the_others(version, gate):
    class OpensTheGate(Collect):
        def on_close(self, status_code):
            Collect.on_close(self, status_code)
            if self.url.endswith("/fast"):
                gate.release.set()

    with running(gate, version) as server:
        host, port = server.server_address
        urls = ["http://127.0.0.1:%d/slow" % port, "http://127.0.0.1:%d/fast" % port]
        fetcher = spdylay.UrlFetcher(
            (host, port), urls, OpensTheGate, tls=False, version=version, timeout=TIMEOUT
        )
        fetcher.collected = []
        fetcher.loop()
    slow, fast = fetcher.collected
    assert fast.status_code == slow.status_code == spdylay.OK
    assert bytes(slow.body) == b"first half, second half"


def test_shutdown_lets_open_streams_finish(version, gate):
    log = []
    with running(gate, version) as server:
        thread, result = _fetch_in_thread(
            server, ["/slow"], version, on_frame=lambda *seen: log.append(seen)
        )
        assert gate.entered.wait(TIMEOUT)
        server.shutdown()
        gate.release.set()
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    (response,) = result["responses"]
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"first half, second half"
    goaways = [
        frame
        for seen, frame in log
        if seen == "recv" and getattr(frame, "frame_type", None) == spdylay.GOAWAY
    ]
    assert [frame.last_good_stream_id for frame in goaways] == [1]


def test_server_close_ends_open_streams(version, gate):
    first_data = threading.Event()

    def on_frame(direction, frame):
        if direction == "recv" and isinstance(frame, spdylay.DataFrame):
            first_data.set()

    server_cm = running(gate, version)
    server = server_cm.__enter__()
    thread, result = _fetch_in_thread(server, ["/slow"], version, on_frame=on_frame)
    assert first_data.wait(TIMEOUT)
    server_cm.__exit__(None, None, None)
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    (response,) = result["responses"]
    assert response.status_code == spdylay.INTERNAL_ERROR
    assert bytes(response.body) == b"first half, "


def test_client_that_is_not_tls_is_dropped_with_a_log_line(certificates, capsys):
    with running(Echo, None, certificates) as server:
        with socket.create_connection(server.server_address, timeout=TIMEOUT) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            try:
                while sock.recv(65536):
                    pass
            except ConnectionResetError:
                pass  # dropped with our bytes unread: a reset, not a FIN
        (response,) = fetch(server, ["/still-serving"], None, certificates)
    assert bytes(response.body) == b"/still-serving"
    err = capsys.readouterr().err
    assert "spdylay: TLS handshake with 127.0.0.1 failed" in err
    assert "Traceback" not in err


def test_client_speaking_spdy_without_tls_is_dropped_at_once(certificates, capsys, version):
    """A SPDY control frame's first bytes read as the header of a TLS record
    longer than the frame, so a TLS library given them waits for the rest
    (until the 30 s handshake timeout, longer than this socket's); the
    server sees at once that they are not TLS and closes."""
    with running(Echo, None, certificates) as server:
        with socket.create_connection(server.server_address, timeout=TIMEOUT) as sock:
            enc = spdywire.Encoder(version)
            sock.sendall(
                enc.syn_stream(
                    1,
                    nv_on_wire(version, [(":method", "GET"), (":path", "/")]),
                    flags=spdywire.FLAG_FIN,
                )
            )
            try:
                assert sock.recv(65536) == b""
            except ConnectionResetError:
                pass  # dropped with our bytes unread: a reset, not a FIN
        (response,) = fetch(server, ["/still-serving"], None, certificates)
    assert bytes(response.body) == b"/still-serving"
    err = capsys.readouterr().err
    assert (
        "spdylay: TLS handshake with 127.0.0.1 failed: the client sent a SPDY frame without TLS"
        in err
    )
    assert "Traceback" not in err


def test_plain_tcp_fetch_from_a_tls_server_fails_at_once_with_url_fetch_error(certificates, capsys):
    """Without the server's check the request would run into its timeout
    (TIMEOUT, below the server's handshake timeout) and end CANCEL."""
    with running(Echo, None, certificates) as server:
        host, port = server.server_address[:2]
        fetcher = spdylay.UrlFetcher(
            (host, port), ["http://%s:%d/" % (host, port)], Collect, tls=False, timeout=TIMEOUT
        )
        fetcher.collected = []
        with pytest.raises(spdylay.UrlFetchError) as caught:
            fetcher.loop()
    assert str(caught.value) == (
        "%s:%d closed the connection without sending a byte (a TLS server? this "
        "connection speaks SPDY over plain TCP)" % (host, port)
    )
    # No connection to speak of: the handler hears nothing, as when
    # connecting fails.
    assert [handler.status_code for handler in fetcher.collected] == [None]
    assert "the client sent a SPDY frame without TLS" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_concurrent_streams": 0},
        {"max_concurrent_streams": 2**31},
        {"max_concurrent_streams": "100"},
        {"request_body_limit": -1},
        {"request_body_limit": True},
        {"cert_file": "only-the-certificate.pem"},
    ],
)
def test_bad_server_arguments_are_value_errors(arguments):
    with pytest.raises(ValueError):
        spdylay.ThreadedSPDYServer(("127.0.0.1", 0), Echo, **arguments)


def test_exception_in_the_server_frame_hook_ends_only_that_connection(version, capsys):
    def on_frame(direction, frame):
        if (
            direction == "recv"
            and isinstance(frame, spdylay.SynStreamFrame)
            and dict(frame.nv).get(":path") == "/hook-fails"
        ):
            raise KeyError("hook failed")

    with running(Echo, version, on_frame=on_frame) as server:
        (failed,) = fetch(server, ["/hook-fails"], version)
        (served,) = fetch(server, ["/fine"], version)
    assert failed.status_code == spdylay.INTERNAL_ERROR
    assert served.status_code == spdylay.OK and bytes(served.body) == b"/fine"
    assert "KeyError: 'hook failed'" in capsys.readouterr().err


class HeldHandshake:
    """A TLS ThreadedSPDYServer serving in a thread, and a client whose
    handshake the server holds (in its SNI callback) until ``release()``;
    the client collects the SPDY frames it then receives until EOF."""

    def __init__(self, certificates):
        self.in_handshake = threading.Event()
        self._release = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificates.cert_file, certificates.key_file)
        context.sni_callback = self._hold
        self.server = spdylay.ThreadedSPDYServer(("127.0.0.1", 0), Echo, ssl_context=context)
        self.serving = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.serving.start()
        self._client = ssl.create_default_context(cafile=certificates.ca_file)
        self._client.set_alpn_protocols(["spdy/3.1"])
        self.frames = []
        self.connecting = threading.Thread(target=self._connect, daemon=True)
        self.connecting.start()
        assert self.in_handshake.wait(TIMEOUT)

    def _hold(self, tls, server_name, context):
        self.in_handshake.set()
        self._release.wait(TIMEOUT)

    def _connect(self):
        decoder = spdywire.Decoder(spdylay.PROTO_SPDY3_1)
        with socket.create_connection(self.server.server_address, timeout=TIMEOUT) as sock:
            try:
                with self._client.wrap_socket(sock, server_hostname="localhost") as tls:
                    while True:
                        data = tls.recv(65536)
                        if not data:
                            return
                        self.frames.extend(decoder.feed(data))
            except OSError:
                pass  # the handshake was cut short: what server_close does

    def release(self):
        self._release.set()


def test_server_close_ends_a_connection_whose_handshake_ends_after_it(certificates):
    held = HeldHandshake(certificates)

    def close():
        held.server.shutdown()
        held.server.server_close()

    closing = threading.Thread(target=close, daemon=True)
    closing.start()
    held.serving.join(TIMEOUT)
    assert not held.serving.is_alive()
    # Give server_close() its chance to run first; only then may the
    # handshake go on.
    closing.join(0.5)
    held.release()
    closing.join(TIMEOUT)
    held.connecting.join(TIMEOUT)
    assert not closing.is_alive()
    assert not held.connecting.is_alive()
    assert held.frames == []


def test_a_connection_whose_handshake_ends_after_shutdown_gets_goaway(certificates):
    held = HeldHandshake(certificates)
    try:
        held.server.shutdown()
        held.release()
        held.connecting.join(TIMEOUT)
        assert not held.connecting.is_alive()
    finally:
        held.release()
        held.server.server_close()
    assert [frame.type for frame in held.frames if frame.control] == [
        spdylay.SETTINGS,
        spdylay.GOAWAY,
    ]


def test_idle_connection_gets_goaway_and_is_closed(version):
    goaway, end = goaway_after_a_ping(version, idle_timeout=0.3)
    assert goaway.last_good_stream_id == 0
    assert end is None


def test_idle_timeout_spares_a_connection_with_an_open_stream(version):
    class Slow(QuietHandler):
        def do_GET(self):
            # Longer than the idle timeout, with nothing on the wire.
            threading.Event().wait(1.0)
            self.send_response(200)
            self.wfile.write(b"late but answered")

    with running(Slow, version, idle_timeout=0.2) as server:
        (response,) = fetch(server, ["/"], version)
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"late but answered"


@pytest.mark.parametrize("idle_timeout", [0, -1, "1", True])
def test_bad_idle_timeout_is_refused(idle_timeout):
    with pytest.raises(ValueError, match="idle_timeout"):
        spdylay.ThreadedSPDYServer(("127.0.0.1", 0), Echo, idle_timeout=idle_timeout)


def test_idle_timeout_defaults_to_a_bound():
    with spdylay.ThreadedSPDYServer(("127.0.0.1", 0), Echo) as server:
        assert server.idle_timeout == spdylay.server.IDLE_TIMEOUT == 120.0


def status_of(response):
    return response.header(":status") or response.header("status")


def test_request_bodies_past_the_connection_limit_are_413(version):
    # Two 60 KB uploads at once against a 100 KB bound for the connection:
    # the handler holding the first body keeps it counted until it returns,
    # which it does only after the other request has been answered.
    refused = threading.Event()

    class Holding(Echo):
        def do_POST(self):
            refused.wait(TIMEOUT)
            Echo.do_POST(self)

    class Watch(Collect):
        def on_close(self, status_code):
            Collect.on_close(self, status_code)
            if status_of(self).startswith("413"):
                refused.set()

    body = bytes(range(256)) * 235
    with running(Holding, version, connection_body_limit=100000) as server:
        host, port = server.server_address
        fetcher = spdylay.UrlFetcher(
            (host, port),
            ["http://%s:%d/%s" % (host, port, name) for name in ("a", "b")],
            Watch,
            tls=False,
            version=version,
            method="POST",
            body=body,
            timeout=TIMEOUT,
        )
        fetcher.collected = []
        fetcher.loop()
    statuses = sorted(status_of(handler)[:3] for handler in fetcher.collected)
    assert statuses == ["201", "413"]
    (served,) = [handler for handler in fetcher.collected if status_of(handler).startswith("201")]
    assert bytes(served.body) == b"%d %s" % (len(body), hashlib.sha256(body).hexdigest().encode())
    (refusal,) = [handler for handler in fetcher.collected if status_of(handler).startswith("413")]
    assert b"on one connection" in bytes(refusal.body)


@pytest.mark.parametrize("limit", [-1, "1", 2**31])
def test_bad_connection_body_limit_is_refused(limit):
    with pytest.raises(ValueError, match="connection_body_limit"):
        spdylay.ThreadedSPDYServer(("127.0.0.1", 0), Echo, connection_body_limit=limit)


def test_connection_body_limit_is_given_back_when_handlers_return(version):
    # Each 60 KB upload fits the 100 KB bound alone: sent one after the
    # other on one connection, every one is served.
    request = [
        (":method", "POST"),
        (":scheme", "http"),
        (":version", "HTTP/1.1"),
        (":host", "localhost"),
    ]
    body = bytes(60000)
    with running(Echo, version, connection_body_limit=100000) as server:
        peer = RawPeer(server.server_address, version)
        try:
            for stream_id in (1, 3, 5):
                peer.send(
                    peer.enc.syn_stream(stream_id, nv_on_wire(version, request + [(":path", "/")]))
                )
                peer.send(peer.enc.data(stream_id, body, flags=spdywire.FLAG_FIN))
                reply = peer.next_frame(
                    lambda frame: frame.control and frame.type == spdylay.SYN_REPLY
                )
                assert reply.stream_id == stream_id
                assert (
                    dict(reply.nv)
                    .get("status" if version == spdylay.PROTO_SPDY2 else ":status", "")
                    .startswith("201")
                )
                assert peer.next_frame(
                    lambda frame, stream_id=stream_id: (
                        not frame.control
                        and frame.stream_id == stream_id
                        and frame.flags & spdywire.FLAG_FIN
                    )
                )
        finally:
            peer.close()
