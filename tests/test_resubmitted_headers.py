"""A Session packs the header list it submitted last only once: submitting
the same headers again (the same list or an equal one) reuses the packed
form.  Whatever the list went through in between, what reaches the wire is
what the list holds at the time of the submit."""

from unittest import mock

import pytest
from helpers import REQUEST_NV, RawPeer, control_frames, nv_on_wire

import spdylay

import spdywire

RESPONSE_NV = [(":status", "200 OK"), (":version", "HTTP/1.1"), ("server", "test")]


def sent_headers(peer, frame_type):
    """The header lists of the frames of ``frame_type`` send() writes."""
    return [sorted(f.nv) for f in control_frames(peer.sent(), frame_type)]


def requests_of(version, *header_lists):
    """The SYN_STREAMs' header lists after submitting each list in turn."""
    peer = RawPeer(spdylay.CLIENT, version)
    for nv in header_lists:
        peer.session.submit_request(0, nv)
    return sent_headers(peer, spdywire.SYN_STREAM)


def test_the_same_list_again_sends_the_same_headers(version):
    nv = list(REQUEST_NV)
    assert requests_of(version, nv, nv, list(nv), tuple(nv)) == [nv_on_wire(version, nv)] * 4


def test_a_list_changed_between_submits_sends_its_new_headers(version):
    peer = RawPeer(spdylay.CLIENT, version)
    nv = list(REQUEST_NV)
    peer.session.submit_request(0, nv)
    nv[2] = (":path", "/changed")
    peer.session.submit_request(0, nv)
    nv.append(("accept", "*/*"))
    peer.session.submit_request(0, nv)
    del nv[-1]
    peer.session.submit_request(0, nv)
    changed = [(":path", "/changed") if name == ":path" else (name, v) for name, v in REQUEST_NV]
    assert sent_headers(peer, spdywire.SYN_STREAM) == [
        nv_on_wire(version, REQUEST_NV),
        nv_on_wire(version, changed),
        nv_on_wire(version, changed + [("accept", "*/*")]),
        nv_on_wire(version, changed),
    ]


def test_pairs_given_as_lists_changed_in_place_send_their_new_values(version):
    pairs = [list(pair) for pair in REQUEST_NV]
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, pairs)
    pairs[2][1] = "/in-place"
    peer.session.submit_request(0, pairs)
    first, second = sent_headers(peer, spdywire.SYN_STREAM)
    assert first == nv_on_wire(version, REQUEST_NV)
    assert dict(second)["url" if version == spdylay.PROTO_SPDY2 else ":path"] == "/in-place"


def test_bytes_and_str_lists_alternating_send_each_its_own(version):
    as_bytes = [(name.encode(), value.encode()) for name, value in REQUEST_NV]
    other = [(":path", "/other") if name == ":path" else (name, v) for name, v in REQUEST_NV]
    assert requests_of(version, REQUEST_NV, as_bytes, other, REQUEST_NV) == [
        nv_on_wire(version, REQUEST_NV),
        nv_on_wire(version, REQUEST_NV),
        nv_on_wire(version, other),
        nv_on_wire(version, REQUEST_NV),
    ]


def test_requests_and_responses_are_remembered_apart(version):
    server = RawPeer(spdylay.SERVER, version)
    for stream_id in (1, 3):
        server.feed(server.enc.syn_stream(stream_id, nv_on_wire(version, REQUEST_NV)))
    server.sent()
    server.session.submit_response(1, RESPONSE_NV)
    server.session.submit_response(3, list(RESPONSE_NV))
    assert sent_headers(server, spdywire.SYN_REPLY) == [nv_on_wire(version, RESPONSE_NV)] * 2


class Unequal:
    """An entry whose comparison fails: it is no header, as before."""

    def __eq__(self, other):
        raise RuntimeError("no comparison")

    __hash__ = None


@pytest.mark.parametrize("bad", [None, 5, Unequal(), mock.ANY])
def test_a_bad_entry_after_a_good_list_is_still_refused(version, bad):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, REQUEST_NV)
    spoiled = list(REQUEST_NV)
    spoiled[-1] = (spoiled[-1][0], bad)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_request(0, spoiled)
    peer.session.submit_request(0, REQUEST_NV)
    assert sent_headers(peer, spdywire.SYN_STREAM) == [nv_on_wire(version, REQUEST_NV)] * 2


class CaseInsensitive(str):
    """A header value that compares equal to any spelling of itself, as some
    programs' header types do; it is sent as it is spelt."""

    def __eq__(self, other):
        return isinstance(other, str) and self.lower() == other.lower()

    def __hash__(self):
        return hash(self.lower())


@pytest.mark.parametrize("first_respelt", [False, True])
def test_a_list_equal_to_the_last_only_by_its_own_rules_sends_its_own_headers(
    version, first_respelt
):
    plain = [(":path", "/Index.html") if name == ":path" else (name, v) for name, v in REQUEST_NV]
    respelt = [(name, CaseInsensitive(value.upper())) for name, value in plain]
    lists = (respelt, plain) if first_respelt else (plain, respelt)
    upper = [(name, value.upper()) for name, value in plain]
    expected = (upper, plain) if first_respelt else (plain, upper)
    assert requests_of(version, *lists) == [nv_on_wire(version, nv) for nv in expected]
