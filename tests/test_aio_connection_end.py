"""How a spdylay.aio client connection ends, against hand-driven peers: a
peer that reads nothing, a cancelled ping, a session that fails, GOAWAY, and
what calls made afterwards raise."""

import asyncio
import base64
import os

import pytest
from socketpeer import close_all, gets_to_raw_server, of_type, raw_server, reply_nv

import spdylay
import spdylay.aio as aio

import spdywire

# Random, so that header compression cannot shrink it: the SYN_STREAMs of
# 100 requests (as many as a session opens before the peer's SETTINGS)
# padded with it are far more than the socket buffers of a peer that reads
# nothing hold.
PAD = base64.b64encode(os.urandom(30000)).decode()
PADDED_REQUESTS = 100


async def client_facing_a_peer_that_reads_nothing(version):
    """A client whose writes are stalled: it has queued far more requests
    than the socket takes, and the peer stopped reading after the first
    SYN_STREAM.  (listener, client, peer, the request tasks)."""
    server, port, accepted = await raw_server(version, receive_buffer=4096)
    conn = await aio.connect("127.0.0.1", port, version=version)
    requests = [
        asyncio.ensure_future(conn.get("/", [("x-pad", PAD)])) for _ in range(PADDED_REQUESTS)
    ]
    peer = await accepted
    await peer.frame(of_type(spdywire.SYN_STREAM))
    peer.writer.transport.pause_reading()
    return server, conn, peer, requests


async def all_failed_with_connection_lost(requests):
    results = await asyncio.wait_for(asyncio.gather(*requests, return_exceptions=True), 10)
    assert all(isinstance(result, aio.ConnectionLostError) for result in results)


async def end(server, peer):
    await peer.close()
    server.close()
    await server.wait_closed()


def test_close_returns_when_the_peer_reads_nothing(aio_run, version):
    async def main():
        server, conn, peer, requests = await client_facing_a_peer_that_reads_nothing(version)
        await asyncio.wait_for(conn.close(), 10)
        assert conn.closed
        await all_failed_with_connection_lost(requests)
        await end(server, peer)

    aio_run(main())


def test_losing_the_connection_after_a_cancelled_ping_fails_everything(aio_run, version):
    async def main():
        server, conn, peer, requests = await client_facing_a_peer_that_reads_nothing(version)
        ping = asyncio.ensure_future(conn.ping())
        await asyncio.sleep(0)
        ping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await ping
        await peer.close()
        await asyncio.wait_for(conn.wait_closed(), 10)
        await all_failed_with_connection_lost(requests)
        server.close()
        await server.wait_closed()

    aio_run(main())


def test_pings_given_up_on_are_forgotten(aio_run, version):
    """Keepalive pings against a peer that never answers, each given up
    after a while, leave nothing behind."""

    async def main():
        server, conn, peer, requests, syns = await gets_to_raw_server(version)
        for _ in range(50):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(conn.ping(), 0.001)
        # The PINGs all went out: the peer has the last one.
        await peer.frame(lambda f: f.control and f.type == spdywire.PING and f.unique_id == 99)
        assert conn._proto._ping_started == {}
        peer.send(peer.enc.ping(99))
        ping = asyncio.ensure_future(conn.ping())
        echo = await peer.frame(of_type(spdywire.PING))
        peer.send(peer.enc.ping(echo.unique_id))
        assert await asyncio.wait_for(ping, 10) >= 0
        await close_all(conn, peer, server)

    aio_run(main())


def test_each_call_after_the_connection_is_lost_raises_a_new_error(aio_run, version):
    async def main():
        server, conn, peer, requests, syns = await gets_to_raw_server(version)
        await peer.close()
        await asyncio.wait_for(conn.wait_closed(), 10)
        errors = []
        for call in (lambda: conn.get("/"), lambda: conn.get("/"), conn.ping, conn.ping):
            with pytest.raises(aio.ConnectionLostError) as caught:
                await call()
            errors.append(caught.value)
        assert len({id(error) for error in errors}) == len(errors)
        assert len({str(error) for error in errors}) == 1
        for error in errors:
            depth, tb = 0, error.__traceback__
            while tb is not None:
                depth, tb = depth + 1, tb.tb_next
            assert depth <= 3
        server.close()
        await server.wait_closed()

    aio_run(main())


def test_a_request_after_the_session_failed_raises_connection_lost(aio_run):
    """A SPDY/3 client gets a connection-level WINDOW_UPDATE (a protocol
    error there) in the same read as a response: the task the response
    wakes runs before the connection has closed, and its next request fails
    with ConnectionLostError."""
    version = spdylay.PROTO_SPDY3

    async def main():
        server, conn, peer, (request,), (syn,) = await gets_to_raw_server(version, "/")
        peer.send(
            peer.enc.syn_reply(syn.stream_id, reply_nv(version), flags=spdywire.FLAG_FIN),
            peer.enc.window_update(0, 1000),
        )
        await request
        with pytest.raises(aio.ConnectionLostError):
            await conn.get("/again")
        await asyncio.wait_for(conn.wait_closed(), 10)
        await close_all(conn, peer, server)

    aio_run(main())


def test_after_goaway_and_the_connection_closing_requests_raise_goaway_error(aio_run, version):
    async def main():
        server, conn, peer, requests, syns = await gets_to_raw_server(version)
        peer.send(peer.enc.goaway(0))
        await peer.close()
        await asyncio.wait_for(conn.wait_closed(), 10)
        assert conn.going_away
        with pytest.raises(aio.GoawayError):
            await conn.get("/")
        server.close()
        await server.wait_closed()

    aio_run(main())


def test_get_timeout_bounds_a_body_that_stalls(aio_run, version):
    async def handler(request):
        async def body():
            yield b"part"
            await asyncio.Event().wait()

        return 200, [], body()

    async def main():
        async with await aio.serve(handler, "127.0.0.1", 0, version=version) as server:
            fetch = asyncio.ensure_future(
                aio.get("http://127.0.0.1:%d/" % server.port, version=version, timeout=0.5)
            )
            await asyncio.wait([fetch], timeout=20)
            assert fetch.done()
            with pytest.raises(asyncio.TimeoutError):
                fetch.result()
            await server.close(timeout=0.5)

    aio_run(main())
