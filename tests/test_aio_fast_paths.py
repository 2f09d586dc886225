"""The fast paths of spdylay.aio and their edge cases: handlers started
eagerly (their first step runs as soon as the request is received, a Task
takes over only if they suspend), the client's stream IDs learned from
FrameIds without converting sent frames, small bodies sent without a body
reader, the window credit of closed streams given back in one update, and
the header pairs kept per connection and per status."""

import asyncio
import contextlib
import contextvars
import gc
import platform
import weakref

import pytest
from socketpeer import (
    HOST,
    SocketPeer,
    close_all,
    gets_to_raw_server,
    of_type,
    raw_server,
    reply_nv,
    request_nv,
    window_updates,
)

import spdylay
import spdylay.aio as aio

import spdywire

status_name = {spdylay.PROTO_SPDY2: "status"}


def status_of(version, reply):
    return reply.headers_dict()[status_name.get(version, ":status")]


async def served(handler, version, **kwargs):
    server = await aio.serve(handler, HOST, 0, version=version, **kwargs)
    conn = await aio.connect(HOST, server.port, version=version)
    return server, conn


# --- handlers started eagerly --------------------------------------------------


def test_handler_that_returns_at_once_answers_in_a_task_of_its_own(aio_run, version):
    seen = []

    async def handler(request):
        task = asyncio.current_task()
        seen.append((task is not None, task is asyncio.current_task()))
        return 200, [("x-path", request.path)], b"at once " + request.path.encode()

    async def main():
        server, conn = await served(handler, version)
        responses = await asyncio.gather(*[conn.get("/%d" % i) for i in range(20)])
        for index, resp in enumerate(responses):
            assert resp.headers["x-path"] == "/%d" % index
            assert await resp.read() == b"at once /%d" % index
        await conn.close()
        await server.close()

    aio_run(main())
    assert seen == [(True, True)] * 20


def test_handler_that_awaits_the_body_is_finished_by_a_task(aio_run, version):
    seen = []

    async def slow_upload():
        for part in (b"first ", b"second ", b"third"):
            await asyncio.sleep(0.01)
            yield part

    async def handler(request):
        before = asyncio.current_task()
        body = await request.read()
        seen.append(asyncio.current_task() is before)
        return 200, [], body.upper()

    async def main():
        server, conn = await served(handler, version)
        resp = await conn.request("POST", "/upload", body=slow_upload())
        assert await resp.read() == b"FIRST SECOND THIRD"
        await conn.close()
        await server.close()

    aio_run(main())
    # The Task that runs the rest is the one current in the first step.
    assert seen == [True]


def test_handler_suspending_on_a_bare_yield_resumes(aio_run, version):
    async def handler(request):
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return 200, [], b"after two yields"

    async def main():
        server, conn = await served(handler, version)
        assert await (await conn.get("/")).read() == b"after two yields"
        await conn.close()
        await server.close()

    aio_run(main())


def test_client_cancelling_cancels_the_suspended_handler_task(aio_run, version):
    state = {"cancelled": 0}

    async def handler(request):
        if request.path == "/stuck":
            state["started"].set()
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                state["cancelled"] += 1
                state["gone"].set()
                raise
        return 200, [], b"still serving"

    async def main():
        state["started"], state["gone"] = asyncio.Event(), asyncio.Event()
        server, conn = await served(handler, version)
        stuck = asyncio.ensure_future(conn.get("/stuck"))
        await state["started"].wait()
        stuck.cancel()
        await asyncio.wait_for(state["gone"].wait(), 10)
        assert await (await conn.get("/next")).read() == b"still serving"
        await conn.close()
        await server.close()

    aio_run(main())
    assert state["cancelled"] == 1


def test_context_set_in_the_first_step_lasts_and_stays_in_its_handler(aio_run, version):
    variable = contextvars.ContextVar("request_path", default="unset")
    seen = {}

    async def handler(request):
        seen.setdefault("at start", []).append(variable.get())
        variable.set(request.path)
        if request.path == "/waits":
            await asyncio.sleep(0.02)
        seen[request.path] = variable.get()
        return 200, [], b""

    async def main():
        server, conn = await served(handler, version)
        waiting = asyncio.ensure_future(conn.get("/waits"))
        await asyncio.sleep(0.005)
        await conn.get("/quick")
        await waiting
        await conn.close()
        await server.close()

    aio_run(main())
    assert seen["at start"] == ["unset", "unset"]
    assert (seen["/waits"], seen["/quick"]) == ("/waits", "/quick")


