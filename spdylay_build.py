"""cffi builder for ``spdylay._spdylay`` (out-of-line, API mode).

By default the extension compiles the bundled libspdylay core (libspdylay/src)
together with a small shim; with ``SPDYLAY_USE_SYSTEM=1`` it links an installed
libspdylay instead, found with pkg-config.  The cdef and the shim use
libspdylay 1.4's public API, so both builds behave the same, except where
that API cannot tell what the shim needs: with the bundled core the shim
asks the core (``PYSPDYLAY_BUNDLED_CORE``, see docs/differences.rst).

The shim (``spdylay/_shim.c``, ``spdylay/_shim.h`` and
``spdylay/_shim_python.h``, read from disk here) crosses the C/Python
boundary as rarely as possible; see its header.  The functions it calls
back into are ``extern "Python+C"``: cffi defines them as ordinary C
functions, so the shim is a compilation unit of its own (all but
_shim_python.h, which uses Python's C API and is compiled into cffi's
source).
"""

import os
import re
import shlex
import subprocess

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))

CDEF = """
typedef struct spdylay_session spdylay_session;

/* Constants only by name; their values come from the header. */
enum {
  SPDYLAY_PROTO_SPDY2 = ..., SPDYLAY_PROTO_SPDY3 = ...,
  SPDYLAY_PROTO_SPDY3_1 = ...
};

enum {
  SPDYLAY_ERR_INVALID_ARGUMENT = ..., SPDYLAY_ERR_ZLIB = ...,
  SPDYLAY_ERR_UNSUPPORTED_VERSION = ..., SPDYLAY_ERR_WOULDBLOCK = ...,
  SPDYLAY_ERR_PROTO = ..., SPDYLAY_ERR_INVALID_FRAME = ...,
  SPDYLAY_ERR_EOF = ..., SPDYLAY_ERR_DEFERRED = ...,
  SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE = ..., SPDYLAY_ERR_STREAM_CLOSED = ...,
  SPDYLAY_ERR_STREAM_CLOSING = ..., SPDYLAY_ERR_STREAM_SHUT_WR = ...,
  SPDYLAY_ERR_INVALID_STREAM_ID = ..., SPDYLAY_ERR_INVALID_STREAM_STATE = ...,
  SPDYLAY_ERR_DEFERRED_DATA_EXIST = ..., SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED = ...,
  SPDYLAY_ERR_GOAWAY_ALREADY_SENT = ..., SPDYLAY_ERR_INVALID_HEADER_BLOCK = ...,
  SPDYLAY_ERR_INVALID_STATE = ..., SPDYLAY_ERR_GZIP = ...,
  SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE = ..., SPDYLAY_ERR_FRAME_TOO_LARGE = ...,
  SPDYLAY_ERR_FATAL = ..., SPDYLAY_ERR_NOMEM = ...,
  SPDYLAY_ERR_CALLBACK_FAILURE = ...
};

enum {
  SPDYLAY_SYN_STREAM = ..., SPDYLAY_SYN_REPLY = ..., SPDYLAY_RST_STREAM = ...,
  SPDYLAY_SETTINGS = ..., SPDYLAY_NOOP = ..., SPDYLAY_PING = ...,
  SPDYLAY_GOAWAY = ..., SPDYLAY_HEADERS = ..., SPDYLAY_WINDOW_UPDATE = ...,
  SPDYLAY_CREDENTIAL = ...
};

enum {
  SPDYLAY_CTRL_FLAG_NONE = ..., SPDYLAY_CTRL_FLAG_FIN = ...,
  SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL = ...
};

enum {
  SPDYLAY_DATA_FLAG_NONE = ..., SPDYLAY_DATA_FLAG_FIN = ...
};

enum {
  SPDYLAY_FLAG_SETTINGS_NONE = ..., SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS = ...
};

enum {
  SPDYLAY_ID_FLAG_SETTINGS_NONE = ...,
  SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE = ...,
  SPDYLAY_ID_FLAG_SETTINGS_PERSISTED = ...
};

enum {
  SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH = ...,
  SPDYLAY_SETTINGS_DOWNLOAD_BANDWIDTH = ...,
  SPDYLAY_SETTINGS_ROUND_TRIP_TIME = ...,
  SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS = ...,
  SPDYLAY_SETTINGS_CURRENT_CWND = ...,
  SPDYLAY_SETTINGS_DOWNLOAD_RETRANS_RATE = ...,
  SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE = ...,
  SPDYLAY_SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = ...,
  SPDYLAY_SETTINGS_MAX = ...
};

enum {
  SPDYLAY_OK = ..., SPDYLAY_PROTOCOL_ERROR = ..., SPDYLAY_INVALID_STREAM = ...,
  SPDYLAY_REFUSED_STREAM = ..., SPDYLAY_UNSUPPORTED_VERSION = ...,
  SPDYLAY_CANCEL = ..., SPDYLAY_INTERNAL_ERROR = ...,
  SPDYLAY_FLOW_CONTROL_ERROR = ..., SPDYLAY_STREAM_IN_USE = ...,
  SPDYLAY_STREAM_ALREADY_CLOSED = ..., SPDYLAY_INVALID_CREDENTIALS = ...,
  SPDYLAY_FRAME_TOO_LARGE = ...
};

enum {
  SPDYLAY_GOAWAY_OK = ..., SPDYLAY_GOAWAY_PROTOCOL_ERROR = ...,
  SPDYLAY_GOAWAY_INTERNAL_ERROR = ...
};

enum {
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE = ...,
  SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER = ...,
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2 = ...,
  SPDYLAY_OPT_MAX_HEADER_LIST_SIZE = ...,
  SPDYLAY_OPT_MAX_HEADER_LIST_COUNT = ...,
  SPDYLAY_OPT_MAX_AUTO_REPLIES = ...,
  SPDYLAY_OPT_AUTO_REPLIES_STOP_READING = ...,
  SPDYLAY_OPT_MAX_SETTINGS_ENTRIES = ...,
  SPDYLAY_OPT_MAX_PEER_RESETS = ...,
  SPDYLAY_OPT_MAX_EMPTY_FRAMES = ...,
  SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES = ...,
  SPDYLAY_OPT_MAX_INCOMING_STREAMS = ...
};

typedef struct {
  uint16_t version;
  uint16_t type;
  uint8_t flags;
  int32_t length;
  ...;
} spdylay_ctrl_hd;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  int32_t assoc_stream_id;
  uint8_t pri;
  uint8_t slot;
  char **nv;
  ...;
} spdylay_syn_stream;

typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; char **nv; ...; }
  spdylay_syn_reply;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; char **nv; ...; }
  spdylay_headers;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; uint32_t status_code;
                 ...; } spdylay_rst_stream;

typedef struct {
  int32_t settings_id;
  uint8_t flags;
  uint32_t value;
  ...;
} spdylay_settings_entry;

typedef struct { spdylay_ctrl_hd hd; size_t niv; spdylay_settings_entry *iv;
                 ...; } spdylay_settings;
typedef struct { spdylay_ctrl_hd hd; uint32_t unique_id; ...; } spdylay_ping;
typedef struct { spdylay_ctrl_hd hd; int32_t last_good_stream_id;
                 uint32_t status_code; ...; } spdylay_goaway;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id;
                 int32_t delta_window_size; ...; } spdylay_window_update;

typedef struct { uint8_t *data; size_t length; ...; } spdylay_mem_chunk;

typedef struct {
  spdylay_ctrl_hd hd;
  uint16_t slot;
  spdylay_mem_chunk proof;
  spdylay_mem_chunk *certs;
  size_t ncerts;
  ...;
} spdylay_credential;

typedef struct { spdylay_ctrl_hd hd; ...; } spdylay_ctrl_frame;

typedef union {
  spdylay_ctrl_frame ctrl;
  spdylay_syn_stream syn_stream;
  spdylay_syn_reply syn_reply;
  spdylay_rst_stream rst_stream;
  spdylay_settings settings;
  spdylay_ping ping;
  spdylay_goaway goaway;
  spdylay_headers headers;
  spdylay_window_update window_update;
  spdylay_credential credential;
  ...;
} spdylay_frame;

typedef struct { ...; } spdylay_data_provider;

int spdylay_session_set_option(spdylay_session *session, int optname,
                               void *optval, size_t optlen);
int spdylay_session_send(spdylay_session *session);
ssize_t spdylay_session_mem_recv(spdylay_session *session, const uint8_t *in,
                                 size_t inlen);
int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id);
int spdylay_session_want_read(spdylay_session *session);
int spdylay_session_want_write(spdylay_session *session);
int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data);
size_t spdylay_session_get_outbound_queue_size(spdylay_session *session);
int32_t spdylay_session_get_stream_recv_data_length(spdylay_session *session,
                                                    int32_t stream_id);
int32_t spdylay_session_get_recv_data_length(spdylay_session *session);
int spdylay_session_consume(spdylay_session *session, int32_t stream_id,
                            size_t size);
uint8_t spdylay_session_get_pri_lowest(spdylay_session *session);
int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code);
const char *spdylay_strerror(int error_code);

int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data);
int spdylay_submit_response(spdylay_session *session, int32_t stream_id,
                            const char **nv,
                            const spdylay_data_provider *data_prd);
int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data);
int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv);
int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv);
int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd);
int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code);
int spdylay_submit_ping(spdylay_session *session);
int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code);
int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv);
int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size);

typedef struct {
  const unsigned char *proto;
  uint8_t len;
  uint16_t version;
  ...;
} spdylay_npn_proto;

const spdylay_npn_proto *spdylay_npn_get_proto_list(size_t *len_ptr);
uint16_t spdylay_npn_get_version(const unsigned char *proto, size_t protolen);

/* The shim. */

/* 1 when built against an installed libspdylay, 0 for the bundled core. */
#define PYSPDYLAY_SYSTEM_CORE ...

enum {
  PYSPDYLAY_CLIENT = ..., PYSPDYLAY_SERVER = ..., PYSPDYLAY_READ_EOF = ...,
  PYSPDYLAY_READ_AHEAD = ...
};

typedef struct {
  spdylay_session *session;
  char *out;
  size_t out_len;
  size_t out_span_count;
  int32_t chunk_stream_id;
  uint8_t chunk_flags;
  ...;
} pyspdylay_ctx;
"""


