"""Text from the peer made safe to write on one line of a log or a
terminal."""


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped (line
    breaks, terminal escapes, other control and format characters), so a
    peer's header or path can neither add log lines nor drive the
    terminal."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else "\\x%02x" % ord(c) if ord(c) < 256 else "\\u%04x" % ord(c)
        for c in text
    )
