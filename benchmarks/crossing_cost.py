"""What one crossing between C and Python costs through cffi, whatever the
library: the least a cffi binding pays per callback and per C call.

    python3 benchmarks/crossing_cost.py [N]

Builds (with this interpreter's cffi, in a temporary directory) a module of
two C functions: one calls an ``extern "Python"`` callback N times with a
handle and three integers, the shape of the shim's trampolines; the other
takes a pointer, two integers and a bytes object and does nothing, the
shape of the shim's submit functions.  The callback recovers a Python object
from its handle with ``ffi.from_handle`` and calls a Python function, as any
binding must to reach the application's callback.  Prints the cost of each
in nanoseconds.
"""

import sys
import tempfile
import time

import cffi

CDEF = """
extern "Python" void crossing_callback(void *, int, int, int);
void crossing_call_back(void *handle, long count);
int crossing_noop(void *ptr, int a, const char *data, size_t length);
"""

SOURCE = """
static void crossing_callback(void *, int, int, int);
void crossing_call_back(void *handle, long count)
{
  long i;
  for (i = 0; i < count; ++i) {
    crossing_callback(handle, 0, (int)i, 1024);
  }
}
int crossing_noop(void *ptr, int a, const char *data, size_t length)
{
  return ptr == 0 && a == 0 && data == 0 && length == 0;
}
"""


def build(directory):
    builder = cffi.FFI()
    builder.cdef(CDEF)
    builder.set_source("_crossing", SOURCE)
    builder.compile(tmpdir=directory, verbose=False)
    sys.path.insert(0, directory)
    import _crossing

    return _crossing.ffi, _crossing.lib


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
    with tempfile.TemporaryDirectory() as directory:
        ffi, lib = build(directory)
        calls = [0]

        def application(owner, flags, stream_id, length):
            calls[0] += 1

        class Owner:
            pass

        owner = Owner()
        handle = ffi.new_handle(owner)

        @ffi.def_extern()
        def crossing_callback(handle, flags, stream_id, length):
            application(ffi.from_handle(handle), flags, stream_id, length)

        for _ in range(2):  # the first round warms PyPy's JIT up
            start = time.process_time()
            lib.crossing_call_back(handle, count)
            callback = (time.process_time() - start) / count
            noop = lib.crossing_noop
            null = ffi.NULL
            data = b"\0" * 100
            start = time.process_time()
            for _ in range(count):
                noop(null, 1, data, 100)
            call = (time.process_time() - start) / count
        assert calls[0] == 2 * count
        print(
            "C to Python callback %.0f ns, Python to C call %.0f ns" % (callback * 1e9, call * 1e9)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
