"""Every callback's error path written the way the seed and python-spdylay's
programs write it: exception classes raised with no arguments, and the
exception that leaves send()/recv() still carrying the error code the package
stands for."""

import builtins

import pytest
from helpers import REQUEST_NV, RESPONSE_NV, RawPeer, make_pair, pump

import spdylay
import spdylay.aio

EXPORTED_ERRORS = [
    spdylay.Error,
    spdylay.CallbackFailureError,
    spdylay.TemporalCallbackFailureError,
    spdylay.InvalidArgumentError,
    spdylay.InvalidStateError,
    spdylay.ZlibError,
    spdylay.UnsupportedVersionError,
    spdylay.StreamClosedError,
    spdylay.EOFError,
]


def _exported_exception_classes():
    for module in (spdylay, spdylay.aio):
        for name in module.__all__:
            thing = getattr(module, name)
            if isinstance(thing, type) and issubclass(thing, BaseException):
                yield thing


def test_the_list_names_every_exported_exception_class():
    """So that the tests below cover a class the package exports later."""
    assert set(_exported_exception_classes()) <= set(EXPORTED_ERRORS + EXPORTED_ELSEWHERE)


# Exported by the networking layers: python-spdylay programs build them too.
EXPORTED_ELSEWHERE = [
    spdylay.UrlFetchError,
    spdylay.aio.ConnectionError,
    spdylay.aio.ConnectionLostError,
    spdylay.aio.NegotiationError,
    spdylay.aio.GoawayError,
    spdylay.aio.StreamResetError,
    spdylay.aio.PushError,
    spdylay.aio.BodyTooLargeError,
    spdylay.aio.ResponseTooLargeError,
]


@pytest.mark.parametrize("cls", EXPORTED_ELSEWHERE, ids=lambda cls: cls.__name__)
def test_every_networking_exception_class_takes_no_arguments_or_a_message(cls):
    assert cls().args == ()
    assert str(cls("what went wrong")) == "what went wrong"
    with pytest.raises(cls):
        raise cls


@pytest.mark.parametrize("cls", EXPORTED_ERRORS, ids=lambda cls: cls.__name__)
def test_every_exception_class_takes_no_arguments_or_a_message(cls):
    bare = cls()
    assert bare.args == () and str(bare) == "" and bare.error_code is None
    with_message = cls("what went wrong")
    assert str(with_message) == "what went wrong"
    assert with_message.error_code is None
    with pytest.raises(cls):
        raise cls


def test_error_code_is_a_keyword_and_a_second_argument_stays_an_argument():
    error = spdylay.Error("message", "detail")
    assert error.args == ("message", "detail") and error.error_code is None
    coded = spdylay.Error("message", error_code=spdylay.ERR_PROTO)
    assert coded.error_code == spdylay.ERR_PROTO


@pytest.mark.parametrize(
    "raised,code",
    [
        (spdylay.EOFError, spdylay.ERR_EOF),
        (EOFError, spdylay.ERR_EOF),
        (spdylay.CallbackFailureError, spdylay.ERR_CALLBACK_FAILURE),
    ],
    ids=["spdylay.EOFError", "builtins.EOFError", "CallbackFailureError"],
)
def test_recv_cb_raising_with_no_arguments(version, raised, code):
    def recv_cb(session, length):
        raise raised()

    session = spdylay.Session(spdylay.SERVER, version, recv_cb=recv_cb)
    with pytest.raises(spdylay.EOFError if raised is EOFError else raised) as info:
        session.recv()
    assert info.value.error_code == code
    if raised is EOFError:
        assert type(info.value.__cause__) is builtins.EOFError


def test_send_cb_raising_callback_failure_with_no_arguments(version):
    def send_cb(session, data):
        raise spdylay.CallbackFailureError()

    session = spdylay.Session(spdylay.CLIENT, version, send_cb=send_cb)
    session.submit_ping()
    with pytest.raises(spdylay.CallbackFailureError) as info:
        session.send()
    assert info.value.error_code == spdylay.ERR_CALLBACK_FAILURE


