"""Running the command line tools the way a user does: ``python -m spdylay``
in a child process, on 127.0.0.1, every wait bounded."""

import re
import subprocess
import time

from helpers import python_command

TIMEOUT = 60
# What `spdylay serve` says once it listens: "... listening on HOST:PORT (...".
LISTENING = "listening on "
# A frame in the -v log, and the indentation of its name/value lines.
FRAME_LINE = re.compile(r"^\[ *(\d+\.\d{3})\] (send|recv) ([A-Z_]+) (.*)$")
CONTINUATION = " " * 10


def spdylay_command(*args):
    """``python -m spdylay ARGS``, importing the spdylay under test (not the
    sources in the child's working directory, which ``-m`` would)."""
    return python_command(
        "import runpy\nrunpy.run_module('spdylay', run_name='__main__', alter_sys=True)", *args
    )


def get(*args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE):
    """Runs ``spdylay get ARGS``; returns the CompletedProcess (stdout bytes,
    stderr text)."""
    try:
        result = subprocess.run(
            spdylay_command("get", *args),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("spdylay get did not finish: %r" % (args,)) from None
    if isinstance(result.stderr, bytes):
        result.stderr = result.stderr.decode("utf-8", "replace")
    return result


class Serve:
    """``spdylay serve --address 127.0.0.1 ARGS`` in a child process; its
    stderr goes to a file (a -v log can be long), read by ``log()``.
    ``port`` is the port it reported."""

    def __init__(self, log_path, *args):
        self.log_path = str(log_path)
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            spdylay_command("serve", "--address", "127.0.0.1", *args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log_file,
        )
        try:
            self.port = self._wait_for_port()
        except BaseException:
            self.stop()
            raise

    def _wait_for_port(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            first = self.log().split("\n", 1)[0]
            if LISTENING in first:
                address = first.split(LISTENING, 1)[1].split(" ", 1)[0]
                return int(address.rsplit(":", 1)[1])
            if self.proc.poll() is not None:
                raise AssertionError(
                    "spdylay serve exited with %d: %s" % (self.proc.returncode, self.log())
                )
            time.sleep(0.05)
        raise AssertionError("spdylay serve did not start: %s" % self.log())

    def log(self):
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def stop(self):
        """Stops the server as a service manager would (SIGTERM); returns
        its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def parse_frame_log(text):
    """The -v frames in ``text``: dicts with time, direction, type, fields
    and nv (continuation lines); every other line is ignored."""
    frames = []
    for line in text.splitlines():
        match = FRAME_LINE.match(line)
        if match:
            fields = dict(field.split("=", 1) for field in match.group(4).split())
            frames.append(
                {
                    "time": float(match.group(1)),
                    "direction": match.group(2),
                    "type": match.group(3),
                    "fields": fields,
                    "nv": [],
                }
            )
        elif line.startswith(CONTINUATION) and frames:
            frames[-1]["nv"].append(tuple(line.strip().split(": ", 1)))
    return frames
