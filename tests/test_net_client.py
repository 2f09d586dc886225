"""UrlFetcher and urlfetch: connection, TLS and negotiation failures, peers
that reset streams, send GOAWAY or hang up, per-request timeouts, request
bodies, the frame hook."""

import contextlib
import hashlib
import io
import os
import re
import socket
import ssl
import threading

import pytest
from helpers import nv_on_wire
from netkit import TIMEOUT, Collect, QuietHandler, fetch, running

import spdylay

import spdywire


class RawServer:
    """Accepts one plain TCP connection and runs ``script(conn, dec, enc)``
    on it in a thread: ``dec`` parses what the client sends, ``enc`` builds
    the answer."""

    def __init__(self, version, script):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.server_address = self.listener.getsockname()
        self.ssl_context = None
        self.version = version
        self.script = script
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn, _ = self.listener.accept()
        conn.settimeout(TIMEOUT)
        try:
            self.script(conn, spdywire.Decoder(self.version), spdywire.Encoder(self.version))
        finally:
            conn.close()

    def close(self):
        self.thread.join(TIMEOUT)
        self.listener.close()
        assert not self.thread.is_alive()


def read_syn_streams(conn, dec, count):
    """The first ``count`` SYN_STREAMs the client sends."""
    syns = []
    while len(syns) < count:
        data = conn.recv(65536)
        assert data, "the client hung up before sending its requests"
        syns.extend(
            frame for frame in dec.feed(data) if frame.control and frame.type == spdylay.SYN_STREAM
        )
    return syns


def reply_nv(version):
    return nv_on_wire(version, [(":status", "200 OK"), (":version", "HTTP/1.1")])


def drain(conn):
    """Reads until the client closes the connection."""
    while conn.recv(65536):
        pass


def fetch_raw(version, script, paths, **kwargs):
    server = RawServer(version, script)
    try:
        return fetch(server, paths, version, **kwargs)
    finally:
        server.close()


@pytest.mark.parametrize(
    "status_code", [spdylay.PROTOCOL_ERROR, spdylay.INTERNAL_ERROR, spdylay.CANCEL]
)
def test_peer_rst_stream_ends_the_stream_with_its_status(version, status_code):
    def script(conn, dec, enc):
        first, second = read_syn_streams(conn, dec, 2)
        conn.sendall(
            enc.rst_stream(first.stream_id, status_code)
            + enc.syn_reply(second.stream_id, reply_nv(version))
            + enc.data(second.stream_id, b"ok", flags=spdylay.DATA_FLAG_FIN)
        )
        drain(conn)

    reset, ok = fetch_raw(version, script, ["/reset", "/ok"])
    assert reset.status_code == status_code and reset.nv == []
    assert ok.status_code == spdylay.OK and bytes(ok.body) == b"ok"


def test_refused_stream_is_sent_again(version):
    retries = []

    def script(conn, dec, enc):
        (first,) = read_syn_streams(conn, dec, 1)
        conn.sendall(enc.rst_stream(first.stream_id, spdylay.REFUSED_STREAM))
        (again,) = read_syn_streams(conn, dec, 1)
        retries.append((first.stream_id, again.stream_id, again.nv))
        conn.sendall(
            enc.syn_reply(again.stream_id, reply_nv(version))
            + enc.data(again.stream_id, b"second try", flags=spdylay.DATA_FLAG_FIN)
        )
        drain(conn)

    (response,) = fetch_raw(version, script, ["/retry"])
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"second try"
    ((first_id, again_id, nv),) = retries
    assert (first_id, again_id) == (1, 3) and response.stream_id == 3
    path = "url" if version == spdylay.PROTO_SPDY2 else ":path"
    assert dict(nv)[path] == "/retry"


def test_stream_refused_every_time_ends_refused(version):
    def script(conn, dec, enc):
        for _ in range(3):
            (syn,) = read_syn_streams(conn, dec, 1)
            conn.sendall(enc.rst_stream(syn.stream_id, spdylay.REFUSED_STREAM))
        drain(conn)

    (response,) = fetch_raw(version, script, ["/never"])
    assert response.status_code == spdylay.REFUSED_STREAM


