"""Every pointer the binding reads from C may be NULL: in frames, and as
what spdylay_strerror and spdylay_npn_get_proto_list return.

libspdylay 1.4 hands on_invalid_ctrl_recv a SYN_STREAM whose nv is NULL when
a peer's header block is too large, and the API does not promise any other
pointer either.  The bundled core never does this, so these tests call the
binding's callback entry points the way a C library calls them, with frames
built here, and check that the application gets an empty field instead of a
crashed process.
"""

import pytest
from spdylay._spdylay import ffi, lib

import spdylay
from spdylay._callbacks import SentFrameIds, StreamFrames


class Callbacks:
    def __init__(self, side=spdylay.SERVER, version=spdylay.PROTO_SPDY3):
        self.frames = []
        self.calls = []
        self.session = spdylay.Session(
            side,
            version,
            on_ctrl_recv_cb=lambda s, frame: self.frames.append(frame),
            on_invalid_ctrl_recv_cb=lambda s, frame, code: self.frames.append(frame),
            before_ctrl_send_cb=lambda s, frame: self.frames.append(frame),
            on_ctrl_send_cb=lambda s, frame: self.frames.append(frame),
            on_ctrl_not_send_cb=lambda s, frame, code: self.frames.append(frame),
            on_data_chunk_recv_cb=lambda s, flags, sid, data: self.calls.append(data),
            on_ctrl_recv_parse_error_cb=lambda s, t, head, payload, code: self.calls.append(
                (head, payload)
            ),
            on_unknown_ctrl_recv_cb=lambda s, head, payload: self.calls.append((head, payload)),
        )
        # What libspdylay gets as user_data and hands back to the shim.
        self.handle = self.session._handle


def frame_of(frame_type):
    frame = ffi.new("spdylay_frame *")
    frame.ctrl.hd.version = 3
    frame.ctrl.hd.type = frame_type
    return frame


FRAME_DELIVERIES = {
    "on_ctrl_recv": lambda cb, t, f: lib.pyspdylay_on_ctrl_recv(cb.handle, t, f),
    "on_invalid_ctrl_recv": lambda cb, t, f: lib.pyspdylay_on_invalid_ctrl_recv(
        cb.handle, t, f, spdylay.PROTOCOL_ERROR
    ),
    "before_ctrl_send": lambda cb, t, f: lib.pyspdylay_before_ctrl_send(cb.handle, t, f),
    "on_ctrl_send": lambda cb, t, f: lib.pyspdylay_on_ctrl_send(cb.handle, t, f, 0),
    "on_ctrl_not_send": lambda cb, t, f: lib.pyspdylay_on_ctrl_not_send(
        cb.handle, t, f, spdylay.ERR_STREAM_CLOSED, 0
    ),
}


@pytest.mark.parametrize("deliver", sorted(FRAME_DELIVERIES))
@pytest.mark.parametrize(
    "frame_type,member",
    [
        (spdylay.SYN_STREAM, "syn_stream"),
        (spdylay.SYN_REPLY, "syn_reply"),
        (spdylay.HEADERS, "headers"),
    ],
)
def test_null_nv_is_no_headers(deliver, frame_type, member):
    cb = Callbacks()
    frame = frame_of(frame_type)
    getattr(frame, member).stream_id = 1
    assert getattr(frame, member).nv == ffi.NULL
    FRAME_DELIVERIES[deliver](cb, frame_type, frame)
    (got,) = cb.frames
    assert (got.frame_type, got.stream_id, got.nv) == (frame_type, 1, [])


def test_null_settings_entries_with_a_count():
    cb = Callbacks()
    frame = frame_of(spdylay.SETTINGS)
    frame.settings.niv = 3
    lib.pyspdylay_on_ctrl_recv(cb.handle, spdylay.SETTINGS, frame)
    (got,) = cb.frames
    assert got.iv == []


def test_null_credential_proof_and_certificates():
    cb = Callbacks()
    frame = frame_of(spdylay.CREDENTIAL)
    frame.credential.slot = 2
    frame.credential.proof.length = 5
    frame.credential.ncerts = 2
    lib.pyspdylay_on_ctrl_recv(cb.handle, spdylay.CREDENTIAL, frame)
    (got,) = cb.frames
    assert (got.slot, got.proof, got.certs) == (2, b"", [])


def test_null_certificate_data():
    cb = Callbacks()
    frame = frame_of(spdylay.CREDENTIAL)
    certs = ffi.new("spdylay_mem_chunk[]", 2)
    data = ffi.new("uint8_t[]", b"cert")
    certs[0].data, certs[0].length = data, 4
    certs[1].length = 9
    frame.credential.certs, frame.credential.ncerts = certs, 2
    lib.pyspdylay_on_ctrl_recv(cb.handle, spdylay.CREDENTIAL, frame)
    (got,) = cb.frames
    assert got.certs == [b"cert", b""]


