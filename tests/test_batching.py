"""The binding's batched crossings: read_cb is asked for more than one DATA
frame and the rest is sliced into the following frames, and consecutive DATA
chunks of one stream reach on_data_chunk_recv_cb as one call.  Both must be
invisible on the wire and keep every callback in order."""

import gc
import os
import subprocess
import sys
import threading
import weakref

import pytest
from helpers import (
    POST_NV,
    RawPeer,
    Recorder,
    child_env,
    data_frames,
    nv_on_wire,
    python_command,
)

import spdylay

import spdywire

READ_LENGTH = 65536


class Source:
    """A body handed out in the sizes the test chooses."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.asked = []


def read_steps(session, stream_id, length, read_ctrl, source):
    """Returns the next step: bytes (READ_EOF after the last), or an
    exception to raise, or ERR_DEFERRED.  Bytes come back as a new
    bytearray, so that only the session holds what it has not sent yet."""
    source.asked.append(length)
    step = source.steps.pop(0)
    if isinstance(step, BaseException):
        raise step
    if step == spdylay.ERR_DEFERRED:
        return step
    if not source.steps:
        read_ctrl.flags = spdylay.READ_EOF
    return bytearray(step)


def uploading_client(version, source, **kwargs):
    peer = RawPeer(spdylay.CLIENT, version, **kwargs)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(source, read_steps))
    return peer


def body_of(frames, stream_id=1):
    return b"".join(f.data for f in data_frames(frames, stream_id))


def test_one_read_feeds_many_frames(version):
    body = bytes(range(256)) * 200  # 51,200 bytes: below every window
    source = Source(body)
    peer = uploading_client(version, source)
    frames = peer.sent()
    assert source.asked == [READ_LENGTH]
    data = data_frames(frames, 1)
    assert [f.length for f in data] == [4096] * 12 + [2048]
    assert [f.flags for f in data] == [0] * 12 + [spdywire.FLAG_FIN]
    assert body_of(frames) == body


def test_read_ahead_waits_out_a_closed_window():
    body = b"".join(bytes([i]) * 1000 for i in range(60))
    source = Source(body)
    peer = uploading_client(spdylay.PROTO_SPDY3, source)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 10000)]))
    first = peer.sent()
    assert sum(f.length for f in data_frames(first, 1)) == 10000
    assert not peer.session.want_write()
    # What the session holds for the stalled frames survives collections
    # and new allocations.
    for _ in range(3):
        gc.collect()
    garbage = [bytes([i]) * 50000 for i in range(20)]
    peer.feed(peer.enc.window_update(1, 60000))
    rest = peer.sent()
    del garbage
    assert source.asked == [READ_LENGTH]
    assert body_of(first) + body_of(rest) == body
    assert data_frames(rest, 1)[-1].flags == spdywire.FLAG_FIN


def test_partial_sends_keep_read_ahead_bytes_in_order(version):
    body = bytes(range(251)) * 120
    source = Source(body)
    taken = bytearray()

    def send_cb(session, data):
        piece = data[:1000]
        taken.extend(piece)
        return len(piece)

    peer = uploading_client(version, source, send_cb=send_cb)
    rounds = 0
    while peer.session.want_write():
        peer.session.send()
        rounds += 1
        assert rounds < 1000
    frames = spdywire.Decoder(version).feed(bytes(taken))
    assert body_of(frames) == body
    assert source.asked == [READ_LENGTH]


def test_deferral_comes_after_the_read_ahead_bytes(version):
    first, second = b"a" * 20000, b"b" * 5000
    source = Source(first, spdylay.ERR_DEFERRED, second)
    peer = uploading_client(version, source)
    frames = peer.sent()
    assert body_of(frames) == first
    assert data_frames(frames, 1)[-1].flags == 0
    assert source.asked == [READ_LENGTH, READ_LENGTH]
    assert not peer.session.want_write()
    peer.session.resume_data(1)
    frames = peer.sent()
    assert body_of(frames) == second
    assert data_frames(frames, 1)[-1].flags == spdywire.FLAG_FIN


def test_failure_after_read_ahead_bytes_fails_the_session(version):
    failure = spdylay.CallbackFailureError("the source broke")
    source = Source(b"c" * 20000, failure)
    peer = uploading_client(version, source)
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.session.send()
    assert info.value is failure
    assert not peer.session.want_write()


def test_temporal_failure_after_read_ahead_bytes_resets_the_stream(version):
    source = Source(b"d" * 20000, spdylay.TemporalCallbackFailureError("try later"))
    peer = uploading_client(version, source)
    frames = peer.sent()
    assert body_of(frames) == b"d" * 20000
    (rst,) = [f for f in frames if f.control and f.type == spdywire.RST_STREAM]
    assert (rst.stream_id, rst.status_code) == (1, spdylay.INTERNAL_ERROR)


def test_reset_stream_drops_its_read_ahead_bytes():
    body = b"e" * 60000
    source = Source(body)
    peer = uploading_client(spdylay.PROTO_SPDY3, source)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 5000)]))
    assert sum(f.length for f in data_frames(peer.sent(), 1)) == 5000
    provider_source = weakref.ref(source)
    del source
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    peer.feed(peer.enc.window_update(1, 60000))
    assert data_frames(peer.sent(), 1) == []
    for _ in range(3):
        gc.collect()
    assert provider_source() is None
    # The session goes on: a new stream reads from the start.
    second = Source(b"f" * 3000)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(second, read_steps))
    assert body_of(peer.sent(), 3) == b"f" * 3000
    assert second.asked == [READ_LENGTH]


class Held:
    """read_cb's answers as bytes objects the test keeps too, so that it can
    tell when the session lets go of them (CPython counts references)."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.given = []

    def read(self, session, stream_id, length, read_ctrl, source):
        body = self.bodies.pop(0)
        self.given.append(body)
        if not self.bodies:
            read_ctrl.flags = spdylay.READ_EOF
        return body


