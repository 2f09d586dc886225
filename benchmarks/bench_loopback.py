"""Requests/s over loopback (127.0.0.1, plain TCP) between spdylay's own
ThreadedSPDYServer and UrlFetcher, beside the in-memory Session figure of
bench_python.py for scale.

The workload is bench_python.py's small exchange: GET answered by a response
with a 1 KiB body.
- one connection: one UrlFetcher with every request on it; the server's
  SETTINGS MAX_CONCURRENT_STREAMS (100) keeps 100 streams in flight;
- 20 connections: 20 UrlFetchers, each on its own thread, sharing the
  requests.
The server runs in a child process (so client and server do not share one
interpreter lock); every body byte and every stream's status is checked, so
a broken run fails instead of looking fast.  For comparison the same client
also runs against ThreadedSPDYServer with its handlers run on the
connection's I/O thread (no worker threads, so no hand-off between threads),
and against a server that answers on the connection's I/O thread with no
handler at all (the engine under ThreadedSPDYServer without them).

Each rate is the best of --repeat runs: other work on the machine only
ever slows a run down.  Beside each rate, the CPU time per request of the
server process and of the client process (medians of the same runs): on a
machine shared with other work they vary far less than the rates do.  The
last column, the rate times the two together, says how many cores the two
processes kept busy on average: 1.0 when they take turns (each waiting for
the other's batch), when the rate is one over their sum; 2.0 when they
overlap throughout, when it is one over the larger.

Usage: python3 benchmarks/bench_loopback.py [--requests N] [--repeat R]
                                            [--version 2|3|3.1]
"""

import argparse
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import threading
import time

import spdylay
from spdylay._loop import SessionLoop

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_python  # noqa: E402  (the in-memory workload, shared)

BODY = bench_python.SMALL_BODY
VERSIONS = {"2": spdylay.PROTO_SPDY2, "3": spdylay.PROTO_SPDY3, "3.1": spdylay.PROTO_SPDY3_1}
MANY_CONNECTIONS = 20


class BenchHandler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.send_header("content-length", len(BODY))
        self.wfile.write(BODY)

    def log_message(self, format, *args):
        """Silent: one log line per request would measure the terminal."""


def answer_cpu_time(control):
    """Sends the process's CPU time down ``control`` each time it is asked,
    until it is told to stop."""
    while control.recv() == "cpu":
        control.send(time.process_time())


def serve(version, address_queue, control, handlers_on_io_thread=False):
    server = spdylay.ThreadedSPDYServer(("127.0.0.1", 0), BenchHandler, version=version)
    if handlers_on_io_thread:
        server._workers.run_all = _run_here
    server.start(daemon=True)
    address_queue.put(server.server_address)
    answer_cpu_time(control)
    server.shutdown()
    server.server_close()


def _run_here(jobs):
    for function, args in jobs:
        function(*args)


def serve_on_io_thread(version, address_queue, control):
    """For comparison: ThreadedSPDYServer with each request's handler run
    on its connection's I/O thread instead of a worker thread (so nothing
    is handed from one thread to another; a handler that blocked would
    hold back its whole connection)."""
    serve(version, address_queue, control, handlers_on_io_thread=True)


def _read_body(session, stream_id, length, read_ctrl, source):
    read_ctrl.flags = spdylay.READ_EOF
    return source


def _answer_inline(session, stream_id):
    session.submit_response(
        stream_id, bench_python.RESPONSE_NV, spdylay.DataProvider(BODY, _read_body)
    )


def _serve_connection(sock, version):
    loop = SessionLoop(sock, spdylay.SERVER, version, on_request_recv_cb=_answer_inline)
    loop.session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE,
        [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_NONE, 100)],
    )
    try:
        loop.run()
    finally:
        loop.close()


def _accept(listener, version):
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return  # closed
        threading.Thread(target=_serve_connection, args=(sock, version), daemon=True).start()


def serve_inline(version, address_queue, control):
    """For comparison: no handler threads, each response submitted by the
    connection's I/O thread as the request arrives (the engine under
    ThreadedSPDYServer, without its per-request threads)."""
    listener = socket.create_server(("127.0.0.1", 0))
    address_queue.put(listener.getsockname())
    threading.Thread(target=_accept, args=(listener, version), daemon=True).start()
    answer_cpu_time(control)
    listener.close()


