"""Revenue test fixtures (shared by the revenue test modules: add fixtures, never rename)."""

import pytest

from revenue.gateways import registry
from tests.revenue.factories import FakeGateway


@pytest.fixture
def fake_gateway(settings):
    """A FakeGateway standing in for "fake", "stripe" and "bank_transfer" (payments made with gateway="fake"
    refund through it; payouts transfer through it). Restores the real gateways afterwards."""
    gateway = FakeGateway()
    names = ("fake", "stripe", "bank_transfer")
    saved = {name: registry._FACTORIES.get(name) for name in names}
    for name in names:
        registry.register_gateway(name, lambda: gateway)
    settings.REVENUE_ENABLED_GATEWAYS = [*settings.REVENUE_ENABLED_GATEWAYS, *names]
    yield gateway
    for name, factory in saved.items():
        if factory is None:
            registry._FACTORIES.pop(name, None)
        else:
            registry._FACTORIES[name] = factory


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (gateway submissions, hooks) as if the test's transaction committed:
    `with run_on_commit(): ...`."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


# --- checkout, gateways, webhooks, reconcile -------------------------------------------------------------------
import fcntl  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

# localstripe always writes one fixed pickle file (/tmp/localstripe.pickle), so only one may run at a time on a
# machine: every test run that starts one takes this lock first (same path for every app's tests).
LOCALSTRIPE_LOCK = Path(tempfile.gettempdir()) / "localstripe.lock"
LOCALSTRIPE_LOCK_TIMEOUT = 600
STRIPE_TEST_KEY = "sk_test_novacron_localstripe"
STRIPE_TEST_WEBHOOK_SECRET = "whsec_novacron_test_secret"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lock_localstripe():
    handle = LOCALSTRIPE_LOCK.open("w")
    deadline = time.monotonic() + LOCALSTRIPE_LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                pytest.fail(f"another localstripe held {LOCALSTRIPE_LOCK} for {LOCALSTRIPE_LOCK_TIMEOUT}s")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def localstripe():
    """A localstripe server (`localstripe --port <free port> --from-scratch`), started for the module's tests
    and stopped after them; yields its base URL. Module- rather than session-scoped on purpose: the machine-wide
    lock is then held only while one module's tests run, so under xdist the other worker is not stalled for a
    whole session."""
    executable = shutil.which("localstripe", path=str(Path(sys.executable).parent)) or shutil.which(
        "localstripe"
    )
    if executable is None:
        pytest.fail("localstripe is not installed (pip install -e '.[dev]')")
    lock = _lock_localstripe()
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own dev dependency, fixed arguments
        [executable, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            request = urllib.request.Request(  # noqa: S310 - a local URL
                f"{url}/v1/customers", headers={"Authorization": f"Bearer {STRIPE_TEST_KEY}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"localstripe did not start on port {port}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture
def stripe_enabled(settings, localstripe):
    """The stripe gateway enabled and pointed at localstripe (any sk_test_ key works there)."""
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_KEY
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_TEST_WEBHOOK_SECRET
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "stripe", "bank_transfer"]
    return localstripe


@pytest.fixture
def local_gateways(settings):
    """The default set-up of `make run`: local_test (default) and bank_transfer."""
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    settings.REVENUE_LOCAL_WEBHOOK_SECRET = "local-webhook-test-secret"
    return settings


@pytest.fixture
def finance_user(db):
    """A user holding accounts.manage_finance."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="manage_finance")
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache
