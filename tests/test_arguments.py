"""Every invalid argument ends in a Python exception, never a crash; and the
argument forms the API accepts (str or bytes nv, NUL-separated values, both
submit_syn_stream forms, config) do what they say."""

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    body_provider,
    control_frames,
    make_pair,
    nv_on_wire,
    pairs,
    pump,
)

import spdylay

import spdywire

HUGE = [2**31, 2**32, 2**64, 10**30]
NEGATIVE = [-1, -(2**31), -(2**63)]


def client(version=spdylay.PROTO_SPDY3, **kwargs):
    return spdylay.Session(spdylay.CLIENT, version, **kwargs)


def open_stream(version):
    """A client RawPeer whose stream 1 is open (SYN_STREAM sent)."""
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, REQUEST_NV)
    peer.sent()
    return peer


# Priorities.


def test_lowest_priority_per_version():
    assert client(spdylay.PROTO_SPDY2).get_pri_lowest() == 3
    assert client(spdylay.PROTO_SPDY3).get_pri_lowest() == 7
    assert client(spdylay.PROTO_SPDY3_1).get_pri_lowest() == 7


@pytest.mark.parametrize("pri", [-1, 256, 2**64, 1.5, "1", None, b"\x01"])
def test_invalid_priority_any_version(version, pri):
    session = client(version)
    with pytest.raises(spdylay.InvalidArgumentError):
        session.submit_request(pri, REQUEST_NV)
    with pytest.raises(spdylay.InvalidArgumentError):
        session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, pri, REQUEST_NV)
    assert session.get_outbound_queue_size() == 0


def test_priority_above_lowest(version):
    session = client(version)
    lowest = session.get_pri_lowest()
    session.submit_request(lowest, REQUEST_NV)
    with pytest.raises(spdylay.InvalidArgumentError):
        session.submit_request(lowest + 1, REQUEST_NV)
    with pytest.raises(spdylay.InvalidArgumentError):
        session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, lowest + 1, REQUEST_NV)
    assert session.get_outbound_queue_size() == 1


# Name/value lists.

BAD_NV = [
    [("", "x")],
    [(b"", b"x")],
    [(None, "x")],
    [("x", None)],
    [("x", 1)],
    [(1, "x")],
    [("x",)],
    [("x", "y", "z")],
    ["xyz"],
    [None],
    [("x", "a\0\0b")],
    [("x", "\0a")],
    [("x", "a\0")],
    [("x\0y", "z")],
    None,
    42,
    [("x", "\udcff\ud800")],
    # Would unpack, into names and values nobody meant.
    {":method": "GET", ":path": "/"},
    ["ab", "cd"],
    [b"ab"],
    "ab",
    b"ab",
    [("x", "y"), "ab"],
    [bytearray(b"ab")],
]


def submitters(session):
    yield lambda nv: session.submit_request(0, nv)
    yield lambda nv: session.submit_response(1, nv)
    yield lambda nv: session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, nv)
    yield lambda nv: session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, nv=nv)
    yield lambda nv: session.submit_syn_reply(spdylay.CTRL_FLAG_NONE, 1, nv)
    yield lambda nv: session.submit_headers(spdylay.CTRL_FLAG_NONE, 1, nv)


@pytest.mark.parametrize("nv", BAD_NV, ids=repr)
def test_invalid_nv(version, nv):
    session = client(version)
    for submit in submitters(session):
        with pytest.raises(spdylay.InvalidArgumentError):
            submit(nv)
    assert session.get_outbound_queue_size() == 0


def test_str_and_bytes_nv_mixed_and_names_lower_cased(version):
    nv = [
        (":method", b"GET"),
        (b":scheme", "https"),
        (":path", "/"),
        (":version", "HTTP/1.1"),
        (":host", "example.org"),
        ("X-Custom", "caf\u00e9"),
        (b"Accept", bytearray(b"*/*")),
    ]
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, nv)
    (syn,) = control_frames(peer.sent(), spdylay.SYN_STREAM)
    expected = [
        (
            name.decode() if isinstance(name, bytes) else name,
            bytes(value).decode() if not isinstance(value, str) else value,
        )
        for name, value in nv
    ]
    assert sorted(syn.nv) == nv_on_wire(version, expected)