@pytest.mark.parametrize("frame_type", [spdylay.SYN_STREAM, spdylay.PING, spdylay.NOOP])
def test_null_frame_keeps_only_its_type(frame_type):
    cb = Callbacks()
    lib.pyspdylay_on_ctrl_recv(cb.handle, frame_type, ffi.NULL)
    (got,) = cb.frames
    assert type(got) is spdylay.CtrlFrame
    assert got.frame_type == frame_type


def test_null_data_chunk():
    cb = Callbacks()
    lib.pyspdylay_on_data_chunk_recv(cb.handle, 0, 1, ffi.NULL, 7)
    assert cb.calls == [b""]


def test_null_head_and_payload():
    cb = Callbacks()
    lib.pyspdylay_on_ctrl_recv_parse_error(
        cb.handle, spdylay.SYN_STREAM, ffi.NULL, 8, ffi.NULL, 10, spdylay.ERR_INVALID_FRAME
    )
    lib.pyspdylay_on_unknown_ctrl_recv(cb.handle, ffi.NULL, 8, ffi.NULL, 3)
    assert cb.calls == [(b"", b""), (b"", b"")]


def test_nv_with_entries_still_arrives():
    """The NULL checks leave real header lists alone."""
    cb = Callbacks()
    frame = frame_of(spdylay.SYN_REPLY)
    strings = [ffi.new("char[]", text) for text in (b":status", b"200 OK")]
    nv = ffi.new("char *[]", strings + [ffi.NULL])
    frame.syn_reply.nv = nv
    lib.pyspdylay_on_ctrl_recv(cb.handle, spdylay.SYN_REPLY, frame)
    (got,) = cb.frames
    assert got.nv == [(":status", "200 OK")]


class LibWith:
    """The C library with some functions replaced, as a libspdylay that
    returns NULL would behave."""

    def __init__(self, **functions):
        self._functions = functions

    def __getattr__(self, name):
        return self._functions[name] if name in self._functions else getattr(lib, name)


def test_null_error_string_still_names_the_code(monkeypatch):
    from spdylay import _errors

    monkeypatch.setattr(_errors, "lib", LibWith(spdylay_strerror=lambda code: ffi.NULL))
    error = _errors.error_for(spdylay.ERR_INVALID_FRAME)
    assert type(error) is spdylay.Error
    assert (str(error), error.error_code) == (
        "libspdylay error %d" % spdylay.ERR_INVALID_FRAME,
        spdylay.ERR_INVALID_FRAME,
    )


def test_null_npn_list_is_no_protocols(monkeypatch):
    from spdylay import _npn

    def proto_list(length):
        length[0] = 3
        return ffi.NULL

    monkeypatch.setattr(_npn, "lib", LibWith(spdylay_npn_get_proto_list=proto_list))
    assert spdylay.get_npn_protocols() == []


def test_npn_entry_without_a_name_is_left_out(monkeypatch):
    from spdylay import _npn

    name = ffi.new("unsigned char[]", b"spdy/3")
    entries = ffi.new("spdylay_npn_proto[]", 2)
    entries[0].len, entries[0].version = 8, spdylay.PROTO_SPDY3_1
    entries[1].proto, entries[1].len, entries[1].version = name, 6, spdylay.PROTO_SPDY3

    def proto_list(length):
        length[0] = len(entries)
        return entries

    monkeypatch.setattr(_npn, "lib", LibWith(spdylay_npn_get_proto_list=proto_list))
    assert spdylay.get_npn_protocols() == ["spdy/3"]


@pytest.mark.parametrize(
    "frame_type,member",
    [
        (spdylay.SYN_STREAM, "syn_stream"),
        (spdylay.SYN_REPLY, "syn_reply"),
        (spdylay.HEADERS, "headers"),
    ],
)
def test_null_nv_is_no_headers_for_stream_frames(frame_type, member):
    fields = []
    session = spdylay.Session(
        spdylay.SERVER,
        spdylay.PROTO_SPDY3,
        on_ctrl_recv_cb=StreamFrames(lambda s, *args: fields.append(args)),
    )
    frame = frame_of(frame_type)
    getattr(frame, member).stream_id = 1
    lib.pyspdylay_on_ctrl_recv(session._handle, frame_type, frame)
    assert fields == [(frame_type, 1, 0, [], 0)]


def test_a_null_frame_has_only_its_type_for_the_frame_wrappers():
    received, sent = [], []
    session = spdylay.Session(
        spdylay.CLIENT,
        spdylay.PROTO_SPDY3,
        on_ctrl_recv_cb=StreamFrames(lambda s, *args: received.append(args)),
        on_ctrl_send_cb=SentFrameIds(lambda s, *args: sent.append(args)),
    )
    lib.pyspdylay_on_ctrl_recv(session._handle, spdylay.SYN_REPLY, ffi.NULL)
    lib.pyspdylay_on_ctrl_send(session._handle, spdylay.PING, ffi.NULL, 0)
    assert received == [(spdylay.SYN_REPLY, 0, 0, None, 0)]
    assert sent == [(spdylay.PING, 0, None)]
