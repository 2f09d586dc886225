"""spdylay.aio over real sockets on 127.0.0.1: our asyncio client against our
asyncio server, plain TCP and TLS (ALPN), every SPDY version, on asyncio's
event loop and on uvloop where it is installed."""

import asyncio
import builtins
import inspect
import io
import logging
import re

import pytest
from socketpeer import close_all, gets_to_raw_server, reply_nv

import spdylay
import spdylay.aio as aio
from spdylay._tls import client_context, server_context

import spdywire

HOST = "127.0.0.1"


class Secure:
    """TLS contexts made fresh for each server and client."""

    def __init__(self, certificates):
        self.certificates = certificates

    def server_ssl(self):
        return server_context(self.certificates.cert_file, self.certificates.key_file)

    def client_ssl(self):
        return client_context(cafile=self.certificates.ca_file)


class Plain:
    def server_ssl(self):
        return None

    def client_ssl(self):
        return None


@pytest.fixture(params=["plain", "tls"])
def link(request, certificates):
    return Plain() if request.param == "plain" else Secure(certificates)


async def start(handler, link, version, **kwargs):
    return await aio.serve(handler, HOST, 0, ssl=link.server_ssl(), version=version, **kwargs)


async def open_client(server, link, version, **kwargs):
    return await aio.connect(HOST, server.port, ssl=link.client_ssl(), version=version, **kwargs)


def pattern(size):
    return bytes(i % 251 for i in range(size))


async def chunks_of(data, size):
    for start in range(0, len(data), size):
        yield data[start : start + size]
        await asyncio.sleep(0)


async def echo(request):
    body = await request.read()
    return (
        200,
        [
            ("Content-Type", "application/octet-stream"),
            ("X-Method", request.method),
            ("X-Path", request.path),
            ("X-Agent", request.headers.get("user-agent", "")),
        ],
        body,
    )


# --- requests and responses --------------------------------------------------


def test_request_and_response(aio_run, link, version):
    async def main():
        async with await start(echo, link, version) as server:
            async with await open_client(server, link, version) as conn:
                assert conn.version == version
                resp = await conn.request(
                    "POST", "/echo?x=1", [("User-Agent", "aio-test")], b"payload"
                )
                assert (resp.status, resp.reason) == (200, "OK")
                assert resp.headers["content-type"] == "application/octet-stream"
                assert resp.headers["X-METHOD"] == "POST"
                assert resp.headers.get("x-path") == "/echo?x=1"
                assert resp.headers.getall("x-agent") == ["aio-test"]
                assert ("x-method", "POST") in list(resp.headers)
                assert await resp.read() == b"payload"
                assert await resp.read() == b"payload"
                empty = await conn.get("/nothing")
                assert await empty.read() == b""

    aio_run(main())


def test_streaming_bodies_both_ways_beyond_the_window(aio_run, link, version):
    upload = pattern(300000)
    download = pattern(400000)[::-1]

    async def handler(request):
        received = bytearray()
        async for chunk in request:
            received += chunk
        assert bytes(received) == upload
        return 200, [], chunks_of(download, 10000)

    async def main():
        async with await start(handler, link, version) as server:
            async with await open_client(server, link, version) as conn:
                from_generator = await conn.request("PUT", "/gen", body=chunks_of(upload, 7000))
                from_file = await conn.request("PUT", "/file", body=io.BytesIO(upload))
                streamed = bytearray()
                async for chunk in from_generator:
                    streamed += chunk
                assert bytes(streamed) == download
                assert await from_file.read() == download

    aio_run(main())


