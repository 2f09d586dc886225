"""spdylay.aio's error paths, each provoked over a real socket: bad
arguments, failing bodies and handlers, GOAWAY with requests still queued, a
peer that sends garbage."""

import asyncio
import logging

import pytest
from socketpeer import close_all, gets_to_raw_server, of_type, raw_server, reply_nv, request_nv

import spdylay
import spdylay.aio as aio

import spdywire

HOST = "127.0.0.1"


def logged(caplog, aio_run, coro, exc_type):
    """Runs ``coro``; whether the spdylay.aio logger recorded an
    ``exc_type`` exception meanwhile."""
    with caplog.at_level(logging.ERROR, logger="spdylay.aio"):
        aio_run(coro)
    return any(
        r.name == "spdylay.aio" and r.exc_info and r.exc_info[0] is exc_type for r in caplog.records
    )


async def served(handler, version, **kwargs):
    server = await aio.serve(handler, HOST, 0, version=version, **kwargs)
    conn = await aio.connect(HOST, server.port, version=version)
    return server, conn


def test_bad_ssl_arguments_raise_type_error(aio_run):
    async def main():
        with pytest.raises(TypeError):
            await aio.connect(HOST, 1, ssl="yes")
        with pytest.raises(TypeError):
            await aio.serve(lambda request: None, HOST, 0, ssl=True)

    aio_run(main())


def test_bad_request_body_raises_type_error(aio_run, version):
    async def handler(request):
        return 200, [], b""

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            with pytest.raises(TypeError):
                await conn.request("POST", "/", body=12345)
            resp = await conn.get("/still-fine")
            assert resp.status == 200

    aio_run(main())


def test_text_file_or_str_chunks_as_body_fail_only_that_request(aio_run, version, tmp_path):
    text_file = tmp_path / "body.txt"
    text_file.write_text("not bytes")

    async def str_chunks():
        yield "not bytes either"

    async def handler(request):
        return 200, [], await request.read()

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            with open(text_file) as body:
                with pytest.raises(TypeError, match="binary mode"):
                    await conn.request("POST", "/", body=body)
            with pytest.raises(TypeError):
                await conn.request("POST", "/", body=str_chunks())
            resp = await conn.request("POST", "/", body=b"bytes")
            assert await resp.read() == b"bytes"

    aio_run(main())


def test_respond_errors_reach_the_handler(aio_run, version):
    seen = {}

    async def handler(request):
        with pytest.raises(ValueError):
            await request.respond(42)
        with pytest.raises(TypeError):
            await request.respond(200, [], object())
        await request.respond(200, [], b"first")
        with pytest.raises(spdylay.InvalidStateError):
            await request.respond(200, [], b"second")
        seen["checked"] = True

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            resp = await conn.get("/")
            assert await resp.read() == b"first"

    aio_run(main())
    assert seen["checked"]


def test_handler_returning_none_without_responding_gives_500(aio_run, version, caplog):
    async def handler(request):
        return None

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            resp = await conn.get("/forgot")
            assert resp.status == 500

    assert logged(caplog, aio_run, main(), spdylay.InvalidStateError)


def test_handler_failing_after_responding_resets_the_stream(aio_run, version, caplog):
    async def endless():
        while True:
            yield b"e" * 1000
            await asyncio.sleep(0.001)

    async def handler(request):
        await request.respond(200, [], endless())
        raise RuntimeError("failed after the response started")

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            # The reset may overtake the queued SYN_REPLY: either way the
            # stream ends in RST_STREAM INTERNAL_ERROR.
            with pytest.raises(aio.StreamResetError) as info:
                resp = await conn.get("/")
                await resp.read()
            assert info.value.status_code == spdylay.INTERNAL_ERROR

    assert logged(caplog, aio_run, main(), RuntimeError)


async def broken_generator():
    yield b"first part"
    raise RuntimeError("the source broke")


class BrokenFile:
    def read(self, size):
        raise OSError("disk gone")


@pytest.mark.parametrize(
    "make_body, error",
    [(broken_generator, RuntimeError), (BrokenFile, OSError)],
    ids=["async-generator", "file"],
)
def test_failing_response_body_resets_the_stream(aio_run, version, caplog, make_body, error):
    async def handler(request):
        return 200, [], make_body()

    async def main():
        server, conn = await served(handler, version)
        async with server, conn:
            for _ in range(2):
                resp = await conn.get("/")
                with pytest.raises(aio.StreamResetError) as info:
                    await resp.read()
                assert info.value.status_code == spdylay.INTERNAL_ERROR

    assert logged(caplog, aio_run, main(), error)


