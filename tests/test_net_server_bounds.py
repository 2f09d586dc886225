"""What a client can make ThreadedSPDYServer hold: handlers run only for
streams still open and at most max_concurrent_streams at a time per
connection, a client that takes no response or never finishes its
requests is timed out, and a handler's SystemExit ends only its request."""

import socket
import threading

import pytest
from netkit import TIMEOUT, QuietHandler, RawPeer, fetch, running
from socketpeer import request_nv

import spdylay


def get(peer, version, stream_id, path, flags=spdylay.CTRL_FLAG_FIN):
    return peer.enc.syn_stream(stream_id, request_nv(version, path), flags=flags)


def is_reply(stream_id):
    return lambda frame: (
        frame.control and frame.type == spdylay.SYN_REPLY and (frame.stream_id == stream_id)
    )


class Counted(QuietHandler):
    """Counts its calls by path; ``/hold`` waits for ``release``."""

    lock = threading.Lock()
    calls: dict = {}
    running = 0
    most_running = 0
    release = threading.Event()

    def do_GET(self):
        cls = Counted
        with cls.lock:
            cls.calls[self.path] = cls.calls.get(self.path, 0) + 1
            cls.running += 1
            cls.most_running = max(cls.most_running, cls.running)
        try:
            if self.path == "/hold":
                cls.release.wait(TIMEOUT)
            self.send_response(200)
            self.wfile.write(self.path.encode())
        finally:
            with cls.lock:
                cls.running -= 1


@pytest.fixture
def counted():
    Counted.calls = {}
    Counted.running = Counted.most_running = 0
    Counted.release = threading.Event()
    yield Counted
    Counted.release.set()


def test_streams_reset_before_their_handlers_start_get_none(version, counted):
    resets = 200
    with running(counted, version) as server:
        peer = RawPeer(server.server_address, version)
        try:
            burst = b"".join(
                get(peer, version, 2 * i + 1, "/reset")
                + peer.enc.rst_stream(2 * i + 1, spdylay.CANCEL)
                for i in range(resets)
            )
            peer.send(burst + get(peer, version, 2 * resets + 1, "/last"))
            assert peer.next_frame(is_reply(2 * resets + 1))
        finally:
            peer.close()
    assert counted.calls["/last"] == 1
    # All of them without the check; a few at most when the burst is split
    # between reads.
    assert counted.calls.get("/reset", 0) < resets // 4


def test_running_handlers_per_connection_stay_within_max_concurrent_streams(version, counted):
    limit = 4
    with running(counted, version, max_concurrent_streams=limit) as server:
        peer = RawPeer(server.server_address, version)
        try:
            first = [2 * i + 1 for i in range(limit)]
            peer.send(b"".join(get(peer, version, stream_id, "/hold") for stream_id in first))
            until(lambda: counted.running == limit)
            # Reset while their handlers run: the streams close, the handlers
            # do not.
            peer.send(
                b"".join(peer.enc.rst_stream(stream_id, spdylay.CANCEL) for stream_id in first)
            )
            later = [2 * (limit + i) + 1 for i in range(limit)]
            peer.send(b"".join(get(peer, version, stream_id, "/later") for stream_id in later))
            # The server takes the later requests in (a PING sent after them
            # comes back) but starts no handler for them yet.
            peer.send(peer.enc.ping(1))
            assert peer.next_frame(lambda frame: frame.control and frame.type == spdylay.PING)
            # Time for a handler to start, if one were started.
            assert not holds_within(lambda: counted.calls.get("/later", 0), 0.5)
            counted.release.set()
            replied = set()
            while replied != set(later):
                reply = peer.next_frame(
                    lambda frame: frame.control and frame.type == spdylay.SYN_REPLY
                )
                assert reply is not None
                replied.add(reply.stream_id)
        finally:
            peer.close()
    assert counted.most_running == limit
    assert counted.calls["/later"] == limit


def holds_within(condition, seconds):
    """Whether ``condition()`` becomes true within ``seconds``."""
    pause = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        pause.wait(0.01)
    return bool(condition())


def until(condition):
    if not holds_within(condition, TIMEOUT):
        raise AssertionError("the condition never held")


@pytest.mark.parametrize("version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1])
def test_a_handler_whose_client_takes_nothing_is_reset_after_idle_timeout(version, capsys):
    failures = []

    class Big(QuietHandler):
        def do_GET(self):
            self.send_response(200)
            try:
                self.wfile.write(b"x" * (1024 * 1024))
            except ConnectionResetError as exc:
                failures.append(str(exc))
                raise

    with running(Big, version, idle_timeout=0.3) as server:
        peer = RawPeer(server.server_address, version)
        try:
            # A window of 0: the server can send no byte of the body.
            peer.send(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 0)]))
            peer.send(get(peer, version, 1, "/"))
            reset = peer.next_frame(
                lambda frame: frame.control and frame.type == spdylay.RST_STREAM
            )
            goaway = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.GOAWAY)
            end = peer.next_frame()
        finally:
            peer.close()
    assert (reset.stream_id, reset.status_code) == (1, spdylay.CANCEL)
    assert failures and "took none of the response" in failures[0]
    # One line, as for a client that resets: no traceback.
    assert "Traceback" not in capsys.readouterr().err
    assert goaway is not None and end is None


