"""Interop over real TCP on 127.0.0.1 with an independent SPDY implementation:
the npm ``spdy`` package (tests/interop), plain TCP and TLS with ALPN.

- Our client against node's server, for SPDY/2, SPDY/3 and SPDY/3.1: several
  requests multiplexed on one connection (GETs, a POST with a body, a 404,
  and, where flow control exists, bodies bigger than the initial window both
  ways).
- Node's client (it can do GETs) against our server, for all three versions.
- The command line tools, over TLS with the versions negotiated by ALPN (a
  certificate made by the test, verified by both sides) and over plain TCP:
  ``spdylay get`` against node's server (GETs, a POST with -d, a 404), and
  node's client against ``spdylay serve`` at each version in turn.

What node does, found by running it (tests/interop/server.js says more):
plain TCP has no NPN and SPDY/3.1 frames carry version 3, so node's server
speaks SPDY/3.1 only when started with --spdy31 (else it never opens the
connection window and a SPDY/3.1 peer stalls after 64 KiB).  In SPDY/2, which
has no flow control, node's server still stops after 64 KiB of a body and
waits for a WINDOW_UPDATE that SPDY/2 does not have, so SPDY/2 bodies from
node stay below that.  Over TLS, ALPN tells node the version: spdy/3.1
brings connection-level flow control without --spdy31, and node's requests
report the version as "3.1".

Node and ``npm ci`` in tests/interop are needed: without them these tests
fail when CI=true and are skipped elsewhere.
"""

import json
import os
import selectors
import shutil
import socket
import subprocess
import threading
import time

import clitools
import pytest

import spdylay

INTEROP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop")
# Bounds so that a broken peer fails a test instead of hanging it.
STARTUP_SECONDS = 30
EXCHANGE_SECONDS = 60
OUR_BIG_SIZE = 200000
# Bodies node sends or receives per version; see the module docstring for SPDY/2.
BODY_SIZES = {"spdy/2": 60000, "spdy/3": 300000, "spdy/3.1": 300000}
VERSIONS = {
    "spdy/2": spdylay.PROTO_SPDY2,
    "spdy/3": spdylay.PROTO_SPDY3,
    "spdy/3.1": spdylay.PROTO_SPDY3_1,
}
VERSION_FLAGS = {"spdy/2": "-2", "spdy/3": "-3", "spdy/3.1": "--spdy3-1"}


def node_pattern(size):
    """The body node's server sends for /bytes/N: a, b, ... z, a, b, ..."""
    return bytes(97 + i % 26 for i in range(size))


def child_env():
    """Node must not inherit a sanitizer runtime that CI preloads into Python."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    problem = None
    if path is None:
        problem = "node is not installed"
    elif not os.path.isdir(os.path.join(INTEROP_DIR, "node_modules", "spdy")):
        problem = "the npm spdy package is missing: run `npm ci` in tests/interop"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail("interop tests cannot run: " + problem)
        pytest.skip(problem)
    return path


class Connection:
    """A non-blocking socket and the Session speaking SPDY over it."""

    def __init__(self, sock, side, version, **callbacks):
        sock.setblocking(False)
        self.sock = sock
        self.eof = False
        self.session = spdylay.Session(
            side, version, send_cb=self._send, recv_cb=self._recv, **callbacks
        )

    def _send(self, session, data):
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0

    def _recv(self, session, length):
        try:
            data = self.sock.recv(length)
        except BlockingIOError:
            return None
        if not data:
            raise EOFError("the peer closed the connection")
        return data

    def run(self, done, deadline):
        """Serve the socket until ``done()`` or EOF; fail after ``deadline``."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            while not done():
                self.session.send()
                events = selectors.EVENT_READ
                if self.session.want_write():
                    events |= selectors.EVENT_WRITE
                selector.modify(self.sock, events)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no answer before the deadline")
                for _, mask in selector.select(timeout=min(remaining, 0.5)):
                    if mask & selectors.EVENT_READ:
                        try:
                            self.session.recv()
                        except EOFError:
                            self.eof = True
                            return
                    if mask & selectors.EVENT_WRITE:
                        self.session.send()

    def close(self):
        self.session.close()
        self.sock.close()


