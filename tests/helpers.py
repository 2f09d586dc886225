"""Helpers the test modules import (pytest's fixtures stay in conftest.py).

- ``Recorder``: records every callback call as ``(callback_name, args)`` with the
  session argument dropped, so tests can assert exact event sequences.
- ``Endpoint``: one Session whose ``send_cb`` appends to ``outbox`` and to ``wire``
  (everything it ever sent, for parsing with ``spdywire``).
- ``Pair`` / ``make_pair``: a client and a server Endpoint; ``pump(pair)`` moves
  bytes both ways until neither side has anything left to send.
- ``RawPeer``: one Endpoint facing a hand-driven peer: ``peer.enc`` (a
  ``spdywire.Encoder``) builds what the peer sends, ``peer.feed(bytes)`` hands it
  to the session, ``peer.sent()`` runs ``send()`` and parses what came out.
- ``bundled_core_skip_reason``: why a ``bundled_core`` test is skipped on a core.
"""

import os
import sys

import pytest

import spdylay

import spdywire

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The directory holding the spdylay package this suite imported: the tree
# built in place, or an installed build (CI tests installed builds from an
# unbuilt copy of the tree, whose sources a child must not import).
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(spdylay.__file__)))


def python_command(code, *args):
    """A child Python running ``code`` with ``args`` as sys.argv[1:], that
    imports the spdylay under test whatever its working directory holds."""
    return [
        sys.executable,
        "-c",
        "import sys; sys.path.insert(0, %r)\n%s" % (PACKAGE_ROOT, code),
    ] + [str(arg) for arg in args]