def stalled_upload(window, held):
    """A SPDY/3 client whose upload of ``held``'s bodies stalls after
    ``window`` bytes, the rest of the first read held for later frames."""
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, held.read))
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, window)]))
    return peer


# CI allows a skip only with a reason naming the build (.ci/check_skips.py).
needs_refcounts = pytest.mark.skipif(
    not hasattr(sys, "getrefcount"),
    reason="not for this build: only CPython borrows read_cb's bytes, and "
    "its reference counts tell when the session lets go",
)


@needs_refcounts
def test_read_ahead_bytes_are_let_go_once_sent():
    # The second read fits one frame: nothing new is held after it.
    first, second = bytes(range(256)) * 200, bytes(range(200)) * 5
    first_refs = sys.getrefcount(first)
    held = Held(first, second)
    peer = stalled_upload(5000, held)
    assert sum(f.length for f in data_frames(peer.sent(), 1)) == 5000
    peer.feed(peer.enc.window_update(1, 200000))
    frames = peer.sent()
    assert body_of(frames) == first[5000:] + second
    assert data_frames(frames, 1)[-1].flags == spdywire.FLAG_FIN
    del held.given[:]
    assert sys.getrefcount(first) == first_refs


@needs_refcounts
@pytest.mark.parametrize("end", ["rst_stream", "close", "drop"])
def test_read_ahead_bytes_are_let_go_when_the_stream_or_session_ends(end):
    body = b"g" * 60000
    refs = sys.getrefcount(body)
    held = Held(body)
    peer = stalled_upload(5000, held)
    assert sum(f.length for f in data_frames(peer.sent(), 1)) == 5000
    del held.given[:]
    assert sys.getrefcount(body) > refs
    if end == "rst_stream":
        peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
        peer.feed(peer.enc.window_update(1, 60000))
        assert data_frames(peer.sent(), 1) == []
    elif end == "close":
        peer.session.close()
    else:
        del peer
        for _ in range(3):
            gc.collect()
    assert sys.getrefcount(body) == refs


def test_read_ahead_bytes_of_two_streams_stay_apart(version):
    peer = RawPeer(spdylay.CLIENT, version)
    bodies = {1: bytes(range(256)) * 100, 3: bytes(range(255, -1, -1)) * 100}
    for stream_id in (1, 3):
        source = Source(bodies[stream_id])
        peer.session.submit_request(0, POST_NV, spdylay.DataProvider(source, read_steps))
    frames = peer.sent()
    assert body_of(frames, 1) == bodies[1]
    assert body_of(frames, 3) == bodies[3]


def receiving_server(version, **callbacks):
    """A server, its peer's streams 1 and 3 open, recording only the
    callbacks named (so that no on_data_recv_cb splits the chunks)."""
    rec = Recorder()
    kwargs = rec.kwargs(callbacks.pop("record", ("on_data_chunk_recv_cb", "on_stream_close_cb")))
    kwargs.update(callbacks)
    peer = RawPeer(spdylay.SERVER, version, record=False, **kwargs)
    for stream_id in (1, 3):
        peer.feed(peer.enc.syn_stream(stream_id, nv_on_wire(version, POST_NV)))
    peer.sent()
    rec.clear()
    return peer, rec