def test_peer_goaway_refuses_the_streams_it_did_not_process(version):
    def script(conn, dec, enc):
        first, second = read_syn_streams(conn, dec, 2)
        conn.sendall(
            enc.goaway(first.stream_id)
            + enc.syn_reply(first.stream_id, reply_nv(version))
            + enc.data(first.stream_id, b"done", flags=spdylay.DATA_FLAG_FIN)
        )
        drain(conn)

    done, refused = fetch_raw(version, script, ["/done", "/refused"])
    assert done.status_code == spdylay.OK and bytes(done.body) == b"done"
    assert refused.status_code == spdylay.REFUSED_STREAM


def test_credentials_in_the_url_are_not_sent_as_the_host(version):
    hosts = []

    def script(conn, dec, enc):
        (syn,) = read_syn_streams(conn, dec, 1)
        fields = dict(syn.nv)
        hosts.append(fields.get(":host", fields.get("host")))
        conn.sendall(
            enc.syn_reply(syn.stream_id, reply_nv(version))
            + enc.data(syn.stream_id, b"ok", flags=spdylay.DATA_FLAG_FIN)
        )
        drain(conn)

    server = RawServer(version, script)
    try:
        port = server.server_address[1]
        fetcher = spdylay.UrlFetcher(
            server.server_address,
            ["http://user:secret@127.0.0.1:%d/" % port],
            Collect,
            tls=False,
            version=version,
            timeout=TIMEOUT,
        )
        fetcher.collected = []
        fetcher.loop()
    finally:
        server.close()
    assert hosts == ["127.0.0.1:%d" % port]


@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example"], ids=["empty-label", "long-label"])
def test_a_host_name_that_cannot_be_encoded_is_url_fetch_error(host):
    with pytest.raises(spdylay.UrlFetchError, match="cannot connect to"):
        spdylay.urlfetch("http://%s/" % host, Collect, timeout=TIMEOUT)


def test_server_push_is_refused(version):
    refused = []

    def script(conn, dec, enc):
        (syn,) = read_syn_streams(conn, dec, 1)
        push_nv = nv_on_wire(
            version,
            [
                (":status", "200 OK"),
                (":version", "HTTP/1.1"),
                (":scheme", "http"),
                (":host", "127.0.0.1"),
                (":path", "/pushed"),
            ],
        )
        conn.sendall(
            enc.syn_stream(
                2, push_nv, assoc_stream_id=syn.stream_id, flags=spdylay.CTRL_FLAG_UNIDIRECTIONAL
            )
            + enc.syn_reply(syn.stream_id, reply_nv(version))
            + enc.data(syn.stream_id, b"asked for", flags=spdylay.DATA_FLAG_FIN)
        )
        while not refused:
            data = conn.recv(65536)
            assert data, "the client hung up without refusing the push"
            refused.extend(
                (frame.stream_id, frame.status_code)
                for frame in dec.feed(data)
                if frame.control and frame.type == spdylay.RST_STREAM
            )
        drain(conn)

    (response,) = fetch_raw(version, script, ["/page"])
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"asked for"
    assert refused == [(2, spdylay.REFUSED_STREAM)]


def test_peer_hanging_up_ends_open_streams(version):
    def script(conn, dec, enc):
        (syn,) = read_syn_streams(conn, dec, 1)
        conn.sendall(
            enc.syn_reply(syn.stream_id, reply_nv(version)) + enc.data(syn.stream_id, b"partial")
        )

    (response,) = fetch_raw(version, script, ["/cut"])
    assert response.status_code == spdylay.INTERNAL_ERROR
    assert bytes(response.body) == b"partial"


def test_server_closing_without_a_byte_is_url_fetch_error(version):
    def script(conn, dec, enc):
        read_syn_streams(conn, dec, 1)

    server = RawServer(version, script)
    try:
        with pytest.raises(spdylay.UrlFetchError) as caught:
            fetch(server, ["/"], version)
    finally:
        server.close()
    assert "closed the connection without sending a byte (a TLS server?" in str(caught.value)


@pytest.mark.parametrize(
    "client_version, server_version",
    [
        (spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3_1),
        (spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY2),
        (spdylay.PROTO_SPDY3_1, spdylay.PROTO_SPDY2),
    ],
    ids=["2 against 3.1", "3 against 2", "3.1 against 2"],
)
def test_a_server_speaking_another_version_is_url_fetch_error(client_version, server_version):
    with running(QuietHandler, server_version) as server:
        with pytest.raises(spdylay.UrlFetchError, match="speaks another SPDY version"):
            fetch(server, ["/"], client_version)


