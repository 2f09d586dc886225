"""Requests/s of the spdylay.aio client against the spdylay.aio server over
loopback TCP, beside the in-memory Session figure of bench_python.py.

The workload is bench_python.py's small exchange: a GET answered by 200
with a 1 KiB body, every body checked.  Two methods:

"same process": client and server run in this one process, on one event
loop, so the figure is the cost of both ends on one core, as
bench_python.py's in-memory figure is.  Rates are per second of this
process's CPU time (user and system, so the socket calls count), which
other work on the machine does not inflate:
- "1 connection": 100 requests in flight on one connection;
- "20 connections": 20 connections with 5 requests in flight on each;
- "threaded server": the aio client, 100 requests in flight on one
  connection, against spdylay.ThreadedSPDYServer (its threads in this
  process too).

"server process": the aio server runs in a child process (this script with
--serve, on the same event loop kind), as in a deployment where client and
server are separate programs, each with a core of its own.  Rates are per
second of wall-clock time, so they depend on the machine's load; beside
each, what one request cost each process in CPU time:
- "1 connection": 100 requests in flight on one connection;
- "20 connections": 20 connections with 5 requests in flight on each.

The in-memory figure is given per CPU second and per wall-clock second.
Each figure is the best of --repeat runs (default 3).

Usage: python3 benchmarks/bench_aio.py [--requests N] [--repeat R]
       [--loop asyncio|uvloop] [--version 2|3|3.1]
       [--method same-process|server-process]
       (by default every version, on every loop installed, both methods)
"""

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time

from bench_python import CONCURRENCY, SMALL_BODY, SpdylayConnection, small_rate

import spdylay
import spdylay.aio as aio

VERSIONS = {"2": spdylay.PROTO_SPDY2, "3": spdylay.PROTO_SPDY3, "3.1": spdylay.PROTO_SPDY3_1}


async def handler(request):
    return 200, [("content-type", "application/octet-stream")], SMALL_BODY


