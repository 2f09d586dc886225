"""Hostile peers against a Session, for tests/test_attacks.py.

Each attack drives one SPDY/3.1 Session as the peer would, with frames built by
spdywire, and returns what it cost: the growth of the process's resident
memory (what the attack leaves the session holding) and of its peak, the CPU
time, the attacking bytes, the outbound queue at the end and what the peer
was answered.  Run as a script (``python attacks.py NAME defended|undefended``)
it prints that as JSON, so that every measurement has a fresh process.

"Undefended" lifts the bound the attack aims at (its option set to 0), to show
what the defence saves; "defended" keeps the defaults.
"""

import json
import os
import resource
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The tree, for runs by hand from a tree built in place; after site-packages,
# so that an installed spdylay wins over an unbuilt tree (CI's sdist stage).
sys.path.append(os.path.dirname(HERE))

import spdylay  # noqa: E402

import spdywire  # noqa: E402

VERSION = spdylay.PROTO_SPDY3_1
REQUEST = [
    (":host", "example.org"),
    (":method", "GET"),
    (":path", "/"),
    (":scheme", "https"),
    (":version", "HTTP/1.1"),
]
# How many attacking frames each flood sends: far past every default bound,
# small enough for the undefended runs to stay quick under a sanitizer.
FLOOD = 20000


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_kib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class Target:
    """A server Session facing the attacker, reading what the attacker writes
    through recv_cb as it would from a socket; ``writable`` says whether its
    send_cb takes bytes (the attacker may never read)."""

    def __init__(self, config, writable=True, **callbacks):
        self.writable = writable
        self.wire = bytearray()
        self.incoming = iter(())
        self.read_bytes = 0
        self.session = spdylay.Session(
            spdylay.SERVER,
            VERSION,
            config=config,
            send_cb=self._send,
            recv_cb=self._recv,
            **callbacks,
        )

    def _send(self, session, data):
        if not self.writable:
            return None
        self.wire += data
        return len(data)

    def _recv(self, session, length):
        chunk = next(self.incoming, None)
        if chunk is not None:
            self.read_bytes += len(chunk)
        return chunk

    def read(self, chunks):
        """Reads the attacker's ``chunks`` while the session wants to read."""
        self.incoming = iter(chunks)
        self.session.recv()

    def answers(self):
        """What the peer finally reads once it does read: counts of each
        frame type, RST_STREAM and GOAWAY by status."""
        self.writable = True
        self.session.send()
        seen = {}
        for frame in spdywire.parse_all(VERSION, bytes(self.wire)):
            if not frame.control:
                key = "DATA"
            elif frame.type == spdywire.RST_STREAM:
                key = "RST_STREAM %d" % frame.status_code
            elif frame.type == spdywire.GOAWAY:
                key = "GOAWAY %d" % frame.status_code
            else:
                key = {
                    spdywire.SYN_REPLY: "SYN_REPLY",
                    spdywire.PING: "PING",
                    spdywire.WINDOW_UPDATE: "WINDOW_UPDATE",
                    spdywire.SETTINGS: "SETTINGS",
                }.get(frame.type, str(frame.type))
            seen[key] = seen.get(key, 0) + 1
        return seen


def _measure(target, attack):
    """Runs ``attack()`` against ``target`` and says what it cost: resident
    and peak memory growth, CPU time per byte the session read, the outbound
    queue and want_read() at the end, and what the peer reads once it
    reads."""
    before_peak = peak_rss_kib()
    before_rss = rss_kib()
    before_cpu = time.process_time()
    attack()
    cpu = time.process_time() - before_cpu
    return {
        "rss_kib": rss_kib() - before_rss,
        "peak_kib": peak_rss_kib() - before_peak,
        "cpu_s": cpu,
        "read_bytes": target.read_bytes,
        "ns_per_byte": cpu * 1e9 / max(target.read_bytes, 1),
        "queue": target.session.get_outbound_queue_size(),
        "want_read": target.session.want_read(),
        "answers": target.answers(),
    }


def _attack(target, chunks):
    return _measure(target, lambda: target.read(chunks))


def _batched(frames, size=16 * 1024):
    """Joins frames into writes of about ``size`` bytes, as a socket delivers."""
    batch = []
    length = 0
    for frame in frames:
        batch.append(frame)
        length += len(frame)
        if length >= size:
            yield b"".join(batch)
            batch, length = [], 0
    if batch:
        yield b"".join(batch)


