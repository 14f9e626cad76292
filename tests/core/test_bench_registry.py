import pytest

from novacron.core.bench import Endpoint, discover


def test_apps_register_their_key_endpoints_with_hello_as_the_only_baseline():
    found = discover()
    names = [endpoint.name for endpoint in found]
    assert names[0] == "hello"
    assert {"hello", "health", "accounts-me"} <= set(names)
    assert [e.name for e in found if e.baseline] == ["hello"]
    assert len(names) == len(set(names))


def test_an_endpoint_path_must_be_absolute():
    with pytest.raises(ValueError, match="must start with"):
        Endpoint(name="bad", path="relative/")
