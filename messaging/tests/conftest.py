"""Fixtures of the messaging tests: the outbox of the memory backend, and a stand-in for
Twilio's REST API on 127.0.0.1 that checks each request as Twilio would."""

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

import messaging

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "stand-in-auth-token-0123456789ab"
FROM_NUMBER = "+15550001111"


@pytest.fixture
def sms_outbox(settings):
    """The texts the locmem backend sent during the test (SMS_URL=locmem://, the tests' default)."""
    settings.SMS_URL = "locmem://"
    messaging.outbox = []
    yield messaging.outbox
    messaging.outbox = []


@dataclass
class StandIn:
    """What the stand-in received, and what it answers next."""

    port: int = 0
    requests: list = field(default_factory=list)
    refusals: list = field(default_factory=list)  # requests Twilio itself would have refused
    answer_status: int = 201
    answer_code: int | None = None

    @property
    def url(self) -> str:
        return f"twilio+http://{ACCOUNT_SID}:{AUTH_TOKEN}@127.0.0.1:{self.port}?from=%2B15550001111"


def _handler(stand_in: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test run's log is checked for names
            pass

        def _reply(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            expected_auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            problems = []
            if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                problems.append(f"path {self.path}")
            if self.headers.get("Authorization") != expected_auth:
                problems.append("authentication")
            if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                problems.append("content type")
            if not form.get("To", "").startswith("+") or not form.get("Body"):
                problems.append("To or Body")
            if not (form.get("From") or form.get("MessagingServiceSid")):
                problems.append("From")
            stand_in.requests.append({"path": self.path, "form": form, "headers": dict(self.headers)})
            if problems:
                stand_in.refusals.append(problems)
                return self._reply(401 if "authentication" in problems else 400, {"code": 20003, "status": 400})
            if stand_in.answer_status >= 300:
                return self._reply(
                    stand_in.answer_status,
                    {"code": stand_in.answer_code, "message": "refused", "status": stand_in.answer_status},
                )
            sid = "SM" + uuid.uuid4().hex
            return self._reply(
                201,
                {
                    "sid": sid,
                    "account_sid": ACCOUNT_SID,
                    "to": form["To"],
                    "from": form.get("From"),
                    "body": form["Body"],
                    "status": "queued",
                    "num_segments": "1",
                    "api_version": "2010-04-01",
                    "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
                },
            )

    return Handler


@pytest.fixture
def twilio_stand_in(settings):
    """A Twilio REST API on 127.0.0.1, and SMS_URL pointed at it. Nothing leaves the machine."""
    stand_in = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    stand_in.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_URL = stand_in.url
    yield stand_in
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
