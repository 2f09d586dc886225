"""The parts of the command line tools that need no network: argument
parsing, safe path resolution under the served directory, the -v frame log,
the progress bar, the summary and the ordered output of several bodies."""

import io
import os

import pytest

import spdylay
from spdylay import _cli


class FakeClock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


# --- argument parsing ---------------------------------------------------------


def test_get_options_parse_as_spdycat_spells_them():
    args = _cli.parse_args(
        [
            "get",
            "-3",
            "-v",
            "-n",
            "-m",
            "4",
            "-t",
            "2.5",
            "-H",
            "Accept: text/plain",
            "-H",
            "X-Trace: a:b",
            "-d",
            "body.bin",
            "-o",
            "out",
            "--insecure",
            "https://127.0.0.1:8443/a",
            "http://localhost/b",
        ]
    )
    assert args.command == "get"
    assert args.version == spdylay.PROTO_SPDY3
    assert (args.verbose, args.null_out, args.multiply, args.timeout) == (True, True, 4, 2.5)
    assert args.header == [("accept", "text/plain"), ("x-trace", "a:b")]
    assert (args.data, args.output, args.insecure) == ("body.bin", "out", True)
    assert [t.connection for t in args.targets] == [
        ("127.0.0.1", 8443, True),
        ("localhost", 80, False),
    ]


@pytest.mark.parametrize(
    "flag, version",
    [
        ("-2", spdylay.PROTO_SPDY2),
        ("-3", spdylay.PROTO_SPDY3),
        ("--spdy3-1", spdylay.PROTO_SPDY3_1),
    ],
)
def test_version_flags(flag, version):
    assert _cli.parse_args(["get", flag, "http://h/"]).version == version
    assert _cli.parse_args(["serve", flag, "--no-tls", "0"]).version == version


def test_without_a_version_flag_the_version_is_left_to_negotiation():
    assert _cli.parse_args(["get", "https://h/"]).version is None


def test_no_tls_makes_https_urls_plain_and_keeps_their_default_port():
    args = _cli.parse_args(["get", "--no-tls", "https://h/"])
    assert args.targets[0].connection == ("h", 443, False)


def test_serve_arguments():
    args = _cli.parse_args(
        ["serve", "-d", "/srv", "-v", "--address", "127.0.0.1", "8443", "key.pem", "cert.pem"]
    )
    assert (args.htdocs, args.verbose, args.address, args.port) == ("/srv", True, "127.0.0.1", 8443)
    assert (args.key_file, args.cert_file, args.no_tls) == ("key.pem", "cert.pem", False)
    plain = _cli.parse_args(["serve", "--no-tls", "0"])
    assert (plain.htdocs, plain.port, plain.key_file) == (".", 0, None)


