"""Memory per Session after one exchange: the process's resident set grows by
about this much for every Session kept alive after one GET answered with a
1 KiB body (client and server both counted; zlib's windows dominate).

    python3 benchmarks/session_memory.py [pairs]     # default 300

Linux only (reads /proc/self/statm).
"""

import gc
import io
import os
import sys

import spdylay

REQUEST_NV = [
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/"),
    (":version", "HTTP/1.1"),
    (":host", "localhost"),
]
RESPONSE_NV = [(":status", "200 OK"), (":version", "HTTP/1.1")]
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def read_body(session, stream_id, length, read_ctrl, source):
    data = source.read(length)
    if not data:
        read_ctrl.flags = spdylay.READ_EOF
    return data


def session(side, out, inp, **callbacks):
    def send_cb(session, data):
        out.extend(data)
        return len(data)

    def recv_cb(session, length):
        data = bytes(inp[:length])
        del inp[:length]
        return data or None

    return spdylay.Session(side, spdylay.PROTO_SPDY3, send_cb=send_cb, recv_cb=recv_cb, **callbacks)


def exchanged_pair():
    """A client and a server that have done one exchange."""
    up, down, body = bytearray(), bytearray(), []

    def on_request(server, stream_id):
        server.submit_response(
            stream_id, RESPONSE_NV, spdylay.DataProvider(io.BytesIO(b"x" * 1024), read_body)
        )

    server = session(spdylay.SERVER, down, up, on_request_recv_cb=on_request)
    client = session(
        spdylay.CLIENT, up, down, on_data_chunk_recv_cb=lambda s, f, i, d: body.append(d)
    )
    client.submit_request(0, REQUEST_NV)
    for _ in range(4):
        client.send()
        server.recv()
        server.send()
        client.recv()
    if sum(map(len, body)) != 1024:
        raise RuntimeError("the exchange lost data")
    return client, server


def main(argv):
    pairs = int(argv[0]) if argv else 300
    kept = [exchanged_pair() for _ in range(20)]
    gc.collect()
    before = resident_bytes()
    kept += [exchanged_pair() for _ in range(pairs)]
    gc.collect()
    grown = resident_bytes() - before
    print(
        "%.1f KiB per session after one exchange (%d sessions kept)"
        % (grown / (2 * pairs) / 1024, 2 * len(kept))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
