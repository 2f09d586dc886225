"""Bounds on what a peer may make this package hold, shared by the threaded
and the asyncio layers."""

# How many bytes of header names and values one stream's SYN_STREAM,
# SYN_REPLY and HEADERS frames may carry together.  HEADERS frames may follow
# one another for as long as the stream is open, so without a bound a peer
# could grow a stream's headers for ever.
HEADER_BYTES_LIMIT = 256 * 1024


def header_bytes(nv):
    """The size ``nv`` counts against HEADER_BYTES_LIMIT."""
    return sum(len(name) + len(value) for name, value in nv)