def test_per_request_timeout_cancels_only_the_late_stream(version):
    release = threading.Event()

    class Late(QuietHandler):
        def do_GET(self):
            if self.path == "/late":
                release.wait(TIMEOUT)
            self.send_response(200)
            self.wfile.write(self.path.encode())

    class ReleasesAfterClose(Collect):
        def on_close(self, status_code):
            Collect.on_close(self, status_code)
            if self.url.endswith("/late"):
                release.set()

    with running(Late, version) as server:
        host, port = server.server_address
        urls = ["http://%s:%d%s" % (host, port, path) for path in ("/late", "/quick")]
        fetcher = spdylay.UrlFetcher(
            (host, port),
            urls,
            ReleasesAfterClose,
            tls=False,
            version=version,
            # Long enough for /quick on a loaded
            # machine (CI runs this under ASan).
            timeout=2.0,
        )
        fetcher.collected = []
        fetcher.loop()
    late, quick = fetcher.collected
    assert late.status_code == spdylay.CANCEL
    assert quick.status_code == spdylay.OK and bytes(quick.body) == b"/quick"


def test_connection_refused_is_url_fetch_error():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(spdylay.UrlFetchError, match="cannot connect to 127.0.0.1:%d" % port):
        spdylay.urlfetch("http://127.0.0.1:%d/" % port, Collect, timeout=TIMEOUT)


def test_connection_whose_tls_setup_fails_is_closed(monkeypatch):
    def no_context(*args, **kwargs):
        raise ssl.SSLError("no context today")

    monkeypatch.setattr(spdylay.client, "client_context", no_context)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        port = listener.getsockname()[1]
        with pytest.raises(ssl.SSLError, match="no context today") as failure:
            spdylay.urlfetch("https://127.0.0.1:%d/" % port, Collect, timeout=TIMEOUT)
        accepted, _ = listener.accept()
        with accepted:
            accepted.settimeout(TIMEOUT)
            # Closed, not left to whatever still holds the traceback.
            assert accepted.recv(1) == b""
        del failure


class Hello(QuietHandler):
    def do_GET(self):
        self.send_response(200)
        self.wfile.write(b"hello")


def test_certificate_is_verified_by_default(certificates):
    with running(Hello, None, certificates) as server:
        url = "https://127.0.0.1:%d/" % server.server_address[1]
        with pytest.raises(
            spdylay.UrlFetchError,
            match="TLS handshake with 127.0.0.1:.* failed.*CERTIFICATE_VERIFY_FAILED",
        ):
            spdylay.urlfetch(url, Collect, timeout=TIMEOUT)


def test_certificate_for_another_name_is_refused(certificates):
    with running(Hello, None, certificates) as server:
        with pytest.raises(spdylay.UrlFetchError, match="TLS handshake"):
            fetcher = spdylay.UrlFetcher(
                server.server_address,
                ["https://elsewhere.example/"],
                Collect,
                server_hostname="elsewhere.example",
                timeout=TIMEOUT,
                ssl_context=ssl.create_default_context(cafile=certificates.ca_file),
            )
            fetcher.collected = []
            fetcher.loop()


def test_sni_names_the_url_host(certificates):
    names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.cert_file, certificates.key_file)
    context.sni_callback = lambda tls, name, context: names.append(name)
    with running(Hello, None, ssl_context=context) as server:
        url = "https://localhost:%d/" % server.server_address[1]
        spdylay.urlfetch(
            url,
            spdylay.BaseSPDYStreamHandler,
            timeout=TIMEOUT,
            ssl_context=ssl.create_default_context(cafile=certificates.ca_file),
        )
    assert names == ["localhost"]


def test_verify_false_accepts_the_unknown_certificate(certificates):
    with running(Hello, None, certificates) as server:
        (response,) = fetch(server, ["/"], verify=False)
    assert response.status_code == spdylay.OK and bytes(response.body) == b"hello"