def test_send_cb_returning_the_class_as_the_seed_words_it(version):
    # The seed says send_cb "must return CallbackFailureError" on errors.
    session = spdylay.Session(
        spdylay.CLIENT, version, send_cb=lambda session, data: spdylay.CallbackFailureError
    )
    session.submit_ping()
    with pytest.raises(spdylay.CallbackFailureError):
        session.send()


def _server_answering_with(version, read_cb):
    def on_request_recv(session, stream_id):
        session.submit_response(stream_id, RESPONSE_NV, spdylay.DataProvider(None, read_cb))

    return make_pair(version, server_kwargs={"on_request_recv_cb": on_request_recv})


def test_read_cb_raising_temporal_failure_resets_only_its_stream(version):
    def read_cb(session, stream_id, length, read_ctrl, source):
        raise spdylay.TemporalCallbackFailureError()

    pair = _server_answering_with(version, read_cb)
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    assert pair.client.rec.calls("on_stream_close_cb") == [(1, spdylay.INTERNAL_ERROR)]
    assert pair.server.session.want_read()


def test_read_cb_raising_callback_failure_fails_the_session(version):
    def read_cb(session, stream_id, length, read_ctrl, source):
        raise spdylay.CallbackFailureError()

    pair = _server_answering_with(version, read_cb)
    pair.client.session.submit_request(0, REQUEST_NV)
    pair.server.session.recv(pair.client.flush())
    with pytest.raises(spdylay.CallbackFailureError) as info:
        pair.server.session.send()
    assert info.value.error_code == spdylay.ERR_CALLBACK_FAILURE
    assert not pair.server.session.want_write()


RECV_SIDE_CALLBACKS = ["on_ctrl_recv_cb", "on_request_recv_cb", "on_stream_close_cb"]


@pytest.mark.parametrize("name", RECV_SIDE_CALLBACKS)
def test_event_callback_raising_callback_failure_ends_recv(version, name):
    def fail(session, *args):
        raise spdylay.CallbackFailureError()

    peer = RawPeer(spdylay.SERVER, version, **{name: fail})
    syn = peer.enc.syn_stream(1, REQUEST_NV, flags=spdylay.CTRL_FLAG_FIN)
    rst = peer.enc.rst_stream(1, spdylay.CANCEL)
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.feed(syn + rst)
    assert info.value.error_code == spdylay.ERR_CALLBACK_FAILURE


def test_data_chunk_callback_raising_callback_failure_ends_recv(version):
    def fail(session, flags, stream_id, data):
        raise spdylay.CallbackFailureError()

    peer = RawPeer(spdylay.SERVER, version, on_data_chunk_recv_cb=fail)
    data = peer.enc.syn_stream(1, REQUEST_NV) + peer.enc.data(
        1, b"body", flags=spdylay.DATA_FLAG_FIN
    )
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.feed(data)
    assert info.value.error_code == spdylay.ERR_CALLBACK_FAILURE


def test_send_side_callback_raising_callback_failure_ends_send(version):
    def fail(session, frame):
        raise spdylay.CallbackFailureError()

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_send_cb=fail)
    peer.session.submit_ping()
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.session.send()
    assert info.value.error_code == spdylay.ERR_CALLBACK_FAILURE


def test_application_code_stays_when_it_gave_one(version):
    def recv_cb(session, length):
        raise spdylay.CallbackFailureError("mine", error_code=spdylay.ERR_PROTO)

    session = spdylay.Session(spdylay.SERVER, version, recv_cb=recv_cb)
    with pytest.raises(spdylay.CallbackFailureError) as info:
        session.recv()
    assert info.value.error_code == spdylay.ERR_PROTO


def test_base_error_raised_by_a_callback_has_no_code_to_stand_for(version):
    def recv_cb(session, length):
        raise spdylay.Error()

    session = spdylay.Session(spdylay.SERVER, version, recv_cb=recv_cb)
    with pytest.raises(spdylay.Error) as info:
        session.recv()
    assert info.value.error_code is None