class BodySource:
    def __init__(self, body):
        self.body = body
        self.offset = 0

    def read(self, session, stream_id, length, read_ctrl, source):
        chunk = self.body[self.offset : self.offset + length]
        self.offset += len(chunk)
        if self.offset >= len(self.body):
            read_ctrl.flags = spdylay.READ_EOF
        return chunk


# --- our client, node's server ---------------------------------------------


class NodeServer:
    """node tests/interop/server.js, stopped by closing its stdin (or killed)."""

    def __init__(self, node, args):
        self.proc = subprocess.Popen(
            [node, "--no-deprecation", "server.js"] + args,
            cwd=INTEROP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
        )
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.proc.stdout, selectors.EVENT_READ)
                if not selector.select(timeout=STARTUP_SECONDS):
                    raise AssertionError("node's spdy server did not start")
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(
                    "node's spdy server exited: %s"
                    % self.proc.stderr.read().decode(errors="replace")
                )
            self.port = json.loads(line)["port"]
        except BaseException:
            self.stop()
            raise

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def node_servers(node):
    """Node servers by protocol: one plain, one with --spdy31 for SPDY/3.1."""
    plain = NodeServer(node, [])
    try:
        spdy31 = NodeServer(node, ["--spdy31"])
    except BaseException:
        plain.stop()
        raise
    try:
        yield {"spdy/2": plain.port, "spdy/3": plain.port, "spdy/3.1": spdy31.port}
    finally:
        plain.stop()
        spdy31.stop()


