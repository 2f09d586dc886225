"""The command line tools end to end, as a user runs them: ``python -m
spdylay get`` and ``python -m spdylay serve`` in child processes on
127.0.0.1, over TLS (a certificate made by the test) and plain TCP, every
SPDY version.

- get against serve: a served directory fetched and compared byte for byte;
  -m, -d, -H, -o, -n, -t; the -v frame log parsed; the progress bar on a
  terminal only; the request log of serve.
- serve never answers with anything outside its directory.
- one-line errors (no traceback) and the exit status for bad arguments,
  unreachable hosts, TLS failures, a peer that negotiates no SPDY version,
  and requests that fail.
"""

import json
import os
import pty
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
from clitools import TIMEOUT, Serve, get, parse_frame_log, spdylay_command

import spdylay

import spdywire

VERSION_FLAGS = {"spdy/2": "-2", "spdy/3": "-3", "spdy/3.1": "--spdy3-1"}
VERSIONS = {
    "spdy/2": spdylay.PROTO_SPDY2,
    "spdy/3": spdylay.PROTO_SPDY3,
    "spdy/3.1": spdylay.PROTO_SPDY3_1,
}
# Bigger than the initial flow-control window, so WINDOW_UPDATE is needed.
BIG_SIZE = 300000


def pattern(size, seed=7):
    """Bytes no two offsets of which are likely to be confused."""
    return bytes((i * 131 + seed + (i >> 8)) % 256 for i in range(size))


@pytest.fixture
def htdocs(tmp_path):
    """A directory to serve (``root``) and a ``secret`` beside it."""
    root = tmp_path / "htdocs"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_bytes(b"<h1>top</h1>\n")
    (root / "big.bin").write_bytes(pattern(BIG_SIZE))
    (root / "empty").write_bytes(b"")
    (root / "sub" / "index.html").write_bytes(b"<h1>sub</h1>\n")
    (root / "sub" / "two words.txt").write_bytes(b"spaced out\n")
    (tmp_path / "secret").write_bytes(b"the secret\n")
    (root / "link_out").symlink_to(tmp_path / "secret")
    return root


def serve_args(certificates, protocol, tls):
    """serve's arguments for ``protocol`` (None: TLS offers every version)."""
    flags = [VERSION_FLAGS[protocol]] if protocol else []
    if tls:
        return flags + ["0", certificates.key_file, certificates.cert_file]
    return flags + ["--no-tls", "0"]


def url(server, path, tls):
    return "%s://localhost:%d%s" % ("https" if tls else "http", server.port, path)


def assert_one_line_error(result, *words):
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


# --- get against serve, every version, TLS and plain ----------------------------------


@pytest.mark.parametrize("tls", [True, False], ids=["tls", "plain"])
@pytest.mark.parametrize("protocol", sorted(VERSION_FLAGS))
def test_get_fetches_the_served_directory_byte_for_byte(
    certificates, htdocs, tmp_path, protocol, tls
):
    paths = ["/", "/big.bin", "/empty", "/sub/", "/sub/two%20words.txt", "/big.bin"]
    expected = b"".join(
        (htdocs / relative).read_bytes()
        for relative in (
            "index.html",
            "big.bin",
            "empty",
            "sub/index.html",
            "sub/two words.txt",
            "big.bin",
        )
    )
    out = tmp_path / "out"
    # With TLS the server offers every version and the client picks one.
    with Serve(
        tmp_path / "serve.log",
        "-d",
        htdocs,
        *serve_args(certificates, None if tls else protocol, tls),
    ) as server:
        result = get(
            VERSION_FLAGS[protocol],
            "--cacert",
            certificates.ca_file,
            "-v",
            "-o",
            out,
            *[url(server, path, tls) for path in paths],
        )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == expected
    assert result.stdout == b""
    frames = parse_frame_log(result.stderr)
    syn_streams = [f for f in frames if f["type"] == "SYN_STREAM"]
    assert len(syn_streams) == len(paths)
    # One connection: the stream IDs are 1, 3, 5, ...
    assert sorted(int(f["fields"]["stream_id"]) for f in syn_streams) == [1, 3, 5, 7, 9, 11]
    replies = [f for f in frames if f["type"] == "SYN_REPLY"]
    assert all(dict(f["nv"])[":status"] == "200 OK" for f in replies)
    assert "6 streams, 0 failed, %d body bytes" % len(expected) in result.stderr