def test_nv_of_tuples_and_of_lists(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, tuple(list(pair) for pair in REQUEST_NV))
    (syn,) = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert sorted(syn.nv) == nv_on_wire(version, REQUEST_NV)


@pytest.mark.parametrize("extra", [26, 27, 200])
def test_long_nv_reaches_the_wire_whole(version, extra):
    # 2 * (5 + 26) + 2 strings fill the shim's stack array; more are
    # allocated.
    nv = REQUEST_NV + [("x-h%03d" % i, "v%d" % i) for i in range(extra)]
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, nv)
    (syn,) = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert sorted(syn.nv) == nv_on_wire(version, nv)


def test_value_with_nul_is_sent_as_several_values(version):
    pair = make_pair(version)
    pair.client.session.submit_request(
        0, REQUEST_NV + [("cookie", "a=1\0b=2"), ("accept", b"x\0y\0z")]
    )
    pump(pair)
    (syn,) = [args[0] for args in pair.server.rec.calls("on_ctrl_recv_cb")]
    received = pairs(syn.nv)
    assert [v for n, v in received if n == "cookie"] == ["a=1", "b=2"]
    assert [v for n, v in received if n == "accept"] == ["x", "y", "z"]
    (wire_syn,) = control_frames(spdywire.parse_all(version, pair.client.wire), spdylay.SYN_STREAM)
    assert dict(wire_syn.nv_raw)[b"cookie"] == b"a=1\0b=2"
    assert dict(wire_syn.nv_raw)[b"accept"] == b"x\0y\0z"


def test_received_nv_never_fails_to_decode(version):
    seen = []
    peer = RawPeer(
        spdylay.SERVER, version, on_ctrl_recv_cb=lambda session, frame: seen.append(frame)
    )
    request = [(name.encode(), value.encode()) for name, value in nv_on_wire(version, REQUEST_NV)]
    peer.feed(
        peer.enc.syn_stream(1, request + [(b"x-bin", b"\xff\xfe ok")], flags=spdylay.CTRL_FLAG_FIN)
    )
    (frame,) = seen
    value = dict(frame.nv)["x-bin"]
    assert value.encode("utf-8", "surrogateescape") == b"\xff\xfe ok"


class _ShimOutOfMemory:
    """The binding's ``lib``, except that the shim's pair builder fails as
    when CPython runs out of memory."""

    def pyspdylay_nv_into_pairs(self, nv, pairs):
        return -1

    def __getattr__(self, name):
        return getattr(spdylay._spdylay.lib, name)