def child_env(**overrides):
    """The environment for child processes, without a sanitizer runtime that CI
    may have preloaded into this interpreter, with ``overrides`` applied."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.update(overrides)
    return env


def bundled_core_skip_reason(mark, core):
    """Why a test marked ``bundled_core`` does not run on ``core``, or None."""
    reason = mark.kwargs.get("reason")
    if not reason:
        raise pytest.UsageError("@pytest.mark.bundled_core needs reason=...")
    if core == "bundled":
        return None
    return "not for this build: bundled core only (spdylay.core is %r): %s" % (core, reason)


VERSIONS = [spdylay.PROTO_SPDY2, spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1]
VERSION_IDS = {
    spdylay.PROTO_SPDY2: "spdy2",
    spdylay.PROTO_SPDY3: "spdy3",
    spdylay.PROTO_SPDY3_1: "spdy3.1",
}

# Callbacks whose calls a Recorder can capture (send_cb / recv_cb are I/O, not events).
EVENT_CALLBACKS = (
    "on_ctrl_recv_cb",
    "on_invalid_ctrl_recv_cb",
    "on_data_chunk_recv_cb",
    "on_data_recv_cb",
    "before_ctrl_send_cb",
    "on_ctrl_send_cb",
    "on_ctrl_not_send_cb",
    "on_data_send_cb",
    "on_stream_close_cb",
    "on_request_recv_cb",
    "on_ctrl_recv_parse_error_cb",
    "on_unknown_ctrl_recv_cb",
)


def wire_version(version):
    """The version number that goes on the wire (SPDY/3.1 frames say 3)."""
    return 2 if version == spdylay.PROTO_SPDY2 else 3


class Recorder:
    """Collects callback calls in order as ``(name, args_without_session)``."""

    def __init__(self):
        self.events = []

    def callback(self, name):
        def record(session, *args):
            self.events.append((name, args))

        return record

    def kwargs(self, names=EVENT_CALLBACKS):
        """Session keyword arguments registering a recording callback for each name."""
        return {name: self.callback(name) for name in names}

    def calls(self, name):
        """Argument tuples of every call of callback ``name``, in order."""
        return [args for event, args in self.events if event == name]

    def names(self):
        return [event for event, _ in self.events]

    def clear(self):
        del self.events[:]


class Endpoint:
    """A Session with an in-memory outbox and a Recorder for its callbacks.

    ``kwargs`` go to ``spdylay.Session`` and override the recording callbacks
    (a test passing its own ``on_request_recv_cb`` keeps it, for example).
    """

    def __init__(self, side, version, record=True, **kwargs):
        self.version = version
        self.rec = Recorder()
        self.outbox = bytearray()
        self.wire = bytearray()
        session_kwargs = self.rec.kwargs() if record else {}
        session_kwargs.update(kwargs)
        session_kwargs.setdefault("send_cb", self._send)
        self.session = spdylay.Session(side, version, **session_kwargs)

    def _send(self, session, data):
        self.outbox += data
        self.wire += data
        return len(data)

    def flush(self):
        """Run session.send() and return (and clear) what it wrote."""
        self.session.send()
        return self.take()

    def take(self):
        data = bytes(self.outbox)
        del self.outbox[:]
        return data


class Pair:
    def __init__(self, version, client_kwargs=None, server_kwargs=None):
        self.version = version
        self.client = Endpoint(spdylay.CLIENT, version, **(client_kwargs or {}))
        self.server = Endpoint(spdylay.SERVER, version, **(server_kwargs or {}))


def make_pair(version, client_kwargs=None, server_kwargs=None):
    return Pair(version, client_kwargs, server_kwargs)


def pump(pair, max_rounds=10000):
    """Exchange bytes until a full round moves nothing; fail if it never settles."""
    for _ in range(max_rounds):
        moved = False
        for sender, receiver in ((pair.client, pair.server), (pair.server, pair.client)):
            data = sender.flush()
            if data:
                moved = True
                receiver.session.recv(data)
        if not moved:
            return
    raise AssertionError("pump: sessions kept exchanging bytes for %d rounds" % max_rounds)


class RawPeer:
    """A Session under test whose peer is built by hand with spdywire."""

    def __init__(self, side, version, **kwargs):
        self.version = version
        self.endpoint = Endpoint(side, version, **kwargs)
        self.session = self.endpoint.session
        self.rec = self.endpoint.rec
        self.enc = spdywire.Encoder(version)
        self.dec = spdywire.Decoder(version)

    def feed(self, data):
        self.session.recv(data)

    def sent(self):
        """Run send() and return the frames it wrote, parsed."""
        frames = self.dec.feed(self.endpoint.flush())
        assert self.dec.pending == 0, "send() left a partial frame"
        return frames


def control_frames(frames, frame_type):
    return [f for f in frames if f.control and f.type == frame_type]


def data_frames(frames, stream_id=None):
    return [f for f in frames if not f.control and (stream_id is None or f.stream_id == stream_id)]


REQUEST_NV = [
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/index.html"),
    (":version", "HTTP/1.1"),
    (":host", "example.org:8443"),
]
POST_NV = [
    (":method", "POST"),
    (":scheme", "https"),
    (":path", "/upload"),
    (":version", "HTTP/1.1"),
    (":host", "example.org:8443"),
]
RESPONSE_NV = [(":status", "200 OK"), (":version", "HTTP/1.1")]

# SPDY/2 spells the special headers without the colon, and the path as "url".
SPDY2_NAMES = {
    ":method": "method",
    ":scheme": "scheme",
    ":path": "url",
    ":version": "version",
    ":host": "host",
    ":status": "status",
}


def nv_on_wire(version, nv):
    """What an application nv must look like on the wire: names lower-cased and,
    in SPDY/2, the special names translated; sorted for order-free comparison."""
    out = []
    for name, value in nv:
        name = name.lower()
        if version == spdylay.PROTO_SPDY2:
            name = SPDY2_NAMES.get(name, name)
        out.append((name, value))
    return sorted(out)


def pairs(nv):
    """An nv from a callback frame as a sorted list of (str, str) tuples."""
    return sorted((name, value) for name, value in nv)


def body_provider(body):
    """A DataProvider that hands out ``body`` and then signals EOF."""
    view = {"offset": 0}

    def read_cb(session, stream_id, length, read_ctrl, source):
        start = view["offset"]
        chunk = source[start : start + length]
        view["offset"] = start + len(chunk)
        if view["offset"] >= len(source):
            read_ctrl.flags = spdylay.READ_EOF
        return chunk

    return spdylay.DataProvider(body, read_cb)