@pytest.mark.parametrize(
    "argv, words",
    [
        ([], "COMMAND"),
        (["fetch", "http://h/"], "invalid choice"),
        (["get"], "URL"),
        (["get", "-m", "0", "http://h/"], "at least 1"),
        (["get", "-m", "many", "http://h/"], "not a whole number"),
        (["get", "-t", "0", "http://h/"], "positive number of seconds"),
        (["get", "-t", "nan", "http://h/"], "positive number of seconds"),
        (["get", "-H", "no colon here", "http://h/"], "'name: value'"),
        (["get", "-H", "bad name: v", "http://h/"], "not a header name"),
        (["get", "-H", " : value", "http://h/"], "not a header name"),
        (["get", "-H", ":host: example.org", "http://h/"], "set the special headers"),
        (["get", "-2", "-3", "http://h/"], "not allowed with"),
        (["get", "ftp://h/file"], "not an http:// or https:// URL"),
        (["get", "http://h:99999/"], "bad port"),
        (["get", "http://h:abc/"], "bad port"),
        (["get", "http://h:0/"], "bad port"),
        (["get", "http://[::1"], "bad URL 'http://[::1'"),
        (["get", "http://[not-an-address]/"], "bad URL"),
        (["get", "http:///path"], "no host"),
        (["get", "--insecure", "--cacert", "ca.pem", "https://h/"], "contradict"),
        (["serve", "8443"], "TLS needs KEY and CERT"),
        (["serve", "8443", "key.pem"], "TLS needs KEY and CERT"),
        (["serve", "--no-tls", "8443", "key.pem", "cert.pem"], "--no-tls takes neither"),
        (["serve", "--no-tls", "65536"], "0-65535"),
        (["serve", "--no-tls", "http"], "not a port number"),
        (["serve", "--no-tls", "80", "a", "b", "c"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_are_one_usage_error(argv, words):
    with pytest.raises(_cli.UsageError) as info:
        _cli.parse_args(argv)
    message = str(info.value)
    assert words in message
    assert "\n" not in message
    assert "--help" in message


@pytest.mark.parametrize(
    "text, pair",
    [
        ("Accept: */*", ("accept", "*/*")),
        ("x-empty:", ("x-empty", "")),
        ("x-colons: a:b:c", ("x-colons", "a:b:c")),
    ],
)
def test_parse_header(text, pair):
    assert _cli.parse_header(text) == pair


# --- safe paths under the served directory ----------------------------------------


@pytest.fixture
def htdocs(tmp_path):
    """A served directory ``root`` beside a ``secret`` file outside it."""
    root = tmp_path / "root"
    (root / "sub" / "empty").mkdir(parents=True)
    (root / "index.html").write_text("top index")
    (root / "a.txt").write_text("a")
    (root / "sub" / "index.html").write_text("sub index")
    (root / "sub" / "b c.bin").write_bytes(b"\x00\x01")
    (tmp_path / "secret").write_text("secret")
    (tmp_path / "secret_dir").mkdir()
    (tmp_path / "secret_dir" / "index.html").write_text("secret index")
    (root / "link_out").symlink_to(tmp_path / "secret")
    (root / "dir_link_out").symlink_to(tmp_path / "secret_dir")
    (root / "link_in").symlink_to(root / "a.txt")
    (root / "sub" / "empty" / "index.html").symlink_to(tmp_path / "secret")
    os.mkfifo(str(root / "fifo"))
    return os.path.realpath(str(root))


@pytest.mark.parametrize(
    "request_path, relative",
    [
        ("/", "index.html"),
        ("/a.txt", "a.txt"),
        ("/a.txt?x=1#frag", "a.txt"),
        ("/sub/", "sub/index.html"),
        ("/sub/b%20c.bin", "sub/b c.bin"),
        ("/./sub/./b%20c.bin", "sub/b c.bin"),
        ("//a.txt", "a.txt"),
        ("/link_in", "a.txt"),
    ],
)
def test_paths_inside_the_directory_resolve(htdocs, request_path, relative):
    assert _cli.resolve_path(htdocs, request_path) == os.path.join(htdocs, relative)


@pytest.mark.parametrize(
    "request_path, location",
    [
        ("/sub", "/sub/"),
        ("/sub?x=1#frag", "/sub/?x=1"),
        ("/./sub", "/./sub/"),
        ("/sub/empty", "/sub/empty/"),
    ],
)
def test_a_directory_without_its_trailing_slash_moves_to_it(htdocs, request_path, location):
    with pytest.raises(_cli.MovedToDirectory) as info:
        _cli.resolve_path(htdocs, request_path)
    assert info.value.location == location


def test_a_directory_link_out_without_its_slash_is_refused_not_moved(htdocs):
    with pytest.raises(_cli.Refused) as info:
        _cli.resolve_path(htdocs, "/dir_link_out")
    assert info.value.status == 404


@pytest.mark.parametrize(
    "request_path, status",
    [
        ("/../secret", 400),
        ("/sub/../../secret", 400),
        ("/%2e%2e/secret", 400),
        ("/%2E%2E%2Fsecret", 400),
        ("/sub/%2e%2e/%2e%2e/secret", 400),
        ("/..", 400),
        ("secret", 400),
        ("", 400),
        ("http://h/a.txt", 400),
        ("/a.txt%00.html", 400),
        ("/..%5csecret", 400),
        ("/link_out", 404),
        ("/dir_link_out/", 404),
        ("/dir_link_out/index.html", 404),
        ("/sub/empty/", 404),
        ("/fifo", 404),
        ("/missing", 404),
        ("/a.txt/more", 404),
    ],
)
def test_paths_that_could_escape_or_name_nothing_are_refused(htdocs, request_path, status):
    with pytest.raises(_cli.Refused) as info:
        _cli.resolve_path(htdocs, request_path)
    assert info.value.status == status


def test_an_absolute_file_system_path_stays_under_the_directory(htdocs):
    secret = os.path.join(os.path.dirname(htdocs), "secret")
    with pytest.raises(_cli.Refused) as info:
        _cli.resolve_path(htdocs, secret)
    assert info.value.status == 404
    with pytest.raises(_cli.Refused):
        _cli.resolve_path(htdocs, "/" + secret)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("index.html", "text/html; charset=utf-8"),
        ("a.txt", "text/plain; charset=utf-8"),
        ("x.png", "image/png"),
        ("x.tar.gz", "application/octet-stream"),
        ("noextension", "application/octet-stream"),
    ],
)
def test_content_type(name, expected):
    assert _cli.content_type("/srv/" + name) == expected


# --- the -v frame log -------------------------------------------------------------


def test_syn_stream_line_and_its_headers():
    frame = spdylay.SynStreamFrame(
        3,
        spdylay.SYN_STREAM,
        spdylay.CTRL_FLAG_FIN,
        42,
        1,
        0,
        3,
        0,
        [(":method", "GET"), (":path", "/a")],
    )
    assert _cli.format_frame(0.0125, "send", frame) == (
        "[  0.013] send SYN_STREAM stream_id=1 flags=0x01(FIN) assoc_stream_id=0 "
        "pri=3 length=42\n"
        "          :method: GET\n"
        "          :path: /a\n"
    )


def test_header_values_with_control_characters_stay_on_one_line():
    frame = spdylay.SynReplyFrame(3, spdylay.SYN_REPLY, 0, 10, 5, [("x-evil", "a\r\nb\x00c\u2028")])
    text = _cli.format_frame(1, "recv", frame)
    assert text.splitlines()[1] == "          x-evil: a\\x0d\\x0ab\\x00c\\u2028"


def test_data_frames_settings_and_the_others():
    data = spdylay.DataFrame(7, spdylay.DATA_FLAG_NONE, 4096)
    assert _cli.format_frame(2, "recv", data) == (
        "[  2.000] recv DATA stream_id=7 flags=0x00 length=4096\n"
    )
    settings = spdylay.SettingsFrame(
        3, spdylay.SETTINGS, 0, 12, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100), (99, 1, 5)]
    )
    assert _cli.format_frame(0, "send", settings) == (
        "[  0.000] send SETTINGS flags=0x00 length=12\n"
        "          MAX_CONCURRENT_STREAMS: 100 (flags=0x00)\n"
        "          UNKNOWN(99): 5 (flags=0x01)\n"
    )
    rst = spdylay.RstStreamFrame(3, spdylay.RST_STREAM, 0, 8, 3, spdylay.CANCEL)
    assert _cli.format_frame(0, "recv", rst).endswith(
        "RST_STREAM stream_id=3 flags=0x00 status_code=CANCEL length=8\n"
    )
    goaway = spdylay.GoawayFrame(3, spdylay.GOAWAY, 0, 8, 9, spdylay.GOAWAY_OK)
    assert _cli.format_frame(0, "recv", goaway).endswith(
        "GOAWAY flags=0x00 last_good_stream_id=9 status_code=OK length=8\n"
    )
    spdy2_goaway = spdylay.GoawayFrame(2, spdylay.GOAWAY, 0, 4, 9, 0)
    assert _cli.format_frame(0, "recv", spdy2_goaway).endswith(
        "GOAWAY flags=0x00 last_good_stream_id=9 length=4\n"
    )
    ping = spdylay.PingFrame(3, spdylay.PING, 0, 4, 1)
    assert _cli.format_frame(0, "send", ping).endswith("PING flags=0x00 unique_id=1 length=4\n")
    update = spdylay.WindowUpdateFrame(3, spdylay.WINDOW_UPDATE, 0, 8, 0, 65536)
    assert _cli.format_frame(0, "send", update).endswith(
        "WINDOW_UPDATE stream_id=0 flags=0x00 delta_window_size=65536 length=8\n"
    )
    unidirectional = spdylay.SynStreamFrame(3, spdylay.SYN_STREAM, 0x02, 9, 2, 1, 0, 0, [])
    assert "flags=0x02(UNIDIRECTIONAL)" in _cli.format_frame(0, "recv", unidirectional)
    clear = spdylay.SettingsFrame(3, spdylay.SETTINGS, 0x01, 4, [])
    assert "flags=0x01(CLEAR_SETTINGS)" in _cli.format_frame(0, "recv", clear)