def _tls_server_offering(certificates, protocols):
    """A TLS listener that offers ``protocols`` by ALPN and, after the
    handshake, reports what it read until the client closed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.cert_file, certificates.key_file)
    context.set_alpn_protocols(protocols)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)
    result = {}

    def run():
        conn, _ = listener.accept()
        conn.settimeout(TIMEOUT)
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                result["read"] = tls.recv(65536)
        except (OSError, ssl.SSLError) as exc:
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener, thread, result


def test_server_choosing_no_spdy_version_is_url_fetch_error(certificates):
    listener, thread, result = _tls_server_offering(certificates, ["http/1.1"])
    port = listener.getsockname()[1]
    try:
        with pytest.raises(spdylay.UrlFetchError, match="negotiated no SPDY version"):
            spdylay.urlfetch(
                "https://127.0.0.1:%d/" % port,
                Collect,
                timeout=TIMEOUT,
                ssl_context=ssl.create_default_context(cafile=certificates.ca_file),
            )
    finally:
        thread.join(TIMEOUT)
        listener.close()
    assert result.get("read", b"") == b""


def test_our_server_closes_a_client_that_negotiates_no_spdy(certificates):
    with running(Hello, None, certificates) as server:
        context = ssl.create_default_context(cafile=certificates.ca_file)
        context.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(server.server_address, timeout=TIMEOUT) as sock:
            with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
                assert tls.selected_alpn_protocol() is None
                assert tls.recv(65536) == b""


def test_unsupported_scheme_is_value_error():
    with pytest.raises(ValueError, match="not an http:// or https:// URL"):
        spdylay.urlfetch("ftp://127.0.0.1/", Collect)


def test_urls_to_different_servers_get_one_connection_each(version):
    peers = []

    class Peer(QuietHandler):
        def do_GET(self):
            peers.append((self.server.server_address[1], self.client_address))
            self.send_response(200)
            self.wfile.write(self.path.encode())

    with running(Peer, version) as one, running(Peer, version) as two:
        urls = [
            "http://127.0.0.1:%d/%d" % (server.server_address[1], n)
            for n in range(3)
            for server in (one, two)
        ]
        seen = []

        class Record(spdylay.BaseSPDYStreamHandler):
            def on_data(self, data):
                seen.append((self.url, data))

        spdylay.urlfetch(urls, Record, version=version, timeout=TIMEOUT)
    assert sorted(seen) == sorted((url, url[url.rindex("/") :].encode()) for url in urls)
    by_server = {}
    for port, client in peers:
        by_server.setdefault(port, set()).add(client)
    assert sorted(len(clients) for clients in by_server.values()) == [1, 1]


def test_frame_hook_sees_every_frame_both_ways(version):
    log = []
    with running(Hello, version) as server:
        (response,) = fetch(server, ["/"], version, on_frame=lambda *seen: log.append(seen))
    kinds = [(direction, type(frame).__name__) for direction, frame in log]
    assert ("send", "SynStreamFrame") in kinds
    assert ("recv", "SettingsFrame") in kinds
    assert ("recv", "SynReplyFrame") in kinds
    data = [frame for direction, frame in log if isinstance(frame, spdylay.DataFrame)]
    assert [(frame.stream_id, frame.length) for frame in data if frame.length] == [(1, 5)]
    assert data[-1].flags & spdylay.DATA_FLAG_FIN


def test_exception_in_frame_hook_ends_the_fetch(version):
    def on_frame(direction, frame):
        if direction == "recv":
            raise KeyError("hook failed")

    with running(Hello, version) as server:
        with pytest.raises(KeyError, match="hook failed"):
            fetch(server, ["/"], version, on_frame=on_frame)


def test_exception_in_stream_handler_ends_the_fetch(version):
    class Broken(spdylay.BaseSPDYStreamHandler):
        def on_data(self, data):
            raise ZeroDivisionError("handler failed")

    with running(Hello, version) as server:
        url = "http://127.0.0.1:%d/" % server.server_address[1]
        with pytest.raises(ZeroDivisionError, match="handler failed"):
            spdylay.urlfetch(url, Broken, version=version, timeout=TIMEOUT)


class Digest(QuietHandler):
    def do_POST(self):
        body = self.rfile.read()
        self.send_response(200)
        self.wfile.write(hashlib.sha256(body).hexdigest().encode())


def test_body_from_an_unseekable_file_is_streamed(version):
    body = bytes(range(251)) * 4000
    reader, writer = socket.socketpair()
    feeder = threading.Thread(target=lambda: (writer.sendall(body), writer.close()), daemon=True)
    feeder.start()
    try:
        with running(Digest, version) as server:
            (response,) = fetch(server, ["/"], version, method="POST", body=reader.makefile("rb"))
    finally:
        feeder.join(TIMEOUT)
        reader.close()
    assert bytes(response.body) == hashlib.sha256(body).hexdigest().encode()


def test_body_from_a_non_blocking_file_waits_for_its_data(version):
    body = b"first part, " * 1000 + b"and the part that comes later"
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.write(write_end, body[:12000])

    def write_the_rest():
        os.write(write_end, body[12000:])
        os.close(write_end)

    # Until then, the file's read() returns None: nothing yet, not the end.
    later = threading.Timer(0.3, write_the_rest)
    later.start()
    try:
        with os.fdopen(read_end, "rb", buffering=0) as file, running(Digest, version) as server:
            (response,) = fetch(server, ["/"], version, method="POST", body=file)
    finally:
        later.join(TIMEOUT)
    assert bytes(response.body) == hashlib.sha256(body).hexdigest().encode()


def test_unseekable_body_for_several_urls_is_refused():
    reader, writer = socket.socketpair()
    with reader, writer, pytest.raises(ValueError, match="seekable"):
        spdylay.UrlFetcher(
            ("127.0.0.1", 1), ["http://a/", "http://a/"], Collect, body=reader.makefile("rb")
        )


@pytest.mark.parametrize("version", [0, 1, 5, "3"])
def test_unsupported_version_is_refused_before_connecting(version):
    with pytest.raises(spdylay.UnsupportedVersionError):
        spdylay.UrlFetcher(("127.0.0.1", 1), ["http://a/"], Collect, version=version)
    with pytest.raises(spdylay.UnsupportedVersionError):
        spdylay.ThreadedSPDYServer(("127.0.0.1", 0), QuietHandler, version=version)


def _fetch_in_thread(function):
    """Runs ``function()`` in a thread, joined within TIMEOUT; returns what
    it raised (None if nothing)."""
    raised = []

    def run():
        try:
            function()
        except BaseException as exc:
            raised.append(exc)
        else:
            raised.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the fetch hung"
    return raised[0]


def test_silent_tls_server_ends_the_fetch_at_connect_timeout():
    # The kernel completes the TCP handshake for the backlog; nobody ever
    # accepts, so the TLS handshake never gets an answer.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        host, port = listener.getsockname()
        error = _fetch_in_thread(
            lambda: spdylay.urlfetch(
                "https://%s:%d/" % (host, port), Collect, verify=False, connect_timeout=0.3
            )
        )
    assert isinstance(error, spdylay.UrlFetchError)
    assert "TLS handshake" in str(error) and "timed out" in str(error)


def test_connect_timeout_defaults_to_a_bound():
    fetcher = spdylay.UrlFetcher(("127.0.0.1", 1), ["http://127.0.0.1:1/"], Collect)
    assert fetcher.connect_timeout == spdylay.client.CONNECT_TIMEOUT == 30.0


def _post_64_mib_over_spdy2(serve, fetch_ended):
    """POSTs 64 MiB with a 0.5 s timeout to a RawServer running ``serve``,
    over SPDY/2 (no flow control: the body fills the socket); returns the
    fetch's error (or None) and the fetcher, its handlers in collected."""
    server = RawServer(spdylay.PROTO_SPDY2, serve)
    host, port = server.server_address
    fetcher = spdylay.UrlFetcher(
        (host, port),
        ["http://%s:%d/upload" % (host, port)],
        Collect,
        tls=False,
        version=spdylay.PROTO_SPDY2,
        method="POST",
        body=bytes(64 << 20),
        timeout=0.5,
    )
    fetcher.collected = []
    error = _fetch_in_thread(fetcher.loop)
    fetch_ended.set()
    server.close()
    return error, fetcher


