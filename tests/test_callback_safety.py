"""Exceptions in callbacks, reentrant calls and threads never corrupt a
Session: exceptions propagate out of the send()/recv() that ran the callback,
and the session carries on."""

import gc
import sys
import threading
import traceback
import weakref

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    body_provider,
    control_frames,
    make_pair,
    pump,
)

import spdylay

import spdywire

REQUEST_BODY = b"q" * 5000
RESPONSE_BODY = b"r" * 9000


class Boom(Exception):
    """An application error of no particular spdylay type."""


def raising_once(wrapped=None):
    """A callback that runs ``wrapped`` (if any), then raises Boom on its
    first call only; ``callback.raised`` holds what it raised."""

    def callback(session, *args):
        callback.calls += 1
        result = wrapped(session, *args) if wrapped else None
        if not callback.raised:
            callback.raised.append(Boom("from callback"))
            raise callback.raised[0]
        return result

    callback.calls = 0
    callback.raised = []
    return callback


def respond(session, stream_id):
    session.submit_response(stream_id, RESPONSE_NV, body_provider(RESPONSE_BODY))


def pump_catching(pair):
    """Like helpers.pump, but collects Boom from send() and recv() and goes
    on: bytes already produced stay queued and go out on the next send()."""
    caught = []
    for _ in range(1000):
        moved = False
        for sender, receiver in ((pair.client, pair.server), (pair.server, pair.client)):
            try:
                sender.session.send()
            except Boom as exc:
                caught.append(exc)
                moved = True
            data = sender.take()
            if data:
                moved = True
                try:
                    receiver.session.recv(data)
                except Boom as exc:
                    caught.append(exc)
        if not moved:
            return caught
    raise AssertionError("sessions never settled")


def received_body(rec, stream_id):
    return b"".join(data for _, sid, data in rec.calls("on_data_chunk_recv_cb") if sid == stream_id)


EXCHANGE_CALLBACKS = [
    ("client", "before_ctrl_send_cb"),
    ("client", "on_ctrl_send_cb"),
    ("client", "on_data_send_cb"),
    ("client", "on_ctrl_recv_cb"),
    ("client", "on_data_chunk_recv_cb"),
    ("client", "on_data_recv_cb"),
    ("client", "on_stream_close_cb"),
    ("server", "on_ctrl_recv_cb"),
    ("server", "on_data_chunk_recv_cb"),
    ("server", "on_data_recv_cb"),
    ("server", "on_request_recv_cb"),
    ("server", "before_ctrl_send_cb"),
    ("server", "on_ctrl_send_cb"),
    ("server", "on_data_send_cb"),
    ("server", "on_stream_close_cb"),
]


@pytest.mark.parametrize(
    "side,name", EXCHANGE_CALLBACKS, ids=["%s-%s" % item for item in EXCHANGE_CALLBACKS]
)
def test_exception_propagates_and_exchange_completes(version, side, name):
    def record(session, *args):
        getattr(pair, side).rec.callback(name)(session, *args)
        if name == "on_request_recv_cb":
            respond(session, *args)

    callback = raising_once(record)
    kwargs = {"client": {}, "server": {"on_request_recv_cb": respond}}
    kwargs[side][name] = callback
    pair = make_pair(version, client_kwargs=kwargs["client"], server_kwargs=kwargs["server"])
    pair.client.session.submit_request(0, POST_NV, body_provider(REQUEST_BODY))
    caught = pump_catching(pair)

    assert caught == callback.raised and len(caught) == 1
    names = [frame.name for frame in traceback.extract_tb(caught[0].__traceback__)]
    assert "callback" in names
    assert received_body(pair.server.rec, 1) == REQUEST_BODY
    assert received_body(pair.client.rec, 1) == RESPONSE_BODY
    assert pair.client.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert pair.server.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]