def test_get_writes_bodies_to_stdout_in_url_order(certificates, htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get(
            url(server, "/big.bin", False),
            url(server, "/index.html", False),
            url(server, "/big.bin", False),
        )
    assert result.returncode == 0, result.stderr
    big = (htdocs / "big.bin").read_bytes()
    assert result.stdout == big + (htdocs / "index.html").read_bytes() + big
    assert result.stderr == ""


def test_urls_on_several_servers_are_fetched_side_by_side_and_written_in_order(
    certificates, htdocs, tmp_path
):
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_bytes(b"<h1>other server</h1>\n")
    dead = "http://127.0.0.1:%d/never" % free_port()
    with (
        Serve(tmp_path / "a.log", "-d", htdocs, "--no-tls", "0") as plain,
        Serve(
            tmp_path / "b.log", "-d", other, "0", certificates.key_file, certificates.cert_file
        ) as tls,
    ):
        result = get(
            "--cacert",
            certificates.ca_file,
            url(tls, "/", True),
            url(plain, "/big.bin", False),
            dead,
            url(tls, "/", True),
            url(plain, "/sub/", False),
        )
    other_index = (other / "index.html").read_bytes()
    assert result.stdout == (
        other_index
        + (htdocs / "big.bin").read_bytes()
        + other_index
        + (htdocs / "sub" / "index.html").read_bytes()
    )
    assert result.returncode == 1
    assert_one_line_error(
        result, "spdylay get: error: cannot connect to %s" % dead[7:-6], "refused"
    )


def test_serve_logs_one_line_per_request(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-n", url(server, "/index.html", False), url(server, "/nothing", False))
        status = server.stop()
        log = server.log()
    assert result.returncode == 1
    assert status == 0
    lines = log.splitlines()
    assert "listening on 127.0.0.1:%d" % server.port in lines[0]
    assert "spdy/3.1 over plain TCP" in lines[0]
    requests = lines[1:]
    assert len(requests) == 2, log
    assert sorted(re.search(r'"GET (\S+) HTTP/1.1" (\d+)', line).groups() for line in requests) == [
        ("/index.html", "200"),
        ("/nothing", "404"),
    ]


def test_serve_stops_cleanly_on_ctrl_c(htdocs, tmp_path):
    server = Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0")
    try:
        fetched = get(url(server, "/index.html", False))
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(timeout=TIMEOUT) == 0
    finally:
        server.stop()
    assert fetched.returncode == 0
    assert "Traceback" not in server.log()
    assert len(server.log().splitlines()) == 2


def test_multiply_requests_each_url_n_times(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get(
            "-m", "5", "-n", "-v", url(server, "/big.bin", False), url(server, "/index.html", False)
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    frames = parse_frame_log(result.stderr)
    sent = [f for f in frames if f["direction"] == "send" and f["type"] == "SYN_STREAM"]
    paths = [dict(f["nv"])[":path"] for f in sent]
    assert sorted(paths) == ["/big.bin"] * 5 + ["/index.html"] * 5
    size = (htdocs / "index.html").stat().st_size
    data_by_stream = {}
    fin_streams = set()
    for frame in frames:
        if frame["type"] == "DATA" and frame["direction"] == "recv":
            stream_id = int(frame["fields"]["stream_id"])
            data_by_stream[stream_id] = data_by_stream.get(stream_id, 0) + int(
                frame["fields"]["length"]
            )
            if "FIN" in frame["fields"]["flags"]:
                fin_streams.add(stream_id)
    by_path = {}
    for frame, path in zip(sent, paths):
        by_path.setdefault(path, []).append(data_by_stream[int(frame["fields"]["stream_id"])])
    assert by_path == {"/big.bin": [BIG_SIZE] * 5, "/index.html": [size] * 5}
    assert len(fin_streams) == 10
    assert "10 streams, 0 failed, %d body bytes" % (5 * (BIG_SIZE + size)) in result.stderr


def test_more_requests_on_one_connection_than_the_server_can_refuse_at_once(htdocs, tmp_path):
    """1500 streams: opened all at once before the server's SETTINGS arrive,
    1400 would be refused, more automatic replies than a session queues."""
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-n", "-v", "-m", "1500", url(server, "/index.html", False))
        log = server.log()
    assert result.returncode == 0, result.stderr[-2000:]
    size = (htdocs / "index.html").stat().st_size
    assert "1500 streams, 0 failed, %d body bytes" % (1500 * size) in result.stderr
    frames = parse_frame_log(result.stderr)
    assert len([f for f in frames if f["type"] == "SYN_STREAM"]) == 1500
    assert not [f for f in frames if f["type"] == "RST_STREAM"]
    assert "Traceback" not in log


def test_verbose_log_shows_every_frame_in_order(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-v", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-v", "-H", "x-test: yes", url(server, "/big.bin", False))
        server.stop()
        server_frames = parse_frame_log(server.log())
    assert result.returncode == 0, result.stderr
    frames = parse_frame_log(result.stderr)
    times = [f["time"] for f in frames]
    assert times == sorted(times)
    kinds = [(f["direction"], f["type"]) for f in frames]
    assert kinds[0] == ("send", "SYN_STREAM")
    assert ("recv", "SETTINGS") in kinds
    assert ("recv", "SYN_REPLY") in kinds
    assert ("send", "WINDOW_UPDATE") in kinds
    assert kinds[-1] == ("send", "GOAWAY")
    request = dict(frames[0]["nv"])
    assert (request[":method"], request[":path"], request["x-test"]) == ("GET", "/big.bin", "yes")
    assert frames[0]["fields"]["flags"] == "0x01(FIN)"
    settings = next(f for f in frames if f["type"] == "SETTINGS")
    assert settings["nv"] == [("MAX_CONCURRENT_STREAMS", "100 (flags=0x00)")]
    reply = next(f for f in frames if f["type"] == "SYN_REPLY")
    assert dict(reply["nv"])["content-length"] == str(BIG_SIZE)
    data = [f for f in frames if f["type"] == "DATA"]
    assert sum(int(f["fields"]["length"]) for f in data) == BIG_SIZE
    assert data[-1]["fields"]["flags"] == "0x01(FIN)"
    # The server logs the same conversation from its side.
    server_kinds = [(f["direction"], f["type"]) for f in server_frames]
    assert ("send", "SETTINGS") in server_kinds
    assert ("recv", "SYN_STREAM") in server_kinds
    assert ("send", "SYN_REPLY") in server_kinds
    assert ("recv", "GOAWAY") in server_kinds
    assert sum(int(f["fields"]["length"]) for f in server_frames if f["type"] == "DATA") == BIG_SIZE


# --- requests carrying a body and headers, against a server of the test -------------


class EchoHandler(spdylay.BaseSPDYRequestHandler):
    """Answers with the request's method, headers and body length as a JSON
    line, then the body itself; /slow waits until the test ends."""

    release = threading.Event()

    def do_POST(self):
        if self.path == "/slow":
            self.release.wait(TIMEOUT)
        body = self.rfile.read()
        reply = (
            json.dumps(
                {"method": self.command, "headers": self.headers, "length": len(body)}
            ).encode()
            + b"\n"
            + body
        )
        self.send_response(200)
        self.send_header("content-length", len(reply))
        self.wfile.write(reply)

    do_GET = do_POST


@pytest.fixture(params=sorted(VERSIONS))
def echo_server(request):
    server = spdylay.ThreadedSPDYServer(
        ("127.0.0.1", 0), EchoHandler, version=VERSIONS[request.param]
    )
    server.start(daemon=True)
    server.protocol = request.param
    EchoHandler.release.clear()
    try:
        yield server
    finally:
        EchoHandler.release.set()
        server.shutdown()
        server.server_close()


def echo_url(server, path="/echo"):
    return "http://127.0.0.1:%d%s" % (server.server_address[1], path)


def split_echo(body):
    header, _, rest = body.partition(b"\n")
    return json.loads(header), rest


def test_data_posts_the_file(echo_server, tmp_path):
    upload = tmp_path / "upload.bin"
    upload.write_bytes(pattern(BIG_SIZE, seed=3))
    result = get(
        "--no-tls",
        VERSION_FLAGS[echo_server.protocol],
        "-d",
        upload,
        "-H",
        "X-Custom: hello world",
        echo_url(echo_server),
    )
    assert result.returncode == 0, result.stderr
    info, body = split_echo(result.stdout)
    assert info["method"] == "POST"
    assert info["length"] == BIG_SIZE
    assert body == upload.read_bytes()
    headers = dict(map(tuple, info["headers"]))
    assert headers["x-custom"] == "hello world"
    assert headers["content-length"] == str(BIG_SIZE)


def test_data_from_a_pipe_is_read_once_and_posted_on_every_stream(echo_server, tmp_path):
    fifo = tmp_path / "upload.fifo"
    os.mkfifo(fifo)
    data = pattern(7000, seed=5)

    def feed():
        with open(fifo, "wb") as writer:
            writer.write(data)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    result = get(
        "--no-tls",
        VERSION_FLAGS[echo_server.protocol],
        "-m",
        "2",
        "-d",
        fifo,
        echo_url(echo_server),
    )
    feeder.join(TIMEOUT)
    assert not feeder.is_alive()
    assert result.returncode == 0, result.stderr
    one = result.stdout[: len(result.stdout) // 2]
    assert result.stdout == one * 2
    info, body = split_echo(one)
    assert (info["length"], body) == (7000, data)
    assert dict(map(tuple, info["headers"]))["content-length"] == "7000"


def test_data_with_multiply_posts_the_file_on_every_stream(echo_server, tmp_path):
    upload = tmp_path / "upload.bin"
    upload.write_bytes(pattern(5000, seed=9))
    result = get(
        "--no-tls",
        VERSION_FLAGS[echo_server.protocol],
        "-m",
        "3",
        "-d",
        upload,
        echo_url(echo_server),
    )
    assert result.returncode == 0, result.stderr
    one = result.stdout[: len(result.stdout) // 3]
    assert result.stdout == one * 3
    info, body = split_echo(one)
    assert (info["length"], body) == (5000, upload.read_bytes())


def test_timeout_fails_the_slow_request_only(echo_server):
    result = get(
        "--no-tls",
        VERSION_FLAGS[echo_server.protocol],
        "-t",
        "0.5",
        echo_url(echo_server, "/fast"),
        echo_url(echo_server, "/slow"),
    )
    assert result.returncode == 1
    info, _ = split_echo(result.stdout)
    assert info["method"] == "GET"
    assert result.stderr.splitlines() == [
        "spdylay get: %s: no complete response within 0.5 s (-t)" % echo_url(echo_server, "/slow")
    ]


class ScriptedPeer:
    """A server of one plain TCP connection whose bytes are made by hand:
    ``script(conn, dec, enc)`` runs on it in a thread, ``dec`` parsing what
    the client sends, ``enc`` building the answer."""

    def __init__(self, version, script):
        self.version = version
        self.script = script
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.url = "http://127.0.0.1:%d/" % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(TIMEOUT)
            try:
                self.script(conn, spdywire.Decoder(self.version), spdywire.Encoder(self.version))
            except OSError:
                pass

    def close(self):
        self.thread.join(TIMEOUT)
        self.listener.close()
        assert not self.thread.is_alive()


def read_until_hang_up(conn, dec):
    while conn.recv(65536):
        pass


def test_timeout_fails_the_requests_the_server_stream_limit_holds_back():
    # 101 requests: one more than are sent before the server's SETTINGS
    # arrive, and that one waits for a stream limit of 0.
    def script(conn, dec, enc):
        conn.sendall(enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0)]))
        read_until_hang_up(conn, dec)

    peer = ScriptedPeer(spdylay.PROTO_SPDY3_1, script)
    try:
        result = get("--no-tls", "-t", "0.5", "-m", "101", peer.url)
    finally:
        peer.close()
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "spdylay get: %s: no complete response within 0.5 s (-t) (101 times)" % peer.url
    ]


def test_timeout_on_a_session_the_server_broke_fails_the_request(tmp_path):
    # The reply's header block does not inflate, which fails the client's
    # session; the server then reads nothing, so the GOAWAY saying so stays
    # behind the upload that filled the client's socket (SPDY/2 has no
    # flow control) until the request's deadline.
    upload = tmp_path / "upload"
    upload.write_bytes(bytes(64 << 20))
    stop = threading.Event()

    def script(conn, dec, enc):
        syns = []
        while not syns:
            data = conn.recv(65536)
            if not data:
                return
            syns = [f for f in dec.feed(data) if f.control and f.type == spdylay.SYN_STREAM]
        conn.sendall(enc.syn_reply(syns[0].stream_id, [], block=b"\xff" * 16))
        stop.wait(TIMEOUT)

    peer = ScriptedPeer(spdylay.PROTO_SPDY2, script)
    try:
        result = get("--no-tls", "-2", "-t", "0.5", "-n", "-d", str(upload), peer.url)
    finally:
        stop.set()
        peer.close()
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "spdylay get: %s: no complete response within 0.5 s (-t)" % peer.url in lines
    assert all("Invalid state" not in line for line in lines), lines


class OneRequestPeer:
    """A server of one connection, made by hand with a Session: the first
    request is answered by ``answer(session, stream_id)``; then it reads
    until the client goes away, unless ``answer`` returns True (hang up)."""

    def __init__(self, answer):
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    def _serve(self):
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        hang_up = []

        def on_request_recv(session, stream_id):
            hang_up.append(self.answer(session, stream_id))

        with sock:
            sock.settimeout(TIMEOUT)

            def send(session, data):
                sock.sendall(data)
                return len(data)

            session = spdylay.Session(
                spdylay.SERVER,
                spdylay.PROTO_SPDY3_1,
                send_cb=send,
                on_request_recv_cb=on_request_recv,
            )
            try:
                while not any(hang_up):
                    data = sock.recv(65536)
                    if not data:
                        break
                    session.recv(data)
                    session.send()
            except OSError:
                pass

    def close(self):
        self.thread.join(TIMEOUT)
        self.listener.close()


def answer_headers_and_hang_up(session, stream_id):
    """Starts the response and hangs up (a server that says nothing at all
    fails the connection, not the request)."""
    session.submit_syn_reply(
        spdylay.CTRL_FLAG_NONE, stream_id, [(":status", "200 OK"), (":version", "HTTP/1.1")]
    )
    return True


@pytest.mark.parametrize(
    "answer, reason",
    [
        (
            lambda session, stream_id: session.submit_rst_stream(stream_id, spdylay.INTERNAL_ERROR),
            "reset by the server (INTERNAL_ERROR)",
        ),
        (
            lambda session, stream_id: answer_headers_and_hang_up(session, stream_id),
            "the connection ended before the response was complete",
        ),
    ],
    ids=["reset", "hang-up"],
)
def test_a_request_the_server_does_not_finish_says_who_ended_it(answer, reason):
    peer = OneRequestPeer(answer)
    try:
        result = get("--no-tls", "http://127.0.0.1:%d/x" % peer.port)
    finally:
        peer.close()
    assert result.returncode == 1
    assert result.stderr == "spdylay get: http://127.0.0.1:%d/x: %s\n" % (peer.port, reason)


# --- serve never leaves its directory ------------------------------------------------


@pytest.mark.parametrize(
    "path, status",
    [
        ("/../secret", "400"),
        ("/sub/../../secret", "400"),
        ("/%2e%2e/secret", "400"),
        ("/sub/%2E%2E/%2e%2e/secret", "400"),
        ("/link_out", "404"),
        ("//etc/passwd", "404"),
        ("/%2Fetc%2Fpasswd", "404"),
        ("/missing.html", "404"),
    ],
)
def test_serve_refuses_paths_outside_its_directory(htdocs, tmp_path, path, status):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-v", "http://127.0.0.1:%d%s" % (server.port, path))
    assert result.returncode == 1
    frames = parse_frame_log(result.stderr)
    assert dict(frames[0]["nv"])[":path"] == path
    reply = dict(next(f for f in frames if f["type"] == "SYN_REPLY")["nv"])
    assert reply[":status"].split()[0] == status
    assert b"secret" not in result.stdout and b"root:" not in result.stdout
    assert (
        "spdylay get: http://127.0.0.1:%d%s: status %s" % (server.port, path, status)
        in result.stderr
    )


def raw_request(port, method, path):
    """One request made by hand with a Session (to send what no URL can);
    returns the response's headers and body."""
    response = {"body": b""}

    def on_ctrl_recv(session, frame):
        if frame.frame_type == spdylay.SYN_REPLY:
            response["headers"] = dict(frame.nv)

    def on_data_chunk_recv(session, flags, stream_id, data):
        response["body"] += data

    def on_stream_close(session, stream_id, status_code):
        response["close"] = status_code

    with socket.create_connection(("127.0.0.1", port), TIMEOUT) as sock:

        def send(session, data):
            sock.sendall(data)
            return len(data)

        session = spdylay.Session(
            spdylay.CLIENT,
            spdylay.PROTO_SPDY3_1,
            send_cb=send,
            on_ctrl_recv_cb=on_ctrl_recv,
            on_data_chunk_recv_cb=on_data_chunk_recv,
            on_stream_close_cb=on_stream_close,
        )
        session.submit_request(
            0,
            [
                (":method", method),
                (":scheme", "http"),
                (":path", path),
                (":version", "HTTP/1.1"),
                (":host", "127.0.0.1"),
            ],
        )
        session.send()
        while "close" not in response:
            data = sock.recv(65536)
            assert data, "the server closed the connection"
            session.recv(data)
            session.send()
    return response


def test_serve_refuses_a_path_that_does_not_start_with_a_slash(htdocs, tmp_path):
    """Only a hand-made request can send this :path (URLs always have a /)."""
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        response = raw_request(server.port, "GET", "index.html")
    assert response["headers"][":status"] == "400 Bad Request"
    assert b"not an absolute path" in response["body"]


def test_serve_redirects_a_directory_named_without_its_trailing_slash(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        moved = raw_request(server.port, "GET", "/sub?q=1")
        index = raw_request(server.port, "GET", "/sub/?q=1")
        missing = raw_request(server.port, "GET", "/nothing")
    assert moved["headers"][":status"].startswith("301")
    assert moved["headers"]["location"] == "/sub/?q=1"
    assert moved["body"] == b""
    assert index["headers"][":status"].startswith("200")
    assert index["body"] == (htdocs / "sub" / "index.html").read_bytes()
    assert missing["headers"][":status"].startswith("404")


def test_serve_refuses_a_flood_of_streams_past_its_limit_without_a_traceback(htdocs, tmp_path):
    """1200 SYN_STREAMs before reading anything, twelve times the server's
    MAX_CONCURRENT_STREAMS: every stream is answered or refused with
    REFUSED_STREAM (the server reads them a slice at a time and sends the
    refusals of each slice before the next, so they never pile up past what
    its session queues); the server logs no traceback and goes on
    serving."""
    count = 1200
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        with socket.create_connection(("127.0.0.1", server.port), TIMEOUT) as sock:
            sent = []
            session = spdylay.Session(
                spdylay.CLIENT,
                spdylay.PROTO_SPDY3_1,
                send_cb=lambda session, data: sent.append(data) or len(data),
            )
            for _ in range(count):
                session.submit_request(
                    0,
                    [
                        (":method", "GET"),
                        (":scheme", "http"),
                        (":path", "/index.html"),
                        (":version", "HTTP/1.1"),
                        (":host", "127.0.0.1"),
                    ],
                )
            session.send()
            sock.sendall(b"".join(sent))
            dec = spdywire.Decoder(spdylay.PROTO_SPDY3_1)
            answered, refused = set(), []
            while len(answered) + len(refused) < count:
                data = sock.recv(65536)
                assert data, "the server closed the connection"
                for frame in dec.feed(data):
                    if frame.control and frame.type == spdywire.RST_STREAM:
                        refused.append(frame.status_code)
                    elif not frame.control and frame.flags & spdylay.DATA_FLAG_FIN:
                        answered.add(frame.stream_id)
        after = get(url(server, "/index.html", False))
        log = server.log()
    assert len(answered) >= 100
    assert refused and set(refused) == {spdylay.REFUSED_STREAM}
    assert after.returncode == 0, after.stderr
    assert "Traceback" not in log


def test_serve_answers_post_with_the_file_as_spdyd_does(htdocs, tmp_path):
    posted = tmp_path / "posted.bin"
    posted.write_bytes(pattern(BIG_SIZE, seed=3))
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-d", posted, url(server, "/big.bin", False))
        log = server.log()
    assert result.returncode == 0, result.stderr
    assert result.stdout == pattern(BIG_SIZE)
    assert '"POST /big.bin HTTP/1.1" 200' in log


def test_plain_tcp_get_from_a_tls_serve_fails_at_once_in_one_line(certificates, htdocs, tmp_path):
    """-t is shorter than the server's 30 s TLS handshake timeout: without
    the server seeing at once that a SPDY frame is not TLS, the request
    would run into it instead."""
    with Serve(tmp_path / "serve.log", "-d", htdocs, *serve_args(certificates, None, True)) as s:
        result = get("--no-tls", "-t", "10", url(s, "/index.html", False))
        log = s.log()
    assert result.returncode == 1
    assert_one_line_error(
        result, "spdylay get: error:", "closed the connection without sending a byte", "TLS server"
    )
    assert "the client sent a SPDY frame without TLS" in log


def test_serve_answers_head_without_a_body_and_other_methods_with_501(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        head = raw_request(server.port, "HEAD", "/big.bin")
        put = raw_request(server.port, "PUT", "/big.bin")
    assert head["headers"][":status"] == "200 OK"
    assert head["headers"]["content-length"] == str(BIG_SIZE)
    assert head["headers"]["content-type"] == "application/octet-stream"
    assert head["body"] == b""
    assert put["headers"][":status"].startswith("501")


# --- one-line errors and the exit status ------------------------------------------------


def test_bad_arguments_are_one_line_and_exit_status_2(tmp_path):
    for args in (["-m", "0", "http://127.0.0.1/"], ["ftp://127.0.0.1/"], ["http://[::1"], []):
        result = get(*args)
        assert result.returncode == 2, args
        assert_one_line_error(result, "spdylay: error:")
    missing = get("-d", tmp_path / "missing", "http://127.0.0.1:1/")
    assert missing.returncode == 2
    assert_one_line_error(missing, "cannot read -d", "No such file")
    serve = subprocess.run(
        spdylay_command("serve", "8443"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert serve.returncode == 2
    assert_one_line_error(serve, "TLS needs KEY and CERT")


def free_port():
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_is_one_line():
    port = free_port()
    result = get("http://127.0.0.1:%d/" % port)
    assert result.returncode == 1
    assert_one_line_error(
        result, "spdylay get: error: cannot connect to 127.0.0.1:%d" % port, "refused"
    )


def test_certificate_not_trusted_is_one_line_and_insecure_skips_the_check(
    certificates, htdocs, tmp_path
):
    with Serve(
        tmp_path / "serve.log", "-d", htdocs, "0", certificates.key_file, certificates.cert_file
    ) as server:
        untrusted = get(url(server, "/index.html", True))
        insecure = get("--insecure", url(server, "/index.html", True))
        log = server.log()
    assert untrusted.returncode == 1
    assert_one_line_error(
        untrusted,
        "TLS handshake with localhost:%d failed" % server.port,
        "CERTIFICATE_VERIFY_FAILED",
    )
    assert insecure.returncode == 0, insecure.stderr
    assert insecure.stdout == (htdocs / "index.html").read_bytes()
    assert "Traceback" not in log
    assert "TLS handshake with 127.0.0.1 failed" in log


def test_no_common_spdy_version_is_one_line(certificates, htdocs, tmp_path):
    with Serve(
        tmp_path / "serve.log",
        "-d",
        htdocs,
        "--spdy3-1",
        "0",
        certificates.key_file,
        certificates.cert_file,
    ) as server:
        result = get("-2", "--cacert", certificates.ca_file, url(server, "/", True))
    assert result.returncode == 1
    assert_one_line_error(result, "localhost:%d negotiated no SPDY version" % server.port)


def test_peer_that_negotiates_no_spdy_is_one_line(certificates):
    """A TLS server that speaks only http/1.1."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.cert_file, certificates.key_file)
    context.set_alpn_protocols(["http/1.1"])
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)

    def serve_one():
        try:
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(TIMEOUT)
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve_one)
    thread.start()
    try:
        result = get(
            "--cacert", certificates.ca_file, "https://localhost:%d/" % listener.getsockname()[1]
        )
    finally:
        thread.join(TIMEOUT)
        listener.close()
    assert result.returncode == 1
    assert_one_line_error(result, "negotiated no SPDY version")


def test_serve_closes_a_client_that_negotiates_no_spdy_and_goes_on(certificates, htdocs, tmp_path):
    with Serve(
        tmp_path / "serve.log", "-d", htdocs, "0", certificates.key_file, certificates.cert_file
    ) as server:
        context = ssl.create_default_context(cafile=certificates.ca_file)
        context.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(("127.0.0.1", server.port), TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.selected_alpn_protocol() is None
                assert tls.recv(1) == b""
        after = get("--cacert", certificates.ca_file, url(server, "/index.html", True))
    assert after.returncode == 0, after.stderr
    assert after.stdout == (htdocs / "index.html").read_bytes()


def test_exit_status_is_1_when_any_request_fails(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("-m", "2", url(server, "/index.html", False), url(server, "/missing", False))
        good = get(url(server, "/index.html", False))
    index = (htdocs / "index.html").read_bytes()
    assert result.returncode == 1
    assert result.stdout.startswith(index * 2)
    assert result.stderr.splitlines() == [
        "spdylay get: %s: status 404 Not Found (2 times)" % url(server, "/missing", False)
    ]
    assert (good.returncode, good.stdout) == (0, index)


def test_output_that_cannot_be_written_is_one_line(htdocs, tmp_path):
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        full = get("-o", "/dev/full", url(server, "/big.bin", False))
        # A small body fails only when the output is flushed at the end.
        small_full = get("-o", "/dev/full", url(server, "/index.html", False))
        proc = subprocess.Popen(
            spdylay_command("get", "-m", "20", url(server, "/big.bin", False)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert len(proc.stdout.read(10)) == 10
        proc.stdout.close()  # a reader that has seen enough, as `head` does
        try:
            broken_stderr = proc.stderr.read().decode()
            assert proc.wait(timeout=TIMEOUT) == 1
        finally:
            proc.stderr.close()
    for failed in (full, small_full):
        assert failed.returncode == 1
        assert_one_line_error(
            failed,
            "spdylay get: error: cannot write the bodies to /dev/full",
            "No space left on device",
        )
    assert broken_stderr == "spdylay get: error: cannot write the bodies to stdout: Broken pipe\n"


def test_serve_errors_are_one_line(certificates, htdocs, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        in_use = subprocess.run(
            spdylay_command("serve", "--address", "127.0.0.1", "--no-tls", port),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    assert in_use.returncode == 1
    assert_one_line_error(in_use, "cannot listen on 127.0.0.1:%d" % port, "in use")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    for key, cert in ((garbage, garbage), (tmp_path / "missing.key", certificates.cert_file)):
        bad = subprocess.run(
            spdylay_command("serve", "--address", "127.0.0.1", "0", key, cert),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert bad.returncode == 1
        assert_one_line_error(bad, "cannot use KEY %s and CERT %s" % (key, cert))
    no_dir = subprocess.run(
        spdylay_command("serve", "--no-tls", "-d", tmp_path / "nowhere", "0"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert no_dir.returncode == 2
    assert_one_line_error(no_dir, "not a directory")


# --- the progress bar ---------------------------------------------------------------------


def test_progress_bar_only_when_stderr_is_a_terminal(htdocs, tmp_path):
    (htdocs / "large.bin").write_bytes(pattern(3000000, seed=1))
    out = tmp_path / "out"
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        target = url(server, "/large.bin", False)
        piped = get("-o", out, target)
        controller, terminal = pty.openpty()
        try:
            proc = subprocess.Popen(
                spdylay_command("get", "-o", out, target),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=terminal,
            )
            os.close(terminal)
            shown = b""
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            assert proc.wait(timeout=TIMEOUT) == 0
        finally:
            os.close(controller)
    assert (piped.returncode, piped.stderr) == (0, "")
    assert out.read_bytes() == (htdocs / "large.bin").read_bytes()
    text = shown.decode()
    assert "\r[" in text and "% " in text and " of 3.0 MB" in text
    assert text.endswith("\r\x1b[K")


# --- how the tools are started ----------------------------------------------------------


def test_the_spdylay_console_script_runs_the_tools():
    script = shutil.which("spdylay", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the package is not installed in this interpreter's environment")
    result = subprocess.run(
        [script, "get", "--help"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0
    assert "usage: spdylay get" in result.stdout
    assert "--spdy3-1" in result.stdout


def test_get_from_a_server_speaking_another_version_is_one_error_line(tmp_path):
    htdocs = tmp_path / "htdocs"
    htdocs.mkdir()
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = get("--no-tls", "-2", "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert "speaks another SPDY version" in line


def test_get_timeout_bounds_a_tls_handshake_that_never_ends():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        result = get("-t", "1", "--insecure", "https://127.0.0.1:%d/" % listener.getsockname()[1])
        took = time.monotonic() - started
    finally:
        thread.join(TIMEOUT)
        for conn, _ in accepted:
            conn.close()
        listener.close()
    assert result.returncode == 1
    assert "timed out after 1 second" in result.stderr
    # Far from the 30 s the handshake would otherwise be given.
    assert took < 20


def test_get_without_a_standard_output_is_one_error_line(tmp_path):
    htdocs = tmp_path / "htdocs"
    htdocs.mkdir()
    (htdocs / "page").write_bytes(b"a page")
    with Serve(tmp_path / "serve.log", "-d", htdocs, "--no-tls", "0") as server:
        result = subprocess.run(
            spdylay_command("get", "--no-tls", "http://127.0.0.1:%d/page" % server.port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT,
            # The child starts with file descriptor 1 closed.
            preexec_fn=lambda: os.close(1),
        )
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert stderr.splitlines() == [
        "spdylay: error: there is no standard output for the bodies: use -o FILE or -n"
    ]
