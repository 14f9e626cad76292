"""Marketplace test fixtures: publishers, published apps, reviewers, a local HTTP server for the link checks."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group

from marketplace.models import Category, DeveloperAgreement
from marketplace.reference import reference_data_ensure
from tests.factories import UserFactory
from tests.marketplace.factories import make_app, make_publisher


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """`with run_on_commit(): ...` runs on_commit callbacks (check tasks, revenue's on_paid hooks)."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


@pytest.fixture
def catalog_reference(transactional_db):
    """For tests with real transactions: the database they start from was flushed by an earlier such test, which
    also removed the categories and agreement migration 0003 created; put them back."""
    reference_data_ensure(Category, DeveloperAgreement)


@pytest.fixture
def publisher_user(db):
    return UserFactory()


@pytest.fixture
def publisher(publisher_user):
    return make_publisher(publisher_user)


@pytest.fixture
def reviewer(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="reviewer"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def moderator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="staff"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def buyer(db):
    return UserFactory()


@pytest.fixture
def app(publisher):
    return make_app(publisher)


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        if self.path.startswith("/slow"):
            time.sleep(1.0)
        status = 404 if self.path.startswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def local_http(settings):
    """A local HTTP server: /ok → 200, /slow → 200 after 1 s, /missing → 404. Yields its base URL. Link checks
    may reach it (private addresses allowed), time out after 0.5 s and call > 0.2 s slow."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MARKETPLACE_LINK_CHECK_ALLOW_PRIVATE = True
    settings.MARKETPLACE_LINK_TIMEOUT = 0.5
    settings.MARKETPLACE_LINK_SLOW_SECONDS = 0.2
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on a local port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def _no_catalog_cache(settings):
    """Tests see every change at once (the cache's own test turns it back on)."""
    settings.MARKETPLACE_CATALOG_CACHE_SECONDS = 0
