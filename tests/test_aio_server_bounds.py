"""What a client can make the spdylay.aio server hold: a connection whose
streams all wait on a silent client (a request body that never comes, a
response the client takes none of) is closed after idle_timeout, while
handlers and body sources busy with their own work are never timed out."""

import asyncio
import logging

import pytest
from socketpeer import HOST, SocketPeer, of_type, request_nv

import spdylay
import spdylay.aio as aio

import spdywire

FLOW_CONTROLLED = [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1]


async def goaway_and_end(peer):
    """The GOAWAY the server sends, once the end of the connection follows."""
    goaway = await peer.frame(of_type(spdywire.GOAWAY))
    with pytest.raises(EOFError):
        await peer.frame()
    return goaway


def test_a_request_whose_body_never_comes_is_closed_after_idle_timeout(aio_run, version):
    reads = []

    async def handler(request):
        reads.append(request.path)
        await request.read()
        return 200, [], b"never"

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version, idle_timeout=0.3)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        peer = SocketPeer(version, reader, writer)
        # No FIN: the handler waits for a body that never comes.
        peer.send(peer.enc.syn_stream(1, request_nv(version, "/upload")))
        goaway = await asyncio.wait_for(goaway_and_end(peer), 10)
        await peer.close()
        await server.close()
        return goaway

    goaway = aio_run(main())
    assert goaway.last_good_stream_id == 1
    assert reads == ["/upload"]


@pytest.mark.parametrize("version", FLOW_CONTROLLED, ids=["spdy3", "spdy3.1"])
def test_a_response_the_client_takes_none_of_is_closed_after_idle_timeout(aio_run, version):
    async def handler(request):
        return 200, [], b"x" * (1024 * 1024)

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version, idle_timeout=0.3)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        peer = SocketPeer(version, reader, writer)
        # A window of 0: no byte of the body can go out.
        peer.send(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 0)]))
        peer.send(peer.enc.syn_stream(1, request_nv(version, "/big"), flags=spdywire.FLAG_FIN))
        goaway = await asyncio.wait_for(goaway_and_end(peer), 10)
        await peer.close()
        await server.close()
        return goaway, peer.frames

    goaway, frames = aio_run(main())
    assert goaway.last_good_stream_id == 1
    assert not [f for f in frames if not f.control and f.payload]


async def fetch_with_idle_timeout(handler, version, idle_timeout):
    server = await aio.serve(handler, HOST, 0, version=version, idle_timeout=idle_timeout)
    try:
        async with await aio.connect(HOST, server.port, version=version) as conn:
            resp = await conn.get("/")
            return resp.status, await resp.read()
    finally:
        await server.close()


def test_a_handler_busy_past_idle_timeout_is_answered(aio_run, version):
    async def handler(request):
        await asyncio.sleep(1.0)
        return 200, [], b"late but answered"

    result = aio_run(asyncio.wait_for(fetch_with_idle_timeout(handler, version, 0.2), 20))
    assert result == (200, b"late but answered")


def test_a_body_source_busy_past_idle_timeout_is_sent_in_full(aio_run, version):
    async def slow_body():
        yield b"first, "
        await asyncio.sleep(1.0)
        yield b"then the rest"

    async def handler(request):
        return 200, [], slow_body()

    result = aio_run(asyncio.wait_for(fetch_with_idle_timeout(handler, version, 0.2), 20))
    assert result == (200, b"first, then the rest")


def test_a_burst_that_fails_the_session_ends_the_connection_without_logging(
    aio_run, version, caplog
):
    """1,200 SYN_STREAMs in one write: past max_concurrent_streams each is
    refused, and past what a session queues the session fails in that same
    read. The handlers started for the accepted streams cannot answer; the
    connection ends with GOAWAY, and nothing is logged as a handler
    failure."""
    seen = []

    async def handler(request):
        try:
            await request.respond(200, [], b"hello")
        except aio.ConnectionError as exc:
            seen.append(type(exc))
            raise

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        peer = SocketPeer(version, reader, writer)
        peer.send(
            b"".join(
                peer.enc.syn_stream(2 * i + 1, request_nv(version, "/"), flags=spdywire.FLAG_FIN)
                for i in range(1200)
            )
        )
        goaway = await asyncio.wait_for(goaway_and_end(peer), 10)
        await peer.close()
        await server.close()
        return goaway

    with caplog.at_level(logging.DEBUG, logger="spdylay.aio"):
        goaway = aio_run(main())
    assert goaway.status_code in (None, spdylay.GOAWAY_PROTOCOL_ERROR)
    assert seen and set(seen) == {aio.ConnectionLostError}
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
