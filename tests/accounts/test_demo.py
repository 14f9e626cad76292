"""The demo logins message points at the port `make run` serves on (PORT in seed_demo's environment)."""

import io

import pytest

from novacron.accounts import demo

pytestmark = pytest.mark.django_db


def test_demo_logins_use_the_port_make_run_passes(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    lines = demo.seed(io.StringIO())
    assert "http://127.0.0.1:8123/accounts/login/" in lines[1]


@pytest.mark.parametrize("port", [None, "", "not-a-port"])
def test_the_default_port_is_8000(monkeypatch, port):
    if port is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", port)
    assert demo.login_url() == "http://127.0.0.1:8000/accounts/login/"