def test_1000_concurrent_streams_on_one_connection(aio_run, link, version):
    running = {"now": 0, "most": 0}

    async def handler(request):
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        await asyncio.sleep(0)
        running["now"] -= 1
        return 200, [], request.path.encode()

    async def fetch(conn, index):
        resp = await conn.get("/item/%d" % index)
        return await resp.read()

    async def main():
        async with await start(handler, link, version, max_concurrent_streams=100) as server:
            async with await open_client(server, link, version) as conn:
                bodies = await asyncio.gather(*[fetch(conn, index) for index in range(1000)])
        assert bodies == [b"/item/%d" % index for index in range(1000)]
        # The client queued what the server's SETTINGS did not allow.
        assert 1 < running["most"] <= 100

    aio_run(main())


def test_100_concurrent_connections(aio_run, link, version):
    async def one(server, index):
        async with await open_client(server, link, version) as conn:
            resp = await conn.request("POST", "/c", body=b"%d" % index)
            return await resp.read()

    async def main():
        async with await start(echo, link, version) as server:
            bodies = await asyncio.gather(*[one(server, index) for index in range(100)])
        assert bodies == [b"%d" % index for index in range(100)]

    aio_run(main())


def test_body_left_unread_survives_reads_on_other_connections(aio_run, link, version):
    """Every connection of a loop reads into one buffer: what a body keeps
    must be its own copy, untouched by the next read on any connection."""

    async def main():
        async with await start(echo, link, version) as server:
            async with await open_client(server, link, version) as first:
                async with await open_client(server, link, version) as second:
                    kept = await first.request("POST", "/kept", body=b"k" * 3000)
                    for index in range(20):
                        other = await second.request("POST", "/o", body=b"%d" % index * 900)
                        assert await other.read() == b"%d" % index * 900
                    assert await kept.read() == b"k" * 3000

    aio_run(main())


def test_get_url(aio_run, certificates):
    async def main():
        async with await aio.serve(echo, HOST, 0) as server:
            resp = await aio.get("http://%s:%d/a/b?c=d" % (HOST, server.port))
            assert resp.headers["x-path"] == "/a/b?c=d"
            assert await resp.read() == b""
        secure = server_context(certificates.cert_file, certificates.key_file)
        async with await aio.serve(echo, HOST, 0, ssl=secure) as server:
            resp = await aio.get(
                "https://localhost:%d/tls" % server.port,
                ssl=client_context(cafile=certificates.ca_file),
            )
            assert (resp.status, resp.headers["x-path"]) == (200, "/tls")
        with pytest.raises(ValueError):
            await aio.get("ftp://%s/" % HOST)

    aio_run(main())


def test_ping_returns_the_round_trip_time(aio_run, link, version):
    async def main():
        async with await start(echo, link, version) as server:
            async with await open_client(server, link, version) as conn:
                rtts = await asyncio.gather(conn.ping(), conn.ping())
        assert all(isinstance(rtt, float) and rtt >= 0 for rtt in rtts)

    aio_run(main())


# --- push --------------------------------------------------------------------


def test_push_received(aio_run, link, version):
    hooked = []

    async def handler(request):
        await request.push("/style.css", [("content-type", "text/css")], b"p { color: red }")
        await request.push("/big.bin", [], chunks_of(pattern(200000), 5000))
        return 200, [("content-type", "text/html")], b"<p>page</p>"

    async def on_push(pushed):
        hooked.append((pushed.path, await pushed.read()))

    async def main():
        async with await start(handler, link, version) as server:
            async with await open_client(server, link, version, on_push=on_push) as conn:
                resp = await conn.get("/index.html")
                assert await resp.read() == b"<p>page</p>"
                while len(hooked) < 2:
                    await asyncio.sleep(0.01)
                assert [p.path for p in resp.pushed] == ["/style.css", "/big.bin"]
                css = resp.pushed[0]
                assert css.status == 200
                assert css.headers["content-type"] == "text/css"
                assert css.url.endswith(":%d/style.css" % server.port)
                assert css.stream_id % 2 == 0
        assert sorted(hooked) == [
            ("/big.bin", pattern(200000)),
            ("/style.css", b"p { color: red }"),
        ]

    aio_run(main())