def fetch_from(port, version, requests):
    """Send every (method, path, body) request at once on one connection; return
    {path: {"status", "headers", "body", "close_status"}} once all have closed."""
    responses = {}
    by_stream = {}

    def on_ctrl_recv(session, frame):
        if frame.frame_type == spdylay.SYN_REPLY:
            path = session.get_stream_user_data(frame.stream_id)
            responses[path]["headers"] = dict(frame.nv)
            responses[path]["status"] = dict(frame.nv).get(":status")

    def before_ctrl_send(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            by_stream[frame.stream_id] = session.get_stream_user_data(frame.stream_id)

    def on_data_chunk_recv(session, flags, stream_id, data):
        responses[by_stream[stream_id]]["body"] += data

    def on_stream_close(session, stream_id, status_code):
        responses[by_stream[stream_id]]["close_status"] = status_code

    sock = socket.create_connection(("127.0.0.1", port), timeout=STARTUP_SECONDS)
    conn = Connection(
        sock,
        spdylay.CLIENT,
        version,
        on_ctrl_recv_cb=on_ctrl_recv,
        before_ctrl_send_cb=before_ctrl_send,
        on_data_chunk_recv_cb=on_data_chunk_recv,
        on_stream_close_cb=on_stream_close,
    )
    try:
        for method, path, body in requests:
            responses[path] = {"status": None, "headers": None, "body": b"", "close_status": None}
            nv = [
                (":method", method),
                (":scheme", "http"),
                (":path", path),
                (":version", "HTTP/1.1"),
                (":host", "127.0.0.1:%d" % port),
                ("user-agent", "spdylay-interop-test"),
            ]
            provider = None
            if body is not None:
                source = BodySource(body)
                provider = spdylay.DataProvider(source, source.read)
                nv.append(("content-length", str(len(body))))
            conn.session.submit_request(0, nv, provider, stream_user_data=path)
        conn.run(
            lambda: all(r["close_status"] is not None for r in responses.values()),
            time.monotonic() + EXCHANGE_SECONDS,
        )
    finally:
        conn.close()
    return responses


@pytest.mark.parametrize("protocol", sorted(VERSIONS))
def test_our_client_against_node_server(node_servers, protocol):
    size = BODY_SIZES[protocol]
    post_body = bytes(range(256)) * (size // 256)
    big_path = "/bytes/%d" % size
    responses = fetch_from(
        node_servers[protocol],
        VERSIONS[protocol],
        [
            ("GET", "/hello", None),
            ("GET", big_path, None),
            ("POST", "/echo", post_body),
            ("GET", "/missing", None),
        ],
    )

    wire_version = "2" if protocol == "spdy/2" else "3"
    for path, response in responses.items():
        assert response["close_status"] == spdylay.OK, path
        assert response["headers"]["x-spdy-version"] == wire_version, path

    hello = responses["/hello"]
    assert hello["status"] == "200 OK"
    assert hello["headers"]["content-type"] == "text/plain"
    assert hello["headers"]["x-request-method"] == "GET"
    assert hello["body"] == b"hello from node spdy\n"

    assert responses[big_path]["status"] == "200 OK"
    assert responses[big_path]["body"] == node_pattern(size)

    echo = responses["/echo"]
    assert echo["status"] == "200 OK"
    assert echo["headers"]["x-request-method"] == "POST"
    assert echo["body"] == b"%d:" % len(post_body) + post_body

    assert responses["/missing"]["status"] == "404 Not Found"
    assert responses["/missing"]["body"] == b"not found\n"


# --- node's client, our server ---------------------------------------------


class OurServer:
    """Accepts one connection on 127.0.0.1 and serves it from a thread with a
    spdylay.Session: /hello and /big, 404 for anything else."""

    def __init__(self, version):
        self.version = version
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(STARTUP_SECONDS)
        self.port = self.listener.getsockname()[1]
        self.requests = []
        self.error = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            sock, _ = self.listener.accept()
        except OSError as exc:
            self.error = exc
            return
        headers = {}

        def on_ctrl_recv(session, frame):
            if frame.frame_type == spdylay.SYN_STREAM:
                headers[frame.stream_id] = dict(frame.nv)

        def on_request_recv(session, stream_id):
            request = headers.pop(stream_id)
            self.requests.append(request)
            path = request.get(":path")
            if path == "/hello":
                status, body = "200 OK", b"hello from spdylay\n"
            elif path == "/big":
                status, body = "200 OK", node_pattern(OUR_BIG_SIZE)
            else:
                status, body = "404 Not Found", b"no such path\n"
            source = BodySource(body)
            session.submit_response(
                stream_id,
                [
                    (":status", status),
                    (":version", "HTTP/1.1"),
                    ("content-type", "text/plain"),
                    ("x-served-by", "spdylay"),
                ],
                spdylay.DataProvider(source, source.read),
            )

        conn = Connection(
            sock,
            spdylay.SERVER,
            self.version,
            on_ctrl_recv_cb=on_ctrl_recv,
            on_request_recv_cb=on_request_recv,
        )
        try:
            conn.run(self.stop.is_set, time.monotonic() + EXCHANGE_SECONDS)
        except Exception as exc:  # reported by the test thread
            self.error = exc
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=EXCHANGE_SECONDS)
        self.listener.close()


def node_client_fetch(node, port, protocol, paths, options=()):
    try:
        result = subprocess.run(
            [node, "--no-deprecation", "client.js"]
            + list(options)
            + [str(port), protocol]
            + list(paths),
            cwd=INTEROP_DIR,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=EXCHANGE_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("node's spdy client did not finish") from None
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return json.loads(result.stdout)


@pytest.mark.parametrize("protocol", sorted(VERSIONS))
def test_node_client_against_our_server(node, protocol):
    server = OurServer(VERSIONS[protocol])
    try:
        results = node_client_fetch(node, server.port, protocol, ["/hello", "/big", "/missing"])
    finally:
        server.close()
    assert server.error is None, server.error

    hello, big, missing = results
    assert (hello["status"], hello["body"]) == (200, "hello from spdylay\n")
    assert hello["headers"]["x-served-by"] == "spdylay"
    assert hello["headers"]["content-type"] == "text/plain"
    assert (big["status"], big["body"]) == (200, node_pattern(OUR_BIG_SIZE).decode())
    assert (missing["status"], missing["body"]) == (404, "no such path\n")
    assert [r[":path"] for r in server.requests] == ["/hello", "/big", "/missing"]
    assert all(r[":method"] == "GET" for r in server.requests)


# --- our command line tools and node, both directions, TLS and plain TCP -------

TRANSPORTS = ["tls", "plain"]


@pytest.fixture(scope="module")
def node_tls_server(node, certificates):
    """Node's server over TLS, offering spdy/3.1, spdy/3 and spdy/2 by ALPN."""
    server = NodeServer(node, ["--tls", certificates.cert_file, certificates.key_file])
    try:
        yield server.port
    finally:
        server.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("protocol", sorted(VERSIONS))
def test_our_get_against_node_server(
    node_tls_server, node_servers, certificates, tmp_path, protocol, transport
):
    if transport == "tls":
        # Within one window: over TLS node's server now and then resets a
        # stream whose WINDOW_UPDATE arrives between its last DATA and its
        # FIN (see test_aio_interop_node.py); bigger bodies go over plain TCP.
        size = BODY_SIZES["spdy/2"]
        base = "https://localhost:%d" % node_tls_server
        options = [VERSION_FLAGS[protocol], "--cacert", certificates.ca_file]
        # Over TLS node knows the version from ALPN, and says 3.1 for spdy/3.1.
        node_version = protocol[5:]
    else:
        size = BODY_SIZES[protocol]
        base = "http://127.0.0.1:%d" % node_servers[protocol]
        options = [VERSION_FLAGS[protocol], "--no-tls"]
        node_version = "2" if protocol == "spdy/2" else "3"
    out = tmp_path / "out"
    result = clitools.get(*options, "-v", "-o", out, base + "/hello", base + "/bytes/%d" % size)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == b"hello from node spdy\n" + node_pattern(size)
    replies = [
        dict(frame["nv"])
        for frame in clitools.parse_frame_log(result.stderr)
        if frame["type"] == "SYN_REPLY"
    ]
    assert [reply["x-spdy-version"] for reply in replies] == [node_version] * 2

    upload = tmp_path / "upload"
    upload.write_bytes(bytes(range(256)) * (size // 256))
    echo = clitools.get(*options, "-d", upload, base + "/echo")
    assert echo.returncode == 0, echo.stderr
    assert echo.stdout == b"%d:" % (size // 256 * 256) + upload.read_bytes()

    missing = clitools.get(*options, base + "/missing")
    assert (missing.returncode, missing.stdout) == (1, b"not found\n")
    assert missing.stderr == "spdylay get: %s/missing: status 404 Not Found\n" % base


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("protocol", sorted(VERSIONS))
def test_node_client_against_our_serve(node, certificates, tmp_path, protocol, transport):
    htdocs = tmp_path / "htdocs"
    htdocs.mkdir()
    (htdocs / "hello.txt").write_bytes(b"hello from spdylay serve\n")
    (htdocs / "big.bin").write_bytes(node_pattern(OUR_BIG_SIZE))
    if transport == "tls":
        serve_options = ["0", certificates.key_file, certificates.cert_file]
        client_options = ["--ca", certificates.ca_file]
    else:
        serve_options = ["--no-tls", "0"]
        client_options = []
    with clitools.Serve(
        tmp_path / "serve.log", "-d", htdocs, VERSION_FLAGS[protocol], *serve_options
    ) as server:
        results = node_client_fetch(
            node, server.port, protocol, ["/hello.txt", "/big.bin", "/missing"], client_options
        )
        log = server.log()
    hello, big, missing = results
    assert (hello["status"], hello["body"]) == (200, "hello from spdylay serve\n")
    assert hello["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert hello["headers"]["server"].startswith("spdylay/")
    assert (big["status"], big["body"]) == (200, node_pattern(OUR_BIG_SIZE).decode())
    assert missing["status"] == 404
    over = "over TLS" if transport == "tls" else "over plain TCP"
    assert "(%s %s)" % (protocol, over) in log.splitlines()[0]
    assert len([line for line in log.splitlines() if '"GET /' in line]) == 3
