"""spdylay.h is libspdylay 1.4's public interface, value for value: every
public constant, struct size and member offset, pinned to the published 1.4
values by a C program compiled against the header, so the header cannot
drift from what programs written for libspdylay 1.4 (spdycat, spdyd) and the
SPDYLAY_USE_SYSTEM=1 build expect.  The only names it adds are spdylay's
peer-limit options (EXTENSIONS), pinned the same way."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, child_env
from libspdylay14 import CONSTANTS, LAYOUT_LP64

HEADER = os.path.join(ROOT, "libspdylay", "include", "spdylay", "spdylay.h")

# spdylay's only additions to 1.4's names: the peer-limit options, numbered
# after 1.4's last option so no 1.4 value moves, and the macro announcing
# them.
EXTENSIONS = {
    "OPT_MAX_HEADER_LIST_SIZE": 4,
    "OPT_MAX_HEADER_LIST_COUNT": 5,
    "OPT_MAX_AUTO_REPLIES": 6,
    "OPT_AUTO_REPLIES_STOP_READING": 7,
    "OPT_MAX_SETTINGS_ENTRIES": 8,
    "OPT_MAX_PEER_RESETS": 9,
    "OPT_MAX_EMPTY_FRAMES": 10,
    "OPT_MAX_SMALL_WINDOW_UPDATES": 11,
    "OPT_MAX_INCOMING_STREAMS": 12,
    "PEER_LIMIT_OPTIONS": 1,
}
PINNED = dict(CONSTANTS, **EXTENSIONS)

# Declarations whose 1.4 types differ from what an older header had: each
# initialisation fails to compile (-Werror) if the prototype does not match.
SIGNATURES = """#include <spdylay/spdylay.h>
const spdylay_npn_proto *(*npn_get_proto_list)(size_t *) =
    spdylay_npn_get_proto_list;
const spdylay_origin *(*get_client_cert_origin)(spdylay_session *, size_t) =
    spdylay_session_get_client_cert_origin;
uint16_t frame_type(const spdylay_frame *frame) { return frame->ctrl.hd.type; }
"""


def probe_source():
    lines = [
        "#include <stddef.h>",
        "#include <stdio.h>",
        "#include <spdylay/spdylay.h>",
        "int main(void) {",
        'printf("VERSION %s\\n", SPDYLAY_VERSION);',
    ]
    for name in PINNED:
        lines.append('printf("%s %%lld\\n", (long long)(SPDYLAY_%s));' % (name, name))
    for struct, (_, members) in LAYOUT_LP64.items():
        lines.append('printf("sizeof(%s) %%zu\\n", sizeof(%s));' % (struct, struct))
        for member, _ in members:
            lines.append(
                'printf("offsetof(%s, %s) %%zu\\n", offsetof(%s, %s));'
                % (struct, member, struct, member)
            )
    lines.append("return 0;\n}\n")
    return "\n".join(lines)


def compiler():
    path = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if path is None:
        pytest.skip("no C compiler on this machine")
    return path


def compile_against_header(source, *args):
    build = subprocess.run(
        [
            compiler(),
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
            os.path.join(ROOT, "libspdylay", "include"),
            str(source),
        ]
        + list(args),
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stdout


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("header")
    source = directory / "probe.c"
    source.write_text(probe_source())
    program = str(directory / "probe")
    compile_against_header(source, "-o", program)
    run = subprocess.run([program], env=child_env(), stdout=subprocess.PIPE, text=True, timeout=60)
    assert run.returncode == 0
    return dict(line.rsplit(" ", 1) for line in run.stdout.splitlines())


def test_version_string(probed):
    assert probed["VERSION"] == "1.4.0"


@pytest.mark.parametrize("name", sorted(PINNED))
def test_constant(probed, name):
    assert int(probed[name]) == PINNED[name]


def test_extension_options_come_after_1_4s():
    last_1_4 = max(value for name, value in CONSTANTS.items() if name.startswith("OPT_"))
    assert (
        min(value for name, value in EXTENSIONS.items() if name.startswith("OPT_")) == last_1_4 + 1
    )


@pytest.mark.skipif(sys.maxsize <= 2**32, reason="the published layout is the LP64 (x86-64) one")
@pytest.mark.parametrize("struct", sorted(LAYOUT_LP64))
def test_struct_layout(probed, struct):
    size, members = LAYOUT_LP64[struct]
    assert int(probed["sizeof(%s)" % struct]) == size
    for member, offset in members:
        assert int(probed["offsetof(%s, %s)" % (struct, member)]) == offset, member


def test_changed_declarations_compile_with_their_1_4_types(tmp_path):
    source = tmp_path / "signatures.c"
    source.write_text(SIGNATURES)
    compile_against_header(source, "-fsyntax-only")


def test_the_frame_union_starts_with_ctrl():
    """C code reads any frame's type as frame->ctrl.hd.type; 1.4 declares ctrl
    as the union's first member."""
    with open(HEADER) as header:
        text = header.read()
    union = text[text.index("typedef union {\n  spdylay_ctrl_frame ctrl;") :]
    assert union.index("} spdylay_frame;") < union.index("typedef", 1)


def test_no_names_1_4_does_not_have():
    with open(HEADER) as header:
        text = header.read()
    assert "SPDYLAY_ERR_FLOW_CONTROL" not in text


def test_every_public_enumerator_and_macro_is_pinned():
    """A name added to the header without a published value fails here."""

    with open(HEADER) as header:
        text = header.read()
    declared = set(re.findall(r"^\s*SPDYLAY_([A-Z0-9_]+)\s*=", text, re.M))
    declared |= set(re.findall(r"^#define SPDYLAY_([A-Z0-9_]+) ", text, re.M))
    assert declared - {"VERSION"} == set(PINNED)