def test_pushes_past_the_limit_of_a_response_are_refused(aio_run, version):
    """A server pushing without end costs the client a bounded amount: past
    PUSHES_PER_RESPONSE_LIMIT pushes with one response, each further push is
    refused."""
    from spdylay.aio._client import PUSHES_PER_RESPONSE_LIMIT

    extra = 5
    push_ids = [2 * (index + 1) for index in range(PUSHES_PER_RESPONSE_LIMIT + extra)]
    push_nv = [(":path", "/p"), (":status", "200 OK"), (":version", "HTTP/1.1")]
    if version == spdylay.PROTO_SPDY2:
        push_nv = [("url", "http://127.0.0.1/p"), ("status", "200 OK"), ("version", "HTTP/1.1")]
    else:
        push_nv += [(":scheme", "http"), (":host", "127.0.0.1")]

    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/")
        peer.send(peer.enc.syn_reply(syn.stream_id, reply_nv(version)))
        peer.send(
            *[
                peer.enc.syn_stream(
                    push_id,
                    push_nv,
                    assoc_stream_id=syn.stream_id,
                    flags=spdywire.FLAG_UNIDIRECTIONAL | spdywire.FLAG_FIN,
                )
                for push_id in push_ids
            ]
        )
        await peer.barrier(2)  # a server's PING ID is even
        refused = [
            f.stream_id
            for f in peer.frames
            if f.control
            and f.type == spdywire.RST_STREAM
            and f.status_code == spdylay.REFUSED_STREAM
        ]
        assert refused == push_ids[PUSHES_PER_RESPONSE_LIMIT:]
        resp = await request
        assert [p.stream_id for p in resp.pushed] == push_ids[:PUSHES_PER_RESPONSE_LIMIT]
        await close_all(conn, peer, server)

    aio_run(main())


def test_push_after_the_stream_closed_raises_push_error(aio_run, version):
    state = {}

    async def handler(request):
        await request.respond(200, [], b"")
        # The client has the whole response, so the stream is closed.
        await state["client_done"].wait()
        try:
            await request.push("/late", [], b"x")
        except aio.PushError as exc:
            state["error"] = exc
        state["handler_done"].set()

    async def main():
        state["client_done"] = asyncio.Event()
        state["handler_done"] = asyncio.Event()
        async with await aio.serve(handler, HOST, 0, version=version) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                resp = await conn.get("/")
                assert await resp.read() == b""
                state["client_done"].set()
                await state["handler_done"].wait()
                assert resp.pushed == []
        assert isinstance(state["error"], aio.PushError)

    aio_run(main())


# --- handler errors and limits ------------------------------------------------


# Handlers start eagerly: raising in the first step and in the task that
# runs the rest must end alike.
@pytest.mark.parametrize("when", ["before its first await", "after its first await"])
def test_handler_exception_gives_500_and_a_log_record(aio_run, version, caplog, when):
    async def handler(request):
        if request.path == "/boom":
            if when == "after its first await":
                await asyncio.sleep(0.01)
            raise KeyError("boom")
        return 200, [], b"fine"

    async def main():
        async with await aio.serve(handler, HOST, 0, version=version) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                failed = await conn.get("/boom")
                assert failed.status == 500
                assert await failed.read() == b"internal server error\n"
                after = await conn.get("/ok")
                assert await after.read() == b"fine"

    with caplog.at_level(logging.ERROR, logger="spdylay.aio"):
        aio_run(main())
    records = [r for r in caplog.records if r.name == "spdylay.aio"]
    assert len(records) == 1
    assert "GET /boom" in records[0].getMessage()
    assert records[0].exc_info[0] is KeyError