def test_consecutive_chunks_of_a_stream_arrive_as_one(version):
    peer, rec = receiving_server(version)
    enc = peer.enc
    peer.feed(enc.data(1, b"1" * 4096) + enc.data(1, b"2" * 4096) + enc.data(1, b"3" * 100))
    assert rec.calls("on_data_chunk_recv_cb") == [(0, 1, b"1" * 4096 + b"2" * 4096 + b"3" * 100)]


def test_chunks_split_where_the_stream_or_the_flags_change(version):
    peer, rec = receiving_server(version)
    enc = peer.enc
    peer.feed(
        enc.data(1, b"a" * 10)
        + enc.data(1, b"b" * 10)
        + enc.data(3, b"c" * 10)
        + enc.data(1, b"d" * 10)
        + enc.data(1, b"e" * 10, spdywire.FLAG_FIN)
    )
    assert rec.calls("on_data_chunk_recv_cb") == [
        (0, 1, b"a" * 10 + b"b" * 10),
        (0, 3, b"c" * 10),
        (0, 1, b"d" * 10),
        (spdylay.DATA_FLAG_FIN, 1, b"e" * 10),
    ]


def test_chunks_come_before_the_events_that_follow_them(version):
    peer, rec = receiving_server(
        version, record=("on_data_chunk_recv_cb", "on_stream_close_cb", "on_ctrl_recv_cb")
    )
    enc = peer.enc
    peer.feed(
        enc.data(1, b"a" * 10)
        + enc.ping(1)
        + enc.data(1, b"b" * 10)
        + enc.rst_stream(1, spdylay.CANCEL)
        + enc.data(3, b"c" * 10)
    )
    described = {
        "on_data_chunk_recv_cb": lambda flags, sid, data: ("chunk", sid),
        "on_ctrl_recv_cb": lambda frame: ("ctrl", frame.frame_type),
        "on_stream_close_cb": lambda sid, code: ("close", sid),
    }
    assert [described[name](*args) for name, args in rec.events] == [
        ("chunk", 1),
        ("ctrl", spdylay.PING),
        ("chunk", 1),
        ("ctrl", spdylay.RST_STREAM),
        ("close", 1),
        ("chunk", 3),
    ]


def test_with_on_data_recv_cb_every_frame_is_its_own_chunk(version):
    peer, rec = receiving_server(version, record=("on_data_chunk_recv_cb", "on_data_recv_cb"))
    enc = peer.enc
    peer.feed(enc.data(1, b"a" * 10) + enc.data(1, b"b" * 20))
    assert rec.events == [
        ("on_data_chunk_recv_cb", (0, 1, b"a" * 10)),
        ("on_data_recv_cb", (0, 1, 10)),
        ("on_data_chunk_recv_cb", (0, 1, b"b" * 20)),
        ("on_data_recv_cb", (0, 1, 20)),
    ]


def test_exception_in_a_batched_chunk_lets_the_rest_run(version):
    failure = ValueError("chunk")
    chunks = []

    def on_chunk(session, flags, stream_id, data):
        chunks.append((stream_id, data))
        if len(chunks) == 1:
            raise failure

    peer, rec = receiving_server(
        version, record=("on_stream_close_cb",), on_data_chunk_recv_cb=on_chunk
    )
    enc = peer.enc
    with pytest.raises(ValueError) as info:
        peer.feed(
            enc.data(1, b"a" * 5000)
            + enc.data(1, b"b" * 5000)
            + enc.data(3, b"c" * 10, spdywire.FLAG_FIN)
        )
    assert info.value is failure
    assert chunks == [(1, b"a" * 5000 + b"b" * 5000), (3, b"c" * 10)]
    peer.feed(enc.data(1, b"d" * 10))
    assert chunks[-1] == (1, b"d" * 10)