def test_timed_out_request_ends_although_the_server_stopped_reading():
    # SPDY/2 has no flow control: the client sends the body as fast as the
    # socket takes it, until the socket buffers are full and the RST_STREAM
    # of the timed-out request cannot go out.
    read_request = threading.Event()
    fetch_ended = threading.Event()

    def stop_reading(conn, dec, enc):
        read_syn_streams(conn, dec, 1)
        read_request.set()
        fetch_ended.wait(TIMEOUT)

    error, fetcher = _post_64_mib_over_spdy2(stop_reading, fetch_ended)
    assert read_request.is_set()
    # The RST_STREAM and the GOAWAY after it are a few bytes: whether the
    # full socket still takes them (the fetch then ends as it should) is a
    # matter of timing.
    if error is not None:
        assert isinstance(error, spdylay.UrlFetchError)
        assert "stopped reading" in str(error)
    assert [handler.status_code for handler in fetcher.collected] == [spdylay.CANCEL]


class Echo(QuietHandler):
    def do_POST(self):
        body = self.rfile.read()
        self.send_response(200)
        self.wfile.write(body)


def test_file_body_reaches_every_host(version):
    # Two hosts (two connections) on one server: the second connection
    # must send the body from where the file stood, as the first did.
    body = io.BytesIO(b"skipped|payload")
    body.seek(len(b"skipped|"))
    seen = []

    class Record(spdylay.BaseSPDYStreamHandler):
        def on_data(self, data):
            seen.append((self.url, data))

    with running(Echo, version) as server:
        port = server.server_address[1]
        urls = ["http://%s:%d/" % (host, port) for host in ("127.0.0.1", "localhost")]
        spdylay.urlfetch(urls, Record, method="POST", body=body, version=version, timeout=TIMEOUT)
    assert sorted(seen) == sorted((url, b"payload") for url in urls)