def test_failing_request_body_raises_in_the_request_and_resets(aio_run, version):
    async def broken_upload():
        yield b"part"
        await asyncio.sleep(0.05)
        raise RuntimeError("upload source broke")

    async def main():
        server, port, accepted = await raw_server(version)
        conn = await aio.connect(HOST, port, version=version)
        request = asyncio.ensure_future(conn.request("POST", "/", body=broken_upload()))
        peer = await accepted
        syn = await peer.frame(of_type(spdywire.SYN_STREAM))
        data = await peer.frame(lambda f: not f.control)
        assert (data.stream_id, data.data) == (syn.stream_id, b"part")
        with pytest.raises(RuntimeError, match="upload source broke"):
            await request
        rst = await peer.frame(of_type(spdywire.RST_STREAM))
        assert (rst.stream_id, rst.status_code) == (syn.stream_id, spdylay.INTERNAL_ERROR)
        await close_all(conn, peer, server)

    aio_run(main())


def test_goaway_fails_the_requests_still_queued(aio_run, version):
    release = {}
    started = []

    async def handler(request):
        started.append(request.path)
        await release["event"].wait()
        return 200, [], b"served"

    async def main():
        release["event"] = asyncio.Event()
        server, conn = await served(handler, version, max_concurrent_streams=1)
        # The PING's answer comes after the server's SETTINGS: from then on
        # the client holds back what the limit does not allow.
        await conn.ping()
        first = asyncio.ensure_future(conn.get("/1"))
        while not started:
            await asyncio.sleep(0.01)
        queued = [asyncio.ensure_future(conn.get("/%d" % i)) for i in (2, 3)]
        await asyncio.sleep(0.05)
        closing = asyncio.ensure_future(server.close(timeout=30))
        for request in queued:
            with pytest.raises(aio.GoawayError):
                await request
        release["event"].set()
        assert await (await first).read() == b"served"
        await closing
        await conn.close()

    aio_run(main())


def test_goaway_from_a_raw_server_refuses_the_streams_after_last_good(aio_run, version):
    async def main():
        server, conn, peer, (first, second), (syn_a, _) = await gets_to_raw_server(
            version, "/first", "/second"
        )
        peer.send(
            peer.enc.goaway(syn_a.stream_id),
            peer.enc.syn_reply(syn_a.stream_id, reply_nv(version), flags=spdywire.FLAG_FIN),
        )
        with pytest.raises(aio.GoawayError):
            await second
        resp = await first
        assert (resp.status, await resp.read()) == (200, b"")
        with pytest.raises(aio.GoawayError):
            await conn.get("/third")
        await close_all(conn, peer, server)

    aio_run(main())


def test_reset_by_the_server_raises_stream_reset_error(aio_run, version):
    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/refused")
        peer.send(peer.enc.rst_stream(syn.stream_id, spdylay.REFUSED_STREAM))
        with pytest.raises(aio.StreamResetError) as info:
            await request
        assert info.value.status_code == spdylay.REFUSED_STREAM
        await close_all(conn, peer, server)

    aio_run(main())


def test_response_headers_grown_past_the_limit_cancel_the_stream(aio_run, version):
    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/grown")
        peer.send(peer.enc.syn_reply(syn.stream_id, reply_nv(version)))
        response = await request
        # 5 frames of 8 KiB: past the 32 KiB a stream's headers may take, within
        # the core's own 64 KiB bound (which would reset the stream).
        for _ in range(5):
            peer.send(peer.enc.headers(syn.stream_id, [("x-filler", "f" * 8000)]))
        with pytest.raises(aio.StreamResetError) as info:
            await asyncio.wait_for(response.read(), 20)
        assert info.value.status_code == spdylay.CANCEL
        reset = await peer.frame(of_type(spdywire.RST_STREAM, syn.stream_id))
        assert reset.status_code == spdylay.CANCEL
        await close_all(conn, peer, server)

    aio_run(main())


