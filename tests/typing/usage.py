"""Typed use of the public API, as an application would write it: mypy
--strict must accept every line (tests/test_typing.py checks that), and the
exchange it runs must work (the same test module runs it).

``disallow-any-expr`` makes mypy also reject any expression whose type is
Any here, so a public name that lost its annotation (a constant, a frame
attribute, a method's result) fails the check instead of passing silently.
"""
# mypy: disallow-any-expr

from __future__ import annotations

import spdylay


class Peer:
    """One side of an in-memory connection: what it sent, what it received."""

    def __init__(self, side: int, version: int) -> None:
        self.outbox = bytearray()
        self.bodies: dict[int, bytes] = {}
        self.closed: dict[int, int] = {}
        self.request_paths: list[str] = []
        self.pushed = 0
        self.session = spdylay.Session(
            side,
            version,
            config={spdylay.OPT_NO_AUTO_WINDOW_UPDATE: False},
            send_cb=self.send,
            on_ctrl_recv_cb=self.on_ctrl_recv,
            on_data_chunk_recv_cb=self.on_data_chunk_recv,
            on_data_recv_cb=self.on_data_recv,
            before_ctrl_send_cb=self.before_ctrl_send,
            on_stream_close_cb=self.on_stream_close,
            on_request_recv_cb=self.on_request_recv,
            on_ctrl_recv_parse_error_cb=self.on_parse_error,
            on_unknown_ctrl_recv_cb=self.on_unknown_ctrl,
            on_ctrl_not_send_cb=self.on_ctrl_not_send,
            on_invalid_ctrl_recv_cb=self.on_invalid_ctrl,
            on_data_send_cb=self.on_data_send,
            on_ctrl_send_cb=self.on_ctrl_send,
        )

    def send(self, session: spdylay.Session, data: bytes) -> int:
        self.outbox += data
        return len(data)

    def on_ctrl_recv(self, session: spdylay.Session, frame: spdylay.CtrlFrame) -> None:
        if isinstance(frame, spdylay.SynStreamFrame):
            headers = dict(frame.nv)
            self.request_paths.append(headers.get(":path", ""))
            if frame.assoc_stream_id:
                self.pushed += 1
        elif isinstance(frame, spdylay.SynReplyFrame):
            self.bodies.setdefault(frame.stream_id, b"")
        elif isinstance(frame, spdylay.SettingsFrame):
            for settings_id, flags, value in frame.iv:
                assert settings_id > 0 and flags >= 0 and value >= 0

    def on_data_chunk_recv(
        self, session: spdylay.Session, flags: int, stream_id: int, data: bytes
    ) -> None:
        self.bodies[stream_id] = self.bodies.get(stream_id, b"") + data

    def on_data_recv(
        self, session: spdylay.Session, flags: int, stream_id: int, length: int
    ) -> None:
        assert length >= 0

    def before_ctrl_send(self, session: spdylay.Session, frame: spdylay.CtrlFrame) -> None:
        if isinstance(frame, spdylay.SynStreamFrame):
            assert frame.stream_id > 0

    def on_ctrl_send(self, session: spdylay.Session, frame: spdylay.CtrlFrame) -> None:
        assert frame.frame_type >= spdylay.SYN_STREAM

    def on_ctrl_not_send(
        self, session: spdylay.Session, frame: spdylay.CtrlFrame, error_code: int
    ) -> None:
        raise AssertionError("frame %r not sent: %d" % (frame, error_code))

    def on_invalid_ctrl(
        self, session: spdylay.Session, frame: spdylay.CtrlFrame, status_code: int
    ) -> None:
        raise AssertionError("invalid frame %r: %d" % (frame, status_code))

    def on_data_send(
        self, session: spdylay.Session, flags: int, stream_id: int, length: int
    ) -> None:
        assert flags & ~spdylay.DATA_FLAG_FIN == 0

    def on_stream_close(self, session: spdylay.Session, stream_id: int, status_code: int) -> None:
        self.closed[stream_id] = status_code

    def on_request_recv(self, session: spdylay.Session, stream_id: int) -> None:
        body = BodySource(b"typed " * 1000)
        session.submit_response(
            stream_id,
            [(":status", "200 OK"), (":version", b"HTTP/1.1")],
            spdylay.DataProvider(body, read_body),
        )

    def on_parse_error(
        self,
        session: spdylay.Session,
        frame_type: int,
        head: bytes,
        payload: bytes,
        error_code: int,
    ) -> None:
        raise AssertionError("parse error %d" % error_code)

    def on_unknown_ctrl(self, session: spdylay.Session, head: bytes, payload: bytes) -> None:
        raise AssertionError("unknown frame %r" % head)


class BodySource:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0


def read_body(
    session: spdylay.Session,
    stream_id: int,
    length: int,
    read_ctrl: spdylay.ReadCtrl,
    source: BodySource,
) -> bytes:
    chunk = source.data[source.offset : source.offset + length]
    source.offset += len(chunk)
    if source.offset == len(source.data):
        read_ctrl.flags = spdylay.READ_EOF
    return chunk


def deferred(
    session: spdylay.Session,
    stream_id: int,
    length: int,
    read_ctrl: spdylay.ReadCtrl,
    source: object,
) -> int:
    return spdylay.ERR_DEFERRED


def pump(client: Peer, server: Peer) -> None:
    while client.session.want_write() or server.session.want_write():
        for sender, receiver in ((client, server), (server, client)):
            sender.session.send()
            data = bytes(sender.outbox)
            del sender.outbox[:]
            receiver.session.recv(memoryview(data))


def exchange(version: int = spdylay.PROTO_SPDY3_1) -> dict[int, bytes]:
    """Runs requests between two in-memory sessions; returns the bodies the
    client received, by stream ID."""
    client = Peer(spdylay.CLIENT, version)
    server = Peer(spdylay.SERVER, version)
    with client.session, server.session:
        request: spdylay.HeaderList = [
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/typed"),
            (":version", "HTTP/1.1"),
            (":host", "localhost"),
        ]
        client.session.submit_settings(
            spdylay.FLAG_SETTINGS_NONE,
            [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_NONE, 100)],
        )
        client.session.submit_request(
            client.session.get_pri_lowest(), request, stream_user_data="per-stream state"
        )
        client.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 0, 1, request)
        client.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 2, request)
        client.session.submit_ping()
        pump(client, server)
        queued: int = client.session.get_outbound_queue_size()
        assert queued == 0
        try:
            client.session.submit_rst_stream(2**31, spdylay.CANCEL)
        except spdylay.InvalidArgumentError as exc:
            assert exc.error_code is None
        assert spdylay.npn_get_version("spdy/3.1") == spdylay.PROTO_SPDY3_1
        protocols: list[str] = spdylay.get_npn_protocols()
        assert protocols
        client.session.submit_goaway(spdylay.GOAWAY_OK)
        pump(client, server)
        return client.bodies


def main() -> None:
    for version in (spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1):
        bodies = exchange(version)
        assert sorted(bodies) == [1, 3, 5], bodies
        assert all(body == b"typed " * 1000 for body in bodies.values())
    provider = spdylay.DataProvider(None, deferred)
    assert provider.read_cb is deferred


if __name__ == "__main__":
    main()
