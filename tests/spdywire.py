"""An independent SPDY/2, SPDY/3 and SPDY/3.1 wire codec for the tests.

Written from the drafts (chromium.org "SPDY Protocol - Draft 2" and "Draft 3",
"Draft 3.1"), not from libspdylay, so that what our sessions put on the wire is
checked against a second reading of the specification:

- ``Encoder(version)`` builds frames the way a peer would, with its own header
  compressor (one per direction, kept across frames like a real peer's).
- ``Decoder(version)`` splits a byte stream into frames and parses every field,
  inflating header blocks with its own decompressor.

``version`` is the wire version 2 or 3, or a ``spdylay.PROTO_*`` value (SPDY/3.1,
protocol value 4, puts 3 on the wire).  Name/value pairs are lists of ``(name,
value)`` ``bytes`` or ``str`` pairs; decoded pairs come back as ``str`` in ``nv``
and as ``bytes`` in ``nv_raw``.
"""

import struct
import zlib

SYN_STREAM = 1
SYN_REPLY = 2
RST_STREAM = 3
SETTINGS = 4
NOOP = 5
PING = 6
GOAWAY = 7
HEADERS = 8
WINDOW_UPDATE = 9
CREDENTIAL = 10

FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02

# SPDY/2 draft, "Name/Value header block format": the dictionary text, which
# "IS null-terminated", so the trailing NUL belongs to it.
DICTIONARY_V2 = (
    b"optionsgetheadpostputdeletetraceacceptaccept-charsetaccept-encodingaccept-"
    b"languageauthorizationexpectfromhostif-modified-sinceif-matchif-none-matchi"
    b"f-rangeif-unmodifiedsincemax-forwardsproxy-authorizationrangerefererteuser"
    b"-agent10010120020120220320420520630030130230330430530630740040140240340440"
    b"5406407408409410411412413414415416417500501502503504505accept-rangesageeta"
    b"glocationproxy-authenticatepublicretry-afterservervarywarningwww-authentic"
    b"ateallowcontent-basecontent-encodingcache-controlconnectiondatetrailertran"
    b"sfer-encodingupgradeviawarningcontent-languagecontent-lengthcontent-locati"
    b"oncontent-md5content-rangecontent-typeetagexpireslast-modifiedset-cookieMo"
    b"ndayTuesdayWednesdayThursdayFridaySaturdaySundayJanFebMarAprMayJunJulAugSe"
    b"pOctNovDecchunkedtext/htmlimage/pngimage/jpgimage/gifapplication/xmlapplic"
    b"ation/xhtmltext/plainpublicmax-agecharset=iso-8859-1utf-8gzipdeflateHTTP/1"
    b".1statusversionurl\x00"
)