def test_only_the_first_exception_propagates_and_every_event_is_delivered(version):
    seen = []

    def on_ctrl_recv_cb(session, frame):
        seen.append(frame.unique_id)
        raise Boom(frame.unique_id)

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_recv_cb=on_ctrl_recv_cb)
    with pytest.raises(Boom) as info:
        peer.feed(peer.enc.ping(2) + peer.enc.ping(4))
    assert info.value.args == (2,)
    assert seen == [2, 4]
    assert sorted(f.unique_id for f in control_frames(peer.sent(), spdylay.PING)) == [2, 4]


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit, spdylay.CallbackFailureError])
def test_any_exception_type_propagates(version, exc_type):
    def on_ctrl_recv_cb(session, frame):
        raise exc_type("stop")

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_recv_cb=on_ctrl_recv_cb)
    with pytest.raises(exc_type):
        peer.feed(peer.enc.ping(2))
    assert control_frames(peer.sent(), spdylay.PING)[0].unique_id == 2


def check_usable(peer):
    peer.session.submit_ping()
    assert len(control_frames(peer.sent(), spdylay.PING)) == 1


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 resets unknown streams with PROTOCOL_ERROR, not INVALID_STREAM"
)
def test_on_invalid_ctrl_recv_cb(version):
    callback = raising_once()
    peer = RawPeer(spdylay.CLIENT, version, on_invalid_ctrl_recv_cb=callback)
    with pytest.raises(Boom):
        peer.feed(peer.enc.syn_reply(1, RESPONSE_NV))
    (rst,) = control_frames(peer.sent(), spdylay.RST_STREAM)
    assert (rst.stream_id, rst.status_code) == (1, spdylay.INVALID_STREAM)
    check_usable(peer)


def test_on_ctrl_not_send_cb(version):
    callback = raising_once()
    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_not_send_cb=callback)
    peer.session.submit_headers(spdylay.CTRL_FLAG_NONE, 1, [("a", "b")])
    with pytest.raises(Boom):
        peer.session.send()
    assert callback.calls == 1
    check_usable(peer)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
def test_on_ctrl_recv_parse_error_cb(version):
    callback = raising_once()
    other_version = 3 if version == spdylay.PROTO_SPDY2 else 2
    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_recv_parse_error_cb=callback)
    with pytest.raises(Boom):
        peer.feed(peer.enc.control(spdylay.PING, b"\0\0\0\2", version=other_version))
    assert callback.calls == 1
    check_usable(peer)


def test_on_unknown_ctrl_recv_cb(version):
    callback = raising_once()
    peer = RawPeer(spdylay.CLIENT, version, on_unknown_ctrl_recv_cb=callback)
    with pytest.raises(Boom):
        peer.feed(peer.enc.control(0x7F, b"abc"))
    assert callback.calls == 1
    check_usable(peer)


def test_read_cb_exception_propagates_out_of_send(version):
    def read_cb(session, stream_id, length, read_ctrl, source):
        raise Boom("read")

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    with pytest.raises(Boom) as info:
        peer.session.send()
    assert "read_cb" in [f.name for f in traceback.extract_tb(info.value.__traceback__)]


def test_recv_cb_exception_propagates(version):
    def recv_cb(session, length):
        raise Boom("recv")

    session = spdylay.Session(spdylay.SERVER, version, recv_cb=recv_cb)
    with pytest.raises(Boom):
        session.recv()
    assert session.want_read()


def test_reentrant_send_and_recv_raise_a_clear_error(version):
    errors = []

    def on_ctrl_recv_cb(session, frame):
        for call in (session.send, lambda: session.recv(b""), session.recv):
            try:
                call()
            except spdylay.InvalidStateError as exc:
                errors.append(str(exc))

    peer = RawPeer(
        spdylay.CLIENT,
        version,
        on_ctrl_recv_cb=on_ctrl_recv_cb,
        recv_cb=lambda session, length: b"",
    )
    peer.feed(peer.enc.ping(2))
    assert len(errors) == 3
    assert all("callback" in message for message in errors)
    assert len(control_frames(peer.sent(), spdylay.PING)) == 1