def test_request_body_over_the_limit_gets_413(aio_run, version):
    seen = {}

    async def handler(request):
        try:
            body = await request.read()
        except aio.BodyTooLargeError as exc:
            seen["error"] = exc
            raise
        return 200, [], body

    async def main():
        async with await aio.serve(
            handler, HOST, 0, version=version, request_body_limit=1000
        ) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                resp = await conn.request("POST", "/", body=b"x" * 5000)
                assert resp.status == 413
                ok = await conn.request("POST", "/", body=b"x" * 10)
                assert await ok.read() == b"x" * 10
        assert isinstance(seen["error"], aio.BodyTooLargeError)

    aio_run(main())


# --- cancellation, timeouts, lost connections ---------------------------------


def test_cancelling_a_request_mid_body_cancels_only_that_stream(aio_run, link, version):
    events = {}

    async def endless():
        try:
            while True:
                yield b"z" * 4096
        finally:
            events["stopped"].set()

    async def handler(request):
        if request.path == "/endless":
            return 200, [], endless()
        return 200, [], b"other"

    async def main():
        events["stopped"] = asyncio.Event()
        async with await start(handler, link, version) as server:
            async with await open_client(server, link, version) as conn:
                started = asyncio.Event()

                async def reader():
                    resp = await conn.get("/endless")
                    async for _ in resp:
                        started.set()

                task = asyncio.ensure_future(reader())
                await started.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                # The server stops producing: its stream was reset.
                await events["stopped"].wait()
                other = await conn.get("/other")
                assert await other.read() == b"other"

    aio_run(main())


def test_request_timeout_cancels_the_stream(aio_run, version):
    state = {}

    async def handler(request):
        if request.path == "/slow":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                state["cancelled"].set()
                raise
        return 200, [], b"quick"

    async def main():
        state["cancelled"] = asyncio.Event()
        async with await aio.serve(handler, HOST, 0, version=version) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                with pytest.raises(asyncio.TimeoutError):
                    await conn.get("/slow", timeout=0.1)
                await state["cancelled"].wait()
                resp = await conn.get("/quick")
                assert await resp.read() == b"quick"

    aio_run(main())


def test_server_close_with_streams_open_lets_them_finish(aio_run, link, version):
    state = {"started": 0}

    async def handler(request):
        state["started"] += 1
        await state["release"].wait()
        return 200, [], b"finished " + request.path.encode()

    async def main():
        state["release"] = asyncio.Event()
        server = await start(handler, link, version)
        conn = await open_client(server, link, version)
        pending = [asyncio.ensure_future(conn.get("/%d" % i)) for i in range(3)]
        while state["started"] < 3:
            await asyncio.sleep(0.01)
        closing = asyncio.ensure_future(server.close(timeout=30))
        while not conn.going_away:
            await asyncio.sleep(0.01)
        with pytest.raises(aio.GoawayError):
            await conn.get("/late")
        state["release"].set()
        bodies = [await (await request).read() for request in pending]
        assert bodies == [b"finished /0", b"finished /1", b"finished /2"]
        await closing
        await asyncio.wait_for(conn.wait_closed(), 10)
        assert conn.closed

    aio_run(main())


def test_server_close_grace_timeout_ends_stuck_streams(aio_run, link, version):
    state = {"started": 0, "cancelled": 0}

    async def handler(request):
        state["started"] += 1
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            state["cancelled"] += 1
            raise

    async def main():
        server = await start(handler, link, version)
        conn = await open_client(server, link, version)
        pending = [asyncio.ensure_future(conn.get("/%d" % i)) for i in range(3)]
        while state["started"] < 3:
            await asyncio.sleep(0.01)
        await server.close(timeout=0.2)
        assert state["cancelled"] == 3
        for request in pending:
            with pytest.raises(aio.ConnectionLostError):
                await request
        await asyncio.wait_for(conn.wait_closed(), 10)

    aio_run(main())


