"""A SPDY client and server talking to each other in memory, no sockets."""

import io

import spdylay


class Pipe:
    """One direction of the conversation: what one side sent, waiting to be read."""

    def __init__(self):
        self.pending = bytearray()

    def send_cb(self, session, data):
        self.pending += data
        return len(data)

    def take(self):
        data = bytes(self.pending)
        self.pending.clear()
        return data


def read_from_file(session, stream_id, length, read_ctrl, source):
    chunk = source.read(length)
    if len(chunk) < length:
        read_ctrl.flags = spdylay.READ_EOF
    return chunk


def on_request_recv(session, stream_id):
    body = b"Hello from the server\n"
    headers = [
        (":status", "200 OK"),
        (":version", "HTTP/1.1"),
        ("content-type", "text/plain"),
        ("content-length", str(len(body))),
    ]
    provider = spdylay.DataProvider(io.BytesIO(body), read_from_file)
    session.submit_response(stream_id, headers, provider)


class Response:
    """What the client learns about its one request."""

    def __init__(self):
        self.headers = []
        self.body = bytearray()
        self.closed = False

    def on_ctrl_recv(self, session, frame):
        if frame.frame_type == spdylay.SYN_REPLY:
            self.headers = frame.nv

    def on_data_chunk_recv(self, session, flags, stream_id, data):
        self.body += data

    def on_stream_close(self, session, stream_id, status_code):
        self.closed = True


def exchange(client, server, to_server, to_client):
    while client.want_write() or server.want_write():
        client.send()
        server.recv(to_server.take())
        server.send()
        client.recv(to_client.take())


def main():
    to_server, to_client = Pipe(), Pipe()
    response = Response()

    client = spdylay.Session(
        spdylay.CLIENT,
        spdylay.PROTO_SPDY3_1,
        send_cb=to_server.send_cb,
        on_ctrl_recv_cb=response.on_ctrl_recv,
        on_data_chunk_recv_cb=response.on_data_chunk_recv,
        on_stream_close_cb=response.on_stream_close,
    )
    server = spdylay.Session(
        spdylay.SERVER,
        spdylay.PROTO_SPDY3_1,
        send_cb=to_client.send_cb,
        on_request_recv_cb=on_request_recv,
    )

    client.submit_request(
        0,
        [
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/hello"),
            (":version", "HTTP/1.1"),
            (":host", "example.org"),
        ],
    )
    exchange(client, server, to_server, to_client)

    print(response.headers)
    print(bytes(response.body))
    assert response.closed


if __name__ == "__main__":
    main()
