from setuptools import setup

# cffi compiles _spdylay against the limited API (hence _spdylay.abi3.so), so
# one CPython wheel serves 3.9 and newer; this tags it so.  On PyPy the option
# does nothing and the wheel keeps PyPy's own tag.
setup(packages=["spdylay"], cffi_modules=["spdylay_build.py:ffibuilder"],
      options={"bdist_wheel": {"py_limited_api": "cp39"}})