@pytest.mark.parametrize("through", ["recv_cb", "data"])
def test_the_last_chunk_of_a_recv_is_handed_over_under_the_same_rules(version, through):
    """The last chunk of a recv() reaches on_data_chunk_recv_cb from recv()
    itself, not through a callback from C: the session's lock is released
    around it, recv() cannot be entered from it, and what it raises comes
    out of recv() after the chunk, the session going on."""
    failure = ValueError("last chunk")
    seen = []

    def on_chunk(session, flags, stream_id, data):
        seen.append((flags, stream_id, data))
        other = threading.Thread(target=lambda: seen.append(session.want_read()))
        other.start()
        other.join(10)
        assert not other.is_alive()
        with pytest.raises(spdylay.InvalidStateError):
            session.recv(b"")
        if flags & spdylay.DATA_FLAG_FIN:
            raise failure

    pending = []
    peer, rec = receiving_server(
        version,
        record=(),
        on_data_chunk_recv_cb=on_chunk,
        recv_cb=lambda session, length: pending.pop(0) if pending else None,
    )

    def feed(wire):
        if through == "data":
            peer.feed(wire)
        else:
            pending.append(wire)
            peer.session.recv()

    enc = peer.enc
    with pytest.raises(ValueError) as info:
        feed(enc.data(3, b"p" * 6000) + enc.data(3, b"q" * 100, spdywire.FLAG_FIN))
    assert info.value is failure
    assert seen == [(0, 3, b"p" * 6000), True, (spdylay.DATA_FLAG_FIN, 3, b"q" * 100), True]
    feed(enc.data(1, b"r" * 10))
    assert seen[4:] == [(0, 1, b"r" * 10), True]


def test_a_chunk_split_across_recv_calls_is_delivered_per_call(version):
    peer, rec = receiving_server(version)
    wire = peer.enc.data(1, b"x" * 3000) + peer.enc.data(1, b"y" * 3000)
    peer.feed(wire[:2000])
    assert rec.calls("on_data_chunk_recv_cb") == [(0, 1, b"x" * 1992)]
    peer.feed(wire[2000:])
    assert rec.calls("on_data_chunk_recv_cb")[1:] == [(0, 1, b"x" * 1008 + b"y" * 3000)]


def test_user_data_set_in_a_batched_chunk_is_released_at_close(version):
    class State:
        pass

    seen = []

    def on_chunk(session, flags, stream_id, data):
        state = State()
        seen.append(weakref.ref(state))
        session.set_stream_user_data(stream_id, state)

    def on_close(session, stream_id, status_code):
        seen.append(session.get_stream_user_data(stream_id))

    peer, rec = receiving_server(
        version, record=(), on_data_chunk_recv_cb=on_chunk, on_stream_close_cb=on_close
    )
    peer.session.submit_response(1, [(":status", "200 OK"), (":version", "HTTP/1.1")])
    peer.sent()
    # The stream closes in the same recv() as its last chunk arrives.
    peer.feed(
        peer.enc.data(1, b"a" * 10)
        + peer.enc.data(1, b"b" * 10)
        + peer.enc.data(1, b"", spdywire.FLAG_FIN)
    )
    assert len(seen) == 2
    state_ref, closing_state = seen
    assert closing_state is state_ref()
    del closing_state, seen[:]
    for _ in range(3):
        gc.collect()
    assert state_ref() is None


@pytest.mark.parametrize("answer", ["bytearray", "memoryview"])
def test_a_buffer_read_cb_refills_for_every_stream_keeps_each_body_apart(version, answer):
    # A program may answer every read out of one buffer it refills (resized,
    # or read into): what the session holds of an answer beyond its frame
    # must not change when the buffer does, nor keep it from being resized.
    bodies = {1: bytes(range(256)) * 80, 3: bytes(range(255, -1, -1)) * 50}
    buffer = bytearray(READ_LENGTH)

    def read_cb(session, stream_id, length, read_ctrl, source):
        body = bodies[stream_id]
        read_ctrl.flags = spdylay.READ_EOF
        if answer == "bytearray":
            buffer[:] = body
            return buffer
        buffer[: len(body)] = body
        return memoryview(buffer)[: len(body)]

    peer = RawPeer(spdylay.CLIENT, version)
    for _ in bodies:
        peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    frames = peer.sent()
    streams = [f.stream_id for f in data_frames(frames)]
    # Both streams were read before either body was sent in full.
    assert streams.index(3) < len(streams) - 1 - streams[::-1].index(1)
    assert body_of(frames, 1) == bodies[1]
    assert body_of(frames, 3) == bodies[3]


