"""Every constant group of the API has the values the SPDY drafts and
libspdylay 1.4's API reference publish (never compared with the C library
itself, which is where spdylay takes them from)."""

import pytest

import spdylay
import spdywire

# Values as published: frame types, status codes and SETTINGS IDs are wire
# values from the drafts; versions, flags and error codes libspdylay's.
EXPECTED = {
    "PROTO_SPDY2": 2, "PROTO_SPDY3": 3, "PROTO_SPDY3_1": 4,
    "SYN_STREAM": 1, "SYN_REPLY": 2, "RST_STREAM": 3, "SETTINGS": 4,
    "NOOP": 5, "PING": 6, "GOAWAY": 7, "HEADERS": 8, "WINDOW_UPDATE": 9,
    "CREDENTIAL": 10,
    "CTRL_FLAG_NONE": 0, "CTRL_FLAG_FIN": 1, "CTRL_FLAG_UNIDIRECTIONAL": 2,
    "DATA_FLAG_NONE": 0, "DATA_FLAG_FIN": 1,
    "OK": 0, "PROTOCOL_ERROR": 1, "INVALID_STREAM": 2, "REFUSED_STREAM": 3,
    "UNSUPPORTED_VERSION": 4, "CANCEL": 5, "INTERNAL_ERROR": 6,
    "FLOW_CONTROL_ERROR": 7, "STREAM_IN_USE": 8, "STREAM_ALREADY_CLOSED": 9,
    "INVALID_CREDENTIALS": 10, "FRAME_TOO_LARGE": 11,
    "GOAWAY_OK": 0, "GOAWAY_PROTOCOL_ERROR": 1, "GOAWAY_INTERNAL_ERROR": 2,
    "FLAG_SETTINGS_NONE": 0, "FLAG_SETTINGS_CLEAR_SETTINGS": 1,
    "SETTINGS_UPLOAD_BANDWIDTH": 1, "SETTINGS_DOWNLOAD_BANDWIDTH": 2,
    "SETTINGS_ROUND_TRIP_TIME": 3, "SETTINGS_MAX_CONCURRENT_STREAMS": 4,
    "SETTINGS_CURRENT_CWND": 5, "SETTINGS_DOWNLOAD_RETRANS_RATE": 6,
    "SETTINGS_INITIAL_WINDOW_SIZE": 7,
    "SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE": 8, "SETTINGS_MAX": 8,
    "ID_FLAG_SETTINGS_NONE": 0, "ID_FLAG_SETTINGS_PERSIST_VALUE": 1,
    "ID_FLAG_SETTINGS_PERSISTED": 2,
    "OPT_NO_AUTO_WINDOW_UPDATE": 1, "OPT_MAX_RECV_CTRL_FRAME_BUFFER": 2,
    "OPT_NO_AUTO_WINDOW_UPDATE2": 3,
    "ERR_INVALID_ARGUMENT": -501, "ERR_ZLIB": -502,
    "ERR_UNSUPPORTED_VERSION": -503, "ERR_WOULDBLOCK": -504, "ERR_PROTO": -505,
    "ERR_INVALID_FRAME": -506, "ERR_EOF": -507, "ERR_DEFERRED": -508,
    "ERR_STREAM_ID_NOT_AVAILABLE": -509, "ERR_STREAM_CLOSED": -510,
    "ERR_STREAM_CLOSING": -511, "ERR_STREAM_SHUT_WR": -512,
    "ERR_INVALID_STREAM_ID": -513, "ERR_INVALID_STREAM_STATE": -514,
    "ERR_DEFERRED_DATA_EXIST": -515, "ERR_SYN_STREAM_NOT_ALLOWED": -516,
    "ERR_GOAWAY_ALREADY_SENT": -517, "ERR_INVALID_HEADER_BLOCK": -518,
    "ERR_INVALID_STATE": -519, "ERR_GZIP": -520,
    "ERR_TEMPORAL_CALLBACK_FAILURE": -521, "ERR_FRAME_TOO_LARGE": -522,
    "ERR_FATAL": -900, "ERR_NOMEM": -901, "ERR_CALLBACK_FAILURE": -902,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_value(name):
    assert getattr(spdylay, name) == EXPECTED[name]


def test_frame_types_match_the_independent_codec():
    for name in ("SYN_STREAM", "SYN_REPLY", "RST_STREAM", "SETTINGS", "NOOP",
                 "PING", "GOAWAY", "HEADERS", "WINDOW_UPDATE", "CREDENTIAL"):
        assert getattr(spdylay, name) == getattr(spdywire, name)
    assert spdylay.CTRL_FLAG_FIN == spdywire.FLAG_FIN
    assert spdylay.CTRL_FLAG_UNIDIRECTIONAL == spdywire.FLAG_UNIDIRECTIONAL


def test_no_flow_control_error_code():
    """libspdylay 1.4 has no SPDYLAY_ERR_FLOW_CONTROL (-522 is
    ERR_FRAME_TOO_LARGE), so the binding offers no such name either."""
    assert not hasattr(spdylay, "ERR_FLOW_CONTROL")
    assert "ERR_FLOW_CONTROL" not in spdylay.__all__


def test_python_only_constants():
    assert {spdylay.CLIENT, spdylay.SERVER} == {1, 2}
    assert spdylay.READ_EOF == 1


def test_session_class_carries_sides_and_versions():
    for name in ("CLIENT", "SERVER", "PROTO_SPDY2", "PROTO_SPDY3",
                 "PROTO_SPDY3_1"):
        assert getattr(spdylay.Session, name) == getattr(spdylay, name)


def test_all_lists_every_public_name():
    for name in spdylay.__all__:
        assert hasattr(spdylay, name), name
    assert set(EXPECTED) | {"CLIENT", "SERVER", "READ_EOF"} <= set(
        spdylay.__all__)
    assert "lib" not in spdylay.__all__ and not hasattr(spdylay, "lib")