@pytest.mark.parametrize(
    "builder", ["this interpreter's", "cffi's", "cffi's after the shim's failed"]
)
def test_received_nv_is_the_same_however_it_is_built(version, builder, monkeypatch):
    import spdylay._frames
    import spdylay._nv

    if builder == "cffi's":
        monkeypatch.setattr(spdylay._frames, "nv_from_c", spdylay._nv._nv_from_c_by_cffi)
    elif builder == "cffi's after the shim's failed":
        monkeypatch.setattr(spdylay._frames, "nv_from_c", spdylay._nv._nv_from_c_in_shim)
        monkeypatch.setattr(spdylay._nv, "lib", _ShimOutOfMemory())
    seen = []
    peer = RawPeer(
        spdylay.SERVER, version, on_ctrl_recv_cb=lambda session, frame: seen.append(frame)
    )
    extra = [(b"x-bin", b"\xff\xfe ok"), (b"x-empty", b""), (b"x-utf8", "caf\u00e9".encode())]
    request = [(name.encode(), value.encode()) for name, value in nv_on_wire(version, REQUEST_NV)]
    peer.feed(peer.enc.syn_stream(1, request + extra, flags=spdylay.CTRL_FLAG_FIN))
    (frame,) = seen
    # SPDY/2's names arrive in SPDY/3's spelling, as libspdylay 1.4 gives them.
    expected = list(REQUEST_NV) + [
        (name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
        for name, value in extra
    ]
    assert sorted(frame.nv) == sorted(expected)
    assert all(type(n) is str and type(v) is str for n, v in frame.nv)


# Integers that do not fit their C types.


@pytest.mark.parametrize("stream_id", HUGE + NEGATIVE)
def test_stream_ids_out_of_range(stream_id):
    session = client(send_cb=lambda s, data: len(data))
    calls = [
        lambda: session.submit_response(stream_id, RESPONSE_NV),
        lambda: session.submit_syn_reply(0, stream_id, RESPONSE_NV),
        lambda: session.submit_headers(0, stream_id, RESPONSE_NV),
        lambda: session.submit_data(stream_id, 0, spdylay.DataProvider(None, lambda *args: b"")),
        lambda: session.submit_rst_stream(stream_id, spdylay.CANCEL),
        lambda: session.submit_window_update(stream_id, 1),
        lambda: session.submit_syn_stream(0, stream_id, 0, REQUEST_NV),
        lambda: session.resume_data(stream_id),
        lambda: session.get_stream_user_data(stream_id),
        lambda: session.set_stream_user_data(stream_id, None),
        lambda: session.get_stream_recv_data_length(stream_id),
        lambda: session.consume(stream_id, 1),
    ]
    for call in calls:
        with pytest.raises(spdylay.InvalidArgumentError):
            call()
    assert session.get_outbound_queue_size() == 0


@pytest.mark.parametrize("value", ["1", 1.0, None, b"1", [1]])
def test_wrong_types_raise_type_error(value):
    session = client()
    calls = [
        lambda: session.submit_rst_stream(value, spdylay.CANCEL),
        lambda: session.submit_rst_stream(1, value),
        lambda: session.submit_goaway(value),
        lambda: session.fail_session(value),
        lambda: session.submit_syn_reply(value, 1, RESPONSE_NV),
        lambda: session.submit_headers(0, value, RESPONSE_NV),
        lambda: session.submit_window_update(1, value),
        lambda: session.submit_settings(value, []),
        lambda: session.get_stream_user_data(value),
        lambda: session.consume(1, value),
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("value", HUGE[1:] + NEGATIVE)
def test_status_codes_and_flags_out_of_range(value):
    session = client()
    for call in (
        lambda: session.submit_rst_stream(1, value),
        lambda: session.submit_goaway(value),
        lambda: session.fail_session(value),
        lambda: session.submit_syn_reply(value, 1, RESPONSE_NV),
        lambda: session.submit_headers(value, 1, RESPONSE_NV),
        lambda: session.submit_data(1, value, spdylay.DataProvider(None, lambda *args: b"")),
        lambda: session.submit_settings(value, []),
        lambda: session.consume(1, -1 if value > 0 else value),
    ):
        with pytest.raises(spdylay.InvalidArgumentError):
            call()


def test_data_prd_must_be_a_data_provider():
    session = client()
    for call in (
        lambda: session.submit_request(0, REQUEST_NV, b"body"),
        lambda: session.submit_response(1, RESPONSE_NV, b"body"),
        lambda: session.submit_data(1, 0, "body"),
    ):
        with pytest.raises(TypeError):
            call()
    assert session.get_outbound_queue_size() == 0


def test_recv_rejects_what_is_not_bytes_like():
    session = client()
    for data in ("text", 42, object(), [1, 2]):
        with pytest.raises(TypeError):
            session.recv(data)


# SETTINGS.


@pytest.mark.parametrize(
    "iv",
    [
        [
            (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10),
            (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 20),
        ],
        [(0, 0, 1)],
        [(spdylay.SETTINGS_MAX + 1, 0, 1)],
        [(2**31, 0, 1)],
        [(-1, 0, 1)],
        [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, 2**32)],
        [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, -1)],
        [(spdylay.SETTINGS_ROUND_TRIP_TIME, 256, 1)],
        [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0)],
        [(1, 2, 3, 4)],
        [7],
        None,
        3,
    ],
)
def test_invalid_settings(version, iv):
    session = client(version)
    with pytest.raises(spdylay.InvalidArgumentError):
        session.submit_settings(spdylay.FLAG_SETTINGS_NONE, iv)
    assert session.get_outbound_queue_size() == 0


def test_valid_settings_accepted(version):
    peer = RawPeer(spdylay.CLIENT, version)
    entries = [
        (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_NONE, 100),
        (spdylay.SETTINGS_ROUND_TRIP_TIME, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 2**31 - 1),
    ]
    peer.session.submit_settings(spdylay.FLAG_SETTINGS_NONE, iter(entries))
    (settings,) = control_frames(peer.sent(), spdylay.SETTINGS)
    assert sorted(settings.entries) == sorted(entries)


# WINDOW_UPDATE.


