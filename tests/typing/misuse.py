"""Wrong uses of the public API that mypy --strict must reject.  Every line
ending in ``# E: <code>`` must get exactly that error code from mypy, and no
other line any error (tests/test_typing.py checks both).  Never run.
"""

from __future__ import annotations

import spdylay
import spdylay.aio


def send_text(session: spdylay.Session, data: str) -> int:
    return len(data)


def recv_text(session: spdylay.Session, length: int) -> str:
    return ""


def on_frame_without_session(frame: spdylay.CtrlFrame) -> None:
    pass


def on_close(session: spdylay.Session, stream_id: int) -> None:
    pass


def read_text(
    session: spdylay.Session,
    stream_id: int,
    length: int,
    read_ctrl: spdylay.ReadCtrl,
    source: object,
) -> str:
    return ""


def on_ctrl_recv(session: spdylay.Session, frame: spdylay.CtrlFrame) -> None:
    print(frame.stream_id)  # E: attr-defined
    if isinstance(frame, spdylay.SynStreamFrame):
        path: bytes = dict(frame.nv)[":path"]  # E: assignment
        print(path)


def misuse(session: spdylay.Session) -> None:
    side, version = spdylay.CLIENT, spdylay.PROTO_SPDY3
    spdylay.Session("client", version)  # E: arg-type
    spdylay.Session(side, version, config=[1])  # E: arg-type
    spdylay.Session(side, version, send_cb=send_text)  # E: arg-type
    spdylay.Session(side, version, recv_cb=recv_text)  # E: arg-type
    spdylay.Session(side, version, on_ctrl_recv_cb=on_frame_without_session)  # E: arg-type
    spdylay.Session(side, version, on_stream_close_cb=on_close)  # E: arg-type
    spdylay.Session(side, version, on_ctrl_recv=on_close)  # E: call-arg
    spdylay.DataProvider(None, read_text)  # E: arg-type
    session.recv("text")  # E: arg-type
    session.submit_request("0", [(":method", "GET")])  # E: arg-type
    session.submit_request(0, {":method": "GET"})  # E: arg-type
    session.submit_request(0, [(":method", 1)])  # E: list-item
    session.submit_request(0, [(":method", "GET")], data_prd=b"body")  # E: arg-type
    session.submit_response(1, [(":status", "200")], read_text)  # E: arg-type
    session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, "3", [])  # E: call-overload
    entry = (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 100)
    session.submit_settings(spdylay.FLAG_SETTINGS_NONE, [entry])  # E: list-item
    session.submit_rst_stream(1, None)  # E: arg-type
    session.submit_window_update(1)  # E: call-arg
    lowest: str = session.get_pri_lowest()  # E: assignment
    spdylay.npn_get_version(3)  # E: arg-type
    print(lowest)


class Handler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self) -> None:
        self.send_response("200")  # E: arg-type


class StreamHandler(spdylay.BaseSPDYStreamHandler):
    def on_data(self, data: str) -> None:  # E: override
        pass


def misuse_the_network_layer() -> None:
    address = ("127.0.0.1", 0)
    spdylay.ThreadedSPDYServer(address, StreamHandler)  # E: arg-type
    spdylay.ThreadedSPDYServer(address, Handler, version="spdy/3")  # E: arg-type
    spdylay.urlfetch("http://127.0.0.1/", Handler)  # E: arg-type
    spdylay.urlfetch("http://127.0.0.1/", StreamHandler, timeout="1")  # E: arg-type
    spdylay.urlfetch(["http://127.0.0.1/"], StreamHandler, headers={"a": "b"})  # E: dict-item


def handle_synchronously(request: spdylay.aio.Request) -> None:
    pass


async def misuse_asyncio() -> None:
    await spdylay.aio.connect("127.0.0.1", "8443")  # E: arg-type
    await spdylay.aio.serve(handle_synchronously, "127.0.0.1", 0)  # E: arg-type
    conn = await spdylay.aio.connect("127.0.0.1", 8443)
    await conn.request("GET", "/", priority="high")  # E: arg-type
    response = await conn.get("/")
    status: str = response.status  # E: assignment
    print(status)