def test_frame_log_times_frames_from_its_start():
    clock = FakeClock(50.0)
    out = io.StringIO()
    log = _cli.FrameLog(out, clock=clock)
    clock.now = 51.5
    log("recv", spdylay.DataFrame(1, spdylay.DATA_FLAG_FIN, 0))
    assert out.getvalue() == "[  1.500] recv DATA stream_id=1 flags=0x01(FIN) length=0\n"


# --- progress bar and summary -----------------------------------------------------


def test_progress_stays_silent_for_short_bodies():
    out = io.StringIO()
    progress = _cli.Progress(out, threshold=1000, clock=FakeClock())
    progress.announce(900)
    progress.add(900)
    progress.finish()
    assert out.getvalue() == ""


def test_progress_draws_a_bar_past_the_threshold_and_erases_it():
    clock = FakeClock()
    out = io.StringIO()
    progress = _cli.Progress(out, threshold=1000, interval=0.5, clock=clock)
    progress.announce(4000000)
    progress.add(1000000)
    assert out.getvalue() == "\r[=======                       ]  25% 1.0 MB of 4.0 MB"
    clock.now += 0.1
    progress.add(1000000)
    assert out.getvalue().count("\r") == 1
    clock.now += 0.5
    progress.add(1000000)
    assert out.getvalue().endswith("\r[======================        ]  75% 3.0 MB of 4.0 MB")
    progress.finish()
    assert out.getvalue().endswith("\r\x1b[K")


