"""Fetch paths from socket_server.py over SPDY/3.1 and print the answers."""

import sys

import spdylay


class PrintResponse(spdylay.BaseSPDYStreamHandler):
    """Prints one response: its headers, then its body."""

    def on_header(self, nv):
        for name, value in nv:
            print("%s: %s" % (name, value))
        print()

    def on_data(self, data):
        sys.stdout.write(data.decode())

    def on_close(self, status_code):
        if status_code != spdylay.OK:
            print("stream %d ended with status code %d" % (self.stream_id, status_code))


def main():
    paths = sys.argv[1:] or ["/"]
    spdylay.urlfetch(
        ["http://127.0.0.1:8080" + path for path in paths],
        PrintResponse,
        version=spdylay.PROTO_SPDY3_1,
    )


if __name__ == "__main__":
    main()
