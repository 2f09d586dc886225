"""Throughput of spdylay.Session in memory, on whatever interpreter runs it,
beside the same workloads over the pure-Python h2 library (HTTP/2, for scale).

A client and a server talk through in-memory buffers on one thread:
- small exchanges/s: GET answered by a response with a 1 KiB body,
  CONCURRENCY requests in flight at a time;
- MB/s for one large response body, with flow control in force.
Every body byte is counted, so a broken run fails instead of looking fast.

Usage: python3 benchmarks/bench_python.py [--small N] [--large-mb M] [--no-h2]
                                          [--cpu-clock]
(--cpu-clock times by the process's CPU time, for a machine shared with
other work.)
"""

import argparse
import platform
import sys
import time

import spdylay

SMALL_BODY = b"x" * 1024
CONCURRENCY = 100
FILLER = b"y" * 65536
# What the rates are timed by (see --cpu-clock).
clock = time.perf_counter
VERSIONS = (
    ("SPDY/2", spdylay.PROTO_SPDY2),
    ("SPDY/3", spdylay.PROTO_SPDY3),
    ("SPDY/3.1", spdylay.PROTO_SPDY3_1),
)
REQUEST_NV = [
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/bench"),
    (":version", "HTTP/1.1"),
    (":host", "127.0.0.1"),
]
RESPONSE_NV = [
    (":status", "200 OK"),
    (":version", "HTTP/1.1"),
    ("content-type", "application/octet-stream"),
]


class SpdylayConnection:
    """A client and a server Session joined by two in-memory pipes."""

    def __init__(self, version, large_size=0):
        self.to_server = []
        self.to_client = []
        self.large_remaining = large_size
        self.body_bytes = 0
        self.closed = 0
        self.failed = 0
        self.client = spdylay.Session(
            spdylay.CLIENT,
            version,
            send_cb=self._client_send,
            on_data_chunk_recv_cb=self._on_data_chunk_recv,
            on_stream_close_cb=self._on_stream_close,
        )
        self.server = spdylay.Session(
            spdylay.SERVER,
            version,
            send_cb=self._server_send,
            on_request_recv_cb=self._on_request_recv,
        )
        self.small_provider = spdylay.DataProvider(SMALL_BODY, self._read_small)
        self.large_provider = spdylay.DataProvider(None, self._read_large)

    def _client_send(self, session, data):
        self.to_server.append(data)
        return len(data)

    def _server_send(self, session, data):
        self.to_client.append(data)
        return len(data)

    def _on_data_chunk_recv(self, session, flags, stream_id, data):
        self.body_bytes += len(data)

    def _on_stream_close(self, session, stream_id, status_code):
        self.closed += 1
        if status_code != spdylay.OK:
            self.failed += 1

    def _read_small(self, session, stream_id, length, read_ctrl, source):
        read_ctrl.flags = spdylay.READ_EOF
        return source

    def _read_large(self, session, stream_id, length, read_ctrl, source):
        length = min(length, len(FILLER), self.large_remaining)
        self.large_remaining -= length
        if self.large_remaining == 0:
            read_ctrl.flags = spdylay.READ_EOF
        return FILLER[:length]

    def _on_request_recv(self, session, stream_id):
        provider = self.large_provider if self.large_remaining else self.small_provider
        session.submit_response(stream_id, RESPONSE_NV, provider)

    @staticmethod
    def _deliver(receiver, pipe):
        if pipe:
            data = pipe[0] if len(pipe) == 1 else b"".join(pipe)
            del pipe[:]
            receiver.recv(data)

    def pump_until(self, closed_target):
        while self.closed < closed_target:
            self.client.send()
            self._deliver(self.server, self.to_server)
            self.server.send()
            if not self.to_client:
                raise RuntimeError("the sessions stalled")
            self._deliver(self.client, self.to_client)

    def submit_get(self):
        self.client.submit_request(3, REQUEST_NV)


