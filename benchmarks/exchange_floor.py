"""The fastest any binding could run ``exchange.py``: its own code against a
stand-in ``spdylay`` that does no protocol work.

    python3 benchmarks/exchange_floor.py ../shared/bench/exchange.py small 20000
    python3 benchmarks/exchange_floor.py --baseline ../base/.venv/bin/python \\
        --core ./exchange_c [--copy-floor ./copy_floor] \\
        ../shared/bench/exchange.py bulk 256

The stand-in implements the part of the seed API exchange.py uses (Session,
DataProvider, submit_request, submit_response, send, recv, want_read,
want_write, the constants) and only calls exchange.py's callbacks, in the
order and with the arguments the real binding calls them: ``recv_cb`` until
it returns nothing, ``on_request_recv_cb`` per request, ``read_cb`` with a
64 KiB length until READ_EOF (twice per small response: the body, then
EOF), ``send_cb`` once per 64 KiB of output with bytes of the real wire
size, ``on_data_chunk_recv_cb`` once per small body or per 64 KiB window of
the bulk body, ``on_stream_close_cb`` on both sides.  What a binding would
have to learn from the wire, the stand-in hands from one Session to the
other in a Python list (a bulk window's bytes too, which reach
``on_data_chunk_recv_cb`` as the object ``read_cb`` returned); no frame is
built or parsed, no header compressed, no lock taken, and bytes are
copied only where exchange.py's callbacks need a bytes object the real
binding would have to build (the small responses' output, one join per
64 KiB; a bulk window passes from ``read_cb`` to ``send_cb`` untouched).
Its rate is therefore an upper bound for any binding on that interpreter:
the time it takes is exchange.py's own.  With ``--baseline`` the stand-in
runs with glibc's heap trimming off (``MALLOC_TRIM_THRESHOLD_``), which can
only make it faster: started one way or another, exchange.py's own 64 KiB
blocks otherwise make glibc give the heap's top back and take it back
zeroed once per window.

With ``--baseline PYTHON`` the script alternates, ``--runs`` times, real
exchange.py runs under PYTHON (a build of the real binding) with stand-in
runs under this interpreter, both timed by CPU clock as compare.py
``--cpu-clock`` does, and with ``--core PROGRAM`` runs of exchange.c's
binary too (``PROGRAM small N`` or ``PROGRAM bulk MiB``, N or MiB given by
``--core-count``).  The floor
is the stand-in's time per exchange (or per MB) plus the C core's: for
small, exchange.c's whole time per exchange (its own callbacks do almost
nothing); for bulk, exchange.c's time per MB less that of copy_floor.c,
which makes exactly the copies exchange.c's own callbacks make, so only
the library's share is counted.
"""

import argparse
import os
import runpy
import statistics
import sys
import types

from compare import CPU_CLOCK_PRELUDE, run_once

# What the real binding asks read_cb and recv_cb for, and the size of the
# output it hands send_cb at a time.
READ_LENGTH = 65536
RECV_LENGTH = 131072
OUTPUT_BATCH = 65536
# The client's flow-control window and when it reopens it (SPDY/3).
WINDOW = 65536
WINDOW_UPDATE_AT = WINDOW // 2

# Wire sizes measured on the real binding's exchange.py runs: a compressed
# SYN_STREAM of the 7 request headers after the first, a SYN_REPLY of the 4
# response headers, a DATA frame's head (also a whole empty FIN frame) and
# a WINDOW_UPDATE.
SYN_STREAM_SIZE = 27
SYN_REPLY_SIZE = 20
DATA_HEAD = b"\0" * 8
WINDOW_UPDATE_SIZE = 16
PADDING = b"\0" * RECV_LENGTH


class ReadCtrl:
    __slots__ = ("flags",)

    def __init__(self):
        self.flags = 0


class DataProvider:
    __slots__ = ("source", "read_cb")

    def __init__(self, source, read_cb):
        self.source = source
        self.read_cb = read_cb


