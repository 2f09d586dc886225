"""libspdylay 1.4.0's published interface, as numbers: what its spdylay.h
declares.  test_header.py holds our header to them and test_constants.py the
Python constants."""

# The values of libspdylay 1.4.0's spdylay.h (enumerators and macros), without
# the SPDYLAY_ prefix.
CONSTANTS = {
    "PROTO_SPDY2": 2, "PROTO_SPDY3": 3, "PROTO_SPDY3_1": 4,
    "ERR_INVALID_ARGUMENT": -501, "ERR_ZLIB": -502,
    "ERR_UNSUPPORTED_VERSION": -503, "ERR_WOULDBLOCK": -504, "ERR_PROTO": -505,
    "ERR_INVALID_FRAME": -506, "ERR_EOF": -507, "ERR_DEFERRED": -508,
    "ERR_STREAM_ID_NOT_AVAILABLE": -509, "ERR_STREAM_CLOSED": -510,
    "ERR_STREAM_CLOSING": -511, "ERR_STREAM_SHUT_WR": -512,
    "ERR_INVALID_STREAM_ID": -513, "ERR_INVALID_STREAM_STATE": -514,
    "ERR_DEFERRED_DATA_EXIST": -515, "ERR_SYN_STREAM_NOT_ALLOWED": -516,
    "ERR_GOAWAY_ALREADY_SENT": -517, "ERR_INVALID_HEADER_BLOCK": -518,
    "ERR_INVALID_STATE": -519, "ERR_GZIP": -520,
    "ERR_TEMPORAL_CALLBACK_FAILURE": -521, "ERR_FRAME_TOO_LARGE": -522,
    "ERR_FATAL": -900, "ERR_NOMEM": -901, "ERR_CALLBACK_FAILURE": -902,
    "MSG_MORE": 1, "SYN_STREAM": 1, "SYN_REPLY": 2, "RST_STREAM": 3,
    "SETTINGS": 4, "NOOP": 5, "PING": 6, "GOAWAY": 7, "HEADERS": 8,
    "WINDOW_UPDATE": 9, "CREDENTIAL": 10, "CTRL_FLAG_NONE": 0,
    "CTRL_FLAG_FIN": 1, "CTRL_FLAG_UNIDIRECTIONAL": 2, "DATA_FLAG_NONE": 0,
    "DATA_FLAG_FIN": 1, "FLAG_SETTINGS_NONE": 0,
    "FLAG_SETTINGS_CLEAR_SETTINGS": 1, "ID_FLAG_SETTINGS_NONE": 0,
    "ID_FLAG_SETTINGS_PERSIST_VALUE": 1, "ID_FLAG_SETTINGS_PERSISTED": 2,
    "SETTINGS_UPLOAD_BANDWIDTH": 1, "SETTINGS_DOWNLOAD_BANDWIDTH": 2,
    "SETTINGS_ROUND_TRIP_TIME": 3, "SETTINGS_MAX_CONCURRENT_STREAMS": 4,
    "SETTINGS_CURRENT_CWND": 5, "SETTINGS_DOWNLOAD_RETRANS_RATE": 6,
    "SETTINGS_INITIAL_WINDOW_SIZE": 7,
    "SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE": 8, "SETTINGS_MAX": 8, "OK": 0,
    "PROTOCOL_ERROR": 1, "INVALID_STREAM": 2, "REFUSED_STREAM": 3,
    "UNSUPPORTED_VERSION": 4, "CANCEL": 5, "INTERNAL_ERROR": 6,
    "FLOW_CONTROL_ERROR": 7, "STREAM_IN_USE": 8, "STREAM_ALREADY_CLOSED": 9,
    "INVALID_CREDENTIALS": 10, "FRAME_TOO_LARGE": 11, "GOAWAY_OK": 0,
    "GOAWAY_PROTOCOL_ERROR": 1, "GOAWAY_INTERNAL_ERROR": 2,
    "OPT_NO_AUTO_WINDOW_UPDATE": 1, "OPT_MAX_RECV_CTRL_FRAME_BUFFER": 2,
    "OPT_NO_AUTO_WINDOW_UPDATE2": 3,
    "INITIAL_MAX_CONCURRENT_STREAMS": 2147483647, "INITIAL_WINDOW_SIZE": 65536,
    "MAX_SCHEME": 255, "MAX_HOSTNAME": 255,
}

# sizeof and offsetof on LP64 (x86-64): (size, [(member, offset), ...]).
LAYOUT_LP64 = {
    "spdylay_ctrl_hd": (12, [
        ("version", 0), ("type", 2), ("flags", 4), ("length", 8)]),
    "spdylay_ctrl_frame": (12, [
        ("hd", 0)]),
    "spdylay_syn_stream": (32, [
        ("hd", 0), ("stream_id", 12), ("assoc_stream_id", 16), ("pri", 20),
        ("slot", 21), ("nv", 24)]),
    "spdylay_syn_reply": (24, [
        ("hd", 0), ("stream_id", 12), ("nv", 16)]),
    "spdylay_headers": (24, [
        ("hd", 0), ("stream_id", 12), ("nv", 16)]),
    "spdylay_rst_stream": (20, [
        ("hd", 0), ("stream_id", 12), ("status_code", 16)]),
    "spdylay_settings_entry": (12, [
        ("settings_id", 0), ("flags", 4), ("value", 8)]),
    "spdylay_settings": (32, [
        ("hd", 0), ("niv", 16), ("iv", 24)]),
    "spdylay_ping": (16, [
        ("hd", 0), ("unique_id", 12)]),
    "spdylay_goaway": (20, [
        ("hd", 0), ("last_good_stream_id", 12), ("status_code", 16)]),
    "spdylay_window_update": (20, [
        ("hd", 0), ("stream_id", 12), ("delta_window_size", 16)]),
    "spdylay_mem_chunk": (16, [
        ("data", 0), ("length", 8)]),
    "spdylay_credential": (48, [
        ("hd", 0), ("slot", 12), ("proof", 16), ("certs", 32), ("ncerts", 40)]),
    "spdylay_data_source": (8, [
        ("fd", 0), ("ptr", 0)]),
    "spdylay_data_provider": (16, [
        ("source", 0), ("read_callback", 8)]),
    "spdylay_frame": (48, [
        ("ctrl", 0), ("syn_stream", 0), ("syn_reply", 0), ("rst_stream", 0),
        ("settings", 0), ("ping", 0), ("goaway", 0), ("headers", 0),
        ("window_update", 0), ("credential", 0)]),
    "spdylay_session_callbacks": (136, [
        ("send_callback", 0), ("recv_callback", 8),
        ("on_ctrl_recv_callback", 16), ("on_invalid_ctrl_recv_callback", 24),
        ("on_data_chunk_recv_callback", 32), ("on_data_recv_callback", 40),
        ("before_ctrl_send_callback", 48), ("on_ctrl_send_callback", 56),
        ("on_ctrl_not_send_callback", 64), ("on_data_send_callback", 72),
        ("on_stream_close_callback", 80), ("on_request_recv_callback", 88),
        ("get_credential_proof", 96), ("get_credential_ncerts", 104),
        ("get_credential_cert", 112),
        ("on_ctrl_recv_parse_error_callback", 120),
        ("on_unknown_ctrl_recv_callback", 128)]),
    "spdylay_npn_proto": (16, [
        ("proto", 0), ("len", 8), ("version", 10)]),
}
