"""The output of one send(): on CPython its DATA payloads are not copied
into the shim's output but left in read_cb's bytes objects, and the bytes
object send_cb gets is built from both; elsewhere they are copied.  Either
way send_cb must see exactly the frames libspdylay 1.4 would send, in
order, and what it does not take (would block, a partial send, an
exception) must go out whole on the next send()."""

import pytest
from helpers import POST_NV, RawPeer, control_frames, data_frames, nv_on_wire

import spdylay

import spdywire

FRAME = 4096


def churn(size):
    """Allocates and drops bytes objects of ``size`` with other contents,
    so that memory the session let go of too early is overwritten."""
    junk = [bytes([0xEE - i]) * size for i in range(8)]
    del junk


class Steps:
    """read_cb's answers in order: bytes (READ_EOF with the last), or
    ERR_DEFERRED; each answer is a new bytes object only the session
    holds, and memory is churned before each is returned."""

    def __init__(self, *steps, before_read=None):
        self.steps = list(steps)
        self.asked = 0
        self.before_read = before_read

    def read(self, session, stream_id, length, read_ctrl, source):
        self.asked += 1
        step = self.steps.pop(0)
        if self.before_read is not None:
            self.before_read(session, step)
        if step == spdylay.ERR_DEFERRED:
            return step
        churn(len(step))
        if not self.steps:
            read_ctrl.flags = spdylay.READ_EOF
        return bytes(bytearray(step))


