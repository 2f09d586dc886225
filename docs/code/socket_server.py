"""A small SPDY/3.1 server over plain TCP, driven by a selectors loop.

Run it, then run socket_client.py in another terminal.
"""

import io
import selectors
import socket

import spdylay
from socket_callbacks import SocketCallbacks


def read_from_file(session, stream_id, length, read_ctrl, source):
    chunk = source.read(length)
    if len(chunk) < length:
        read_ctrl.flags = spdylay.READ_EOF
    return chunk


class Connection(SocketCallbacks):
    """One accepted socket and the server Session that speaks SPDY on it."""

    def __init__(self, sock):
        self.sock = sock
        self.paths = {}
        self.session = spdylay.Session(
            spdylay.SERVER, spdylay.PROTO_SPDY3_1,
            send_cb=self.send_cb, recv_cb=self.recv_cb,
            on_ctrl_recv_cb=self.on_ctrl_recv,
            on_request_recv_cb=self.on_request_recv,
            on_stream_close_cb=self.on_stream_close)

    def on_ctrl_recv(self, session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            self.paths[frame.stream_id] = dict(frame.nv).get(":path", "/")

    def on_request_recv(self, session, stream_id):
        body = ("You asked for %s\n" % self.paths[stream_id]).encode()
        headers = [(":status", "200 OK"), (":version", "HTTP/1.1"),
                   ("content-type", "text/plain"),
                   ("content-length", str(len(body)))]
        provider = spdylay.DataProvider(io.BytesIO(body), read_from_file)
        session.submit_response(stream_id, headers, provider)

    def on_stream_close(self, session, stream_id, status_code):
        self.paths.pop(stream_id, None)

    def interest(self):
        events = 0
        if self.session.want_read():
            events |= selectors.EVENT_READ
        if self.session.want_write():
            events |= selectors.EVENT_WRITE
        return events

    def on_ready(self, events):
        if events & selectors.EVENT_READ:
            self.session.recv()
        if events & selectors.EVENT_WRITE:
            self.session.send()


def accept(selector, listener):
    sock, _ = listener.accept()
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection = Connection(sock)
    selector.register(sock, connection.interest(), connection)


def serve_ready(selector, key, events):
    connection = key.data
    try:
        connection.on_ready(events)
        interest = connection.interest()
    except EOFError:
        interest = 0
    if interest:
        selector.modify(connection.sock, interest, connection)
    else:
        selector.unregister(connection.sock)
        connection.sock.close()
        connection.session.close()


def serve(listener):
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    while True:
        for key, events in selector.select():
            if key.fileobj is listener:
                accept(selector, listener)
            else:
                serve_ready(selector, key, events)


def main():
    listener = socket.create_server(("127.0.0.1", 8080))
    print("listening on 127.0.0.1:8080")
    serve(listener)


if __name__ == "__main__":
    main()