@pytest.mark.parametrize("delta", [0, -1, 2**31, 2**63, -(2**31)])
def test_window_delta_out_of_range(delta):
    peer = open_stream(spdylay.PROTO_SPDY3)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_window_update(1, delta)
    assert peer.session.get_outbound_queue_size() == 0


@pytest.mark.parametrize("version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1])
def test_window_update_limits(version):
    peer = open_stream(version)
    peer.session.submit_window_update(1, 1)
    peer.session.submit_window_update(1, 2**31 - 1 - 65536 - 1)
    frames = control_frames(peer.sent(), spdylay.WINDOW_UPDATE)
    assert [f.delta_window_size for f in frames] == [1, 2**31 - 1 - 65536 - 1]
    with pytest.raises(spdylay.StreamClosedError):
        peer.session.submit_window_update(3, 1)


# resume_data.


def test_resume_data_errors(version):
    peer = open_stream(version)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.resume_data(1)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.resume_data(99)


# Constructor.


@pytest.mark.parametrize("side", [0, 3, -1, 2**64, "client", None])
def test_invalid_side(side):
    with pytest.raises(spdylay.InvalidArgumentError):
        spdylay.Session(side, spdylay.PROTO_SPDY3)


@pytest.mark.parametrize("version", [0, 1, 5, 100, -3, 2**31, 2**80])
def test_unsupported_version(version):
    with pytest.raises(spdylay.UnsupportedVersionError):
        spdylay.Session(spdylay.CLIENT, version)


@pytest.mark.parametrize("version", ["3", 3.0, None])
def test_version_of_wrong_type(version):
    with pytest.raises(TypeError):
        spdylay.Session(spdylay.CLIENT, version)


@pytest.mark.parametrize(
    "name",
    [
        "send_cb",
        "recv_cb",
        "on_ctrl_recv_cb",
        "on_invalid_ctrl_recv_cb",
        "on_data_chunk_recv_cb",
        "on_data_recv_cb",
        "before_ctrl_send_cb",
        "on_ctrl_send_cb",
        "on_ctrl_not_send_cb",
        "on_data_send_cb",
        "on_stream_close_cb",
        "on_request_recv_cb",
        "on_ctrl_recv_parse_error_cb",
        "on_unknown_ctrl_recv_cb",
    ],
)
def test_callbacks_must_be_callable(name):
    with pytest.raises(TypeError, match=name):
        spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY3, **{name: "no"})


# submit_syn_stream's two forms.

SYN_STREAM_CALLS = {
    "documented positional": lambda s, nv: s.submit_syn_stream(
        spdylay.CTRL_FLAG_FIN, 0, 2, nv, "data"
    ),
    "documented keywords": lambda s, nv: s.submit_syn_stream(
        flags=spdylay.CTRL_FLAG_FIN, assoc_stream_id=0, pri=2, nv=nv, stream_user_data="data"
    ),
    "documented mixed": lambda s, nv: s.submit_syn_stream(
        spdylay.CTRL_FLAG_FIN, 0, pri=2, nv=nv, stream_user_data="data"
    ),
    "released positional": lambda s, nv: s.submit_syn_stream(
        spdylay.CTRL_FLAG_FIN, 2, nv, 0, "data"
    ),
    "released keywords": lambda s, nv: s.submit_syn_stream(
        spdylay.CTRL_FLAG_FIN, 2, nv, assoc_stream_id=0, stream_user_data="data"
    ),
    "released nv keyword": lambda s, nv: s.submit_syn_stream(
        spdylay.CTRL_FLAG_FIN, 2, nv=nv, stream_user_data="data"
    ),
}


@pytest.mark.parametrize("form", sorted(SYN_STREAM_CALLS))
def test_submit_syn_stream_forms(version, form):
    seen = []
    peer = RawPeer(
        spdylay.CLIENT,
        version,
        before_ctrl_send_cb=lambda s, f: seen.append(s.get_stream_user_data(f.stream_id)),
    )
    SYN_STREAM_CALLS[form](peer.session, REQUEST_NV)
    (syn,) = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert (syn.stream_id, syn.flags, syn.pri, syn.assoc_stream_id) == (
        1,
        spdylay.CTRL_FLAG_FIN,
        2,
        0,
    )
    assert sorted(syn.nv) == nv_on_wire(version, REQUEST_NV)
    assert seen == ["data"]