class Sends:
    """A send_cb that takes everything, recording each call's bytes, or
    answers with the next of ``answers`` (a count, None or an exception)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []
        self.wire = bytearray()

    def __call__(self, session, data):
        assert type(data) is bytes
        self.calls.append(data)
        answer = self.answers.pop(0) if self.answers else len(data)
        if isinstance(answer, BaseException):
            raise answer
        if answer:
            self.wire += data[:answer]
        return answer


def upload(version, steps, sends, **kwargs):
    peer = RawPeer(spdylay.CLIENT, version, send_cb=sends, **kwargs)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, steps.read))
    return peer


def frames_of(version, wire):
    decoder = spdywire.Decoder(version)
    frames = decoder.feed(bytes(wire))
    assert decoder.pending == 0
    return frames


def body_of(frames, stream_id=1):
    return b"".join(f.data for f in data_frames(frames, stream_id))


def pieces(count, size):
    return [bytes([0x10 + i]) * size for i in range(count)]


def test_answers_read_again_within_one_send_keep_their_bytes(version):
    # Each answer fills two frames and a bit: the provider is read again
    # while the output still holds the frames of the answer before.
    answers = pieces(5, 2 * FRAME + 100)
    steps = Steps(*answers)
    sends = Sends()
    peer = upload(version, steps, sends)
    peer.session.send()
    assert steps.asked == 5
    assert len(sends.calls) == 1
    frames = frames_of(version, sends.wire)
    assert body_of(frames) == b"".join(answers)
    assert [f.length for f in data_frames(frames, 1)] == [FRAME, FRAME, 100] * 5


def test_a_stream_closing_within_the_send_keeps_its_last_answer(version):
    closed = []

    def on_stream_close_cb(session, stream_id, status_code):
        closed.append(stream_id)
        churn(3 * FRAME)

    # The first read is deferred, so that the reply, with FIN, arrives
    # before the body: the stream closes once the body's FIN is out.
    answers = pieces(2, 3 * FRAME)
    steps = Steps(spdylay.ERR_DEFERRED, *answers)
    sends = Sends()
    peer = upload(version, steps, sends, on_stream_close_cb=on_stream_close_cb)
    peer.session.send()
    reply = nv_on_wire(version, [(":status", "200 OK"), (":version", "HTTP/1.1")])
    peer.feed(peer.enc.syn_reply(1, reply, flags=spdywire.FLAG_FIN))
    peer.session.resume_data(1)
    peer.session.send()
    assert closed == [1]
    frames = frames_of(version, sends.wire)
    assert body_of(frames) == b"".join(answers)
    assert data_frames(frames, 1)[-1].flags == spdywire.FLAG_FIN


@pytest.mark.parametrize("first", [None, 0], ids=["none", "zero"])
def test_an_output_send_cb_would_not_take_goes_out_whole_next_time(version, first):
    answers = pieces(3, 2 * FRAME)
    sends = Sends(first)
    peer = upload(version, Steps(*answers), sends)
    peer.session.send()
    assert sends.wire == b""
    assert peer.session.want_write()
    peer.session.send()
    assert sends.calls[1] == sends.calls[0]
    assert not peer.session.want_write()
    assert body_of(frames_of(version, sends.wire)) == b"".join(answers)


def test_the_rest_of_a_partial_send_comes_first_next_time(version):
    answers = pieces(4, FRAME + 1)
    sends = Sends(1000, 7)
    peer = upload(version, Steps(*answers), sends)
    peer.session.send()
    assert len(sends.calls) == 1 and len(sends.wire) == 1000
    peer.session.send()
    assert sends.calls[1] == sends.calls[0][1000:]
    peer.session.send()
    assert sends.calls[2] == sends.calls[0][1007:]
    assert not peer.session.want_write()
    assert body_of(frames_of(version, sends.wire)) == b"".join(answers)


def test_an_output_send_cb_raised_on_goes_out_whole_next_time(version):
    failure = spdylay.CallbackFailureError("the socket broke")
    answers = pieces(2, 3 * FRAME)
    sends = Sends(failure)
    peer = upload(version, Steps(*answers), sends)
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.session.send()
    assert info.value is failure
    assert peer.session.want_write()
    peer.session.send()
    assert sends.calls[1] == sends.calls[0]
    assert body_of(frames_of(version, sends.wire)) == b"".join(answers)


def test_an_output_built_while_a_callback_raised_goes_out_next_time(version):
    class Oops(Exception):
        pass

    def on_data_send_cb(session, flags, stream_id, length):
        if flags & spdylay.DATA_FLAG_FIN:
            raise Oops()

    answers = pieces(2, 2 * FRAME + 10)
    sends = Sends()
    peer = upload(version, Steps(*answers), sends, on_data_send_cb=on_data_send_cb)
    with pytest.raises(Oops):
        peer.session.send()
    assert sends.calls == []
    assert peer.session.want_write()
    peer.session.send()
    frames = frames_of(version, sends.wire)
    assert body_of(frames) == b"".join(answers)
    assert data_frames(frames, 1)[-1].flags == spdywire.FLAG_FIN


def test_control_frames_queued_by_read_cb_keep_their_place(version):
    # read_cb queues a PING each time; the first read is deferred, after
    # the session had made room for its frame in the output.
    def ping(session, step):
        session.submit_ping()

    answers = pieces(2, 2 * FRAME + 1)
    steps = Steps(spdylay.ERR_DEFERRED, *answers, before_read=ping)
    sends = Sends()
    peer = upload(version, steps, sends)
    peer.session.send()
    frames = frames_of(version, sends.wire)
    assert len(control_frames(frames, spdywire.PING)) == 1
    assert data_frames(frames, 1) == []
    peer.session.resume_data(1)
    peer.session.send()
    frames = frames_of(version, sends.wire)
    kinds = ["PING" if f.control and f.type == spdywire.PING else f.control for f in frames]
    # SYN_STREAM, the PING of the deferred read, then each answer's frames
    # with the PING its read queued right after its first frame.
    assert kinds == [True, "PING", False, "PING", False, False, False, "PING", False, False]
    assert body_of(frames) == b"".join(answers)


def test_an_output_above_the_high_water_mark_crosses_in_two_calls():
    # Two SPDY/3 streams, each with its own 64 KiB window: 128 KiB of DATA
    # is more than one output holds.
    version = spdylay.PROTO_SPDY3
    bodies = {1: pieces(2, 40000), 3: [bytes([0x70 + i]) * 40000 for i in range(2)]}
    sends = Sends()
    peer = RawPeer(spdylay.CLIENT, version, send_cb=sends)
    for stream_id in (1, 3):
        steps = Steps(*bodies[stream_id])
        peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, steps.read))
    peer.session.send()
    assert len(sends.calls) == 2
    assert 65536 <= len(sends.calls[0]) < 65536 + FRAME + 8
    frames = frames_of(version, sends.wire)
    for stream_id in (1, 3):
        assert body_of(frames, stream_id) == b"".join(bodies[stream_id])[:65536]