def test_progress_without_a_content_length_counts_bytes():
    out = io.StringIO()
    progress = _cli.Progress(out, threshold=10, clock=FakeClock())
    progress.announce(100)
    progress.announce(None)
    progress.add(12345)
    assert out.getvalue() == "\r12.3 KB received"


def test_summary():
    assert _cli.format_summary(4, 1, 2500000, 0.5) == (
        "4 streams, 1 failed, 2500000 body bytes in 0.500 s: 8.0 streams/s, 5.0 MB/s\n"
    )


# --- bodies in request order ------------------------------------------------------


def test_ordered_output_writes_interleaved_bodies_in_request_order():
    out = io.BytesIO()
    ordered = _cli.OrderedOutput(out, 3)
    ordered.write(2, b"C1")
    ordered.write(0, b"A1")
    ordered.write(1, b"B1")
    ordered.write(2, b"C2")
    assert out.getvalue() == b"A1"
    ordered.finish(2)
    ordered.write(0, b"A2")
    assert out.getvalue() == b"A1A2"
    ordered.finish(0)
    assert out.getvalue() == b"A1A2B1"
    ordered.write(1, b"B2")
    ordered.finish(1)
    assert out.getvalue() == b"A1A2B1B2C1C2"
    ordered.close()
    assert out.getvalue() == b"A1A2B1B2C1C2"


def test_ordered_output_spools_large_waiting_bodies_to_disk():
    out = io.BytesIO()
    ordered = _cli.OrderedOutput(out, 2)
    big = bytes(range(256)) * 8192
    ordered.write(1, big)
    ordered.write(1, big)
    assert ordered.spools[1]._rolled
    ordered.finish(0)
    ordered.finish(1)
    assert out.getvalue() == big + big


def test_ordered_output_close_writes_what_unfinished_streams_received():
    out = io.BytesIO()
    ordered = _cli.OrderedOutput(out, 3)
    ordered.write(0, b"A")
    ordered.write(2, b"C")
    ordered.close()
    assert out.getvalue() == b"AC"


class FailingOut:
    """An output whose writes fail after ``room`` bytes, as a full disk does."""

    def __init__(self, room):
        self.room = room
        self.data = b""

    def write(self, data):
        if len(self.data) + len(data) > self.room:
            raise OSError(28, "No space left on device")
        self.data += data

    def flush(self):
        pass


def test_ordered_output_keeps_the_first_write_error_and_refuses_more():
    out = FailingOut(room=4)
    ordered = _cli.OrderedOutput(out, 2)
    ordered.write(0, b"abc")
    ordered.write(1, b"later")
    with pytest.raises(_cli.OutputFailed):
        ordered.write(0, b"defg")
    assert ordered.error.strerror == "No space left on device"
    with pytest.raises(_cli.OutputFailed):
        ordered.write(0, b"x")
    with pytest.raises(_cli.OutputFailed):
        ordered.finish(0)
    ordered.close()
    assert out.data == b"abc"
    assert ordered.spools[1]._file.closed


def test_ordered_output_close_reports_a_failing_flush_in_error():
    out = FailingOut(room=2)
    ordered = _cli.OrderedOutput(out, 2)
    ordered.write(1, b"waiting")
    ordered.close()
    assert isinstance(ordered.error, OSError)