def test_uncaught_reentrant_call_propagates(version):
    def on_ctrl_send_cb(session, frame):
        session.send()

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_send_cb=on_ctrl_send_cb)
    peer.session.submit_ping()
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.send()
    assert len(control_frames(peer.sent(), spdylay.PING)) == 1


def test_submit_from_callbacks_works(version):
    def on_ctrl_send_cb(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            session.submit_ping()
            session.submit_rst_stream(frame.stream_id, spdylay.CANCEL)

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_send_cb=on_ctrl_send_cb)
    peer.session.submit_request(0, REQUEST_NV)
    frames = peer.sent()
    assert [f.type for f in frames] == [spdylay.SYN_STREAM, spdylay.PING, spdylay.RST_STREAM]
    assert (frames[2].stream_id, frames[2].status_code) == (1, spdylay.CANCEL)


def test_two_threads_using_one_session(version):
    wire = []
    session = spdylay.Session(
        spdylay.CLIENT, version, send_cb=lambda s, data: wire.append(data) or len(data)
    )
    per_thread = 500
    failures = []

    def worker():
        try:
            for _ in range(per_thread):
                session.submit_ping()
                session.send()
                session.want_write()
                session.get_outbound_queue_size()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()
    assert failures == []
    pings = control_frames(spdywire.parse_all(version, b"".join(wire)), spdylay.PING)
    assert len({ping.unique_id for ping in pings}) == 2 * per_thread


def test_close_from_another_thread_while_in_use(version):
    enough = threading.Event()
    sent = []

    def send_cb(session, data):
        sent.append(data)
        if len(sent) >= 50:
            enough.set()
        return len(data)

    session = spdylay.Session(spdylay.CLIENT, version, send_cb=send_cb)
    outcome = []

    def worker():
        try:
            while True:
                session.submit_ping()
                session.send()
        except spdylay.InvalidStateError as exc:
            outcome.append(exc)
        finally:
            enough.set()  # whatever ended it, the test goes on and says so

    thread = threading.Thread(target=worker)
    thread.start()
    assert enough.wait(30)
    session.close()
    thread.join(30)
    assert not thread.is_alive()
    assert len(outcome) == 1 and "closed" in str(outcome[0])


# --- every line of every trampoline fails the call, never just prints ---------


class UnraisableRecorder:
    """Replaces sys.unraisablehook, where cffi reports an exception that
    escaped a callback ("Exception ignored from cffi callback")."""

    def __init__(self):
        self.seen = []

    def __enter__(self):
        self.saved = sys.unraisablehook
        sys.unraisablehook = lambda unraisable: self.seen.append(unraisable.exc_value)
        return self

    def __exit__(self, *exc_info):
        sys.unraisablehook = self.saved


def _spoil_flags_with_str(read_ctrl):
    read_ctrl.flags = "eof"


def _spoil_flags_with_float(read_ctrl):
    read_ctrl.flags = 1.0


def _delete_flags(read_ctrl):
    del read_ctrl.flags


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (_spoil_flags_with_str, spdylay.CallbackFailureError),
        (_spoil_flags_with_float, spdylay.CallbackFailureError),
        (_delete_flags, AttributeError),
    ],
)
def test_read_ctrl_flags_that_are_not_an_int_fail_send(version, spoil, expected):
    """The body must not go out empty while send() returns normally."""
    calls = []

    def read_cb(session, stream_id, length, read_ctrl, source):
        calls.append(stream_id)
        if len(calls) > 1:
            raise AssertionError("read again after the spoiled read_ctrl")
        spoil(read_ctrl)
        return b"body"

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    with UnraisableRecorder() as unraisable:
        with pytest.raises(expected):
            peer.session.send()
    assert unraisable.seen == []
    assert not peer.session.want_write()


