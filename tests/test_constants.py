"""Every constant group of the API has the values the SPDY drafts and
libspdylay 1.4's API reference publish (never compared with the C library
itself, which is where spdylay takes them from)."""

import pytest
from libspdylay14 import CONSTANTS

import spdylay

import spdywire

# The Python constants are libspdylay 1.4's, named without SPDYLAY_, except
# the C API's I/O flag, defaults and limits.
C_ONLY = {
    "MSG_MORE",
    "INITIAL_MAX_CONCURRENT_STREAMS",
    "INITIAL_WINDOW_SIZE",
    "MAX_SCHEME",
    "MAX_HOSTNAME",
}
EXPECTED = {name: value for name, value in CONSTANTS.items() if name not in C_ONLY}
# spdylay extensions, numbered after libspdylay 1.4's options.
EXPECTED.update(
    {
        "OPT_MAX_HEADER_LIST_SIZE": 4,
        "OPT_MAX_HEADER_LIST_COUNT": 5,
        "OPT_MAX_AUTO_REPLIES": 6,
        "OPT_AUTO_REPLIES_STOP_READING": 7,
        "OPT_MAX_SETTINGS_ENTRIES": 8,
        "OPT_MAX_PEER_RESETS": 9,
        "OPT_MAX_EMPTY_FRAMES": 10,
        "OPT_MAX_SMALL_WINDOW_UPDATES": 11,
        "OPT_MAX_INCOMING_STREAMS": 12,
    }
)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_value(name):
    assert getattr(spdylay, name) == EXPECTED[name]


def test_frame_types_match_the_independent_codec():
    for name in (
        "SYN_STREAM",
        "SYN_REPLY",
        "RST_STREAM",
        "SETTINGS",
        "NOOP",
        "PING",
        "GOAWAY",
        "HEADERS",
        "WINDOW_UPDATE",
        "CREDENTIAL",
    ):
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
    for name in ("CLIENT", "SERVER", "PROTO_SPDY2", "PROTO_SPDY3", "PROTO_SPDY3_1"):
        assert getattr(spdylay.Session, name) == getattr(spdylay, name)


def test_all_lists_every_public_name():
    for name in spdylay.__all__:
        assert hasattr(spdylay, name), name
    assert set(EXPECTED) | {"CLIENT", "SERVER", "READ_EOF"} <= set(spdylay.__all__)
    assert "lib" not in spdylay.__all__ and not hasattr(spdylay, "lib")