def test_connection_lost_raises_in_every_waiting_task(aio_run, version):
    async def main():
        accepted = asyncio.Event()
        writers = []

        async def silent_peer(reader, writer):
            writers.append(writer)
            accepted.set()
            await reader.read(1)

        raw = await asyncio.start_server(silent_peer, HOST, 0)
        port = raw.sockets[0].getsockname()[1]
        conn = await aio.connect(HOST, port, version=version)
        waiting = [asyncio.ensure_future(conn.get("/%d" % i)) for i in range(5)]
        waiting.append(asyncio.ensure_future(conn.ping()))
        await accepted.wait()
        await asyncio.sleep(0.05)
        writers[0].close()
        for task in waiting:
            with pytest.raises(aio.ConnectionLostError) as info:
                await task
            assert isinstance(info.value, aio.ConnectionError)
            assert isinstance(info.value, builtins.ConnectionError)
            assert isinstance(info.value, spdylay.Error)
        with pytest.raises(aio.ConnectionLostError):
            await conn.get("/after")
        await conn.close()
        raw.close()
        await raw.wait_closed()

    aio_run(main())


def test_connection_lost_mid_body(aio_run, version):
    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/")
        peer.send(
            peer.enc.syn_reply(syn.stream_id, reply_nv(version)),
            peer.enc.data(syn.stream_id, b"y" * 1000),
        )
        resp = await request
        assert await resp.__anext__() == b"y" * 1000
        await peer.close()
        with pytest.raises(aio.ConnectionLostError):
            async for _ in resp:
                pass
        with pytest.raises(aio.ConnectionLostError):
            await resp.read()
        await close_all(conn, peer, server)

    aio_run(main())


@pytest.mark.parametrize(
    "arguments,error",
    [
        ({"version": 99}, spdylay.UnsupportedVersionError),
        ({"settings": {spdylay.SETTINGS_MAX_CONCURRENT_STREAMS: -1}}, spdylay.InvalidArgumentError),
        ({"settings": {99: 1}}, spdylay.InvalidArgumentError),
    ],
    ids=["version", "settings-value", "settings-id"],
)
def test_connect_refuses_bad_arguments_before_connecting(aio_run, arguments, error):
    async def main():
        with pytest.raises(error):
            # Nothing listens on port 1: the refusal comes first.
            await aio.connect(HOST, 1, **arguments)

    aio_run(main())


def test_connection_that_cannot_start_its_session_fails_connect(aio_run, monkeypatch):
    from spdylay.aio import _client

    def fails(self):
        raise spdylay.InvalidStateError("the session cannot start")

    monkeypatch.setattr(_client._ClientProtocol, "started", fails)

    async def main():
        async with await aio.serve(echo, HOST, 0) as server:
            with pytest.raises(spdylay.InvalidStateError, match="cannot start"):
                await aio.connect(HOST, server.port)

    aio_run(main())


@pytest.mark.parametrize(
    "arguments,error",
    [
        ({"version": 99}, spdylay.UnsupportedVersionError),
        ({"max_concurrent_streams": 0}, ValueError),
        ({"max_concurrent_streams": 2**31}, ValueError),
        ({"request_body_limit": -5}, ValueError),
    ],
    ids=["version", "no-streams", "streams-past-31-bits", "negative-body-limit"],
)
def test_serve_refuses_bad_arguments(aio_run, arguments, error):
    async def main():
        with pytest.raises(error):
            await aio.serve(echo, HOST, 0, **arguments)

    aio_run(main())


