"""Shared by the Python client scripts: expectations, the base URL, and a TAP-like reporter.

Every check prints exactly one line, `ok - <client>: <check>` or `not ok - <client>: <check>: <why>`;
run.sh counts those lines. A script exits 1 if any of its checks failed.
"""
import datetime
import json
import os
import sys
import time
import traceback
import urllib.request

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


# --- The emulator's control routes (SPEC §20), for the write scenarios: stdlib only, no client in between ---------

def control(method, path, body=None):
    """`METHOD {EMULATOR_URL}/_emulator/PATH` with an optional JSON body -> the parsed JSON answer (200 only)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base_url() + "/_emulator/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        status, text = resp.status, resp.read().decode()
    if status != 200:
        raise CheckFailed("%s /_emulator/%s: HTTP %d" % (method, path, status))
    return json.loads(text) if text.strip() else None


def reset():
    """POST /_emulator/reset: every delete and restore undone, the real clock back."""
    control("POST", "reset")
    clock = control("GET", "clock")
    expect_equal("clock after reset is real", clock.get("real"), True)


def export():
    return control("GET", "fixtures/export")


def set_clock(**body):
    """PUT /_emulator/clock {"now": EPOCH} | {"advance": SECONDS} | {"real": true} -> its answer."""
    return control("PUT", "clock", body)


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(iso_date):
    return int(datetime.datetime.strptime(iso_date, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp())


class Clock:
    """The emulator's clock set to `now`; it keeps running from there (SPEC §20). `window()` is what a
    deleted_at written since may be: from the set point to the set point plus the real time elapsed."""

    def __init__(self, now):
        self.started = time.time()
        got = set_clock(now=now)
        expect_equal("PUT /_emulator/clock answer", (got.get("now"), got.get("real")), (now, False))
        self.now = now

    def advance(self, seconds):
        got = set_clock(advance=seconds)
        self.now += seconds
        expect_equal("PUT /_emulator/clock advance: real", got.get("real"), False)
        lo, hi = self.bounds()
        if not lo <= got.get("now", -1) <= hi:
            raise CheckFailed("PUT /_emulator/clock advance %d: now %r, want %d..%d" % (seconds, got.get("now"), lo, hi))
        return got

    def bounds(self):
        return self.now, self.now + int(time.time() - self.started) + 2

    def expect_deleted_at(self, what, value):
        lo, hi = self.bounds()
        if not isinstance(value, str) or not lo <= epoch_of(value) <= hi:
            raise CheckFailed("%s: deleted_at %r, want the emulator's clock, %s..%s" % (what, value, iso(lo), iso(hi)))


def export_package(doc, owner, package_id):
    """The package `package_id` of `owner` (an org or a user) in an export document."""
    for kind in ("orgs", "users"):
        for o in doc.get(kind, []):
            if o["login"] == owner:
                for p in o["packages"]:
                    if p["id"] == package_id:
                        return p
    raise CheckFailed("export: no package %d of %s" % (package_id, owner))


class WriteScenario:
    """A scenario that changes the data set, run between two resets so the other clients' read checks (they
    share the emulator) still see the fixtures: `with WriteScenario(R, "title") as s:` ... `s.check(...)`.
    The reset before is a check; the one after too, and it asserts the export equals the one taken before."""

    def __init__(self, reporter, title):
        self.R = reporter
        self.title = title
        self.before = None

    def __enter__(self):
        def before():
            reset()
            self.before = export()
        self.R.check("%s: reset before, export taken" % self.title, before)
        return self

    def __exit__(self, *exc):
        def after():
            reset()
            if self.before is None:
                raise CheckFailed("no export from before the scenario")
            expect_equal("export after the reset equals the one before the scenario", export() == self.before, True)
        self.R.check("%s: reset after restores the data set (export equal to the one before)" % self.title, after)
        return False