def test_read_ctrl_flags_true_means_eof(version):
    def read_cb(session, stream_id, length, read_ctrl, source):
        read_ctrl.flags = True
        return b"body"

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    frames = peer.sent()
    assert [(f.data, f.flags) for f in frames if not f.control] == [
        (b"body", spdylay.DATA_FLAG_FIN)
    ]


def test_on_stream_close_cb_raising_still_releases_the_stream(version):
    """The exception comes out of recv(); what the stream kept is gone."""

    class Kept:
        pass

    kept = Kept()
    probe = weakref.ref(kept)

    def on_stream_close(session, stream_id, status_code):
        raise Boom("close")

    peer = RawPeer(spdylay.CLIENT, version, on_stream_close_cb=on_stream_close)
    peer.session.submit_request(0, REQUEST_NV, stream_user_data=kept)
    peer.sent()
    del kept
    with UnraisableRecorder() as unraisable:
        with pytest.raises(Boom):
            peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    gc.collect()
    assert probe() is None
    assert unraisable.seen == []


# --- what on_stream_close_cb attaches goes with the stream ----------------------


@pytest.mark.parametrize("attach", ["user data", "data provider", "both"])
def test_objects_attached_in_on_stream_close_are_released(version, attach):
    """set_stream_user_data() and submit_data() on a closing stream that had
    no user data kept the object until close(): 2,000 streams, none kept."""

    class Attached:
        pass

    probes = []

    def on_stream_close(session, stream_id, status_code):
        thing = Attached()
        probes.append(weakref.ref(thing))
        if attach in ("user data", "both"):
            session.set_stream_user_data(stream_id, thing)
            assert session.get_stream_user_data(stream_id) is thing
        if attach in ("data provider", "both"):
            session.submit_data(
                stream_id, spdylay.DATA_FLAG_FIN, spdylay.DataProvider(thing, lambda *args: b"")
            )

    pair = make_pair(
        version,
        client_kwargs={"on_stream_close_cb": on_stream_close},
        server_kwargs={"on_request_recv_cb": respond},
    )
    streams = 2000
    for _ in range(streams):
        pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    assert len(probes) == streams
    gc.collect()
    assert sum(probe() is not None for probe in probes) == 0
    pair.client.session.close()


# --- callbacks calling into each other's sessions from two threads -------------


@pytest.mark.parametrize("callback", ["on_ctrl_recv_cb", "send_cb"])
def test_sessions_calling_each_other_from_two_threads_do_not_deadlock(version, callback):
    """A's callback calls B.submit_ping() while B's calls A.submit_ping(),
    each in its own thread and both at once (a barrier makes sure of that):
    neither may wait for a lock the other holds."""
    both_inside = threading.Barrier(2, timeout=10)
    sessions = {}
    wires = {"a": bytearray(), "b": bytearray()}

    def make(name, other):
        first = []

        def call_the_other():
            if not first:
                first.append(True)
                both_inside.wait()
                sessions[other].submit_ping()

        def on_ctrl_recv(session, frame):
            if callback == "on_ctrl_recv_cb":
                call_the_other()

        def send_cb(session, data):
            if callback == "send_cb":
                call_the_other()
            wires[name] += data
            return len(data)

        return spdylay.Session(
            spdylay.SERVER, version, send_cb=send_cb, on_ctrl_recv_cb=on_ctrl_recv
        )

    sessions["a"], sessions["b"] = make("a", "b"), make("b", "a")
    for session in sessions.values():
        session.submit_ping()
    errors = []

    def run(name):
        try:
            session = sessions[name]
            if callback == "on_ctrl_recv_cb":
                session.recv(spdywire.Encoder(version).ping(1))
            else:
                session.send()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,), daemon=True) for name in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert [thread.is_alive() for thread in threads] == [False, False]
    assert errors == []
    # Each session now holds the PING the other submitted into it.
    for session in sessions.values():
        session.send()
    for name in sessions:
        pings = control_frames(spdywire.parse_all(version, bytes(wires[name])), spdylay.PING)
        assert len(pings) >= 2