def test_server_close_from_a_handler_first_step(aio_run, version):
    state = {}

    async def handler(request):
        state["closing"] = asyncio.ensure_future(state["server"].close(timeout=30))
        await state["release"].wait()
        return 200, [], b"answered while closing"

    async def main():
        state["release"] = asyncio.Event()
        server, conn = await served(handler, version)
        state["server"] = server
        pending = asyncio.ensure_future(conn.get("/"))
        while not conn.going_away:
            await asyncio.sleep(0.01)
        state["release"].set()
        assert await (await pending).read() == b"answered while closing"
        await state["closing"]
        await asyncio.wait_for(conn.wait_closed(), 10)

    aio_run(main())


def test_server_close_cancels_a_handler_started_eagerly(aio_run, version):
    state = {"cancelled": 0}

    async def handler(request):
        state["started"].set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            state["cancelled"] += 1
            raise

    async def main():
        state["started"] = asyncio.Event()
        server, conn = await served(handler, version)
        pending = asyncio.ensure_future(conn.get("/"))
        await state["started"].wait()
        await server.close(timeout=0.1)
        with pytest.raises(aio.ConnectionLostError):
            await pending
        await conn.close()

    aio_run(main())
    assert state["cancelled"] == 1


def test_stream_reset_in_the_same_data_as_its_request_gets_no_handler(aio_run, version):
    called = []

    async def handler(request):
        called.append(request.path)
        return 200, [], b"served"

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        peer = SocketPeer(version, reader, writer)
        peer.send(
            peer.enc.syn_stream(1, request_nv(version, "/reset"), flags=spdywire.FLAG_FIN),
            peer.enc.rst_stream(1, spdylay.CANCEL),
            peer.enc.syn_stream(3, request_nv(version, "/kept"), flags=spdywire.FLAG_FIN),
        )
        reply = await peer.frame(of_type(spdywire.SYN_REPLY, 3))
        assert status_of(version, reply) == "200 OK"
        await peer.barrier(1)
        assert not [f for f in peer.frames if getattr(f, "stream_id", 0) == 1]
        await peer.close()
        await server.close()

    aio_run(main())
    assert called == ["/kept"]


def test_requests_arriving_together_all_start_in_order(aio_run, version):
    order = []

    async def handler(request):
        order.append(request.path)
        return 200, [], request.path.encode()

    async def main():
        server = await aio.serve(handler, HOST, 0, version=version)
        reader, writer = await asyncio.open_connection(HOST, server.port)
        peer = SocketPeer(version, reader, writer)
        peer.send(
            *[
                peer.enc.syn_stream(stream_id, request_nv(version, "/%d" % stream_id), flags=1)
                for stream_id in (1, 3, 5, 7)
            ]
        )
        for stream_id in (1, 3, 5, 7):
            data = await peer.frame(lambda f, s=stream_id: not f.control and f.stream_id == s)
            assert data.data == b"/%d" % stream_id
        await peer.close()
        await server.close()

    aio_run(main())
    assert order == ["/1", "/3", "/5", "/7"]