def test_a_peer_sending_garbage_ends_the_connection(aio_run, version):
    async def main():
        server, conn, peer, (request,), _ = await gets_to_raw_server(version, "/")
        # A header block that does not inflate breaks the header
        # compression state of the whole connection.
        peer.send(peer.enc.syn_reply(1, [], block=b"\xff" * 32))
        with pytest.raises(aio.ConnectionLostError):
            await request
        await peer.frame(of_type(spdywire.GOAWAY))
        await peer.close()
        server.close()
        await server.wait_closed()

    aio_run(main())


def test_on_push_hook_failure_is_logged_and_push_still_listed(aio_run, version, caplog):
    async def handler(request):
        await request.push("/pushed", [], b"pushed body")
        return 200, [], b"page"

    def on_push(pushed):
        raise ValueError("hook broke")

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version)
        conn = await aio.connect(HOST, server.port, version=version, on_push=on_push)
        async with server, conn:
            resp = await conn.get("/")
            assert await resp.read() == b"page"
            assert [await p.read() for p in resp.pushed] == [b"pushed body"]

    assert logged(caplog, aio_run, main(), ValueError)


def test_serve_forever_cancelled_closes_the_server(aio_run, version):
    async def handler(request):
        return 200, [], b"ok"

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version)
        port = server.port
        task = asyncio.ensure_future(server.serve_forever())
        conn = await aio.connect(HOST, port, version=version)
        assert (await conn.get("/")).status == 200
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(conn.wait_closed(), 10)
        with pytest.raises(OSError):
            await aio.connect(HOST, port, version=version)

    aio_run(main())


def test_serve_forever_returns_once_the_server_is_closed(aio_run):
    async def handler(request):
        return 200, [], b"ok"

    async def main():
        server = await aio.serve(handler, HOST, 0)
        serving = asyncio.ensure_future(server.serve_forever())
        conn = await aio.connect(HOST, server.port)
        assert (await conn.get("/")).status == 200
        await server.close()
        await asyncio.wait_for(serving, 10)
        await asyncio.wait_for(conn.wait_closed(), 10)

    aio_run(main())


async def until(condition, timeout=10.0):
    """Waits, polling, until ``condition()`` holds; fails after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the condition never held"
        await asyncio.sleep(0.005)


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3], ids=["spdy2", "spdy3"]
)
def test_server_close_after_a_connection_failed_raises_nothing(aio_run, version):
    # The client never reads, so the server's writes back up and the GOAWAY
    # of its failed session is still queued when close() asks for another
    # (not on SPDY/3.1, whose connection window stops the server at 64 KiB,
    # which the socket takes).
    async def main():
        async def handler(request):
            return 200, [], b"x" * 65536

        server = await aio.serve(handler, HOST, 0, version=version)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        enc = spdywire.Encoder(version)
        for stream_id in range(1, 400, 2):
            writer.write(
                enc.syn_stream(stream_id, request_nv(version, "/"), flags=spdywire.FLAG_FIN)
            )
        await writer.drain()
        (proto,) = server._connections
        await until(lambda: proto.transport.get_write_buffer_size() > 0)
        # A header block that does not inflate fails the server's session.
        writer.write(enc.syn_stream(401, [], flags=spdywire.FLAG_FIN, block=b"\xff" * 32))
        await writer.drain()
        await until(lambda: not proto.session.want_read())
        assert proto.transport.get_write_buffer_size() > 0
        await asyncio.wait_for(server.close(timeout=1), 10)
        writer.close()

    aio_run(main())


@pytest.mark.parametrize(
    "server_version, client_version",
    [
        (spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3),
        (spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3_1),
        (spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY2),
        (spdylay.PROTO_SPDY3_1, spdylay.PROTO_SPDY2),
    ],
)
def test_plain_tcp_server_of_another_version_raises_negotiation_error(
    aio_run, server_version, client_version
):
    async def handler(request):
        return 200, [], b"never sent"

    async def main():
        server = await aio.serve(handler, HOST, 0, version=server_version)
        async with server:
            conn = await aio.connect(HOST, server.port, version=client_version)
            async with conn:
                with pytest.raises(aio.NegotiationError, match="speaks SPDY version"):
                    await asyncio.wait_for(conn.get("/"), 5)
                with pytest.raises(aio.NegotiationError):
                    await asyncio.wait_for(conn.get("/again"), 5)

    aio_run(main())