class H2Connection:
    """The same workloads over h2: a client and a server H2Connection in memory."""

    def __init__(self, large_size=0):
        import h2.config
        import h2.connection
        import h2.events

        self.events = h2.events
        self.client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.server = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        self.client.initiate_connection()
        self.server.initiate_connection()
        self.large_size = large_size
        self.pending = {}  # server stream ID -> body bytes still to send
        self.body_bytes = 0
        self.closed = 0
        self.headers = [
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/bench"),
            (":authority", "127.0.0.1"),
        ]
        self.response_headers = [(":status", "200"), ("content-type", "application/octet-stream")]

    def submit_get(self):
        self.client.send_headers(
            self.client.get_next_available_stream_id(), self.headers, end_stream=True
        )

    def _server_events(self, data):
        for event in self.server.receive_data(data):
            if isinstance(event, self.events.RequestReceived):
                self.server.send_headers(event.stream_id, self.response_headers)
                self.pending[event.stream_id] = self.large_size or len(SMALL_BODY)

    def _server_write_bodies(self):
        for stream_id in list(self.pending):
            remaining = self.pending[stream_id]
            while remaining:
                window = min(
                    self.server.local_flow_control_window(stream_id),
                    self.server.max_outbound_frame_size,
                    remaining,
                )
                if window <= 0:
                    break
                remaining -= window
                self.server.send_data(stream_id, FILLER[:window], end_stream=remaining == 0)
            if remaining:
                self.pending[stream_id] = remaining
            else:
                del self.pending[stream_id]

    def _client_events(self, data):
        for event in self.client.receive_data(data):
            if isinstance(event, self.events.DataReceived):
                self.body_bytes += len(event.data)
                self.client.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, self.events.StreamEnded):
                self.closed += 1

    def pump_until(self, closed_target):
        while self.closed < closed_target:
            self._server_events(self.client.data_to_send())
            self._server_write_bodies()
            data = self.server.data_to_send()
            if not data:
                raise RuntimeError("the connections stalled")
            self._client_events(data)


def small_rate(make_connection, count):
    conn = make_connection(0)
    started = clock()
    submitted = 0
    while submitted < count:
        batch = min(CONCURRENCY, count - submitted)
        for _ in range(batch):
            conn.submit_get()
        submitted += batch
        conn.pump_until(submitted)
    elapsed = clock() - started
    if conn.body_bytes != count * len(SMALL_BODY) or getattr(conn, "failed", 0):
        raise RuntimeError("small exchanges lost data")
    return count / elapsed


def large_rate(make_connection, megabytes):
    size = megabytes * 1000000
    conn = make_connection(size)
    started = clock()
    conn.submit_get()
    conn.pump_until(1)
    elapsed = clock() - started
    if conn.body_bytes != size:
        raise RuntimeError("the large response lost data")
    return megabytes / elapsed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=20000, help="small exchanges")
    parser.add_argument("--large-mb", type=int, default=50, help="large body, MB")
    parser.add_argument("--no-h2", action="store_true", help="skip the h2 comparison")
    parser.add_argument(
        "--cpu-clock", action="store_true", help="time by CPU time instead of wall time"
    )
    args = parser.parse_args(argv)
    if args.cpu_clock:
        global clock
        clock = time.process_time

    print(
        "%s %s; in memory, one thread; %d small exchanges (GET, 1 KiB body, "
        "%d in flight), one %d MB response"
        % (
            platform.python_implementation(),
            platform.python_version(),
            args.small,
            CONCURRENCY,
            args.large_mb,
        )
    )
    print("%-22s %18s %12s" % ("library", "small exchanges/s", "large MB/s"))
    rows = [
        ("spdylay " + name, lambda size, v=version: SpdylayConnection(v, size))
        for name, version in VERSIONS
    ]
    if not args.no_h2:
        import h2

        rows.append(("h2 %s (HTTP/2)" % h2.__version__, H2Connection))
    for name, make_connection in rows:
        small = small_rate(make_connection, args.small)
        large = large_rate(make_connection, args.large_mb)
        print("%-22s %18.0f %12.1f" % (name, small, large))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
