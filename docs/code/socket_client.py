"""Fetch one path from socket_server.py over SPDY/3.1 and print the answer."""

import selectors
import socket
import sys

import spdylay
from socket_callbacks import SocketCallbacks


class Fetch(SocketCallbacks):
    """A client Session on a non-blocking socket, collecting one response."""

    def __init__(self, sock):
        self.sock = sock
        self.headers = []
        self.body = bytearray()
        self.session = spdylay.Session(
            spdylay.CLIENT, spdylay.PROTO_SPDY3_1,
            send_cb=self.send_cb, recv_cb=self.recv_cb,
            on_ctrl_recv_cb=self.on_ctrl_recv,
            on_data_chunk_recv_cb=self.on_data_chunk_recv,
            on_stream_close_cb=self.on_stream_close)

    def on_ctrl_recv(self, session, frame):
        if frame.frame_type == spdylay.SYN_REPLY:
            self.headers = frame.nv

    def on_data_chunk_recv(self, session, flags, stream_id, data):
        self.body += data

    def on_stream_close(self, session, stream_id, status_code):
        session.submit_goaway(spdylay.GOAWAY_OK)


def run(session, sock):
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    while session.want_read() or session.want_write():
        interest = 0
        if session.want_read():
            interest |= selectors.EVENT_READ
        if session.want_write():
            interest |= selectors.EVENT_WRITE
        selector.modify(sock, interest)
        for _, events in selector.select():
            if events & selectors.EVENT_READ:
                session.recv()
            if events & selectors.EVENT_WRITE:
                session.send()
    selector.close()


def fetch(address, path):
    sock = socket.create_connection(address)
    sock.setblocking(False)
    job = Fetch(sock)
    with job.session as session:
        session.submit_request(0, [(":method", "GET"), (":scheme", "http"),
                                   (":path", path), (":version", "HTTP/1.1"),
                                   (":host", "%s:%d" % address)])
        run(session, sock)
    sock.close()
    return job.headers, bytes(job.body)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/"
    headers, body = fetch(("127.0.0.1", 8080), path)
    for name, value in headers:
        print("%s: %s" % (name, value))
    print()
    print(body.decode(), end="")


if __name__ == "__main__":
    main()
