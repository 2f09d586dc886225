"""NPN helpers: the protocol list to offer and the version a name stands for."""

import pytest

import spdylay


def test_protocols_newest_first():
    assert spdylay.get_npn_protocols() == ["spdy/3.1", "spdy/3", "spdy/2"]


@pytest.mark.parametrize(
    "name,version",
    [
        ("spdy/2", spdylay.PROTO_SPDY2),
        ("spdy/3", spdylay.PROTO_SPDY3),
        ("spdy/3.1", spdylay.PROTO_SPDY3_1),
    ],
)
def test_version_of_each_protocol(name, version):
    assert spdylay.npn_get_version(name) == version
    assert spdylay.npn_get_version(name.encode()) == version


@pytest.mark.parametrize(
    "name",
    [
        "http/1.1",
        "",
        "spdy/4",
        "spdy/3.",
        "spdy/3.10",
        "SPDY/3",
        b"spdy/3\0",
        "spdy/\u00e9",
        b"\xff",
    ],
)
def test_unknown_protocol_is_zero(name):
    assert spdylay.npn_get_version(name) == 0


def test_nothing_negotiated_is_zero():
    # ssl's selected_alpn_protocol()/selected_npn_protocol() return None
    # when the handshake chose nothing; programs pass that straight in.
    assert spdylay.npn_get_version(None) == 0


@pytest.mark.parametrize("name", [3, ["spdy/3"], bytearray(b"spdy/3")])
def test_wrong_type(name):
    with pytest.raises(TypeError):
        spdylay.npn_get_version(name)


def test_every_offered_protocol_is_understood():
    versions = [spdylay.npn_get_version(name) for name in spdylay.get_npn_protocols()]
    assert versions == [spdylay.PROTO_SPDY3_1, spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY2]
