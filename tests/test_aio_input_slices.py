"""How the aio client takes in a burst of responses: a slice at a time, with
the tasks the first responses woke running before the rest is processed,
and nothing lost or reordered on the way (a burst bigger than one read,
one the peer follows by closing the connection)."""

import asyncio

from socketpeer import HOST, close_all, of_type, raw_server, reply_nv

import spdylay
import spdylay.aio as aio

import spdywire


def body_of(index, size):
    return (b"%05d|" % index * size)[:size]


async def answered_in_one_burst(version, count, size, then_close=False, foreign_frame_at=None):
    """``count`` GETs answered by a raw peer all at once, in one write, each
    with a body of ``size`` bytes (and, with ``foreign_frame_at``, a PING of
    another SPDY version before that response); returns, per request, its
    body and the loop iteration its task was woken in, or its exception."""
    loop = asyncio.get_running_loop()
    server, port, accepted = await raw_server(version)
    conn = await aio.connect(HOST, port, version=version)
    iteration = [0]

    def tick():
        iteration[0] += 1
        if ticking:
            loop.call_soon(tick)

    async def fetch(index):
        resp = await conn.get("/%d" % index)
        woken = iteration[0]
        return await resp.read(), woken

    requests = [asyncio.ensure_future(fetch(index)) for index in range(count)]
    peer = await accepted
    syns = [await peer.frame(of_type(spdywire.SYN_STREAM)) for _ in range(count)]
    # Stream IDs go up in the order the requests were made.
    syns.sort(key=lambda syn: syn.stream_id)
    burst = []
    for index, syn in enumerate(syns):
        if index == foreign_frame_at:
            burst.append(spdywire.Encoder(spdylay.PROTO_SPDY2).ping(1))
        burst.append(peer.enc.syn_reply(syn.stream_id, reply_nv(version)))
        burst.append(peer.enc.data(syn.stream_id, body_of(index, size), flags=spdywire.FLAG_FIN))
    ticking = True
    loop.call_soon(tick)
    peer.send(*burst)
    if then_close:
        await peer.close()
    try:
        results = await asyncio.gather(*requests, return_exceptions=True)
    finally:
        ticking = False
    if then_close:
        await conn.close()
        server.close()
        await server.wait_closed()
    else:
        await close_all(conn, peer, server)
    return results


async def burst_exchange(version, count, size, then_close=False):
    """``answered_in_one_burst``, every body checked; returns the loop
    iteration each request's task was woken in."""
    results = await answered_in_one_burst(version, count, size, then_close)
    assert [body for body, _ in results] == [body_of(index, size) for index in range(count)]
    return [woken for _, woken in results]


def test_tasks_woken_by_a_burst_s_first_responses_run_before_its_last_are_read(aio_run, version):
    # 100 responses of about 420 bytes: more than one slice, and less than
    # the TCP window, so the burst arrives in one read.  Processed whole,
    # it would wake every task in one loop iteration, and none could send
    # its next request until the whole burst had been processed.
    woken = aio_run(burst_exchange(version, 100, 400))
    assert woken == sorted(woken)
    assert woken[0] < woken[-1]


def test_a_burst_of_many_reads_arrives_whole_and_in_order(aio_run, version):
    # 1,000 responses, 600 KB: several reads, each behind what the slices
    # before it left for the next loop iteration.
    woken = aio_run(burst_exchange(version, 1000, 600))
    assert woken == sorted(woken)


def test_a_burst_the_peer_follows_by_closing_the_connection_arrives_whole(aio_run, version):
    # The connection's end comes after the responses still waiting their
    # turn: they are delivered first.
    aio_run(burst_exchange(version, 300, 500, then_close=True))


def test_responses_after_a_frame_that_ends_the_connection_are_not_delivered(aio_run):
    # A frame of another SPDY version ends the connection with
    # NegotiationError; the responses behind it, in the same burst, come
    # from a peer this end has given up on.
    results = aio_run(answered_in_one_burst(spdylay.PROTO_SPDY3_1, 100, 1000, foreign_frame_at=10))
    assert [body for body, _ in results[:10]] == [body_of(index, 1000) for index in range(10)]
    # Past the slice the frame came in, nothing was processed.
    assert all(isinstance(result, aio.NegotiationError) for result in results[40:])
