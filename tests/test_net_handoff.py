"""The hand-offs inside ThreadedSPDYServer: requests handed to worker
threads in batches, and responses handed back to the connection's I/O
thread as one flush per stream for whatever the handler wrote since the
last one.  Each batch and each merged flush must keep what one hand-off per
event gave: every request a thread of its own, bodies byte for byte in
order, streaming while the handler runs, flow control, resets."""

import email.utils
import gc
import hashlib
import sys
import threading
import weakref

import pytest
from helpers import nv_on_wire
from netkit import TIMEOUT, Collect, QuietHandler, RawPeer, fetch, running

import spdylay
from spdylay import server as server_module

REQUEST = [
    (":method", "GET"),
    (":path", "/big"),
    (":scheme", "http"),
    (":version", "HTTP/1.1"),
    (":host", "localhost"),
]


def pattern(size, seed):
    return hashlib.shake_256(b"%d" % seed).digest(size)


class AllAtOnce(QuietHandler):
    """Every handler waits until ``count`` of them are running at the same
    time (a barrier that breaks if one of them waits behind another), then
    answers with ``pattern(size, n)`` for path ``/<n>/<size>``."""

    barrier = None

    def do_GET(self):
        _, seed, size = self.path.split("/")
        self.barrier.wait()
        self.send_response(200)
        self.wfile.write(pattern(int(size), int(seed)))


@pytest.mark.parametrize("count", [20, 100])
def test_requests_that_arrive_together_each_get_a_thread_and_complete_together(version, count):
    """The requests of one connection reach the workers in one batch; the
    barrier only opens if every one of them runs at once, and then all the
    responses (some past the 64 KiB buffer) complete at the same moment."""
    AllAtOnce.barrier = threading.Barrier(count, timeout=TIMEOUT)
    sizes = [0, 1, 1024, 70000, 200000]
    paths = ["/%d/%d" % (n, sizes[n % len(sizes)]) for n in range(count)]
    with running(AllAtOnce, version) as server:
        responses = fetch(server, paths, version)
    for n, response in enumerate(responses):
        assert response.status_code == spdylay.OK
        assert response.header(":status") == "200 OK"
        assert bytes(response.body) == pattern(sizes[n % len(sizes)], n)


