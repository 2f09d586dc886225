"""The two I/O callbacks that connect a Session to a non-blocking socket."""


class SocketCallbacks:
    """``send_cb`` and ``recv_cb`` over ``self.sock``, a non-blocking
    socket; server connections and clients alike inherit them."""

    def send_cb(self, session, data):
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0

    def recv_cb(self, session, length):
        try:
            data = self.sock.recv(length)
        except BlockingIOError:
            return None
        if not data:
            raise EOFError
        return data