def forwarded_callbacks(header):
    """(BIT, name, python_params) of every entry of the shim header's
    PYSPDYLAY_FORWARDED list: cffi's cdef takes no macros, so the builder
    declares what the list generates."""
    text = header.replace("\\\n", " ")
    body = re.search(r"^#define PYSPDYLAY_FORWARDED\(X\)(.*)$", text, re.M)
    entries = body and re.findall(r"\bX\(\s*(\w+),\s*(\w+),\s*\(([^()]*)\)", body.group(1))
    if not entries:
        raise SystemExit("spdylay: no PYSPDYLAY_FORWARDED entries in _shim.h")
    return [(bit, name, " ".join(params.split())) for bit, name, params in entries]


def _marked_section(header, marker):
    """The shim header's declarations between its "<marker> begin" and
    "<marker> end" comments."""
    match = re.search(r"/\* %s begin:.*?\*/(.*?)/\* %s end \*/" % (marker, marker), header, re.S)
    if match is None:
        raise SystemExit("spdylay: no %s begin/end markers in _shim.h" % marker)
    return match.group(1)


def _python_functions_cdef(header):
    """extern "Python+C" for each function the shim header declares between
    its "python begin" and "python end" comments: written in Python, called
    by the shim."""
    declarations = _marked_section(header, "python").split(";")
    return "".join(
        'extern "Python+C" %s;\n' % " ".join(declaration.split())
        for declaration in declarations
        if declaration.strip()
    )