class Shapes(QuietHandler):
    """Writes bytes-like objects of every shape, then changes the bytearray
    it wrote: what was written is what is sent."""

    def do_GET(self):
        self.send_response(200)
        scratch = bytearray(b"bytearray ")
        ints = memoryview(bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")).cast("I")
        self.wfile.write(b"")
        self.wfile.write(b"a")
        self.wfile.write(scratch)
        scratch[:] = b"CHANGED!!!"
        for piece in (memoryview(b"--slice--")[2:7], ints, pattern(150000, 1), b"z"):
            self.wfile.write(piece)


def test_body_written_in_pieces_of_every_shape_arrives_as_written(version):
    with running(Shapes, version) as server:
        (response,) = fetch(server, ["/"], version)
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == (
        b"abytearray slice\x01\x00\x00\x00\x02\x00\x00\x00" + pattern(150000, 1) + b"z"
    )


class Steps(QuietHandler):
    """Writes ``step`` n only once the client has received step n-1: each
    step waits for the I/O thread to take it while the handler runs."""

    received = None
    steps = 5

    def do_GET(self):
        self.send_response(200)
        for n in range(self.steps):
            if n and not self.received[n - 1].wait(TIMEOUT):
                raise AssertionError("step %d never arrived" % (n - 1))
            self.wfile.write(b"step %d;" % n)


def test_each_write_is_sent_while_the_handler_still_runs(version):
    Steps.received = [threading.Event() for _ in range(Steps.steps)]

    class Acknowledge(Collect):
        def on_data(self, data):
            Collect.on_data(self, data)
            done = bytes(self.body).count(b";")
            for n in range(done):
                Steps.received[n].set()

    with running(Steps, version) as server:
        host, port = server.server_address
        fetcher = spdylay.UrlFetcher(
            (host, port),
            ["http://127.0.0.1:%d/" % port],
            Acknowledge,
            tls=False,
            version=version,
            timeout=TIMEOUT,
        )
        fetcher.collected = []
        fetcher.loop()
    (response,) = fetcher.collected
    assert response.status_code == spdylay.OK
    assert bytes(response.body) == b"".join(b"step %d;" % n for n in range(Steps.steps))


class Blocked(QuietHandler):
    """Writes until a write fails: the client reads nothing, so the writes
    soon block on the full buffer (past the client's window in SPDY/3 and
    3.1, past the socket buffers in SPDY/2, which has no flow control);
    records how the writing ended."""

    outcomes = None
    done = None

    def do_GET(self):
        self.send_response(200)
        chunk = pattern(65536, 2)
        try:
            for _ in range(1 << 14):  # 1 GiB: more than any socket buffers
                self.wfile.write(chunk)
        except ConnectionResetError as exc:
            Blocked.outcomes[self.stream_id] = exc
            raise
        finally:
            if self.stream_id == 1:
                Blocked.done.set()


def test_write_blocked_on_a_full_buffer_ends_when_the_client_resets_the_stream(version, capsys):
    Blocked.outcomes = {}
    Blocked.done = threading.Event()
    with running(Blocked, version) as server:
        peer = RawPeer(server.server_address, version)
        try:
            peer.send(
                peer.enc.syn_stream(1, nv_on_wire(version, REQUEST), flags=spdylay.CTRL_FLAG_FIN)
            )
            # The first DATA: the handler is writing, and (with no
            # WINDOW_UPDATE from here) soon blocked on the full buffer.
            assert peer.next_frame(lambda frame: not frame.control)
            peer.send(peer.enc.rst_stream(1, spdylay.CANCEL))
            assert Blocked.done.wait(TIMEOUT)
            # The connection goes on serving.
            peer.send(
                peer.enc.syn_stream(3, nv_on_wire(version, REQUEST), flags=spdylay.CTRL_FLAG_FIN)
            )
            reply = peer.next_frame(lambda frame: frame.control and frame.type == spdylay.SYN_REPLY)
            assert reply.stream_id == 3
        finally:
            peer.close()
    outcome = Blocked.outcomes[1]
    assert isinstance(outcome, ConnectionResetError)
    assert "stream 1 was closed (status code %d)" % spdylay.CANCEL in str(outcome)
    assert "Traceback" not in capsys.readouterr().err


class WhoRuns(QuietHandler):
    threads = []

    def do_GET(self):
        WhoRuns.threads.append(threading.current_thread())
        self.send_response(200)
        self.wfile.write(b"ok")


def test_worker_threads_are_reused_and_end_when_idle(version, monkeypatch):
    monkeypatch.setattr(server_module._Workers, "IDLE_SECONDS", 0.2)
    WhoRuns.threads = []
    with running(WhoRuns, version) as server:
        for _ in range(10):
            (response,) = fetch(server, ["/"], version)
            assert bytes(response.body) == b"ok"
        reused = len(set(WhoRuns.threads))
        first = WhoRuns.threads[0]
        first.join(TIMEOUT)
        assert not first.is_alive()
        # A request after the idle ones ended gets a new thread.
        (response,) = fetch(server, ["/"], version)
        assert bytes(response.body) == b"ok"
    # One request after another: a thread whose handler has returned
    # takes the next request, rather than a new thread each time.
    assert reused < 10
    assert WhoRuns.threads[-1] is not first


def test_request_whose_thread_cannot_start_runs_on_the_next_one(version, monkeypatch, capsys):
    """A request handler thread's start() fails once, as threading's does
    at the system's thread limit."""
    failing = threading.Event()
    failed = threading.Event()
    real_start = threading.Thread.start

    def start(thread):
        if thread.name == "spdylay request handler" and failing.is_set():
            failing.clear()
            failed.set()
            raise RuntimeError("can't start new thread")
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    with running(WhoRuns, version) as server:
        failing.set()
        result = {}
        first = threading.Thread(
            target=lambda: result.setdefault("first", fetch(server, ["/first"], version)),
            daemon=True,
        )
        first.start()
        assert failed.wait(TIMEOUT)
        # The first request waits for a thread; the next request's starts
        # and runs both.
        (second,) = fetch(server, ["/second"], version)
        first.join(TIMEOUT)
        assert not first.is_alive()
    assert bytes(second.body) == b"ok"
    assert bytes(result["first"][0].body) == b"ok"
    assert "spdylay: cannot start a request handler thread: can't start new thread" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "timestamps",
    [
        [1700000000.2, 1700000000.9, 1700000001.0],
        [-1.5, -1.2, -0.5, 0.0],
        [86399.999, 86400.0, 86399.0],
    ],
)
def test_date_header_text_is_reused_only_within_its_second(timestamps):
    """date_time_string() keeps the text of the last second it formatted;
    every answer is still what email.utils gives for that timestamp."""
    handler = QuietHandler.__new__(QuietHandler)
    for timestamp in timestamps + timestamps[::-1]:
        assert handler.date_time_string(timestamp) == email.utils.formatdate(timestamp, usegmt=True)


class SleepsUntilTheOthersArrive(QuietHandler):
    """``/sleep``: waits until the client has received every other
    response, then answers (``released`` says whether they all arrived);
    the other paths answer at once."""

    others_done = None
    released = None

    def do_GET(self):
        if self.path == "/sleep":
            SleepsUntilTheOthersArrive.released = self.others_done.wait(TIMEOUT)
        self.send_response(200)
        self.wfile.write(self.path.encode())