def test_a_loop_task_factory_makes_the_handler_tasks(aio_run, version):
    made = []

    def factory(loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    async def handler(request):
        assert asyncio.current_task() in made
        return 200, [], b"from the factory's task"

    async def main():
        asyncio.get_running_loop().set_task_factory(factory)
        server, conn = await served(handler, version)
        made.clear()
        assert await (await conn.get("/")).read() == b"from the factory's task"
        await conn.close()
        await server.close()

    aio_run(main())
    assert made


# --- the client's stream IDs ------------------------------------------------------


def test_each_response_reaches_its_request_with_some_streams_refused(aio_run, version):
    paths = ["/%d" % i for i in range(12)]

    async def main():
        server, conn, peer, requests, syns = await gets_to_raw_server(version, *paths)
        frames = []
        for syn in reversed(syns):
            path = dict(syn.nv)["url" if version == spdylay.PROTO_SPDY2 else ":path"]
            if int(path[1:]) % 3 == 0:
                frames.append(peer.enc.rst_stream(syn.stream_id, spdylay.REFUSED_STREAM))
            else:
                frames.append(peer.enc.syn_reply(syn.stream_id, reply_nv(version)))
                frames.append(peer.enc.data(syn.stream_id, path.encode(), flags=1))
        peer.send(*frames)
        for path, request in zip(paths, requests):
            if int(path[1:]) % 3 == 0:
                with pytest.raises(aio.StreamResetError) as info:
                    await request
                assert info.value.status_code == spdylay.REFUSED_STREAM
            else:
                assert await (await request).read() == path.encode()
        after = asyncio.ensure_future(conn.get("/after"))
        syn = await peer.frame(of_type(spdywire.SYN_STREAM))
        peer.send(
            peer.enc.syn_reply(syn.stream_id, reply_nv(version)),
            peer.enc.data(syn.stream_id, b"after", flags=1),
        )
        assert await (await after).read() == b"after"
        await close_all(conn, peer, server)

    aio_run(main())


# --- bodies ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_like_bodies_of_many_frames_arrive_whole(aio_run, version, kind):
    payload = bytes(i % 253 for i in range(300000))

    async def handler(request):
        body = await request.read()
        return 200, [], kind(body[::-1])

    async def main():
        server, conn = await served(handler, version)
        resp = await conn.request("POST", "/", body=kind(payload))
        assert await resp.read() == payload[::-1]
        await conn.close()
        await server.close()

    aio_run(main())


def test_bodies_read_after_their_streams_closed_reopen_the_connection_window(aio_run):
    version = spdylay.PROTO_SPDY3_1
    body = b"w" * 65536  # one stream window: the stream closes before it is read
    batch = 16

    async def main():
        server, port, accepted = await raw_server(version)
        conn = await aio.connect(HOST, port, version=version)
        peer = None
        window = 65536
        sent = 0
        ping_id = 0  # a server's PINGs have even IDs
        # 160 bodies of 64 KiB: 10 MiB, past the 8 MiB connection window the
        # client opens, so the server can go on only if reading the bodies
        # of closed streams gave the window back.
        for _ in range(10):
            requests = [asyncio.ensure_future(conn.get("/")) for _ in range(batch)]
            if peer is None:
                peer = await accepted
            syns = [await peer.frame(of_type(spdywire.SYN_STREAM)) for _ in range(batch)]
            while window + sum(window_updates(peer.frames, 0)) - sent < batch * len(body):
                ping_id += 2
                await asyncio.wait_for(peer.barrier(ping_id), 10)
            for syn in syns:
                peer.send(
                    peer.enc.syn_reply(syn.stream_id, reply_nv(version)),
                    peer.enc.data(syn.stream_id, body, flags=1),
                )
            sent += batch * len(body)
            ping_id += 2
            await peer.barrier(ping_id)
            for request in requests:
                assert await (await request).read() == body
        assert sent > 8 << 20
        await close_all(conn, peer, server)

    aio_run(main())


# --- finished requests freed by reference counting -----------------------------

on_cpython = pytest.mark.skipif(
    platform.python_implementation() != "CPython",
    reason="not for this build: only CPython frees objects by reference counting",
)


@contextlib.contextmanager
def cycle_collector_off():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@on_cpython
@pytest.mark.parametrize("suspends", [False, True], ids=["eager", "task"])
def test_finished_requests_are_freed_without_the_cycle_collector(aio_run, version, suspends):
    requests = []

    async def handler(request):
        requests.append(weakref.ref(request))
        if suspends:
            await asyncio.sleep(0)
        return 200, [], b"body of " + request.path.encode()

    async def main():
        server, conn = await served(handler, version)
        await (await conn.get("/warm-up")).read()
        responses = []
        with cycle_collector_off():
            for index in range(5):
                resp = await conn.get("/%d" % index)
                assert await resp.read() == b"body of /%d" % index
                responses.append(weakref.ref(resp))
                del resp
            # The handler tasks' done callbacks run in the next iteration.
            await asyncio.sleep(0)
            assert [ref() for ref in responses] == [None] * 5
            assert [ref() for ref in requests[1:]] == [None] * 5
        await conn.close()
        await server.close()

    aio_run(main())


@on_cpython
def test_a_timed_out_request_frees_both_ends(aio_run, version):
    requests = []
    state = {}

    async def handler(request):
        requests.append(weakref.ref(request))
        if request.path == "/slow":
            try:
                await asyncio.sleep(60)
            finally:
                state["gone"].set()
        return 200, [], b"fast"

    async def main():
        state["gone"] = asyncio.Event()
        server, conn = await served(handler, version)
        with cycle_collector_off():
            with pytest.raises(asyncio.TimeoutError):
                await conn.get("/slow", timeout=0.05)
            await state["gone"].wait()
            # The RST_STREAM's own close and the handler's done callback.
            assert await (await conn.get("/fast")).read() == b"fast"
            await asyncio.sleep(0)
            assert [ref() for ref in requests] == [None, None]
        await conn.close()
        await server.close()

    aio_run(main())


def test_a_response_read_after_its_stream_closed_keeps_everything(aio_run, version):
    async def handler(request):
        return 200, [("x-kind", "closed first")], b"kept " * 1000

    async def main():
        server, conn = await served(handler, version)
        first = await conn.get("/first")
        second = await conn.get("/second")
        # Both streams closed: their bodies came with their replies or
        # before the second reply.
        await conn.ping()
        for resp in (first, second):
            assert resp.status == 200 and resp.headers["x-kind"] == "closed first"
            assert b"".join([chunk async for chunk in resp]) == b"kept " * 1000
            assert await resp.read() == b""
            await resp.close()
        assert (first.stream_id, second.stream_id) == (1, 3)
        assert await (await conn.get("/third")).read() == b"kept " * 1000
        await conn.close()
        await server.close()

    aio_run(main())


def test_an_ipv6_host_is_bracketed_in_the_authority_requests_carry():
    """As in a URL: the tests reach only 127.0.0.1, so the connection's
    authority is read without connecting to ::1."""
    from spdylay.aio._client import Connection

    def authority(host):
        return dict(Connection(None, host, 8443, "http")._fixed_nv)[":host"]

    assert authority("::1") == "[::1]:8443"
    assert authority("127.0.0.1") == "127.0.0.1:8443"


# --- header lists built from pairs kept per connection and per status --------


def test_statuses_and_header_names_reach_the_client_as_given(aio_run, version):
    """Status pairs are kept per status HTTP names; any other status from
    100 to 999 is sent as its number, a status out of range or not an int
    answers 500; header names given in any case, in a list, a tuple or a
    generator, arrive lower-cased, and no headers at all is allowed."""
    cases = {
        "/named": (404, [("X-Mixed-Case", "a")]),
        "/unnamed": (299, (("x-tuple", "b"),)),
        "/generated": (201, (pair for pair in [("X-Gen", "c")])),
        "/none": (204, ()),
        "/out-of-range": (1000, ()),
        "/not-an-int": ("200", ()),
    }

    async def handler(request):
        status, headers = cases[request.path]
        return status, headers, b"body"

    async def main():
        server, conn = await served(handler, version)
        seen = {}
        for path in cases:
            resp = await conn.get(path)
            seen[path] = (resp.status, resp.reason, list(resp.headers), await resp.read())
        await conn.close()
        await server.close()
        return seen

    seen = aio_run(main())
    assert seen["/named"] == (404, "Not Found", [("x-mixed-case", "a")], b"body")
    assert seen["/unnamed"] == (299, "", [("x-tuple", "b")], b"body")
    assert seen["/generated"] == (201, "Created", [("x-gen", "c")], b"body")
    assert seen["/none"] == (204, "No Content", [], b"body")
    for path in ("/out-of-range", "/not-an-int"):
        assert seen[path][0] == 500


def test_requests_share_the_fixed_header_pairs_and_still_differ(aio_run, version):
    """Every request of a connection carries the same :version, :host and
    :scheme pairs, and its own method, path and headers: the packed header
    list the session keeps from the previous request is not reused for a
    request that differs from it."""
    seen = []

    async def handler(request):
        seen.append(
            (request.method, request.path, request.scheme, request.host, list(request.headers))
        )
        return 200, [], request.method.encode()

    async def main():
        server, conn = await served(handler, version)
        bodies = [
            await (await conn.get("/a")).read(),
            await (await conn.get("/a")).read(),
            await (await conn.request("POST", "/b", [("X-One", "1")], b"up")).read(),
            await (await conn.get("/a", [("x-two", "2")])).read(),
        ]
        host = "%s:%d" % (HOST, server.port)
        await conn.close()
        await server.close()
        return bodies, host

    bodies, host = aio_run(main())
    assert bodies == [b"GET", b"GET", b"POST", b"GET"]
    assert seen == [
        ("GET", "/a", "http", host, []),
        ("GET", "/a", "http", host, []),
        ("POST", "/b", "http", host, [("x-one", "1")]),
        ("GET", "/a", "http", host, [("x-two", "2")]),
    ]
