"""What receiving costs a session after the fact: one large control frame
does not leave its buffer held for the rest of the session."""

import os

import pytest
from helpers import RawPeer

import spdylay

UNKNOWN_TYPE = 99


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.bundled_core(reason="how long the core keeps its frame buffer")
@pytest.mark.skipif(
    "asan" in os.environ.get("LD_PRELOAD", ""),
    reason="not for this build: AddressSanitizer keeps freed memory in quarantine",
)
def test_a_large_control_frame_leaves_no_large_buffer_behind():
    sessions = 8
    frame_size = 8 * 1024 * 1024
    peers = [RawPeer(spdylay.SERVER, spdylay.PROTO_SPDY3, record=False) for _ in range(sessions)]
    # One frame for every session, made before measuring: on PyPy a bytes
    # object per session would wait for the collector.
    frame = peers[0].enc.control(UNKNOWN_TYPE, b"u" * frame_size)
    before = resident_bytes()
    for peer in peers:
        peer.feed(frame)
        peer.feed(peer.enc.ping(1))
        assert [frame.type for frame in peer.sent()] == [spdylay.PING]
    grown = resident_bytes() - before
    # Each session held its 8 MiB buffer before: 64 MiB in all.
    assert grown < sessions * frame_size // 4
