def test_every_response_carries_its_request_id(client):
    # given a client that sends its own correlation id
    response = client.get("/hello/", HTTP_X_REQUEST_ID="corr-123")
    # then the same id comes back, so a user can quote it to support
    assert response["X-Request-ID"] == "corr-123"
    # and without one the server makes one up and still returns it
    assert len(client.get("/hello/")["X-Request-ID"]) >= 32