class ThreadedHandler(spdylay.BaseSPDYRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.wfile.write(SMALL_BODY)

    def log_message(self, format, *args):
        pass


async def exchange_rate(version, connections, in_flight, count):
    async with await aio.serve(
        handler, "127.0.0.1", 0, version=version, max_concurrent_streams=CONCURRENCY
    ) as server:
        return await client_rate(server.port, version, connections, in_flight, count)


async def threaded_server_rate(version, connections, in_flight, count):
    with spdylay.ThreadedSPDYServer(
        ("127.0.0.1", 0), ThreadedHandler, version=version, max_concurrent_streams=CONCURRENCY
    ) as server:
        server.start()
        return await client_rate(server.server_address[1], version, connections, in_flight, count)


async def client_rate(port, version, connections, in_flight, count):
    """Requests per CPU-second of ``count`` GETs to the server on ``port``
    (the CPU time of the whole process: a threaded server's threads too)."""
    cpu, _ = await client_run(port, version, connections, in_flight, count)
    return count / cpu


async def client_run(port, version, connections, in_flight, count):
    """(CPU seconds, wall-clock seconds) this process took for ``count``
    GETs to the server on ``port``."""
    conns = [await aio.connect("127.0.0.1", port, version=version) for _ in range(connections)]
    remaining = [count]

    async def worker(conn):
        received = 0
        while remaining[0] > 0:
            remaining[0] -= 1
            resp = await conn.get("/bench")
            received += len(await resp.read())
        return received

    started = time.process_time(), time.perf_counter()
    received = await asyncio.gather(*[worker(conn) for conn in conns for _ in range(in_flight)])
    cpu, wall = time.process_time() - started[0], time.perf_counter() - started[1]
    for conn in conns:
        await conn.close()
    if sum(received) != count * len(SMALL_BODY):
        raise RuntimeError("responses lost data")
    return cpu, wall


# (name, server, connections, requests in flight on each)
SCENARIOS = (
    ("1 connection", exchange_rate, 1, CONCURRENCY),
    ("20 connections", exchange_rate, 20, 5),
    ("threaded server", threaded_server_rate, 1, CONCURRENCY),
)
# (name, connections, requests in flight on each) against the server process
PROCESS_SCENARIOS = (
    ("1 connection", 1, CONCURRENCY),
    ("20 connections", 20, 5),
)


def in_memory_rates(version, count):
    """bench_python.py's small-exchange rate, per second of CPU time and
    per second of wall-clock time."""
    started = time.process_time(), time.perf_counter()
    small_rate(lambda size: SpdylayConnection(version), count)
    return (
        count / (time.process_time() - started[0]),
        count / (time.perf_counter() - started[1]),
    )


def new_loop(kind):
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_on(kind, coro):
    loop = new_loop(kind)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def serve_until_stdin_closes(version):
    """The server process: prints its port, then answers each line "cpu" on
    stdin with its CPU seconds so far, until stdin closes."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def command():
        line = sys.stdin.readline()
        if not line:
            done.set_result(None)
            return
        print(time.process_time(), flush=True)

    async with await aio.serve(
        handler, "127.0.0.1", 0, version=version, max_concurrent_streams=CONCURRENCY
    ) as server:
        print(server.port, flush=True)
        loop.add_reader(sys.stdin.fileno(), command)
        await done
        loop.remove_reader(sys.stdin.fileno())


class ServerProcess:
    """This script with --serve, in a child process."""

    def __init__(self, version_name, kind):
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve", version_name, "--loop", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())

    def cpu_time(self):
        self.process.stdin.write("cpu\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def process_figures(server, kind, version, connections, in_flight, count):
    """(requests per wall-clock second, client CPU and server CPU
    microseconds per request) of one run against the server process."""
    server_started = server.cpu_time()
    cpu, wall = run_on(kind, client_run(server.port, version, connections, in_flight, count))
    server_cpu = server.cpu_time() - server_started
    return count / wall, 1e6 * cpu / count, 1e6 * server_cpu / count


def installed_loops():
    kinds = ["asyncio"]
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return kinds
    return kinds + ["uvloop"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"))
    parser.add_argument("--version", choices=sorted(VERSIONS))
    parser.add_argument("--method", choices=("same-process", "server-process"))
    parser.add_argument("--serve", choices=sorted(VERSIONS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        run_on(args.loop or "asyncio", serve_until_stdin_closes(VERSIONS[args.serve]))
        return 0
    loops = [args.loop] if args.loop else installed_loops()
    versions = [args.version] if args.version else sorted(VERSIONS)
    methods = [args.method] if args.method else ["same-process", "server-process"]
    interpreter = "%s %s" % (platform.python_implementation(), platform.python_version())
    print(
        "spdylay.aio on %s, %d requests per figure, best of %d; load average %s"
        % (interpreter, args.requests, args.repeat, "%.2f %.2f %.2f" % os.getloadavg())
    )
    row = "%-9s %-8s %-32s %8s  %s"
    print(row % ("version", "loop", "scenario", "req/s", "clock, share of in-memory"))
    for name in versions:
        version = VERSIONS[name]
        label = "SPDY/" + name
        cpu_rates, wall_rates = zip(
            *[in_memory_rates(version, args.requests) for _ in range(args.repeat)]
        )
        memory_cpu, memory_wall = max(cpu_rates), max(wall_rates)
        print(row % (label, "-", "in-memory Session", "%.0f" % memory_cpu, "CPU"))
        print(row % (label, "-", "in-memory Session", "%.0f" % memory_wall, "wall"))
        for kind in loops:
            if "same-process" in methods:
                for scenario, rate_of, connections, in_flight in SCENARIOS:
                    rate = max(
                        run_on(kind, rate_of(version, connections, in_flight, args.requests))
                        for _ in range(args.repeat)
                    )
                    share = "CPU, %.2f" % (rate / memory_cpu)
                    print(row % (label, kind, scenario + ", same process", "%.0f" % rate, share))
            if "server-process" in methods:
                server = ServerProcess(name, kind)
                try:
                    for scenario, connections, in_flight in PROCESS_SCENARIOS:
                        runs = [
                            process_figures(
                                server, kind, version, connections, in_flight, args.requests
                            )
                            for _ in range(args.repeat)
                        ]
                        rate, client_us, server_us = max(runs)
                        share = "wall, %.2f; CPU/request: client %.1f us, server %.1f us" % (
                            rate / memory_wall,
                            client_us,
                            server_us,
                        )
                        print(
                            row % (label, kind, scenario + ", server process", "%.0f" % rate, share)
                        )
                finally:
                    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