def test_unseekable_body_for_urls_on_several_hosts_is_refused_before_connecting():
    # One URL per host: no single connection has more than one request.
    reader, writer = socket.socketpair()
    with reader, writer, pytest.raises(ValueError, match="seekable"):
        spdylay.urlfetch(
            ["http://127.0.0.1:1/", "http://localhost:1/"],
            Collect,
            method="POST",
            body=reader.makefile("rb"),
        )


class StrReader:
    """A file-like object that is not an io.TextIOBase but reads str."""

    def read(self, size=-1):
        return "text"[:size] if size >= 0 else "text"

    def seekable(self):
        return False


@pytest.mark.parametrize("kind", ["StringIO", "text file", "reads str"])
def test_text_body_is_type_error_before_connecting(kind, tmp_path):
    path = tmp_path / "body.txt"
    path.write_text("hello")
    with contextlib.ExitStack() as stack:
        body = {
            "StringIO": lambda: io.StringIO("hello"),
            "text file": lambda: stack.enter_context(open(path)),
            "reads str": StrReader,
        }[kind]()
        with pytest.raises(TypeError, match="binary file"):
            spdylay.UrlFetcher(("127.0.0.1", 1), ["http://127.0.0.1:1/"], Collect, body=body)
        with pytest.raises(TypeError, match="binary file"):
            spdylay.urlfetch("http://127.0.0.1:1/", Collect, method="POST", body=body)


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://[::1", "bad URL 'http://[::1'"),
        ("http://[not-an-address]/", "bad URL"),
        ("http://[::1]x/", "bad URL 'http://[::1]x/': 'x' after the IPv6 address"),
        ("http://a b/", "bad URL 'http://a b/': a space or control character"),
        ("http://a\x1bb/", "a space or control character"),
        ("http://127.0.0.1:port/", "bad port in URL"),
        ("http://127.0.0.1:65536/", "bad port in URL"),
        ("http://127.0.0.1:0/", "bad port in URL"),
        ("http://:80/", "no host in URL"),
    ],
)
def test_url_that_cannot_be_fetched_is_value_error_naming_it(url, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        spdylay.urlfetch(url, Collect)


def test_url_fetcher_refuses_a_url_it_cannot_parse_before_connecting():
    with pytest.raises(ValueError, match=re.escape("bad URL 'http://[::1/'")):
        spdylay.UrlFetcher(("127.0.0.1", 1), ["http://[::1/"], Collect)


def plain_fetcher(server, paths, version, **kwargs):
    """A UrlFetcher for ``paths`` on ``server`` over plain TCP, its Collect
    handlers gathered in ``collected``, every loop()'s in turn."""
    host, port = server.server_address[:2]
    kwargs.setdefault("timeout", TIMEOUT)
    fetcher = spdylay.UrlFetcher(
        (host, port),
        ["http://%s:%d%s" % (host, port, path) for path in paths],
        Collect,
        tls=False,
        version=version,
        **kwargs,
    )
    fetcher.collected = []
    return fetcher


def test_timeout_with_a_peer_that_reads_but_never_answers_cancels_and_returns(version):
    # The socket takes every byte: the request times out, but nothing
    # stalls, so loop() returns as it does for any timed-out request.
    server = RawServer(version, lambda conn, dec, enc: drain(conn))
    fetcher = plain_fetcher(server, ["/"], version, timeout=0.5)
    try:
        error = _fetch_in_thread(fetcher.loop)
    finally:
        server.close()
    assert error is None
    assert [handler.status_code for handler in fetcher.collected] == [spdylay.CANCEL]


def test_second_loop_fetches_every_url_again(version):
    body = io.BytesIO(b"posted")
    # A server that closes an idle connection soon, so that a second loop()
    # that sent nothing would end instead of hanging.
    with running(Echo, version, idle_timeout=2) as server:
        fetcher = plain_fetcher(server, ["/0", "/1"], version, method="POST", body=body)
        fetcher.loop()
        fetcher.loop()
    assert [(h.url, h.status_code, bytes(h.body)) for h in fetcher.collected] == [
        (url, spdylay.OK, b"posted") for url in fetcher.urls + fetcher.urls
    ]
    assert len({id(handler) for handler in fetcher.collected}) == 4


def test_second_loop_refuses_an_unseekable_body_the_first_read(version):
    reader, writer = socket.socketpair()
    writer.sendall(b"once")
    writer.close()
    with reader, running(Echo, version, idle_timeout=2) as server:
        fetcher = plain_fetcher(server, ["/"], version, method="POST", body=reader.makefile("rb"))
        fetcher.loop()
        with pytest.raises(ValueError, match="unseekable"):
            fetcher.loop()
    (first,) = fetcher.collected
    assert (first.status_code, bytes(first.body)) == (spdylay.OK, b"once")


def test_stream_refused_after_part_of_an_unseekable_body_went_out_is_not_sent_again(version):
    syn_streams = []

    def script(conn, dec, enc):
        body = b""
        while not body:
            data = conn.recv(65536)
            assert data, "the client hung up before sending the body"
            frames = dec.feed(data)
            body += b"".join(f.payload for f in frames if not f.control)
            syn_streams.extend(
                f.stream_id for f in frames if f.control and f.type == spdylay.SYN_STREAM
            )
        conn.sendall(enc.rst_stream(syn_streams[0], spdylay.REFUSED_STREAM))
        # Whatever the client sends until it hangs up: no second SYN_STREAM.
        while True:
            data = conn.recv(65536)
            if not data:
                break
            syn_streams.extend(
                f.stream_id for f in dec.feed(data) if f.control and f.type == spdylay.SYN_STREAM
            )

    read_end, write_end = os.pipe()
    os.write(write_end, b"read once, from a pipe")
    os.close(write_end)
    with os.fdopen(read_end, "rb") as body:
        server = RawServer(version, script)
        try:
            (response,) = fetch(server, ["/upload"], version, method="POST", body=body)
        finally:
            server.close()
    assert response.status_code == spdylay.REFUSED_STREAM
    assert syn_streams == [1]


def test_requests_replacing_answered_streams_go_out_before_the_rest_of_a_burst_is_read(version):
    """A burst of responses is processed a slice at a time, and what the
    client has to send goes out after each slice: the requests that take
    the place of the streams answered first reach the server while the
    rest of the burst still waits to be read."""
    body = os.urandom(1024)
    burst = 40  # about 42 KB, well past one slice, one write on loopback
    total = 140  # the client keeps 100 open before any SETTINGS

    def script(conn, dec, enc):
        syns = read_syn_streams(conn, dec, 100)
        conn.sendall(
            b"".join(
                enc.syn_reply(syn.stream_id, reply_nv(version))
                + enc.data(syn.stream_id, body, flags=spdylay.DATA_FLAG_FIN)
                for syn in syns[:burst]
            )
        )
        # The rest without a body, within every flow-control window.
        unanswered = syns[burst:]
        answered = burst
        while answered < total:
            if not unanswered:
                unanswered = read_syn_streams(conn, dec, 1)
            conn.sendall(
                b"".join(
                    enc.syn_reply(syn.stream_id, reply_nv(version), flags=spdylay.CTRL_FLAG_FIN)
                    for syn in unanswered
                )
            )
            answered += len(unanswered)
            unanswered = []
        drain(conn)

    log = []
    responses = fetch_raw(
        version,
        script,
        ["/%d" % index for index in range(total)],
        on_frame=lambda direction, frame: log.append((direction, frame)),
    )
    assert [response.status_code for response in responses] == [spdylay.OK] * total
    assert [bytes(response.body) for response in responses[:burst]] == [body] * burst
    assert all(not response.body for response in responses[burst:])
    first_burst = {response.stream_id for response in responses[:burst]}
    replies_before_the_first_new_request = 0
    for _, frame in log:
        if isinstance(frame, spdylay.SynReplyFrame) and frame.stream_id in first_burst:
            replies_before_the_first_new_request += 1
        elif isinstance(frame, spdylay.SynStreamFrame) and frame.stream_id > 199:
            break  # the first one past the first 100 streams (1 to 199)
    assert replies_before_the_first_new_request < burst


def _frames_until_hang_up(conn, dec):
    """Every frame the client sends until it closes the connection."""
    frames = []
    while True:
        data = conn.recv(65536)
        if not data:
            return frames
        frames.extend(dec.feed(data))


@pytest.mark.parametrize("stream_limit", [0, 1])
def test_timeout_ends_the_requests_a_stream_limit_holds_back(version, stream_limit):
    # The client sends STREAMS_BEFORE_SETTINGS requests before the
    # server's SETTINGS arrive; the one past them waits for the limit,
    # which the server, answering nothing, never frees.
    count = spdylay.client.STREAMS_BEFORE_SETTINGS + 1
    received = []

    def script(conn, dec, enc):
        conn.sendall(enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, stream_limit)]))
        received.extend(_frames_until_hang_up(conn, dec))

    server = RawServer(version, script)
    host, port = server.server_address
    urls = ["http://%s:%d/%d" % (host, port, index) for index in range(count)]
    fetcher = spdylay.UrlFetcher(
        (host, port),
        urls,
        Collect,
        tls=False,
        version=version,
        timeout=0.5,
    )
    fetcher.collected = []
    error = _fetch_in_thread(fetcher.loop)
    server.close()
    assert error is None
    held_back = fetcher.collected[-1]
    assert [handler.url for handler in fetcher.collected] == urls
    assert [handler.status_code for handler in fetcher.collected] == [spdylay.CANCEL] * count
    # Its time counted from its submission, not from when a stream freed
    # up: it ended with the others, never sent.
    assert held_back.stream_id is None
    syn_ids = [
        frame.stream_id for frame in received if frame.control and frame.type == spdylay.SYN_STREAM
    ]
    rst = [
        (frame.stream_id, frame.status_code)
        for frame in received
        if frame.control and frame.type == spdylay.RST_STREAM
    ]
    assert len(syn_ids) == count - 1
    assert sorted(rst) == [(stream_id, spdylay.CANCEL) for stream_id in sorted(syn_ids)]