def test_released_form_takes_any_iterable_nv(version):
    """A third positional argument that is not an integer is the released
    form's nv, whatever iterable of pairs it is."""
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 0, iter(REQUEST_NV))
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 0, (pair for pair in REQUEST_NV))
    frames = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert [sorted(f.nv) for f in frames] == [nv_on_wire(version, REQUEST_NV)] * 2


@pytest.mark.bundled_core(reason="libspdylay 1.4 queues frames after fail_session")
def test_submit_after_fail_session_is_refused(version):
    """Nothing queued after the GOAWAY of fail_session() would ever be sent."""
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.fail_session(spdylay.GOAWAY_OK)
    session = peer.session
    calls = [
        lambda: session.submit_request(0, REQUEST_NV),
        lambda: session.submit_response(1, RESPONSE_NV),
        lambda: session.submit_response(1, RESPONSE_NV, body_provider(b"x")),
        lambda: session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 1, 0, REQUEST_NV),
        lambda: session.submit_syn_reply(spdylay.CTRL_FLAG_NONE, 1, RESPONSE_NV),
        lambda: session.submit_headers(spdylay.CTRL_FLAG_NONE, 1, [("x", "y")]),
        lambda: session.submit_data(1, spdylay.DATA_FLAG_FIN, body_provider(b"x")),
        lambda: session.submit_rst_stream(1, spdylay.CANCEL),
        lambda: session.submit_ping(),
        lambda: session.submit_goaway(spdylay.GOAWAY_OK),
        lambda: session.submit_settings(spdylay.FLAG_SETTINGS_NONE, []),
    ]
    if version != spdylay.PROTO_SPDY2:
        calls.append(lambda: session.submit_window_update(1, 100))
    for call in calls:
        with pytest.raises(spdylay.InvalidStateError):
            call()
    assert session.get_outbound_queue_size() == 1
    assert [f.type for f in peer.sent()] == [spdywire.GOAWAY]


@pytest.mark.bundled_core(reason="libspdylay 1.4 queues frames after a session error")
def test_submit_after_a_session_error_is_refused(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(0, nv_on_wire(version, REQUEST_NV)))
    assert not peer.session.want_read()
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.submit_ping()


def test_server_push_with_both_forms(version):
    peer = RawPeer(spdylay.SERVER, version)
    request = [(name.encode(), value.encode()) for name, value in nv_on_wire(version, REQUEST_NV)]
    peer.feed(peer.enc.syn_stream(1, request))
    push_nv = REQUEST_NV[:2] + [(":path", "/pushed")] + REQUEST_NV[3:]
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, 3, push_nv)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 3, push_nv, 1)
    pushes = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert [(f.stream_id, f.assoc_stream_id, f.pri) for f in pushes] == [(2, 1, 3), (4, 1, 3)]


def test_submit_syn_stream_missing_arguments():
    session = client()
    with pytest.raises(TypeError):
        session.submit_syn_stream(spdylay.CTRL_FLAG_NONE)
    with pytest.raises(TypeError):
        session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0)


# config.

BOUND_OPTIONS = (
    spdylay.OPT_MAX_HEADER_LIST_SIZE,
    spdylay.OPT_MAX_HEADER_LIST_COUNT,
    spdylay.OPT_MAX_AUTO_REPLIES,
    spdylay.OPT_MAX_SETTINGS_ENTRIES,
    spdylay.OPT_MAX_PEER_RESETS,
    spdylay.OPT_MAX_EMPTY_FRAMES,
    spdylay.OPT_MAX_SMALL_WINDOW_UPDATES,
    spdylay.OPT_MAX_INCOMING_STREAMS,
)


@pytest.mark.parametrize(
    "config",
    [
        {99: True},
        {"no_auto_window_update": True},
        {spdylay.OPT_NO_AUTO_WINDOW_UPDATE: "yes"},
        {spdylay.OPT_NO_AUTO_WINDOW_UPDATE2: None},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: -1},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 0},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 8191},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 2**32},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: "16"},
        {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: True},
        {spdylay.OPT_AUTO_REPLIES_STOP_READING: "yes"},
    ]
    + [{option: value} for option in BOUND_OPTIONS for value in (-1, 2**32, "16", True, 1.0)],
)
def test_invalid_config(config):
    with pytest.raises(spdylay.InvalidArgumentError):
        client(config=config)