@pytest.mark.parametrize("position", [0, 10, 19])
def test_a_handler_asleep_in_a_burst_holds_back_none_of_its_responses(version, position):
    """The responses of a burst of requests wake the connection's I/O
    thread together, once the burst's last request has been taken by a
    worker: one handler that sleeps, whether its request came first, in
    the middle or last, delays none of the others."""
    paths = ["/%d" % n for n in range(20)]
    paths[position] = "/sleep"
    SleepsUntilTheOthersArrive.others_done = threading.Event()
    SleepsUntilTheOthersArrive.released = None
    closed = []

    class CountClosed(Collect):
        def on_close(self, status_code):
            Collect.on_close(self, status_code)
            closed.append(self.url)
            if len(closed) == len(paths) - 1 and not self.url.endswith("/sleep"):
                SleepsUntilTheOthersArrive.others_done.set()

    with running(SleepsUntilTheOthersArrive, version) as server:
        responses = fetch(server, paths, version, handler_class=CountClosed, timeout=TIMEOUT * 2)
    assert SleepsUntilTheOthersArrive.released is True
    assert closed[-1].endswith("/sleep")
    for path, response in zip(paths, responses):
        assert response.status_code == spdylay.OK
        assert bytes(response.body) == path.encode()


class Remembered(QuietHandler):
    """Answers, and lets the test know when the handler object is freed."""

    freed = None
    refs = []

    def do_GET(self):
        Remembered.refs.append(weakref.ref(self, lambda ref: Remembered.freed.release()))
        self.send_response(200)
        self.wfile.write(b"ok")


@pytest.mark.skipif(
    sys.implementation.name != "cpython",
    reason="not for this build: PyPy frees objects only in its collections "
    "(it counts no references)",
)
def test_a_handler_is_freed_when_it_returns_without_the_garbage_collector(version):
    """Nothing a handler holds (its request, headers, rfile, wfile) waits
    for a garbage collection once it has returned: with collections off,
    every handler object is freed."""
    Remembered.freed = threading.Semaphore(0)
    Remembered.refs = []
    gc.disable()
    try:
        with running(Remembered, version) as server:
            responses = fetch(server, ["/a", "/b", "/c"], version)
            for _ in responses:
                assert Remembered.freed.acquire(timeout=TIMEOUT)
    finally:
        gc.enable()
    assert [bytes(response.body) for response in responses] == [b"ok"] * 3
    assert [ref() for ref in Remembered.refs] == [None] * 3


class RecordedLoop:
    """Stands for a connection's SessionLoop: counts its wake-ups."""

    def __init__(self):
        self.wakeups = 0

    def wake(self):
        self.wakeups += 1


def test_a_loop_asking_for_a_wakeup_during_a_burst_is_woken_as_its_last_job_is_taken(
    monkeypatch,
):
    """While jobs wait and a thread is looking for them, a loop that asks
    to be woken waits for the thread that takes the burst's last job, which
    wakes it before running that job; with no job waiting, or jobs waiting
    that no thread looks for (none could be started), it is woken at once."""
    monkeypatch.setattr(server_module._Workers, "IDLE_SECONDS", 0.2)
    workers = server_module._Workers()
    burst_loop, idle_loop, stuck_loop = RecordedLoop(), RecordedLoop(), RecordedLoop()
    seen = {}
    first_ran, last_ran = threading.Event(), threading.Event()

    def last_job():
        seen["wake-ups when the last job ran"] = burst_loop.wakeups
        last_ran.set()

    # A burst handed over, and one thread about to look for its jobs.
    with workers._lock:
        workers._jobs.extend([(first_ran.set, ()), (last_job, ())])
        workers._looking = 1
    workers.wake_when_drained(burst_loop)
    assert burst_loop.wakeups == 0
    looking = threading.Thread(target=workers._work, daemon=True)
    looking.start()
    assert first_ran.wait(TIMEOUT) and last_ran.wait(TIMEOUT)
    assert seen == {"wake-ups when the last job ran": 1}
    assert burst_loop.wakeups == 1

    workers.wake_when_drained(idle_loop)
    assert idle_loop.wakeups == 1

    looking.join(TIMEOUT)

    # Jobs waiting with no thread to look for them (none could start).
    stuck = server_module._Workers()
    stuck._jobs.append((seen.setdefault, ("never", "taken")))
    stuck.wake_when_drained(stuck_loop)
    assert stuck_loop.wakeups == 1


def test_loops_waiting_on_a_thread_that_cannot_start_are_woken(monkeypatch, capsys):
    """A loop that waits for the last job of a burst to be taken is woken
    when the thread that was to look for that job cannot be started: with
    no thread looking, the job may wait for a long handler to end."""
    workers = server_module._Workers()
    loop = RecordedLoop()
    with workers._lock:
        workers._jobs.append((print, ("never run",)))
        # The thread about to be started counts as looking.
        workers._looking = 1
    workers.wake_when_drained(loop)
    assert loop.wakeups == 0

    def refuse(thread):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    workers._wake(True)
    assert loop.wakeups == 1
    assert "cannot start a request handler thread" in capsys.readouterr().err
