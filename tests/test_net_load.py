"""The server and client under load: many connections and streams at once,
bodies checked byte for byte, a large body streamed under flow control with
its memory measured, and a client that stops reading."""

import hashlib
import threading
import time

import pytest
from helpers import nv_on_wire
from netkit import TIMEOUT, QuietHandler, RawPeer, fetch, running

import spdylay


def body_for(path):
    """A body of a length and content that depend on ``path``."""
    seed = hashlib.sha256(path.encode()).digest()
    length = int.from_bytes(seed[:2], "big") % 40000
    block = hashlib.sha512(seed).digest()
    return (block * (length // len(block) + 1))[:length]


class Bodies(QuietHandler):
    def do_GET(self):
        body = body_for(self.path)
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.wfile.write(body)


def test_50_connections_of_20_streams(version):
    connections, streams = 50, 20
    results = [None] * connections
    errors = []

    def client(index):
        try:
            results[index] = fetch(
                server, ["/%d/%d" % (index, stream) for stream in range(streams)], version
            )
        except BaseException as exc:
            errors.append(exc)

    with running(Bodies, version) as server:
        threads = [
            threading.Thread(target=client, args=(index,), daemon=True)
            for index in range(connections)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + TIMEOUT * 3
        for thread in threads:
            thread.join(max(0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for index, responses in enumerate(results):
        assert len(responses) == streams
        for stream, response in enumerate(responses):
            path = "/%d/%d" % (index, stream)
            assert response.status_code == spdylay.OK, path
            assert bytes(response.body) == body_for(path), path


BIG_BODY = 32 * 1024 * 1024
CHUNK = 64 * 1024


def chunks(total):
    """``total`` bytes in CHUNK-sized pieces, made one at a time."""
    for offset in range(0, total, CHUNK):
        yield (b"%016x" % offset) * (CHUNK // 16)


class Streams(QuietHandler):
    """Writes BIG_BODY bytes piece by piece; records how far it got."""

    written = None
    ended = None
    reset = None

    def do_GET(self):
        self.send_response(200)
        try:
            for piece in chunks(BIG_BODY):
                self.wfile.write(piece)
                self.written.append(len(piece))
        except ConnectionResetError as exc:
            self.ended.append(exc)
            self.reset.set()
            raise


class Digesting(spdylay.BaseSPDYStreamHandler):
    def __init__(self, url, fetcher):
        super().__init__(url, fetcher)
        self.digest = hashlib.sha256()
        self.length = 0
        self.status_code = None
        fetcher.collected.append(self)

    def on_data(self, data):
        self.digest.update(data)
        self.length += len(data)

    def on_close(self, status_code):
        self.status_code = status_code


def test_large_body_is_streamed_not_held(version):
    # The code measured is the same on PyPy, which has no tracemalloc.
    tracemalloc = pytest.importorskip(
        "tracemalloc", reason="not for this build: PyPy has no tracemalloc"
    )
    Streams.written, Streams.ended = [], []
    expected = hashlib.sha256()
    for piece in chunks(BIG_BODY):
        expected.update(piece)
    with running(Streams, version) as server:
        host, port = server.server_address
        fetcher = spdylay.UrlFetcher(
            (host, port),
            ["http://%s:%d/big" % (host, port)],
            Digesting,
            tls=False,
            version=version,
            timeout=TIMEOUT * 3,
        )
        fetcher.collected = []
        tracemalloc.start()
        try:
            fetcher.loop()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    (response,) = fetcher.collected
    assert response.status_code == spdylay.OK
    assert response.length == BIG_BODY
    assert response.digest.digest() == expected.digest()
    # Both ends in this process, tracing every thread: the whole transfer
    # never had more than a sliver of the body allocated at once.
    assert peak < BIG_BODY // 8, peak


def test_client_that_stops_reading_holds_back_only_itself(version, capsys):
    Streams.written, Streams.ended = [], []
    Streams.reset = threading.Event()
    with running(Streams, version) as server:
        stalled = RawPeer(server.server_address, version)
        try:
            nv = nv_on_wire(
                version,
                [
                    (":method", "GET"),
                    (":path", "/big"),
                    (":scheme", "http"),
                    (":version", "HTTP/1.1"),
                    (":host", "localhost"),
                ],
            )
            stalled.send(stalled.enc.syn_stream(1, nv, flags=spdylay.CTRL_FLAG_FIN))
            assert stalled.next_frame(
                lambda frame: frame.control and frame.type == spdylay.SYN_REPLY
            )

            class Small(QuietHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.wfile.write(b"still serving")

            server.RequestHandlerClass = Small
            for _ in range(3):
                (response,) = fetch(server, ["/small"], version)
                assert bytes(response.body) == b"still serving"
            assert sum(Streams.written) < BIG_BODY
        finally:
            stalled.close()
        # The stalled handler's write fails once its client is gone.
        assert Streams.reset.wait(TIMEOUT)
    assert len(Streams.ended) == 1
    assert sum(Streams.written) < BIG_BODY
    err = capsys.readouterr().err
    assert "spdylay: stream 1 was closed (status code" in err
    assert "Traceback" not in err


def test_more_streams_than_the_server_allows_at_once(version):
    active = []
    peak = []
    lock = threading.Lock()
    release = threading.Event()

    class Counting(QuietHandler):
        def do_GET(self):
            with lock:
                active.append(self.stream_id)
                peak.append(len(active))
                if len(active) == 4:
                    release.set()
            release.wait(TIMEOUT)
            with lock:
                active.remove(self.stream_id)
            self.send_response(200)
            self.wfile.write(self.path.encode())

    with running(Counting, version, max_concurrent_streams=4) as server:
        responses = fetch(server, ["/%d" % n for n in range(30)], version)
    assert [bytes(response.body) for response in responses] == [b"/%d" % n for n in range(30)]
    assert max(peak) == 4
