"""The exception classes, and libspdylay's error codes mapped to them in one
place."""

import builtins

import pytest
from helpers import Endpoint
from spdylay._spdylay import ffi, lib

import spdylay
from spdylay._errors import error_for

MAPPED = [
    (spdylay.ERR_INVALID_ARGUMENT, spdylay.InvalidArgumentError),
    (spdylay.ERR_ZLIB, spdylay.ZlibError),
    (spdylay.ERR_UNSUPPORTED_VERSION, spdylay.UnsupportedVersionError),
    (spdylay.ERR_STREAM_CLOSED, spdylay.StreamClosedError),
    (spdylay.ERR_CALLBACK_FAILURE, spdylay.CallbackFailureError),
    (spdylay.ERR_TEMPORAL_CALLBACK_FAILURE, spdylay.TemporalCallbackFailureError),
    (spdylay.ERR_INVALID_STATE, spdylay.InvalidStateError),
    (spdylay.ERR_EOF, spdylay.EOFError),
]


def test_hierarchy():
    for cls in (
        spdylay.CallbackFailureError,
        spdylay.TemporalCallbackFailureError,
        spdylay.InvalidArgumentError,
        spdylay.ZlibError,
        spdylay.UnsupportedVersionError,
        spdylay.StreamClosedError,
        spdylay.InvalidStateError,
        spdylay.EOFError,
    ):
        assert issubclass(cls, spdylay.Error)
    assert issubclass(spdylay.Error, Exception)
    assert issubclass(spdylay.EOFError, builtins.EOFError)
    assert spdylay.EOFError is not builtins.EOFError
    assert issubclass(spdylay.InvalidArgumentError, ValueError)
    assert issubclass(spdylay.InvalidStateError, RuntimeError)


@pytest.mark.parametrize("code,cls", MAPPED)
def test_error_code_maps_to_its_class(code, cls):
    error = error_for(code)
    assert type(error) is cls
    assert error.error_code == code
    assert str(error) == ffi.string(lib.spdylay_strerror(code)).decode() != ""


def test_other_codes_map_to_the_base_class():
    for code in (
        spdylay.ERR_PROTO,
        spdylay.ERR_INVALID_FRAME,
        spdylay.ERR_STREAM_SHUT_WR,
        spdylay.ERR_GZIP,
    ):
        error = error_for(code)
        assert type(error) is spdylay.Error
        assert error.error_code == code


def test_no_memory_is_memory_error():
    assert type(error_for(spdylay.ERR_NOMEM)) is MemoryError


def test_errors_from_c_carry_code_and_message():
    session = spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY2)
    with pytest.raises(spdylay.InvalidArgumentError) as info:
        session.resume_data(1)
    assert info.value.error_code == spdylay.ERR_INVALID_ARGUMENT
    assert str(info.value)


def test_errors_found_in_python_have_no_code():
    session = spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY3)
    with pytest.raises(spdylay.InvalidArgumentError) as info:
        session.submit_request(0, [("", "x")])
    assert info.value.error_code is None


@pytest.mark.parametrize("raised", [builtins.EOFError, spdylay.EOFError])
def test_recv_cb_eof_becomes_spdylay_eof(raised):
    def recv_cb(session, length):
        raise raised("peer gone")

    session = spdylay.Session(spdylay.SERVER, spdylay.PROTO_SPDY3, recv_cb=recv_cb)
    with pytest.raises(spdylay.EOFError) as info:
        session.recv()
    assert str(info.value) == "peer gone"
    if raised is builtins.EOFError:
        assert info.value.error_code == spdylay.ERR_EOF
        assert isinstance(info.value.__cause__, builtins.EOFError)
    with pytest.raises(EOFError):
        session.recv()


def test_unsupported_version():
    for version in (0, 1, 5, -1, 2**40):
        with pytest.raises(spdylay.UnsupportedVersionError):
            spdylay.Session(spdylay.CLIENT, version)


def test_stream_closed():
    session = spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY3)
    with pytest.raises(spdylay.StreamClosedError) as info:
        session.submit_window_update(1, 100)
    assert info.value.error_code == spdylay.ERR_STREAM_CLOSED


def test_callback_failure_from_send_cb_propagates(version):
    failure = spdylay.CallbackFailureError("socket broke")

    def send_cb(session, data):
        raise failure

    endpoint = Endpoint(spdylay.CLIENT, version, send_cb=send_cb)
    endpoint.session.submit_ping()
    with pytest.raises(spdylay.CallbackFailureError) as info:
        endpoint.session.send()
    assert info.value is failure


@pytest.mark.parametrize("result", [-1, 10**9, "12", 1.5, b"", "", [], 0.0])
def test_send_cb_returning_nonsense_is_callback_failure(version, result):
    """Only None and 0 mean "would block": an empty string or list, or 0.0,
    is a mistake, however false it is."""
    endpoint = Endpoint(spdylay.CLIENT, version, send_cb=lambda session, data: result)
    endpoint.session.submit_ping()
    with pytest.raises(spdylay.CallbackFailureError):
        endpoint.session.send()