def test_server_closes_a_tls_client_that_negotiates_no_spdy_quietly(aio_run, certificates, caplog):
    import gc
    import ssl

    async def main():
        context = server_context(certificates.cert_file, certificates.key_file)
        async with await aio.serve(echo, HOST, 0, ssl=context) as server:
            client = ssl.create_default_context(cafile=certificates.ca_file)
            client.set_alpn_protocols(["http/1.1"])
            reader, writer = await asyncio.open_connection(
                HOST, server.port, ssl=client, server_hostname="localhost"
            )
            assert await reader.read(1) == b""
            writer.close()
        gc.collect()

    with caplog.at_level(logging.ERROR):
        aio_run(main())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_tls_without_a_spdy_protocol_raises_negotiation_error(aio_run, certificates):
    async def main():
        context = server_context(certificates.cert_file, certificates.key_file)
        context.set_alpn_protocols(["http/1.1"])

        async def idle(reader, writer):
            await reader.read(1)
            writer.close()

        raw = await asyncio.start_server(idle, HOST, 0, ssl=context)
        port = raw.sockets[0].getsockname()[1]
        with pytest.raises(aio.NegotiationError):
            await aio.connect(
                HOST,
                port,
                server_hostname="localhost",
                ssl=client_context(cafile=certificates.ca_file),
            )
        raw.close()
        await raw.wait_closed()

    aio_run(main())


