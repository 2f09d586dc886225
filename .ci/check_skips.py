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

ALLOWED_PREFIX = "not for this build: "


def main(junit_path: str) -> int:
    allowed = refused = 0
    for case in ElementTree.parse(junit_path).iter("testcase"):
        for skipped in case.iter("skipped"):
            reason = skipped.get("message", "")
            name = "%s::%s" % (case.get("classname"), case.get("name"))
            if skipped.get("type") == "pytest.skip" and reason.startswith(ALLOWED_PREFIX):
                allowed += 1
                print("CI: allowed skip %s (%s)" % (name, reason))
            else:
                refused += 1
                print(
                    "CI: %s did not run: %s %r" % (name, skipped.get("type"), reason),
                    file=sys.stderr,
                )
    if refused:
        print(
            "CI: %d test(s) skipped without a reason starting %r" % (refused, ALLOWED_PREFIX),
            file=sys.stderr,
        )
        return 1
    print("CI: no test skipped%s" % (" except %d allowed" % allowed if allowed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
