"""Shared by the Python client scripts: expectations, the base URL, and a TAP-like reporter.

Every check prints exactly one line, `ok - <client>: <check>` or `not ok - <client>: <check>: <why>`;
run.sh counts those lines. A script exits 1 if any of its checks failed.
"""
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def load_expected():
    with open(os.environ.get("INTEROP_EXPECTED", os.path.join(HERE, "expected.json"))) as f:
        return json.load(f)


def base_url():
    url = os.environ.get("EMULATOR_URL") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not url:
        sys.exit("usage: EMULATOR_URL=http://127.0.0.1:PORT %s" % sys.argv[0])
    return url.rstrip("/")


class CheckFailed(AssertionError):
    """A check's own verdict (the message says what differed)."""


def _why(e):
    if isinstance(e, CheckFailed):
        return str(e)
    # an exception from inside a client: name it and where it was raised
    tb = traceback.extract_tb(e.__traceback__)
    where = " (raised at %s:%d in %s)" % (os.path.basename(tb[-1].filename), tb[-1].lineno, tb[-1].name) if tb else ""
    return "%s: %s%s" % (type(e).__name__, e, where)


class Reporter:
    def __init__(self, client):
        self.client = client
        self.failed = 0
        self.passed = 0

    def check(self, name, fn):
        """Run fn(); it passes unless it raises. The raised text is the reason."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any exception is a failed check
            self.failed += 1
            why = " ".join(_why(e).split())[:700]
            print("not ok - %s: %s: %s" % (self.client, name, why), flush=True)
            if os.environ.get("INTEROP_VERBOSE"):
                traceback.print_exc()
        else:
            self.passed += 1
            print("ok - %s: %s" % (self.client, name), flush=True)

    def exit(self):
        sys.exit(1 if self.failed else 0)


def expect_equal(what, got, want):
    if got != want:
        if isinstance(got, list) and isinstance(want, list):
            first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            raise CheckFailed("%s: got %d items, want %d; first difference at index %d: got %r, want %r"
                              % (what, len(got), len(want), first,
                                 got[first] if first < len(got) else "<end>",
                                 want[first] if first < len(want) else "<end>"))
        raise CheckFailed("%s: got %r, want %r" % (what, got, want))


def expect_raises(what, fn, exc_class, check=None):
    """fn() must raise exc_class (exactly that class or a subclass); check(exc) may assert more."""
    try:
        result = fn()
    except exc_class as e:
        if check is not None:
            check(e)
        return e
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001
        raise CheckFailed("%s: raised %s (%s), want %s" % (what, type(e).__name__, " ".join(str(e).split())[:300],
                                                           exc_class.__name__))
    raise CheckFailed("%s: returned %r, want %s raised" % (what, result if not isinstance(result, list)
                                                           else "a list of %d" % len(result), exc_class.__name__))