def test_headers_lookup():
    headers = aio.Headers([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-One", "1")])
    assert headers["SET-COOKIE"] == "a=1"
    assert headers.getall("set-cookie") == ["a=1", "b=2"]
    assert "x-one" in headers and "x-two" not in headers
    assert headers.get("x-two", "none") == "none"
    assert headers[2] == ("X-One", "1")
    assert len(headers) == 3
    assert headers == [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-One", "1")]
    with pytest.raises(KeyError):
        headers["x-two"]


# --- back-pressure -------------------------------------------------------------

# What the server may have produced of a response its client does not read:
# one stream window plus the read-ahead and a chunk (flow-controlled
# versions); for SPDY/2, which has no flow control, the client's receive
# buffer limit plus what the kernel's socket buffers hold on loopback.
BACKPRESSURE_BOUND = {
    spdylay.PROTO_SPDY2: 24 << 20,
    spdylay.PROTO_SPDY3: 256 << 10,
    spdylay.PROTO_SPDY3_1: 256 << 10,
}
BACKPRESSURE_BODY = 64 << 20


def test_slow_reader_keeps_server_memory_bounded(aio_run, version, capsys):
    chunk = b"m" * 65536
    produced = {"bytes": 0}

    async def huge():
        while produced["bytes"] < BACKPRESSURE_BODY:
            produced["bytes"] += len(chunk)
            yield chunk

    async def handler(request):
        return 200, [], huge()

    async def main():
        async with await aio.serve(handler, HOST, 0, version=version) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                resp = await conn.get("/huge")
                received = len(await resp.__anext__())
                # Give the server every chance to run ahead of the reader.
                for _ in range(50):
                    await asyncio.sleep(0.01)
                stalled_at = produced["bytes"]
                async for part in resp:
                    received += len(part)
                return stalled_at, received

    stalled_at, received = aio_run(main())
    assert stalled_at <= BACKPRESSURE_BOUND[version]
    assert produced["bytes"] == BACKPRESSURE_BODY
    assert received == BACKPRESSURE_BODY
    with capsys.disabled():
        print(
            "\n  server had produced %d KiB of a %d MiB body for a client "
            "that was not reading" % (stalled_at >> 10, BACKPRESSURE_BODY >> 20)
        )


def test_unread_request_body_holds_back_the_client_upload(aio_run, version):
    chunk = b"u" * 65536
    produced = {"bytes": 0}
    state = {}

    async def upload():
        while produced["bytes"] < BACKPRESSURE_BODY:
            produced["bytes"] += len(chunk)
            yield chunk

    async def handler(request):
        state["arrived"].set()
        await state["release"].wait()
        received = 0
        async for part in request:
            received += len(part)
        return 200, [], b"%d" % received

    async def main():
        state["arrived"] = asyncio.Event()
        state["release"] = asyncio.Event()
        async with await aio.serve(
            handler, HOST, 0, version=version, request_body_limit=BACKPRESSURE_BODY
        ) as server:
            async with await aio.connect(HOST, server.port, version=version) as conn:
                request = asyncio.ensure_future(conn.request("PUT", "/upload", body=upload()))
                await state["arrived"].wait()
                # Give the client every chance to run ahead of the handler.
                for _ in range(50):
                    await asyncio.sleep(0.01)
                stalled_at = produced["bytes"]
                state["release"].set()
                resp = await request
                return stalled_at, resp.status, await resp.read()

    stalled_at, status, body = aio_run(main())
    assert stalled_at <= BACKPRESSURE_BOUND[version]
    assert (status, body) == (200, b"%d" % BACKPRESSURE_BODY)


@pytest.mark.parametrize(
    "url, path", [("http://[not-an-address]/p?q", "/p?q"), ("http://[::1/", "/"), ("http://h", "/")]
)
def test_spdy2_push_url_is_taken_as_the_server_wrote_it(aio_run, url, path):
    """The path of a SPDY/2 push is what follows the URL's authority; an
    authority urlsplit would refuse fails nothing."""
    version = spdylay.PROTO_SPDY2
    push_nv = [("url", url), ("status", "200 OK"), ("version", "HTTP/1.1")]

    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/")
        peer.send(
            peer.enc.syn_stream(
                2, push_nv, assoc_stream_id=syn.stream_id, flags=spdywire.FLAG_UNIDIRECTIONAL
            )
        )
        peer.send(peer.enc.syn_reply(syn.stream_id, reply_nv(version), flags=spdywire.FLAG_FIN))
        peer.send(peer.enc.data(2, b"pushed", flags=spdywire.FLAG_FIN))
        resp = await request
        assert await resp.read() == b""
        (pushed,) = resp.pushed
        assert (pushed.url, pushed.path) == (url, path)
        assert await pushed.read() == b"pushed"
        # The connection goes on: the client answers the peer's PING.
        await peer.barrier(2)
        await close_all(conn, peer, server)

    aio_run(main())


@pytest.mark.parametrize(
    "url, words",
    [
        ("ftp://127.0.0.1/", "not an http:// or https:// URL"),
        ("http://[::1]x/", "bad URL 'http://[::1]x/'"),
        ("http://127.0.0.1:port/", "bad port in URL 'http://127.0.0.1:port/'"),
        ("http://:80/", "no host in URL"),
    ],
)
def test_get_refuses_a_bad_url_with_value_error_naming_it(aio_run, url, words):
    async def main():
        with pytest.raises(ValueError, match=re.escape(words)):
            await aio.get(url)

    aio_run(main())


def test_get_stops_a_body_past_its_limit(aio_run, version):
    sent = []

    async def endless():
        while True:
            sent.append(16384)
            yield b"x" * 16384

    async def handler(request):
        if request.path == "/endless":
            return 200, [], endless()
        return 200, [], b"y" * 100000

    async def main():
        server = await aio.serve(handler, "127.0.0.1", 0, version=version)
        async with server:
            base = "http://127.0.0.1:%d" % server.port
            with pytest.raises(aio.ResponseTooLargeError, match="over the limit of 50000 bytes"):
                await aio.get(base + "/endless", version=version, body_limit=50000, timeout=10)
            exact = await aio.get(base + "/fits", version=version, body_limit=100000)
            assert await exact.read() == b"y" * 100000
            unlimited = await aio.get(base + "/fits", version=version, body_limit=None)
            assert len(await unlimited.read()) == 100000
            with pytest.raises(aio.ResponseTooLargeError):
                await aio.get(base + "/fits", version=version, body_limit=99999)
            for bad in (-1, 1.5, True, "10"):
                with pytest.raises(ValueError, match="body_limit"):
                    await aio.get(base + "/fits", version=version, body_limit=bad)

    aio_run(main())
    # The stream was cancelled: the server stopped well before a megabyte.
    assert sum(sent) < 1024 * 1024


def test_get_body_limit_defaults_to_64_mib():
    assert aio.GET_BODY_LIMIT == 64 * 1024 * 1024
    assert inspect.signature(aio.get).parameters["body_limit"].default == aio.GET_BODY_LIMIT