def test_a_connection_whose_request_never_ends_is_closed_after_idle_timeout(version, counted):
    with running(counted, version, idle_timeout=0.3) as server:
        peer = RawPeer(server.server_address, version)
        try:
            # No FIN: the request waits for a body that never comes.
            peer.send(get(peer, version, 1, "/unfinished", flags=spdylay.CTRL_FLAG_NONE))
            goaway = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.GOAWAY)
            end = peer.next_frame()
        except socket.timeout:
            pytest.fail("the server kept the stalled connection open")
        finally:
            peer.close()
    assert goaway.last_good_stream_id == 1
    assert end is None
    assert counted.calls == {}


def test_a_handler_that_raises_system_exit_gets_500_and_the_server_goes_on(version, capsys):
    class Exits(QuietHandler):
        def do_GET(self):
            if self.path == "/exit":
                raise SystemExit(3)
            self.send_response(200)
            self.wfile.write(b"still serving")

    with running(Exits, version) as server:
        exited, after = fetch(server, ["/exit", "/after"], version)
    assert exited.header(":status") == "500 Internal Server Error"
    assert bytes(after.body) == b"still serving"
    assert "SystemExit" in capsys.readouterr().err


class HttpServerStyle(QuietHandler):
    """Written as for http.server: HEAD as GET, send_response_only and
    flush_headers, send_error with an explanation."""

    def do_GET(self):
        if self.path == "/error":
            self.send_error(404, "No such page", "Nothing lives at this path.")
            return
        if self.path == "/only":
            self.send_response_only(200)
            self.send_header("content-type", "text/plain")
            self.flush_headers()
            self.wfile.write(b"status only")
            return
        body = b"the page"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET


def test_do_head_as_do_get_answers_headers_without_a_body(version, capsys):
    with running(HttpServerStyle, version) as server:
        (head,) = fetch(server, ["/"], version, method="HEAD")
        (get_response,) = fetch(server, ["/"], version)
    assert "failed" not in capsys.readouterr().err
    assert head.status_code == get_response.status_code == spdylay.OK
    assert head.header("content-length") == "8"
    assert bytes(head.body) == b""
    assert bytes(get_response.body) == b"the page"


def test_send_error_shows_its_explanation(version):
    with running(HttpServerStyle, version) as server:
        (response,) = fetch(server, ["/error"], version)
    page = bytes(response.body).decode()
    assert "No such page" in page
    assert "Nothing lives at this path." in page


def test_send_response_only_sends_no_server_or_date_header(version):
    with running(HttpServerStyle, version) as server:
        (response,) = fetch(server, ["/only"], version)
    assert bytes(response.body) == b"status only"
    assert response.header("content-type") == "text/plain"
    assert response.header("server") is None
    assert response.header("date") is None


def test_the_listening_family_follows_the_address():
    family = spdylay.server._address_family
    assert family(("127.0.0.1", 0)) == socket.AF_INET
    assert family(("::1", 0)) == socket.AF_INET6


@pytest.mark.parametrize("limit", ["request_body_limit", "connection_body_limit"])
def test_an_upload_refused_with_413_is_reset_after_the_response(version, counted, limit):
    with running(counted, version, **{limit: 1000}) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(get(peer, version, 1, "/upload", flags=spdylay.CTRL_FLAG_NONE))
            # Past the limit, and no FIN: the client would go on uploading.
            peer.send(peer.enc.data(1, b"x" * 1500))
            reply = peer.next_frame(is_reply(1))
            body = b""
            while True:
                frame = peer.next_frame(lambda frame: frame.stream_id == 1)
                if frame.control:
                    break
                body += frame.payload
                last_data = frame
            reset = frame
        finally:
            peer.close()
    assert dict(reply.nv)[":status" if version != spdylay.PROTO_SPDY2 else "status"].startswith(
        "413"
    )
    assert b"413" in body and last_data.flags & spdylay.DATA_FLAG_FIN
    assert (reset.type, reset.status_code) == (spdylay.RST_STREAM, spdylay.CANCEL)
    assert counted.calls == {}


def test_a_refused_upload_that_had_ended_is_not_reset(version, counted):
    with running(counted, version, request_body_limit=1000) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(get(peer, version, 1, "/upload", flags=spdylay.CTRL_FLAG_NONE))
            peer.send(peer.enc.data(1, b"x" * 1500, flags=spdylay.DATA_FLAG_FIN))
            assert peer.next_frame(is_reply(1))
            # A PING after the response: every frame of stream 1 came before it.
            while not peer.next_frame(lambda frame: frame.stream_id == 1).flags & 1:
                pass
            peer.send(peer.enc.ping(1))
            after = []
            while True:
                frame = peer.next_frame()
                if frame.control and frame.type == spdylay.PING:
                    break
                after.append(frame)
        finally:
            peer.close()
    assert [f for f in after if f.control and f.type == spdylay.RST_STREAM] == []
