"""The restart benchmark's balancer: it reroutes a request only when nothing was sent, and counts the rest."""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.balancer import Balancer, closed_by_peer


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - the http.server name
        self.server.seen.append(self.path)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


def _serve():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    httpd.seen = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def serve():
    """``serve()`` → a new answering server; every one is shut down after the test."""
    started = []

    def start():
        started.append(_serve())
        return started[-1]

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(serve):
    return serve()


@pytest.fixture
def other_server(serve):
    return serve()


@pytest.fixture
def closed_port():
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hangs_up():
    """A server that reads the request and closes without answering (a request lost after it was sent)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    got = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            got.append(conn.recv(65536))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], got
    listener.close()


def test_a_refused_connection_goes_to_the_other_server(server, closed_port):
    balancer = Balancer([closed_port, server.server_address[1]])
    status, error, port = balancer.client(home=0).send("POST", "/claim/1", {"Content-Length": "0"})
    assert (status, error, port) == (201, "", server.server_address[1])
    assert balancer.counts == {"refused before sending: sent to the other server": 1}
    assert not balancer.backends[0].healthy and server.seen == ["/claim/1"]


def test_a_request_lost_after_it_was_sent_is_an_error_and_is_not_sent_again(server, hangs_up):
    port, got = hangs_up
    balancer = Balancer([port, server.server_address[1]])
    status, error, answered_by = balancer.client(home=0).send("POST", "/claim/1", {"Content-Length": "0"})
    assert status == 0 and error == "RemoteDisconnected" and answered_by == port
    assert got and got[0].startswith(b"POST /claim/1")
    assert server.seen == []  # the other server never got it


def test_a_kept_alive_connection_the_server_closed_is_opened_again_before_sending(server):
    balancer = Balancer([server.server_address[1]])
    client = balancer.client(home=0)
    assert client.send("POST", "/claim/1", {"Content-Length": "0"})[0] == 201
    (conn,) = client.conns.values()
    assert not closed_by_peer(conn)
    conn.sock.shutdown(socket.SHUT_RDWR)  # as if the server had closed it while idle
    assert closed_by_peer(conn)
    assert client.send("POST", "/claim/2", {"Content-Length": "0"})[0] == 201
    assert balancer.counts == {"kept-alive connection closed by the server, opened again before sending": 1}


def test_a_server_out_of_rotation_gets_nothing_and_its_connection_is_closed(server, other_server):
    draining, other = server.server_address[1], other_server.server_address[1]
    balancer = Balancer([draining, other])
    client = balancer.client(home=0)
    assert client.send("GET", "/one", {})[:2] == (201, "")
    balancer.by_port(draining).checked(503)
    assert balancer.by_port(draining).healthy  # one failed check is not enough
    balancer.by_port(draining).checked(503)
    assert client.send("GET", "/two", {}) == (201, "", other)
    assert draining not in client.conns
    assert server.seen == ["/one"] and other_server.seen == ["/two"]
    balancer.by_port(draining).checked(200)  # back at the first 200
    assert client.send("GET", "/three", {}) == (201, "", draining)