def test_a_batched_chunk_is_bytes_of_its_own(version):
    """The chunk is a bytes object independent of the input: changing the
    input afterwards does not change what the callback got."""
    peer, rec = receiving_server(version)
    wire = bytearray(peer.enc.data(1, b"p" * 5000) + peer.enc.data(1, b"q" * 5000))
    peer.feed(wire)
    wire[:] = bytes(len(wire))
    [(flags, stream_id, data)] = rec.calls("on_data_chunk_recv_cb")
    assert type(data) is bytes
    assert data == b"p" * 5000 + b"q" * 5000


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_many_frames_of_one_stream_gather_from_any_bytes_like_input(version, kind):
    peer, rec = receiving_server(version)
    pieces = [bytes([65 + n % 26]) * (97 + n) for n in range(70)]
    wire = b"".join(peer.enc.data(1, piece) for piece in pieces)
    peer.feed(kind(wire))
    assert rec.calls("on_data_chunk_recv_cb") == [(0, 1, b"".join(pieces))]


def test_chunks_of_streams_interleaved_in_one_recv_stay_apart(version):
    peer, rec = receiving_server(version)
    enc = peer.enc
    wire = b""
    for n in range(20):
        wire += enc.data(1, b"a%d" % n) + enc.data(1, b"-") + enc.data(3, b"b%d" % n)
    peer.feed(wire)
    calls = rec.calls("on_data_chunk_recv_cb")
    assert calls == [call for n in range(20) for call in ((0, 1, b"a%d-" % n), (0, 3, b"b%d" % n))]


def test_a_chunk_callback_may_receive_on_another_session(version):
    """Each Session's chunks are its own when one receives inside the
    other's callback."""
    inner, inner_rec = receiving_server(version)
    inner_wire = inner.enc.data(3, b"i" * 3000) + inner.enc.data(3, b"j" * 3000)
    outer_chunks = []

    def on_chunk(session, flags, stream_id, data):
        outer_chunks.append(data)
        if len(outer_chunks) == 1:
            inner.feed(inner_wire)

    outer, _ = receiving_server(version, record=(), on_data_chunk_recv_cb=on_chunk)
    outer.feed(
        outer.enc.data(1, b"o" * 3000)
        + outer.enc.data(1, b"p" * 3000)
        + outer.enc.data(3, b"q" * 10)
    )
    assert outer_chunks == [b"o" * 3000 + b"p" * 3000, b"q" * 10]
    assert inner_rec.calls("on_data_chunk_recv_cb") == [(0, 3, b"i" * 3000 + b"j" * 3000)]


def test_sessions_gather_chunks_in_threads_at_once(version):
    import threading

    peers = [receiving_server(version) for _ in range(2)]
    wires = [
        b"".join(peer.enc.data(1, bytes([48 + n]) * 4096) for _ in range(16))
        for n, (peer, _) in enumerate(peers)
    ]
    failures = []

    def receive(peer, wire):
        try:
            for _ in range(50):
                peer.feed(wire)
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=receive, args=(peer, wire)) for (peer, _), wire in zip(peers, wires)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    for n, (_, rec) in enumerate(peers):
        assert rec.calls("on_data_chunk_recv_cb") == [(0, 1, bytes([48 + n]) * 65536)] * 50


# Without memory for a gathered chunk's bytes object, the chunk's frames
# cross one by one, none lost.  The child limits its address space so that
# only the 16 MiB object does not fit.
NO_MEMORY_FOR_THE_CHUNK = """
import os, resource, sys
sys.path.insert(0, sys.argv[1])
import spdylay, spdywire
from helpers import POST_NV, nv_on_wire
enc = spdywire.Encoder(spdylay.PROTO_SPDY2)
frames = 4096
wire = b"".join(enc.data(1, bytes([n % 251]) * 4096) for n in range(frames))
seen = []
def on_chunk(session, flags, stream_id, data):
    n = len(seen)
    seen.append(len(data) == 4096 and data == bytes([n % 251]) * 4096)
session = spdylay.Session(spdylay.SERVER, spdylay.PROTO_SPDY2,
                          on_data_chunk_recv_cb=on_chunk)
session.recv(enc.syn_stream(1, nv_on_wire(spdylay.PROTO_SPDY2, POST_NV)))
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
limit = size + 8 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
session.recv(wire)
print(len(seen), all(seen))
"""


@pytest.mark.skipif(
    sys.implementation.name != "cpython",
    reason="not for this build: only CPython builds the chunk's object",
)
@pytest.mark.skipif(
    "asan" in os.environ.get("LD_PRELOAD", ""),
    reason="not for this build: AddressSanitizer's reserved address space "
    "leaves no room for a limit",
)
def test_without_memory_for_a_chunk_its_frames_cross_one_by_one():
    tests = os.path.dirname(os.path.abspath(__file__))
    result = subprocess.run(
        python_command(NO_MEMORY_FOR_THE_CHUNK, tests),
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["4096", "True"]