def _forwarded_cdef(header):
    entries = forwarded_callbacks(header)
    bits = ", ".join("PYSPDYLAY_%s = ..." % bit for bit, _, _ in entries)
    externs = "".join(
        'extern "Python+C" void pyspdylay_%s(%s);\n' % (name, params) for _, name, params in entries
    )
    return "enum { %s };\n%s" % (bits, externs)


def _path(*parts):
    """A path inside the source tree, relative when building from its top so
    that setuptools accepts it for the sdist, absolute otherwise."""
    path = os.path.join(HERE, *parts)
    if os.path.abspath(os.getcwd()) == HERE:
        return os.path.relpath(path, HERE)
    return path


def _pkg_config(option):
    try:
        return subprocess.run(
            ["pkg-config", option, "libspdylay"],
            check=True,
            text=True,
            capture_output=True,
        ).stdout
    except OSError as exc:
        reason = "pkg-config cannot run (%s)" % exc
    except subprocess.CalledProcessError as exc:
        reason = "pkg-config cannot find libspdylay: %s" % (
            exc.stderr.strip() or "exit status %d" % exc.returncode
        )
    # A guess such as plain -lspdylay could link a library other than the
    # one the user meant, or fail later with a less helpful message.
    raise SystemExit(
        "spdylay: SPDYLAY_USE_SYSTEM=1 needs an installed libspdylay that "
        "pkg-config finds (libspdylay.pc on PKG_CONFIG_PATH); %s" % reason
    )


