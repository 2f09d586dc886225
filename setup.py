from setuptools import setup

setup(packages=["spdylay"], cffi_modules=["spdylay_build.py:ffibuilder"])
