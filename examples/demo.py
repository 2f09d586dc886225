"""A SPDY exchange over real TCP on 127.0.0.1, with spdylay's own server and
client: a ThreadedSPDYServer on a free port answers every request with a
short text body; urlfetch sends GET /hello and this prints the response's
status, headers and body.  Exits 0 once the response has arrived in full.

Usage: python3 examples/demo.py [spdy/2 | spdy/3 | spdy/3.1]   (default spdy/3.1)
"""

from __future__ import annotations

import sys

import spdylay

VERSIONS = {
    "spdy/2": spdylay.PROTO_SPDY2,
    "spdy/3": spdylay.PROTO_SPDY3,
    "spdy/3.1": spdylay.PROTO_SPDY3_1,
}
DEADLINE_SECONDS = 10


class DemoServer(spdylay.ThreadedSPDYServer):
    """Knows which protocol the demo speaks, for Hello's answer."""

    protocol: str


class Hello(spdylay.BaseSPDYRequestHandler):
    server: DemoServer

    def do_GET(self) -> None:
        body = (
            "Hello from spdylay over %s, you asked for %s\n" % (self.server.protocol, self.path)
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.wfile.write(body)


class Response(spdylay.BaseSPDYStreamHandler):
    received: list[Response] = []

    def __init__(self, url: str, fetcher: spdylay.UrlFetcher) -> None:
        super().__init__(url, fetcher)
        self.headers: spdylay.ReceivedHeaderList | None = None
        self.body = b""
        self.status_code: int | None = None
        self.received.append(self)

    def on_header(self, nv: spdylay.ReceivedHeaderList) -> None:
        self.headers = nv

    def on_data(self, data: bytes) -> None:
        self.body += data

    def on_close(self, status_code: int) -> None:
        self.status_code = status_code


def run(protocol: str) -> int:
    version = VERSIONS[protocol]
    with DemoServer(("127.0.0.1", 0), Hello, version=version) as server:
        server.protocol = protocol
        server.start(daemon=True)
        host, port = server.server_address
        print("%s client and server on %s:%d" % (protocol, host, port))
        spdylay.urlfetch(
            "http://%s:%d/hello" % (host, port), Response, version=version, timeout=DEADLINE_SECONDS
        )
        server.shutdown()

    (response,) = Response.received
    if response.status_code != spdylay.OK or response.headers is None:
        raise SystemExit("the stream ended without a response (status %r)" % response.status_code)
    print("status:", dict(response.headers).get(":status"))
    for name, value in response.headers:
        print("header: %s: %s" % (name, value))
    print("body:", response.body.decode())
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else "spdy/3.1"))
