"""The API's one error body: {"error": {"code", "message", "fields"}, "request_id"}."""

import pytest

pytestmark = pytest.mark.django_db

TEST_URLS = pytest.mark.urls("tests.core.urls")
REQUEST_ID = "req-errors-1"


def error_of(response) -> dict:
    body = response.json()
    assert body["request_id"] == REQUEST_ID
    return body["error"]


@TEST_URLS
def test_serializer_field_errors_are_listed_per_field(auth_client):
    response = auth_client.post(
        "/api/test/signup/", {"email": "nope", "age": 12}, format="json", HTTP_X_REQUEST_ID=REQUEST_ID
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "email": ["Enter a valid email address."],
        "age": ["Ensure this value is greater than or equal to 18."],
    }
    assert error["message"] == "Enter a valid email address."


@TEST_URLS
def test_an_object_level_error_is_under_non_field_errors(auth_client):
    response = auth_client.post(
        "/api/test/signup/",
        {"email": "a@blocked.example", "age": 30},
        format="json",
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["fields"] == {"non_field_errors": ["This domain cannot sign up."]}
    assert error["message"] == "This domain cannot sign up."


@TEST_URLS
def test_an_anonymous_caller_gets_401_with_the_bearer_challenge(api_client):
    response = api_client.get("/api/test/forbidden/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response)["code"] == "not_authenticated"


@TEST_URLS
@pytest.mark.parametrize(
    ("path", "status", "code", "message"),
    [
        ("/api/test/forbidden/", 403, "permission_denied", "Staff only."),
        ("/api/test/missing/", 404, "not_found", "Not found."),
        ("/api/test/signup/", 405, "method_not_allowed", 'Method "GET" not allowed.'),
    ],
)
def test_drf_errors_use_the_project_body(auth_client, path, status, code, message):
    response = auth_client.get(path, HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == status
    assert error_of(response) == {"code": code, "message": message, "fields": {}}


@TEST_URLS
@pytest.mark.parametrize(
    ("kind", "status", "code", "fields"),
    [
        ("validation", 400, "invalid", {"amount": ["Amount must be positive."]}),
        ("permission", 403, "permission_denied", {}),
        ("not_found", 404, "not_found", {}),
        ("conflict", 409, "seat_limit_reached", {}),
    ],
)
def test_domain_errors_map_to_their_status_and_code(auth_client, kind, status, code, fields):
    response = auth_client.get(f"/api/test/domain/{kind}/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == status
    error = error_of(response)
    assert (error["code"], error["fields"]) == (code, fields)


@TEST_URLS
def test_throttling_says_when_to_retry(auth_client):
    response = auth_client.get("/api/test/throttled/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    error = error_of(response)
    assert (error["code"], error["retry_after_seconds"]) == ("throttled", 30)


@TEST_URLS
def test_a_crash_in_an_api_view_is_a_json_500(auth_client):
    auth_client.raise_request_exception = False

    response = auth_client.get("/api/test/crash/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


def test_an_unknown_api_path_is_a_json_404(client):
    # The project URLconf: handler404 must be wired to the kernel's view (DEBUG is off in tests).
    response = client.get("/api/v1/no-such-endpoint/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response) == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_an_unknown_portal_path_is_an_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