def test_timeout_on_a_failed_session_ends_the_stream():
    # A header block that does not inflate breaks the header compression
    # the two ends share: the client's session fails.  The server reads
    # nothing more, and the request body (SPDY/2 sends it without flow
    # control) fills the socket.  Whether the GOAWAY saying so gets out
    # depends on how much output is still ahead of it and how much a full
    # socket still takes (Linux takes small writes that select() would not
    # have announced): if it does, the connection ends there and the stream
    # with it (INTERNAL_ERROR); if not, the request's deadline comes while
    # the session is failing, and the stream ends with CANCEL all the same.
    read_request = threading.Event()
    fetch_ended = threading.Event()

    def break_and_stop_reading(conn, dec, enc):
        (syn,) = read_syn_streams(conn, dec, 1)
        read_request.set()
        conn.sendall(enc.syn_reply(syn.stream_id, [], block=b"\xff" * 16))
        fetch_ended.wait(TIMEOUT)

    error, fetcher = _post_64_mib_over_spdy2(break_and_stop_reading, fetch_ended)
    assert read_request.is_set()
    # Whether the session gives up on its GOAWAY before the socket has
    # taken nothing for the timeout is a matter of timing.
    if error is not None:
        assert isinstance(error, spdylay.UrlFetchError)
        assert "stopped reading" in str(error)
    (status_code,) = [handler.status_code for handler in fetcher.collected]
    assert status_code in (spdylay.CANCEL, spdylay.INTERNAL_ERROR)