class Session:
    """One end; its peer is the other Session made (exchange.py makes a
    server, then a client)."""

    made = []

    def __init__(
        self,
        side,
        version,
        send_cb=None,
        recv_cb=None,
        on_request_recv_cb=None,
        on_data_chunk_recv_cb=None,
        on_stream_close_cb=None,
    ):
        self.send_cb = send_cb
        self.recv_cb = recv_cb
        self.on_request_recv_cb = on_request_recv_cb
        self.on_data_chunk_recv_cb = on_data_chunk_recv_cb
        self.on_stream_close_cb = on_stream_close_cb
        self.read_ctrl = ReadCtrl()
        # What the peer's send() put on the wire for this end's recv().
        self.inbox = []
        self.outbox = []
        self.control_bytes = 0
        self.next_stream_id = 1
        self.responses = []
        self.reply_bytes = 0
        # Flow control, per stream: the window of the response being sent
        # and the bytes of the one being received not yet acknowledged
        # (exchange.py's streams are served one after the other).
        self.window = WINDOW
        self.unacknowledged = 0
        made = Session.made
        made.append(self)
        if len(made) == 2:
            made[0].peer, made[1].peer = made[1], made[0]

    def submit_request(self, pri, nv, data_prd=None, stream_user_data=None):
        self.outbox.append(self.next_stream_id)
        self.next_stream_id += 2
        self.control_bytes += SYN_STREAM_SIZE

    def submit_response(self, stream_id, nv, data_prd=None):
        self.responses.append((stream_id, data_prd))
        self.reply_bytes += SYN_REPLY_SIZE

    def want_read(self):
        return True

    def want_write(self):
        return True

    def recv(self):
        recv_cb = self.recv_cb
        while True:
            data = recv_cb(self, RECV_LENGTH)
            if not data:
                return
            inbox = self.inbox
            if inbox:
                self.inbox = []
                self.deliver(inbox)

    def deliver(self, events):
        on_request = self.on_request_recv_cb
        on_chunk = self.on_data_chunk_recv_cb
        on_close = self.on_stream_close_cb
        for event in events:
            if event.__class__ is int:
                if event > 0:
                    on_request(self, event)
                else:
                    self.window -= event
                continue
            stream_id, chunk, fin = event
            if chunk:
                on_chunk(self, 0, stream_id, chunk)
                self.unacknowledged += len(chunk)
                if self.unacknowledged >= WINDOW_UPDATE_AT:
                    self.outbox.append(-self.unacknowledged)
                    self.unacknowledged = 0
                    self.control_bytes += WINDOW_UPDATE_SIZE
            if fin:
                self.unacknowledged = 0
                on_close(self, stream_id, 0)

    def send(self):
        if self.responses:
            self.send_responses()
        if self.control_bytes:
            size, self.control_bytes = self.control_bytes, 0
            self.peer.inbox.extend(self.outbox)
            self.outbox = []
            self.send_cb(self, PADDING[:size])

    def send_responses(self):
        """The queued responses' SYN_REPLYs and DATA, as far as the window
        allows."""
        read_ctrl = self.read_ctrl
        peer = self.peer
        size, self.reply_bytes = self.reply_bytes, 0
        parts = [PADDING[:size]] if size else []
        responses = self.responses
        while responses and self.window > 0:
            stream_id, provider = responses[0]
            read_ctrl.flags = 0
            data = provider.read_cb(self, stream_id, READ_LENGTH, read_ctrl, provider.source)
            fin = read_ctrl.flags != 0
            self.window -= len(data)
            parts.append(DATA_HEAD)
            size += len(DATA_HEAD) + len(data)
            if data:
                parts.append(data)
            peer.inbox.append((stream_id, data, fin))
            if fin:
                del responses[0]
                self.window = WINDOW
                self.on_stream_close_cb(self, stream_id, 0)
            if size >= OUTPUT_BATCH:
                self.send_output(parts)
                parts = []
                size = 0
        if parts:
            self.send_output(parts)

    def send_output(self, parts):
        if len(parts) == 2 and parts[0] is DATA_HEAD:
            # A bulk window: read_cb's bytes go to send_cb as they are.
            self.send_cb(self, parts[1])
        else:
            self.send_cb(self, b"".join(parts))


def stand_in_module():
    module = types.ModuleType("spdylay")
    module.Session = Session
    module.DataProvider = DataProvider
    module.CLIENT, module.SERVER = 1, 2
    module.PROTO_SPDY2, module.PROTO_SPDY3, module.PROTO_SPDY3_1 = 2, 3, 4
    module.READ_EOF = 1
    return module


def run_stand_in(exchange_py, arguments):
    sys.modules["spdylay"] = stand_in_module()
    sys.argv = [exchange_py] + arguments
    runpy.run_path(exchange_py, run_name="__main__")


def floor_rate(stand_in, core, copy):
    """Stand-in and core time per exchange (or per MB) added, as a rate."""
    seconds = 1 / stand_in
    if core is not None:
        seconds += 1 / core - (1 / copy if copy is not None else 0)
    return 1 / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="an interpreter with a real binding to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--core", help="exchange.c built against the C core")
    parser.add_argument("--copy-floor", help="copy_floor.c built (bulk)")
    parser.add_argument("--core-count", type=int, help="N or MiB for --core (default: N)")
    parser.add_argument("exchange_py")
    parser.add_argument("kind", choices=("small", "bulk"))
    parser.add_argument("count", type=int)
    options = parser.parse_args()
    if options.baseline is None:
        run_stand_in(options.exchange_py, [options.kind, str(options.count)])
        return 0
    workload = [options.exchange_py, options.kind, str(options.count)]
    core_count = str(options.core_count or options.count)
    commands = {
        "baseline": [options.baseline, "-c", CPU_CLOCK_PRELUDE] + workload,
        "stand-in": [sys.executable, "-c", CPU_CLOCK_PRELUDE, os.path.abspath(__file__)] + workload,
    }
    if options.core:
        commands["core"] = [options.core, options.kind, core_count]
    if options.copy_floor and options.kind == "bulk":
        commands["copy"] = [options.copy_floor, core_count]
    # The stand-in's bulk figure depends on whether glibc gives the heap's
    # top back to the kernel and takes it back zeroed once per window, which
    # start-up decides (an absolute or a relative path to this script made
    # it 1,600 or 10,700 MB/s): an upper bound is measured without that.
    stand_in_env = dict(os.environ, MALLOC_TRIM_THRESHOLD_=str(1 << 30))
    figures = {name: [] for name in commands}
    unit = None
    for _ in range(options.runs):
        for name, command in commands.items():
            env = stand_in_env if name == "stand-in" else None
            rate, unit, _cpu = run_once(command, env)
            figures[name].append(rate)
    medians = {name: statistics.median(rates) for name, rates in figures.items()}
    for name, rates in figures.items():
        print(
            "%-9s median %12.1f %s  (min %.1f, max %.1f)"
            % (name, medians[name], unit, min(rates), max(rates))
        )
    floor = floor_rate(medians["stand-in"], medians.get("core"), medians.get("copy"))
    print("floor     %12.1f %s = %.2fx the baseline" % (floor, unit, floor / medians["baseline"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
