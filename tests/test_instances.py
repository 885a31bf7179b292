"""Two real app servers (gunicorn, two local ports) on one database: a result saved through one is
seen through the other at once, with a new ETag there; a login on one is a login on both. Runs on the
PostgreSQL of `make test` (the multi-instance deployment), and on a shared SQLite file otherwise."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from cartel.extensions import db
from tests.helpers import POSTGRES_URL

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(app, live, make_user, tmp_path):
    make_user("orga@example.org")
    db.session.remove()
    url = POSTGRES_URL or app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        **os.environ,
        "CARTEL_DATABASE_URL": url,
        "CARTEL_ENV": "development",  # production cookies are Secure: no HTTPS here
        "CARTEL_SECRET_KEY": "k" * 40,  # the same on both, as a deployment would set it
        "CARTEL_POLL_SECONDS": "1",
    }
    servers, bases, logs = [], [], []
    for n in range(2):
        port = free_port()
        log = (tmp_path / f"server{n}.log").open("w")
        logs.append(log)
        servers.append(
            subprocess.Popen(
                [str(GUNICORN), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "cartel:create_app()"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=10).read()
                    break
                except OSError:  # refused, reset or timed out while the worker boots (a busy machine)
                    if time.monotonic() > deadline:
                        raise AssertionError((tmp_path / "server0.log").read_text()) from None
                    time.sleep(0.2)
        yield bases
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        for log in logs:
            log.close()


class Browser:
    """A cookie-keeping client that does not follow redirects (to see the 303 of a save)."""

    def __init__(self):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)

    def request(self, url, data=None, headers=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, body, headers or {}), timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_save_on_one_server_is_seen_on_the_other_with_a_new_etag(two_servers):
    one, two = two_servers
    reader = Browser()
    status, headers, page = reader.request(two + "/editions/2026")
    assert status == 200 and "Aucun résultat pour" in page  # no result yet: no ranking, a sentence
    etag = headers["ETag"]
    assert reader.request(two + "/editions/2026", headers={"If-None-Match": etag})[0] == 304

    organiser = Browser()
    _status, _headers, page = organiser.request(one + "/login")
    form = {"csrf_token": csrf(page), "email": "orga@example.org", "password": "correct horse battery"}
    assert organiser.request(one + "/login", form)[0] == 302
    assert organiser.request(two + "/saisie/")[0] == 200  # one session, whichever server answers
    _status, _headers, page = organiser.request(one + "/saisie/handball-men")
    save = {"csrf_token": csrf(page), "state": "final", "version": "0", "submission_id": "two-servers"}
    save |= {"row-1-school": "nancy", "row-2-school": "albi", "row-3-school": "ales"}
    assert organiser.request(one + "/saisie/handball-men", save)[0] == 303

    status, headers, page = reader.request(two + "/editions/2026", headers={"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag  # at once: no cache of the other server to wait for
    assert re.search(r"Mines Nancy.{0,400}?10", page, re.S)
    status, _headers, body = reader.request(two + "/api/editions/2026")
    assert status == 200 and '"slug":"nancy"' in body.replace(" ", "")