def system_flags():
    """Compiler and linker flags for an installed libspdylay; exits with a
    clear message when pkg-config does not know it."""
    return {
        "extra_compile_args": shlex.split(_pkg_config("--cflags")),
        "extra_link_args": shlex.split(_pkg_config("--libs")),
    }


def _bundled_flags():
    src = _path("libspdylay", "src")
    return {
        "sources": sorted(
            os.path.join(src, name) for name in os.listdir(src) if name.endswith(".c")
        ),
        # The shim also asks the bundled core what libspdylay 1.4's API
        # cannot tell (libspdylay/src/spdylay_not_sent.h).
        "include_dirs": [_path("libspdylay", "include"), src],
        "define_macros": [("PYSPDYLAY_BUNDLED_CORE", "1")],
        "libraries": ["z"],
    }


SHIM_DIR = "spdylay"


USE_SYSTEM = os.environ.get("SPDYLAY_USE_SYSTEM") == "1"


def _flags():
    flags = system_flags() if USE_SYSTEM else _bundled_flags()
    flags["extra_compile_args"] = ["-std=c99"] + flags.get("extra_compile_args", [])
    flags["sources"] = [_path(SHIM_DIR, "_shim.c")] + flags.get("sources", [])
    flags["include_dirs"] = [_path(SHIM_DIR)] + flags.get("include_dirs", [])
    # Listed as dependencies, the shim's files trigger a rebuild when edited.
    flags["depends"] = [_path(SHIM_DIR, "_shim.h"), _path(SHIM_DIR, "_shim_python.h")]
    return flags


# Naming the core in the generated C makes switching SPDYLAY_USE_SYSTEM
# rewrite that file, so setuptools rebuilds instead of reusing build/; the
# package reads it back as spdylay.core.
CORE_LINE = "#define PYSPDYLAY_SYSTEM_CORE %d\n" % USE_SYSTEM

with open(os.path.join(HERE, SHIM_DIR, "_shim.h")) as shim_header:
    SHIM_HEADER = shim_header.read()

ffibuilder = FFI()
ffibuilder.cdef(
    CDEF
    + _marked_section(SHIM_HEADER, "cdef")
    + _python_functions_cdef(SHIM_HEADER)
    + _forwarded_cdef(SHIM_HEADER)
)
# _shim_python.h, the part of the shim that uses Python's C API, is
# compiled into cffi's own source, where Python.h (the limited API on
# CPython) is included; _shim.c stays free of it.
ffibuilder.set_source(
    "spdylay._spdylay",
    CORE_LINE + '#include "_shim.h"\n#include "_shim_python.h"\n',
    **_flags(),
)
