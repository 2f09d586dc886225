"""Checks a built wheel for what the release promises, and prints its size.

- its tags include TAG (for example cp39-abi3-manylinux_2_17_x86_64);
- it holds the LICENSE, the py.typed marker and one compiled extension, and
  no C sources;
- the extension carries no debug information (no .debug_* ELF sections).

(The metadata itself is checked by tests/test_packaging.py once installed.)

Usage: check_wheel.py WHEEL TAG   (needs `packaging` and binutils' readelf)
"""

import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator

from packaging.utils import parse_wheel_filename


def problems(wheel_path: str, tag: str) -> Iterator[str]:
    name, version, _, tags = parse_wheel_filename(os.path.basename(wheel_path))
    if tag not in {str(t) for t in tags}:
        yield "tagged %s, not %s" % (".".join(sorted(str(t) for t in tags)), tag)
    dist_info = "%s-%s.dist-info/" % (name, version)
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        if not any(n.startswith(dist_info) and n.endswith("/LICENSE") for n in names):
            yield "no LICENSE in %s" % dist_info
        if "spdylay/py.typed" not in names:
            yield "no spdylay/py.typed"
        sources = [n for n in names if n.endswith((".c", ".h"))]
        if sources:
            yield "C sources in the wheel: %s" % ", ".join(sources)
        extensions = [n for n in names if n.startswith("spdylay/_spdylay") and n.endswith(".so")]
        if len(extensions) != 1:
            yield "expected one spdylay/_spdylay*.so, found %r" % extensions
        with tempfile.TemporaryDirectory() as tmp:
            for extension in extensions:
                sections = subprocess.run(
                    ["readelf", "--section-headers", "--wide", wheel.extract(extension, tmp)],
                    check=True,
                    stdout=subprocess.PIPE,
                    text=True,
                ).stdout
                if ".debug_" in sections:
                    yield "%s has debug information" % extension


def main(wheel_path: str, tag: str) -> int:
    found = list(problems(wheel_path, tag))
    for problem in found:
        print("CI: %s: %s" % (os.path.basename(wheel_path), problem), file=sys.stderr)
    if found:
        return 1
    print(
        "%s: %d KiB, tag %s, stripped, LICENSE and py.typed inside"
        % (os.path.basename(wheel_path), os.path.getsize(wheel_path) // 1024, tag)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
