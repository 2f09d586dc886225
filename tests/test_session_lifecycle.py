"""A Session's life: garbage collection frees it (its C session included),
close() and ``with`` free it at once, and a closed Session says so."""

import copy
import gc
import os
import pickle
import weakref

import pytest
from helpers import REQUEST_NV, RESPONSE_NV, body_provider, make_pair, pump

import spdylay


def collect():
    # PyPy may need more than one pass to run finalizers of dead cycles.
    for _ in range(3):
        gc.collect()


def test_dropped_session_is_collected(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    ref = weakref.ref(session)
    del session
    collect()
    assert ref() is None


def test_session_in_a_cycle_with_its_callbacks_is_collected(version):
    class Handler:
        def on_ctrl_recv_cb(self, session, frame):
            self.session.submit_ping()

    handler = Handler()
    handler.session = spdylay.Session(
        spdylay.CLIENT, version, on_ctrl_recv_cb=handler.on_ctrl_recv_cb, user_data=handler
    )
    ref = weakref.ref(handler.session)
    del handler
    collect()
    assert ref() is None


def test_session_with_open_streams_and_kept_objects_is_collected(version):
    class Source:
        pass

    def read_cb(session, stream_id, length, read_ctrl, source):
        return b"x" * length

    source = Source()
    source_ref = weakref.ref(source)
    # send_cb never takes anything, so the endless body keeps the stream
    # open, its provider and user data held by the session.
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=lambda s, data: 0)
    session.submit_request(
        0, REQUEST_NV, spdylay.DataProvider(source, read_cb), stream_user_data=session
    )
    del source
    session.send()
    ref = weakref.ref(session)
    del session
    collect()
    assert ref() is None
    assert source_ref() is None


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_collected_session_releases_its_c_session(version):
    # The C session belongs to a cdata whose destructor frees it: once that
    # cdata is gone, so is the libspdylay session.
    session = spdylay.Session(spdylay.CLIENT, version)
    ref = weakref.ref(session._ctx)
    del session
    collect()
    assert ref() is None


@pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="needs /proc to read the resident set size"
)
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="not for this build: AddressSanitizer keeps freed memory in quarantine",
)
def test_collected_sessions_free_their_c_memory():
    # Each libspdylay session holds two zlib streams (hundreds of KiB once
    # used): if dropped sessions leaked their C side, 1000 of them would add
    # hundreds of MiB.
    def one_exchange():
        pair = make_pair(spdylay.PROTO_SPDY3)
        pair.client.session.submit_request(0, REQUEST_NV)
        pump(pair)

    for _ in range(50):
        one_exchange()
    collect()
    before = resident_bytes()
    for round_number in range(1000):
        one_exchange()
        if round_number % 100 == 0:
            collect()
    collect()
    assert resident_bytes() - before < 64 * 1024 * 1024


def test_close_frees_now_and_is_idempotent(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    session.close()
    session.close()
    with pytest.raises(spdylay.InvalidStateError, match="closed"):
        session.want_read()


def test_close_releases_kept_objects(version):
    class UserData:
        pass

    user_data = UserData()
    ref = weakref.ref(user_data)
    session = spdylay.Session(spdylay.CLIENT, version)
    session.submit_request(0, REQUEST_NV, stream_user_data=user_data)
    del user_data
    session.close()
    collect()
    assert ref() is None


def test_context_manager_closes(version):
    with spdylay.Session(spdylay.SERVER, version) as session:
        assert isinstance(session, spdylay.Session)
        assert session.want_read()
    with pytest.raises(spdylay.InvalidStateError):
        session.want_read()


def test_context_manager_closes_on_error(version):
    with pytest.raises(KeyError):
        with spdylay.Session(spdylay.SERVER, version) as session:
            raise KeyError("boom")
    with pytest.raises(spdylay.InvalidStateError):
        session.submit_ping()


CALLS_AFTER_CLOSE = [
    ("send", ()),
    ("recv", (b"",)),
    ("recv", ()),
    ("resume_data", (1,)),
    ("want_read", ()),
    ("want_write", ()),
    ("get_stream_user_data", (1,)),
    ("set_stream_user_data", (1, None)),
    ("get_outbound_queue_size", ()),
    ("get_pri_lowest", ()),
    ("get_stream_recv_data_length", (1,)),
    ("get_recv_data_length", ()),
    ("consume", (1, 10)),
    ("fail_session", (spdylay.GOAWAY_OK,)),
    ("submit_request", (0, REQUEST_NV)),
    ("submit_response", (1, RESPONSE_NV)),
    ("submit_syn_stream", (spdylay.CTRL_FLAG_FIN, 0, 0, REQUEST_NV)),
    ("submit_syn_reply", (spdylay.CTRL_FLAG_FIN, 1, RESPONSE_NV)),
    ("submit_headers", (spdylay.CTRL_FLAG_NONE, 1, [("a", "b")])),
    ("submit_data", (1, spdylay.DATA_FLAG_FIN, body_provider(b"x"))),
    ("submit_rst_stream", (1, spdylay.CANCEL)),
    ("submit_ping", ()),
    ("submit_goaway", (spdylay.GOAWAY_OK,)),
    (
        "submit_settings",
        (spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10)]),
    ),
    ("submit_window_update", (1, 100)),
]


@pytest.mark.parametrize(
    "name,args", CALLS_AFTER_CLOSE, ids=[name for name, _ in CALLS_AFTER_CLOSE]
)
def test_every_method_of_a_closed_session_raises(name, args):
    session = spdylay.Session(
        spdylay.CLIENT,
        spdylay.PROTO_SPDY3,
        send_cb=lambda s, data: len(data),
        recv_cb=lambda s, length: b"",
    )
    session.close()
    with pytest.raises(spdylay.InvalidStateError, match="closed"):
        getattr(session, name)(*args)


def test_user_data_is_read_only(version):
    marker = object()
    session = spdylay.Session(spdylay.CLIENT, version, user_data=marker)
    assert session.user_data is marker
    with pytest.raises(AttributeError):
        session.user_data = None
    assert session.user_data is marker
    session.close()
    assert session.user_data is marker


def test_user_data_defaults_to_none(version):
    assert spdylay.Session(spdylay.CLIENT, version).user_data is None


def test_close_inside_a_callback_is_refused(version):
    refused = []

    def on_ctrl_send_cb(session, frame):
        with pytest.raises(spdylay.InvalidStateError):
            session.close()
        refused.append(frame.frame_type)

    pair = make_pair(version, client_kwargs={"on_ctrl_send_cb": on_ctrl_send_cb})
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    assert refused == [spdylay.SYN_STREAM]
    assert pair.server.rec.calls("on_request_recv_cb") == [(1,)]


def test_sessions_cannot_be_copied_or_pickled(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    for duplicate in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError):
            duplicate(session)
    session.close()