def header_bomb(defended):
    """One SYN_STREAM of about 16 KB whose value inflates to just under the
    16 MiB buffer (defended) or 1 MiB (undefended: the whole list is built)
    of "ab\\0ab\\0...": millions of name/value entries for on_ctrl_recv_cb."""
    inflated = 15 * 1024 * 1024 + 700 * 1024 if defended else 1024 * 1024
    enc = spdywire.Encoder(VERSION)
    config = (
        {}
        if defended
        else {spdylay.OPT_MAX_HEADER_LIST_SIZE: 0, spdylay.OPT_MAX_HEADER_LIST_COUNT: 0}
    )
    received = []
    target = Target(config, on_ctrl_recv_cb=lambda s, frame: received.append(frame))
    repeats = inflated // 3
    compressor = enc.compressor
    parts = [
        compressor.compress_piece(
            struct.pack(">II", 1, 1) + b"x" + struct.pack(">I", 3 * repeats + 2)
        )
    ]
    full, rest = divmod(repeats, 20000)
    for _ in range(full):
        parts.append(compressor.compress_piece(b"ab\0" * 20000))
    parts.append(compressor.compress_piece(b"ab\0" * rest + b"ab"))
    parts.append(compressor.flush_block())
    frame = enc.syn_stream(1, None, flags=spdywire.FLAG_FIN, block=b"".join(parts))
    result = _attack(target, [frame])
    result["entries_built"] = sum(len(f.nv) for f in received)
    return result


# What the default header list bounds keep of an inflated block; a block may
# inflate to twice that and still cost only its stream.
KEPT_OF_A_BLOCK = 4 + 9 * 1000 + 65536
BOMBS = 3000


def header_bomb_flood(defended):
    """SYN_STREAMs on one new stream after another, each inflating to the
    most the session inflates without failing (twice KEPT_OF_A_BLOCK), each
    refused with RST_STREAM, by a peer that reads them.  Undefended, the
    refusals do not end the session."""
    config = {spdylay.OPT_MAX_AUTO_REPLIES: 0}
    if not defended:
        config[spdylay.OPT_MAX_PEER_RESETS] = 0
    target = Target(config)
    enc = spdywire.Encoder(VERSION)
    compressor = enc.compressor

    def bomb(stream_id):
        block = compressor.compress_piece(b"\0" * (2 * KEPT_OF_A_BLOCK)) + compressor.flush_block()
        return enc.syn_stream(stream_id, None, flags=spdywire.FLAG_FIN, block=block)

    # Compressed beforehand: the session's CPU time alone is measured.
    chunks = list(_batched(bomb(2 * i + 1) for i in range(BOMBS)))
    return _attack(target, chunks)


def ping_flood(defended, stop_reading=False):
    """PINGs from a peer that never reads our replies.  With
    ``stop_reading`` the session stops reading instead of failing; then the
    peer reads, and the session reads on."""
    config = {} if defended else {spdylay.OPT_MAX_AUTO_REPLIES: 0}
    if stop_reading:
        config[spdylay.OPT_AUTO_REPLIES_STOP_READING] = True
    target = Target(config, writable=False)
    enc = spdywire.Encoder(VERSION)
    chunks = _batched(enc.ping(2 * i + 1) for i in range(FLOOD))
    result = _attack(target, chunks)
    if stop_reading:
        target.read(chunks)
        result["read_after_answers"] = target.read_bytes
    return result


def settings_flood(defended):
    """SETTINGS frames of 4,000 entries each, seen by on_ctrl_recv_cb."""
    config = {} if defended else {spdylay.OPT_MAX_SETTINGS_ENTRIES: 0}
    target = Target(config, on_ctrl_recv_cb=lambda s, frame: None)
    enc = spdywire.Encoder(VERSION)
    entries = [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, i) for i in range(4000)]
    frame = enc.settings(entries)
    return _attack(target, [frame] * 50)


def rapid_reset(defended):
    """Streams opened and reset at once, each seen by on_ctrl_recv_cb."""
    config = {} if defended else {spdylay.OPT_MAX_PEER_RESETS: 0}
    received = []
    target = Target(config, on_ctrl_recv_cb=lambda s, frame: received.append(frame.frame_type))
    enc = spdywire.Encoder(VERSION)
    frames = []
    for i in range(FLOOD):
        stream_id = 2 * i + 1
        frames.append(enc.syn_stream(stream_id, REQUEST))
        frames.append(enc.rst_stream(stream_id, spdylay.CANCEL))
    result = _attack(target, _batched(frames))
    result["streams_seen"] = received.count(spdylay.SYN_STREAM)
    return result


