"""Every submit method checks its arguments in Python, before any C call.

libspdylay 1.4 aborts the whole process with a C assertion for some bad
arguments (a negative SETTINGS ID, for one), so the binding may not rely on
the C library to refuse them: whatever the core, a bad argument raises
InvalidArgumentError (found in Python: no error_code), nothing is queued, and
no spdylay_submit_* function runs.
"""

import pytest
from helpers import (
    REQUEST_NV,
    RESPONSE_NV,
    VERSION_IDS,
    VERSIONS,
    RawPeer,
    body_provider,
    nv_on_wire,
)
from spdylay._spdylay import lib

import spdylay
from spdylay import _session


class NoSubmitLib:
    """The C library, except that calling a spdylay_submit_* function or
    spdylay_session_fail_session fails the test."""

    def __getattr__(self, name):
        if name.startswith("spdylay_submit_") or name == "spdylay_session_fail_session":

            def refuse(*args):
                raise AssertionError("%s was called with a bad argument" % name)

            return refuse
        return getattr(lib, name)


@pytest.fixture
def no_submit(monkeypatch):
    monkeypatch.setattr(_session, "lib", NoSubmitLib())


def server_with_stream(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.sent()
    return peer


BAD_SETTINGS = {
    "negative-id": [(-1, 0, 1)],
    "id-zero": [(0, 0, 1)],
    "id-past-max": [(spdylay.SETTINGS_MAX + 1, 0, 1)],
    "huge-id": [(1 << 40, 0, 1)],
    "duplicate-id": [
        (spdylay.SETTINGS_ROUND_TRIP_TIME, 0, 1),
        (spdylay.SETTINGS_ROUND_TRIP_TIME, 0, 2),
    ],
    "unknown-id-flag": [(spdylay.SETTINGS_ROUND_TRIP_TIME, 4, 1)],
    "id-flags-past-uint8": [(spdylay.SETTINGS_ROUND_TRIP_TIME, 256, 1)],
    "value-past-int32": [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, 1 << 31)],
    "negative-value": [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, -1)],
    "short-entry": [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0)],
    "not-a-sequence": 7,
}


@pytest.mark.parametrize("kind", sorted(BAD_SETTINGS))
def test_bad_settings_never_reach_c(version, no_submit, kind):
    peer = RawPeer(spdylay.CLIENT, version)
    with pytest.raises(spdylay.InvalidArgumentError) as info:
        peer.session.submit_settings(spdylay.FLAG_SETTINGS_NONE, BAD_SETTINGS[kind])
    assert info.value.error_code is None
    assert peer.session.get_outbound_queue_size() == 0


@pytest.mark.parametrize("flags", [2, 0x80, 256, -1])
def test_bad_settings_frame_flags(version, no_submit, flags):
    peer = RawPeer(spdylay.CLIENT, version)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_settings(flags, [])


def test_every_valid_settings_id_is_accepted(version):
    peer = RawPeer(spdylay.CLIENT, version)
    entries = [
        (settings_id, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, settings_id * 10)
        for settings_id in range(1, spdylay.SETTINGS_MAX + 1)
    ]
    peer.session.submit_settings(spdylay.FLAG_SETTINGS_CLEAR_SETTINGS, entries)
    (frame,) = peer.sent()
    assert frame.flags == spdylay.FLAG_SETTINGS_CLEAR_SETTINGS
    assert sorted(frame.entries) == entries


def bad_calls(version):
    """(name, call) pairs, each with one bad argument, for a server with
    stream 1 open."""
    lowest = 3 if version == spdylay.PROTO_SPDY2 else 7
    fin, uni = spdylay.CTRL_FLAG_FIN, spdylay.CTRL_FLAG_UNIDIRECTIONAL
    provider = body_provider(b"body")
    calls = [
        ("request-pri-past-lowest", lambda s: s.submit_request(lowest + 1, REQUEST_NV)),
        ("request-negative-pri", lambda s: s.submit_request(-1, REQUEST_NV)),
        (
            "syn-stream-pri-past-lowest",
            lambda s: s.submit_syn_stream(uni, 1, lowest + 1, REQUEST_NV),
        ),
        ("syn-stream-unknown-flag", lambda s: s.submit_syn_stream(0x04, 1, 0, REQUEST_NV)),
        ("syn-stream-negative-assoc", lambda s: s.submit_syn_stream(uni, -1, 0, REQUEST_NV)),
        ("response-stream-zero", lambda s: s.submit_response(0, RESPONSE_NV)),
        ("response-negative-stream", lambda s: s.submit_response(-1, RESPONSE_NV, provider)),
        ("syn-reply-unidirectional-flag", lambda s: s.submit_syn_reply(uni, 1, RESPONSE_NV)),
        ("syn-reply-stream-zero", lambda s: s.submit_syn_reply(fin, 0, RESPONSE_NV)),
        ("headers-unknown-flag", lambda s: s.submit_headers(0x10, 1, [("x-a", "1")])),
        ("headers-stream-past-int31", lambda s: s.submit_headers(fin, 1 << 31, [("x", "1")])),
        ("data-unknown-flag", lambda s: s.submit_data(1, 0x02, provider)),
        ("data-stream-zero", lambda s: s.submit_data(0, spdylay.DATA_FLAG_FIN, provider)),
        ("rst-stream-zero", lambda s: s.submit_rst_stream(0, spdylay.CANCEL)),
        ("rst-negative-status", lambda s: s.submit_rst_stream(1, -1)),
        ("rst-status-past-uint32", lambda s: s.submit_rst_stream(1, 1 << 32)),
        ("goaway-negative-status", lambda s: s.submit_goaway(-1)),
        ("fail-session-status-past-uint32", lambda s: s.fail_session(1 << 32)),
        ("window-update-zero-delta", lambda s: s.submit_window_update(1, 0)),
        ("window-update-delta-past-int31", lambda s: s.submit_window_update(1, 1 << 31)),
        ("window-update-negative-stream", lambda s: s.submit_window_update(-1, 100)),
    ]
    if version == spdylay.PROTO_SPDY2:
        calls.append(("window-update-in-spdy2", lambda s: s.submit_window_update(1, 100)))
    if version == spdylay.PROTO_SPDY3:
        calls.append(
            ("window-update-connection-in-spdy3", lambda s: s.submit_window_update(0, 100))
        )
    return calls


BAD_CALLS = [(version, name) for version in VERSIONS for name, _ in bad_calls(version)]


@pytest.mark.parametrize(
    "version,name", BAD_CALLS, ids=["%s-%s" % (VERSION_IDS[v], name) for v, name in BAD_CALLS]
)
def test_bad_submit_arguments_never_reach_c(no_submit, version, name):
    peer = server_with_stream(version)
    with pytest.raises(spdylay.InvalidArgumentError) as info:
        dict(bad_calls(version))[name](peer.session)
    assert info.value.error_code is None
    assert peer.session.get_outbound_queue_size() == 0


def test_connection_window_update_in_spdy31_is_accepted():
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3_1)
    peer.session.submit_window_update(0, 1000)
    (frame,) = peer.sent()
    assert (frame.stream_id, frame.delta_window_size) == (0, 1000)


@pytest.mark.parametrize("size", [0, 1, 8191])
def test_control_frame_buffer_below_the_minimum(size):
    with pytest.raises(spdylay.InvalidArgumentError) as info:
        spdylay.Session(
            spdylay.SERVER,
            spdylay.PROTO_SPDY3,
            config={spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: size},
        )
    assert info.value.error_code is None
    assert "8192" in str(info.value)
