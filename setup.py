import sys
import sysconfig

from setuptools import setup

# cffi compiles _spdylay against the limited API (_spdylay.abi3.so) except
# on debug and free-threaded CPythons; where it does, the wheel is tagged
# cp39-abi3, so one wheel serves CPython 3.9 and newer. On PyPy the option
# does nothing and the wheel keeps PyPy's own tag.
LIMITED_API = not hasattr(sys, "gettotalrefcount") and not sysconfig.get_config_var(
    "Py_GIL_DISABLED"
)

setup(
    packages=["spdylay", "spdylay.aio"],
    cffi_modules=["spdylay_build.py:ffibuilder"],
    options={"bdist_wheel": {"py_limited_api": "cp39"}} if LIMITED_API else {},
)