@pytest.mark.bundled_core(reason="libspdylay 1.4 has no peer-limit options")
@pytest.mark.parametrize("option", BOUND_OPTIONS)
@pytest.mark.parametrize("value", [0, 1, 2**32 - 1])
def test_bound_options_take_any_uint32(option, value):
    client(config={option: value}).close()


def test_config_must_be_a_mapping():
    with pytest.raises(TypeError):
        client(config=[(spdylay.OPT_NO_AUTO_WINDOW_UPDATE, True)])


def test_no_auto_window_update_option():
    def window_updates(config):
        pair = make_pair(spdylay.PROTO_SPDY3, server_kwargs={"config": config})
        pair.client.session.submit_request(0, POST_NV, body_provider(b"b" * 40000))
        pump(pair)
        return control_frames(
            spdywire.parse_all(spdylay.PROTO_SPDY3, pair.server.wire), spdylay.WINDOW_UPDATE
        )

    assert window_updates(None) != []
    assert window_updates({spdylay.OPT_NO_AUTO_WINDOW_UPDATE: True}) == []


def test_max_recv_ctrl_frame_buffer_option(version):
    seen = []
    peer = RawPeer(
        spdylay.SERVER,
        version,
        config={spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 8192},
        on_ctrl_recv_cb=lambda s, frame: seen.append(frame),
    )
    request = [(name.encode(), value.encode()) for name, value in nv_on_wire(version, REQUEST_NV)]
    peer.feed(peer.enc.syn_stream(1, request + [(b"x-big", b"v" * 9000)]))
    assert seen == []
    peer.feed(peer.enc.syn_stream(3, request))
    assert [frame.stream_id for frame in seen] == [3]


# The seed's positional order.


def test_session_takes_the_seed_documents_positional_order(version):
    """Session(side, version, config, send_cb, recv_cb, on_ctrl_recv_cb,
    on_data_chunk_recv_cb, on_stream_close_cb, on_request_recv_cb,
    user_data), as python-spdylay's reference gives it: each callback
    given by position runs for its own event."""
    events = []
    wires = {spdylay.CLIENT: bytearray(), spdylay.SERVER: bytearray()}
    sessions = {}

    def endpoint(side):
        peer = spdylay.SERVER if side == spdylay.CLIENT else spdylay.CLIENT

        def send_cb(session, data):
            wires[peer].extend(data)
            return len(data)

        def recv_cb(session, length):
            data = bytes(wires[side][:length])
            del wires[side][:length]
            return data

        def on_ctrl_recv_cb(session, frame):
            events.append((session.user_data, "ctrl", frame.frame_type))

        def on_data_chunk_recv_cb(session, flags, stream_id, data):
            events.append((session.user_data, "chunk", stream_id, data))

        def on_stream_close_cb(session, stream_id, status_code):
            events.append((session.user_data, "close", stream_id, status_code))

        def on_request_recv_cb(session, stream_id):
            events.append((session.user_data, "request", stream_id))
            session.submit_response(stream_id, RESPONSE_NV, body_provider(b"positional"))

        sessions[side] = spdylay.Session(
            side,
            version,
            None,
            send_cb,
            recv_cb,
            on_ctrl_recv_cb,
            on_data_chunk_recv_cb,
            on_stream_close_cb,
            on_request_recv_cb,
            "client" if side == spdylay.CLIENT else "server",
        )

    endpoint(spdylay.CLIENT)
    endpoint(spdylay.SERVER)
    sessions[spdylay.CLIENT].submit_request(0, REQUEST_NV)
    for _ in range(10):
        for side in (spdylay.CLIENT, spdylay.SERVER):
            sessions[side].send()
            sessions[side].recv()
    assert ("server", "ctrl", spdylay.SYN_STREAM) in events
    assert ("server", "request", 1) in events
    assert ("client", "ctrl", spdylay.SYN_REPLY) in events
    assert ("client", "chunk", 1, b"positional") in events
    assert ("client", "close", 1, spdylay.OK) in events
    assert ("server", "close", 1, spdylay.OK) in events


def test_session_callbacks_beyond_the_seeds_are_keyword_only():
    with pytest.raises(TypeError):
        spdylay.Session(
            spdylay.CLIENT,
            spdylay.PROTO_SPDY3,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            print,
        )
