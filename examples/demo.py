"""A SPDY exchange over real TCP on 127.0.0.1, using spdylay.Session with plain
non-blocking sockets and one selectors loop for both ends.

The server listens on a free port and answers every request with a short
text body; the client connects, sends GET /hello, and prints the response's
status, headers and body.  Exits 0 once the response has arrived in full.

Usage: python3 examples/demo.py [spdy/2 | spdy/3 | spdy/3.1]   (default spdy/3.1)
"""

import selectors
import socket
import sys

import spdylay

VERSIONS = {"spdy/2": spdylay.PROTO_SPDY2, "spdy/3": spdylay.PROTO_SPDY3,
            "spdy/3.1": spdylay.PROTO_SPDY3_1}
DEADLINE_SECONDS = 10


class Connection:
    """One end of a TCP connection and the Session that speaks SPDY over it."""

    def __init__(self, sock, side, version, **callbacks):
        sock.setblocking(False)
        self.sock = sock
        self.session = spdylay.Session(side, version, send_cb=self._send,
                                       recv_cb=self._recv, **callbacks)

    def _send(self, session, data):
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0

    def _recv(self, session, length):
        try:
            data = self.sock.recv(length)
        except BlockingIOError:
            return None
        if not data:
            raise EOFError("the peer closed the connection")
        return data

    def events(self):
        wanted = 0
        if self.session.want_read():
            wanted |= selectors.EVENT_READ
        if self.session.want_write():
            wanted |= selectors.EVENT_WRITE
        return wanted

    def close(self):
        self.session.close()
        self.sock.close()


class BytesSource:
    """Hands a response body to the session in the pieces it asks for."""

    def __init__(self, body):
        self.body = body
        self.offset = 0

    def read(self, session, stream_id, length, read_ctrl, source):
        chunk = self.body[self.offset:self.offset + length]
        self.offset += len(chunk)
        if self.offset == len(self.body):
            read_ctrl.flags = spdylay.READ_EOF
        return chunk


def make_server(sock, version, protocol):
    paths = {}

    def on_ctrl_recv(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            paths[frame.stream_id] = dict(frame.nv).get(":path", "?")

    def on_request_recv(session, stream_id):
        body = ("Hello from spdylay over %s, you asked for %s\n"
                % (protocol, paths.pop(stream_id, "?"))).encode()
        source = BytesSource(body)
        session.submit_response(stream_id, [(":status", "200 OK"),
                                            (":version", "HTTP/1.1"),
                                            ("content-type", "text/plain"),
                                            ("server", "spdylay-demo")],
                                spdylay.DataProvider(source, source.read))

    return Connection(sock, spdylay.SERVER, version, on_ctrl_recv_cb=on_ctrl_recv,
                      on_request_recv_cb=on_request_recv)


def make_client(sock, version, response):
    def on_ctrl_recv(session, frame):
        if frame.frame_type == spdylay.SYN_REPLY:
            response["headers"] = list(frame.nv)

    def on_data_chunk_recv(session, flags, stream_id, data):
        response["body"] += data

    def on_stream_close(session, stream_id, status_code):
        response["closed"] = status_code

    return Connection(sock, spdylay.CLIENT, version, on_ctrl_recv_cb=on_ctrl_recv,
                      on_data_chunk_recv_cb=on_data_chunk_recv,
                      on_stream_close_cb=on_stream_close)


def run(protocol):
    version = VERSIONS[protocol]
    listener = socket.create_server(("127.0.0.1", 0))
    host, port = listener.getsockname()
    client_sock = socket.create_connection((host, port))
    server_sock, _ = listener.accept()
    listener.close()

    response = {"headers": None, "body": b"", "closed": None}
    server = make_server(server_sock, version, protocol)
    client = make_client(client_sock, version, response)
    client.session.submit_request(0, [(":method", "GET"), (":scheme", "http"),
                                      (":path", "/hello"), (":version", "HTTP/1.1"),
                                      (":host", "%s:%d" % (host, port)),
                                      ("user-agent", "spdylay-demo")])
    print("%s client and server on %s:%d" % (protocol, host, port))

    selector = selectors.DefaultSelector()
    for conn in (server, client):
        selector.register(conn.sock, conn.events(), conn)
    try:
        while response["closed"] is None:
            ready = selector.select(timeout=DEADLINE_SECONDS)
            if not ready:
                raise SystemExit("no progress in %d seconds" % DEADLINE_SECONDS)
            for key, mask in ready:
                conn = key.data
                if mask & selectors.EVENT_READ:
                    conn.session.recv()
                if mask & selectors.EVENT_WRITE:
                    conn.session.send()
            for conn in (server, client):
                conn.session.send()
                selector.modify(conn.sock, conn.events() or selectors.EVENT_READ, conn)
    finally:
        selector.close()
        server.close()
        client.close()

    if response["closed"] != spdylay.OK or response["headers"] is None:
        raise SystemExit("the stream ended without a response (status %r)"
                         % response["closed"])
    headers = dict(response["headers"])
    print("status:", headers.get(":status"))
    for name, value in response["headers"]:
        print("header: %s: %s" % (name, value))
    print("body:", response["body"].decode())
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else "spdy/3.1"))