# SPDY/3 draft, section 2.6.10.1: the byte array is a run of 32-bit
# length-prefixed words followed by plain text.
_DICTIONARY_V3_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding "
    "accept-language accept-ranges age allow authorization cache-control "
    "connection content-base content-encoding content-language content-length "
    "content-location content-md5 content-range content-type date etag expect "
    "expires from host if-match if-modified-since if-none-match if-range "
    "if-unmodified-since last-modified location max-forwards pragma "
    "proxy-authenticate proxy-authorization range referer retry-after server te "
    "trailer transfer-encoding upgrade user-agent vary via warning "
    "www-authenticate method get status"
).split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"]
DICTIONARY_V3 = b"".join(
    struct.pack(">I", len(word)) + word.encode("ascii") for word in _DICTIONARY_V3_WORDS
) + (
    b"100101201202205206300302303304305306307402405406407408409410411412413414"
    b"415416417502504505203 Non-Authoritative Information204 No Content301 Moved "
    b"Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 "
    b"Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar "
    b"Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, "
    b"Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,"
    b"application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,"
    b"deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def wire_version(version):
    """Map 2, 3 or a spdylay PROTO_* value (SPDY/3.1 is 4) to the version on the wire."""
    if version == 2:
        return 2
    if version in (3, 4):
        return 3
    raise ValueError("unknown SPDY version %r" % (version,))


def dictionary(version):
    return DICTIONARY_V2 if wire_version(version) == 2 else DICTIONARY_V3


def _to_bytes(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def encode_nv(version, pairs, count=None):
    """The uncompressed name/value block: 16-bit counts/lengths in SPDY/2, 32-bit later.

    ``count`` overrides the pair count, to build blocks whose count lies.
    """
    fmt = ">H" if wire_version(version) == 2 else ">I"
    pairs = [(_to_bytes(name), _to_bytes(value)) for name, value in pairs]
    out = [struct.pack(fmt, len(pairs) if count is None else count)]
    for name, value in pairs:
        out.append(struct.pack(fmt, len(name)) + name)
        out.append(struct.pack(fmt, len(value)) + value)
    return b"".join(out)


def decode_nv(version, block):
    """Parse an uncompressed name/value block into ``[(name, value)]`` bytes pairs."""
    fmt, size = (">H", 2) if wire_version(version) == 2 else (">I", 4)
    pos = 0

    def take_int():
        nonlocal pos
        if pos + size > len(block):
            raise ValueError("name/value block truncated at %d" % pos)
        (number,) = struct.unpack_from(fmt, block, pos)
        pos += size
        return number

    def take_bytes(length):
        nonlocal pos
        if pos + length > len(block):
            raise ValueError("name/value block truncated at %d" % pos)
        chunk = block[pos : pos + length]
        pos += length
        return chunk

    count = take_int()
    pairs = []
    for _ in range(count):
        name = take_bytes(take_int())
        value = take_bytes(take_int())
        pairs.append((name, value))
    if pos != len(block):
        raise ValueError("%d bytes after the last name/value pair" % (len(block) - pos))
    return pairs


class HeaderCompressor:
    """One direction's zlib stream: every block ends with a SYNC_FLUSH."""

    def __init__(self, version):
        self.version = version
        self._deflater = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION,
            zlib.DEFLATED,
            15,
            8,
            zlib.Z_DEFAULT_STRATEGY,
            zdict=dictionary(version),
        )

    def compress_raw(self, raw_block):
        return self.compress_piece(raw_block) + self.flush_block()

    def compress_piece(self, raw_piece):
        """Feed part of a block; ``flush_block`` ends it.  Lets a test build a block
        that inflates to far more than it ever holds in memory."""
        return self._deflater.compress(raw_piece)

    def flush_block(self):
        return self._deflater.flush(zlib.Z_SYNC_FLUSH)

    def compress(self, pairs):
        return self.compress_raw(encode_nv(self.version, pairs))


class HeaderDecompressor:
    def __init__(self, version):
        self.version = version
        self._inflater = zlib.decompressobj(zdict=dictionary(version))

    def decompress_raw(self, compressed):
        return self._inflater.decompress(compressed)

    def decompress(self, compressed):
        return decode_nv(self.version, self.decompress_raw(compressed))


def pack_control(version, frame_type, flags, payload, length=None):
    """Control frame: C bit, 15-bit version, 16-bit type, 8-bit flags, 24-bit length."""
    if length is None:
        length = len(payload)
    return struct.pack(">HHI", 0x8000 | version, frame_type, (flags << 24) | length) + payload


def pack_data(stream_id, payload, flags=0, length=None):
    """DATA frame: C bit clear, 31-bit stream ID, 8-bit flags, 24-bit length."""
    if length is None:
        length = len(payload)
    return struct.pack(">II", stream_id & 0x7FFFFFFF, (flags << 24) | length) + payload


def pack_settings_entries(version, entries):
    """SETTINGS pairs: SPDY/2 has a 24-bit little-endian ID then the flags byte;
    SPDY/3 has the flags byte then a 24-bit network-order ID."""
    out = []
    for settings_id, id_flags, value in entries:
        if wire_version(version) == 2:
            head = struct.pack("<I", settings_id)[:3] + bytes([id_flags])
        else:
            head = struct.pack(">I", (id_flags << 24) | settings_id)
        out.append(head + struct.pack(">I", value))
    return b"".join(out)


class Encoder:
    """Builds the frames one peer sends, compressing header blocks in order."""

    def __init__(self, version):
        self.version = wire_version(version)
        self.compressor = HeaderCompressor(self.version)

    def control(self, frame_type, payload, flags=0, length=None, version=None):
        return pack_control(
            self.version if version is None else version, frame_type, flags, payload, length
        )

    def syn_stream(self, stream_id, nv, flags=0, pri=0, assoc_stream_id=0, slot=0, block=None):
        """``block`` replaces the compressed header block (for malformed input)."""
        if block is None:
            block = self.compressor.compress(nv)
        if self.version == 2:
            tail = struct.pack(">BB", pri << 6, 0)
        else:
            tail = struct.pack(">BB", pri << 5, slot)
        payload = struct.pack(">II", stream_id, assoc_stream_id) + tail + block
        return self.control(SYN_STREAM, payload, flags)

    def syn_reply(self, stream_id, nv, flags=0, block=None):
        if block is None:
            block = self.compressor.compress(nv)
        head = struct.pack(">I", stream_id)
        if self.version == 2:
            head += b"\x00\x00"
        return self.control(SYN_REPLY, head + block, flags)

    def headers(self, stream_id, nv, flags=0, block=None):
        if block is None:
            block = self.compressor.compress(nv)
        head = struct.pack(">I", stream_id)
        if self.version == 2:
            head += b"\x00\x00"
        return self.control(HEADERS, head + block, flags)

    def rst_stream(self, stream_id, status_code, flags=0):
        return self.control(RST_STREAM, struct.pack(">II", stream_id, status_code), flags)

    def settings(self, entries, flags=0, count=None):
        """``entries``: ``[(id, id_flags, value)]``; ``count`` overrides the entry count."""
        number = len(entries) if count is None else count
        payload = struct.pack(">I", number) + pack_settings_entries(self.version, entries)
        return self.control(SETTINGS, payload, flags)

    def noop(self):
        return self.control(NOOP, b"")

    def ping(self, unique_id):
        return self.control(PING, struct.pack(">I", unique_id))

    def goaway(self, last_good_stream_id, status_code=0):
        """SPDY/2's GOAWAY carries no status code."""
        payload = struct.pack(">I", last_good_stream_id)
        if self.version != 2:
            payload += struct.pack(">I", status_code)
        return self.control(GOAWAY, payload)

    def window_update(self, stream_id, delta_window_size):
        return self.control(WINDOW_UPDATE, struct.pack(">II", stream_id, delta_window_size))

    def credential(self, slot, proof, certs):
        payload = struct.pack(">HI", slot, len(proof)) + proof
        payload += b"".join(struct.pack(">I", len(cert)) + cert for cert in certs)
        return self.control(CREDENTIAL, payload)

    def data(self, stream_id, payload, flags=0):
        return pack_data(stream_id, payload, flags)


class Frame:
    """A parsed frame: ``control``, ``flags``, ``length``, ``payload`` and, for
    control frames, ``version`` and ``type``, plus the fields of its type."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        shown = {
            k: v for k, v in self.__dict__.items() if k not in ("payload", "nv_raw", "header_block")
        }
        return "Frame(%s)" % ", ".join("%s=%r" % item for item in sorted(shown.items()))

    def headers_dict(self):
        return dict(self.nv)


class Decoder:
    """Splits a byte stream into frames; call ``feed`` with bytes in wire order."""

    def __init__(self, version):
        self.version = wire_version(version)
        self.decompressor = HeaderDecompressor(self.version)
        self._buffer = bytearray()

    def feed(self, data):
        self._buffer += data
        frames = []
        while len(self._buffer) >= 8:
            (word,) = struct.unpack_from(">I", self._buffer, 4)
            length = word & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            raw = bytes(self._buffer[: 8 + length])
            del self._buffer[: 8 + length]
            frames.append(self._parse(raw))
        return frames

    @property
    def pending(self):
        """Bytes of an incomplete frame still buffered."""
        return len(self._buffer)

    def _parse(self, raw):
        first, second = struct.unpack_from(">II", raw, 0)
        flags, length, payload = second >> 24, second & 0xFFFFFF, raw[8:]
        if not first & 0x80000000:
            return Frame(
                control=False,
                stream_id=first & 0x7FFFFFFF,
                reserved_bit=first >> 31,
                flags=flags,
                length=length,
                payload=payload,
                data=payload,
            )
        frame = Frame(
            control=True,
            version=(first >> 16) & 0x7FFF,
            type=first & 0xFFFF,
            flags=flags,
            length=length,
            payload=payload,
        )
        parse = _PAYLOAD_PARSERS.get(frame.type)
        if parse is not None:
            parse(self, frame, payload)
        return frame

    def _nv(self, frame, block):
        frame.header_block = block
        frame.nv_raw = self.decompressor.decompress(block)
        frame.nv = [(name.decode("utf-8"), value.decode("utf-8")) for name, value in frame.nv_raw]

    def _syn_stream(self, frame, payload):
        stream_word, assoc_word, pri_byte, second_byte = struct.unpack_from(">IIBB", payload)
        frame.stream_id = stream_word & 0x7FFFFFFF
        frame.assoc_stream_id = assoc_word & 0x7FFFFFFF
        frame.reserved_bits = (stream_word >> 31, assoc_word >> 31)
        if self.version == 2:
            frame.pri = pri_byte >> 6
            frame.unused_bits = ((pri_byte & 0x3F) << 8) | second_byte
            frame.slot = None
        else:
            frame.pri = pri_byte >> 5
            frame.unused_bits = pri_byte & 0x1F
            frame.slot = second_byte
        self._nv(frame, payload[10:])

    def _reply_like(self, frame, payload):
        (stream_word,) = struct.unpack_from(">I", payload)
        frame.stream_id = stream_word & 0x7FFFFFFF
        frame.reserved_bits = (stream_word >> 31,)
        if self.version == 2:
            (frame.unused_bits,) = struct.unpack_from(">H", payload, 4)
            self._nv(frame, payload[6:])
        else:
            self._nv(frame, payload[4:])

    def _rst_stream(self, frame, payload):
        stream_word, frame.status_code = struct.unpack(">II", payload)
        frame.stream_id = stream_word & 0x7FFFFFFF

    def _settings(self, frame, payload):
        (frame.count,) = struct.unpack_from(">I", payload)
        entries = []
        for pos in range(4, len(payload) - 7, 8):
            head, value = payload[pos : pos + 4], struct.unpack_from(">I", payload, pos + 4)[0]
            if self.version == 2:
                settings_id = struct.unpack("<I", head[:3] + b"\x00")[0]
                id_flags = head[3]
            else:
                id_flags = head[0]
                settings_id = struct.unpack(">I", b"\x00" + head[1:])[0]
            entries.append((settings_id, id_flags, value))
        frame.entries = entries

    def _ping(self, frame, payload):
        (frame.unique_id,) = struct.unpack(">I", payload)

    def _goaway(self, frame, payload):
        (stream_word,) = struct.unpack_from(">I", payload)
        frame.last_good_stream_id = stream_word & 0x7FFFFFFF
        if self.version == 2:
            frame.status_code = None
        else:
            (frame.status_code,) = struct.unpack_from(">I", payload, 4)

    def _window_update(self, frame, payload):
        stream_word, delta_word = struct.unpack(">II", payload)
        frame.stream_id = stream_word & 0x7FFFFFFF
        frame.delta_window_size = delta_word & 0x7FFFFFFF

    def _credential(self, frame, payload):
        frame.slot, proof_length = struct.unpack_from(">HI", payload)
        frame.proof = payload[6 : 6 + proof_length]
        pos, certs = 6 + proof_length, []
        while pos < len(payload):
            (cert_length,) = struct.unpack_from(">I", payload, pos)
            certs.append(payload[pos + 4 : pos + 4 + cert_length])
            pos += 4 + cert_length
        frame.certs = certs


_PAYLOAD_PARSERS = {
    SYN_STREAM: Decoder._syn_stream,
    SYN_REPLY: Decoder._reply_like,
    HEADERS: Decoder._reply_like,
    RST_STREAM: Decoder._rst_stream,
    SETTINGS: Decoder._settings,
    PING: Decoder._ping,
    GOAWAY: Decoder._goaway,
    WINDOW_UPDATE: Decoder._window_update,
    CREDENTIAL: Decoder._credential,
}


def parse_all(version, data):
    """Parse a complete byte stream from its first byte; fail on a trailing fragment."""
    decoder = Decoder(version)
    frames = decoder.feed(data)
    if decoder.pending:
        raise ValueError("%d bytes of an incomplete frame at the end" % decoder.pending)
    return frames