def data_on_unopened_streams(defended):
    """8-byte DATA frames, each for a stream the peer never opened, each
    answered with a 16-byte RST_STREAM, by a peer that reads them."""
    config = {spdylay.OPT_MAX_AUTO_REPLIES: 0}
    if not defended:
        config[spdylay.OPT_MAX_PEER_RESETS] = 0
    target = Target(config)
    enc = spdywire.Encoder(VERSION)
    frames = (enc.data(2 * i + 1, b"", flags=spdywire.FLAG_FIN) for i in range(FLOOD))
    return _attack(target, _batched(frames))


def empty_frames(defended):
    """DATA frames with no payload and HEADERS with no header on one stream."""
    config = {} if defended else {spdylay.OPT_MAX_EMPTY_FRAMES: 0}
    target = Target(config, on_data_recv_cb=lambda *args: None)
    enc = spdywire.Encoder(VERSION)
    frames = [enc.syn_stream(1, REQUEST)]
    for i in range(FLOOD):
        frames.append(enc.data(1, b"") if i % 2 else enc.headers(1, []))
    return _attack(target, _batched(frames))


def window_dribble(defended):
    """A peer that opens our window one byte at a time on a large response."""
    config = {} if defended else {spdylay.OPT_MAX_SMALL_WINDOW_UPDATES: 0}
    body = b"x" * (1 << 20)

    def read_cb(session, stream_id, length, read_ctrl, source):
        return source[:length]

    def on_request_recv(session, stream_id):
        session.submit_response(
            stream_id,
            [(":status", "200"), (":version", "HTTP/1.1")],
            spdylay.DataProvider(body, read_cb),
        )

    target = Target(config, on_request_recv_cb=on_request_recv)
    enc = spdywire.Encoder(VERSION)
    target.read(
        [
            enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1)])
            + enc.syn_stream(1, REQUEST, flags=spdywire.FLAG_FIN)
        ]
    )
    target.session.send()
    target.read_bytes = 0
    update = enc.window_update(1, 1)

    def dribble():
        # One byte of window at a time, each answered before the next.
        for _ in range(FLOOD):
            if not target.session.want_read():
                return
            target.read([update])
            target.session.send()

    return _measure(target, dribble)


def idle_streams(defended):
    """Streams opened and never closed by a peer that never reads."""
    config = (
        {} if defended else {spdylay.OPT_MAX_INCOMING_STREAMS: 0, spdylay.OPT_MAX_AUTO_REPLIES: 0}
    )
    target = Target(
        config,
        writable=False,
        on_ctrl_recv_cb=lambda s, frame: s.set_stream_user_data(frame.stream_id, [frame.stream_id]),
    )
    enc = spdywire.Encoder(VERSION)
    frames = (enc.syn_stream(2 * i + 1, REQUEST) for i in range(FLOOD))
    result = _attack(target, _batched(frames))
    result["open_streams"] = sum(
        target.session.get_stream_user_data(2 * i + 1) is not None for i in range(FLOOD)
    )
    return result


def unread_answers(defended):
    """Requests from a peer that never reads the responses we queue."""
    config = (
        {} if defended else {spdylay.OPT_MAX_INCOMING_STREAMS: 0, spdylay.OPT_MAX_AUTO_REPLIES: 0}
    )

    def on_request_recv(session, stream_id):
        session.submit_response(stream_id, [(":status", "200"), (":version", "HTTP/1.1")])

    target = Target(config, writable=False, on_request_recv_cb=on_request_recv)
    enc = spdywire.Encoder(VERSION)
    frames = (enc.syn_stream(2 * i + 1, REQUEST, flags=spdywire.FLAG_FIN) for i in range(FLOOD))
    return _attack(target, _batched(frames))


ATTACKS = {
    "header_bomb": header_bomb,
    "header_bomb_flood": header_bomb_flood,
    "ping_flood": ping_flood,
    "ping_flood_stop_reading": lambda defended: ping_flood(defended, stop_reading=True),
    "settings_flood": settings_flood,
    "rapid_reset": rapid_reset,
    "data_on_unopened_streams": data_on_unopened_streams,
    "empty_frames": empty_frames,
    "window_dribble": window_dribble,
    "idle_streams": idle_streams,
    "unread_answers": unread_answers,
}

if __name__ == "__main__":
    name, mode = sys.argv[1], sys.argv[2]
    print(json.dumps(ATTACKS[name](mode == "defended")))
