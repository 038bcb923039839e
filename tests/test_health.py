"""The load balancer's health check: 200 while a server takes requests, 503 while an operator drains it."""


def test_healthz_answers_200_without_a_drain_file(client, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DRAIN_FILE", str(tmp_path / "drain"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_while_the_drain_file_exists_and_200_again_after(client, app, tmp_path, monkeypatch):
    drain = tmp_path / "drain"
    monkeypatch.setitem(app.config, "DRAIN_FILE", str(drain))
    drain.touch()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "draining"}
    drain.unlink()
    assert client.get("/healthz").status_code == 200


def test_a_draining_server_still_answers_other_requests(client, app, tmp_path, monkeypatch):
    """Requests the load balancer sent before it saw the 503 are served as usual."""
    drain = tmp_path / "drain"
    drain.touch()
    monkeypatch.setitem(app.config, "DRAIN_FILE", str(drain))
    assert client.get("/login").status_code == 200


def test_without_a_drain_file_setting_healthz_is_always_200(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DRAIN_FILE", None)
    assert client.get("/healthz").status_code == 200
