"""A small SPDY/3.1 server over plain TCP, on spdylay's threaded server.

Run it, then run socket_client.py in another terminal.
"""

import spdylay


class AskedFor(spdylay.BaseSPDYRequestHandler):
    """Answers every GET with the path that was asked for."""

    def do_GET(self):
        body = ("You asked for %s\n" % self.path).encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.wfile.write(body)


def main():
    server = spdylay.ThreadedSPDYServer(
        ("127.0.0.1", 8080), AskedFor, version=spdylay.PROTO_SPDY3_1
    )
    print("listening on 127.0.0.1:8080")
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