@pytest.mark.parametrize("waiting_in", ["on_ctrl_recv_cb", "send_cb", "recv_cb"])
def test_another_thread_waits_for_the_running_io_instead_of_failing(version, waiting_in):
    """While one thread's recv() or send() runs a callback (without the
    lock), another thread may submit, and its send() or close() waits for
    the I/O to end, as before."""
    inside = threading.Event()
    release = threading.Event()
    order = []
    ping = spdywire.Encoder(version).ping(1)
    unread = [ping]

    def wait_inside():
        inside.set()
        release.wait(10)
        order.append("callback done")

    def on_ctrl_recv(session, frame):
        if waiting_in == "on_ctrl_recv_cb":
            wait_inside()

    def send_cb(session, data):
        if waiting_in == "send_cb":
            wait_inside()
        return len(data)

    def recv_cb(session, length):
        if waiting_in == "recv_cb" and unread:
            wait_inside()
        return unread.pop() if unread else None

    session = spdylay.Session(
        spdylay.SERVER, version, on_ctrl_recv_cb=on_ctrl_recv, send_cb=send_cb, recv_cb=recv_cb
    )
    if waiting_in == "send_cb":
        session.submit_ping()
        io = threading.Thread(target=session.send, daemon=True)
    else:
        args = () if waiting_in == "recv_cb" else (ping,)
        io = threading.Thread(target=session.recv, args=args, daemon=True)
    io.start()
    assert inside.wait(10)
    # Allowed meanwhile: it does not run I/O.
    submitter = threading.Thread(target=session.submit_ping, daemon=True)
    submitter.start()
    submitter.join(10)
    assert not submitter.is_alive()

    def closer():
        session.close()
        order.append("closed")

    closing = threading.Thread(target=closer, daemon=True)
    closing.start()
    closing.join(0.2)
    assert order == []
    release.set()
    io.join(10)
    closing.join(10)
    assert order == ["callback done", "closed"]


def test_close_from_the_callbacks_own_thread_is_still_refused(version):
    seen = []

    def on_ctrl_recv(session, frame):
        try:
            session.close()
        except spdylay.InvalidStateError as exc:
            seen.append(exc)

    session = spdylay.Session(spdylay.SERVER, version, on_ctrl_recv_cb=on_ctrl_recv)
    session.recv(spdywire.Encoder(version).ping(1))
    assert len(seen) == 1


@pytest.mark.parametrize("inside", ["send_cb", "recv_cb", "read_cb"])
def test_close_from_the_io_callbacks_is_refused_and_the_io_completes(version, inside):
    # send_cb and recv_cb run with the lock released inline, and read_cb's
    # answer is held beyond its frame: a close() there must not free any
    # of it under the running send() or recv().
    body = bytes(range(256)) * 80
    refused = []
    wire = bytearray()
    unread = [spdywire.Encoder(version).ping(2)]

    def try_close(session, where):
        if where == inside:
            with pytest.raises(spdylay.InvalidStateError):
                session.close()
            refused.append(where)

    def send_cb(session, data):
        try_close(session, "send_cb")
        wire.extend(data)
        return len(data)

    def recv_cb(session, length):
        try_close(session, "recv_cb")
        return unread.pop() if unread else None

    def read_cb(session, stream_id, length, read_ctrl, source):
        try_close(session, "read_cb")
        read_ctrl.flags = spdylay.READ_EOF
        return body

    session = spdylay.Session(spdylay.CLIENT, version, send_cb=send_cb, recv_cb=recv_cb)
    session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    session.send()
    session.recv()
    session.send()
    session.close()
    assert refused
    frames = spdywire.parse_all(version, bytes(wire))
    assert b"".join(f.data for f in frames if not f.control) == body
    assert [f.unique_id for f in control_frames(frames, spdylay.PING)] == [2]
