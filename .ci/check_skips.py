"""Fails a CI stage whose pytest run skipped a test, unless the skip's reason
starts with ALLOWED_PREFIX.

CI runs the whole suite in every stage, so any other skip (node missing, no C
compiler, an expected failure) means a test silently did not run.  A test that
cannot apply to one build (an AddressSanitizer build, a binding built against
a system libspdylay) says so with a reason that starts with the prefix.

Usage: check_skips.py JUNIT_XML   (the file pytest's --junitxml wrote)
"""

import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter

ALLOWED_PREFIX = "not for this build: "


def main(junit_path: str) -> int:
    allowed: Counter[str] = Counter()
    refused = 0
    for case in ElementTree.parse(junit_path).iter("testcase"):
        for skipped in case.iter("skipped"):
            reason = skipped.get("message", "")
            if skipped.get("type") == "pytest.skip" and reason.startswith(ALLOWED_PREFIX):
                allowed[reason] += 1
            else:
                refused += 1
                name = "%s::%s" % (case.get("classname"), case.get("name"))
                print(
                    "CI: %s did not run: %s %r" % (name, skipped.get("type"), reason),
                    file=sys.stderr,
                )
    for reason, count in sorted(allowed.items()):
        print("CI: allowed skip, %d test(s): %s" % (count, reason))
    if refused:
        print(
            "CI: %d test(s) skipped without a reason starting %r" % (refused, ALLOWED_PREFIX),
            file=sys.stderr,
        )
        return 1
    total = sum(allowed.values())
    print("CI: no test skipped%s" % (" except %d allowed" % total if total else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