class Tally:
    """What one connection's streams received."""

    def __init__(self):
        self.body_bytes = 0
        self.failed = 0


def fetch(server_address, count, version, results):
    tally = Tally()

    class CountingHandler(spdylay.BaseSPDYStreamHandler):
        def on_data(self, data):
            tally.body_bytes += len(data)

        def on_close(self, status_code):
            if status_code != spdylay.OK:
                tally.failed += 1

    url = "http://%s:%d/bench" % server_address
    spdylay.UrlFetcher(
        server_address, [url] * count, CountingHandler, tls=False, version=version
    ).loop()
    results.append((count, tally))


def loopback_rate(server_address, version, connections, requests):
    """Requests/s of one run."""
    per_connection = requests // connections
    results = []
    threads = [
        threading.Thread(target=fetch, args=(server_address, per_connection, version, results))
        for _ in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = per_connection * connections
    if (
        len(results) != connections
        or sum(t.body_bytes for _, t in results) != total * len(BODY)
        or any(t.failed for _, t in results)
    ):
        raise RuntimeError("requests over loopback failed or lost data")
    return total / elapsed


def measure(control, address, version, connections, requests, repeat):
    """The best rate of ``repeat`` runs, and the median server and client
    CPU microseconds per request."""
    rates, server_cpu, client_cpu = [], [], []
    for _ in range(repeat):
        control.send("cpu")
        server_started = control.recv()
        client_started = time.process_time()
        rates.append(loopback_rate(address, version, connections, requests))
        client_cpu.append((time.process_time() - client_started) / requests * 1e6)
        control.send("cpu")
        server_cpu.append((control.recv() - server_started) / requests * 1e6)
    return max(rates), statistics.median(server_cpu), statistics.median(client_cpu)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per measurement")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per figure (the best rate is shown)"
    )
    parser.add_argument("--version", choices=sorted(VERSIONS), default="3.1")
    args = parser.parse_args(argv)
    version = VERSIONS[args.version]

    print(
        "%s %s, SPDY/%s; %d requests (GET, 1 KiB body) per run, best of %d"
        % (
            platform.python_implementation(),
            platform.python_version(),
            args.version,
            args.requests,
            args.repeat,
        )
    )
    print(
        "%-66s %10s %13s %13s %10s"
        % ("", "requests/s", "server us/req", "client us/req", "cores busy")
    )
    for name, server_main in (
        ("ThreadedSPDYServer", serve),
        ("handlers on I/O thread", serve_on_io_thread),
        ("inline responses", serve_inline),
    ):
        addresses = multiprocessing.Queue()
        control, child_control = multiprocessing.Pipe()
        server = multiprocessing.Process(
            target=server_main, args=(version, addresses, child_control)
        )
        server.start()
        try:
            address = addresses.get(timeout=30)
            loopback_rate(address, version, 1, 1000)  # warm-up
            for label, connections in (
                ("1 connection, 100 in flight", 1),
                ("%d connections" % MANY_CONNECTIONS, MANY_CONNECTIONS),
            ):
                rate, server_cpu, client_cpu = measure(
                    control, address, version, connections, args.requests, args.repeat
                )
                print(
                    "%-66s %10.0f %13.1f %13.1f %10.2f"
                    % (
                        "loopback, %s, %s" % (name, label),
                        rate,
                        server_cpu,
                        client_cpu,
                        rate * (server_cpu + client_cpu) / 1e6,
                    )
                )
                sys.stdout.flush()
                if name == "ThreadedSPDYServer" and connections == 1:
                    threaded_one = rate
        finally:
            control.send("stop")
            server.join(30)
    in_memory = max(
        bench_python.small_rate(
            lambda size: bench_python.SpdylayConnection(version, size), args.requests
        )
        for _ in range(args.repeat)
    )
    print("%-66s %10.0f" % ("in memory, Session pair, 100 in flight", in_memory))
    print("ThreadedSPDYServer, 1 connection / in memory: %.2f" % (threaded_one / in_memory))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
