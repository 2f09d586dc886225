"""A hand-driven SPDY peer on a real socket, for the spdylay.aio tests:
``SocketPeer`` speaks through the independent codec in spdywire.py, and
``raw_server`` / ``gets_to_raw_server`` set one up facing an aio client."""

import asyncio
import socket

import spdylay
import spdylay.aio as aio

import spdywire

HOST = "127.0.0.1"


def reply_nv(version, status="200 OK"):
    if version == spdylay.PROTO_SPDY2:
        return [("status", status), ("version", "HTTP/1.1")]
    return [(":status", status), (":version", "HTTP/1.1")]


def request_nv(version, path):
    if version == spdylay.PROTO_SPDY2:
        return [
            ("method", "GET"),
            ("url", path),
            ("version", "HTTP/1.1"),
            ("host", "127.0.0.1"),
            ("scheme", "http"),
        ]
    return [
        (":method", "GET"),
        (":path", path),
        (":version", "HTTP/1.1"),
        (":host", "127.0.0.1"),
        (":scheme", "http"),
    ]


class SocketPeer:
    """One end of a socket speaking SPDY by hand with spdywire."""

    def __init__(self, version, reader, writer):
        self.enc = spdywire.Encoder(version)
        self.dec = spdywire.Decoder(version)
        self.reader = reader
        self.writer = writer
        self.frames = []
        self._ping_id = 0

    def send(self, *frames):
        self.writer.write(b"".join(frames))

    async def frame(self, match=lambda frame: True):
        """The next received frame ``match`` accepts; the ones before it are
        kept in ``frames`` too."""
        while True:
            for index, frame in enumerate(self._unseen()):
                if match(frame):
                    self._seen += index + 1
                    return frame
            self._seen = len(self.frames)
            data = await self.reader.read(65536)
            if not data:
                raise EOFError("the peer closed the connection")
            self.frames.extend(self.dec.feed(data))

    def _unseen(self):
        return self.frames[self._seen :]

    _seen = 0

    async def barrier(self, ping_id):
        """Sends PING and waits for its echo: everything the other side sent
        before answering is in ``frames`` then."""
        self.send(self.enc.ping(ping_id))
        await self.frame(lambda f: f.control and f.type == spdywire.PING and f.unique_id == ping_id)

    async def close(self):
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass


async def raw_server(version, receive_buffer=None):
    """A listening socket whose first connection becomes a SocketPeer;
    ``receive_buffer`` sets the connection's SO_RCVBUF (a small one makes a
    peer that stops reading stall the other side soon)."""
    accepted = asyncio.get_running_loop().create_future()

    async def on_connect(reader, writer):
        accepted.set_result(SocketPeer(version, reader, writer))

    if receive_buffer is None:
        server = await asyncio.start_server(on_connect, HOST, 0)
    else:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        listener.bind((HOST, 0))
        server = await asyncio.start_server(on_connect, sock=listener)
    return server, server.sockets[0].getsockname()[1], accepted


async def gets_to_raw_server(version, *paths):
    """A client connected to a raw server, a GET sent for each of ``paths``:
    (listener, client, peer, the request tasks, the SYN_STREAMs received)."""
    server, port, accepted = await raw_server(version)
    conn = await aio.connect(HOST, port, version=version)
    requests = [asyncio.ensure_future(conn.get(path)) for path in paths]
    peer = await accepted
    syns = [await peer.frame(of_type(spdywire.SYN_STREAM)) for _ in paths]
    return server, conn, peer, requests, syns


async def close_all(conn, peer, server):
    """Closes a test's client, its raw peer and the raw peer's listener."""
    await conn.close()
    await peer.close()
    server.close()
    await server.wait_closed()


def of_type(frame_type, stream_id=None):
    return lambda f: (
        f.control and f.type == frame_type and (stream_id is None or f.stream_id == stream_id)
    )


def window_updates(frames, stream_id):
    return [
        f.delta_window_size
        for f in frames
        if f.control and f.type == spdywire.WINDOW_UPDATE and f.stream_id == stream_id
    ]
