import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.backends.base import BaseBackend, OutgoingText, SendError

TIMEOUT_SECONDS = 15
# Twilio's error for a recipient who texted STOP to this sender: they opted out at the carrier.
UNSUBSCRIBED_RECIPIENT = 21610


class TwilioBackend(BaseBackend):
    """Twilio's Programmable Messaging REST API, through Twilio's own package.

    `base_url` is where the API is: https://api.twilio.com, or a stand-in on 127.0.0.1 in tests
    (the package builds every address from its API domain's base_url).
    """

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        base_url: str = "https://api.twilio.com",
        **options,
    ):
        super().__init__(**options)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.base_url = base_url
        self.sender = from_number or messaging_service_sid

    def client(self) -> Client:
        client = Client(self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS))
        client.api.base_url = self.base_url
        return client

    def send(self, text: OutgoingText) -> str:
        sender = {"messaging_service_sid": self.messaging_service_sid} if self.messaging_service_sid else {}
        if self.from_number and not sender:
            sender = {"from_": self.from_number}
        try:
            message = self.client().messages.create(to=text.to, body=text.body, **sender)
        except TwilioRestException as error:
            # 4xx: Twilio refused this text (a landline, an unsubscribed number): sending again
            # will not help. 429 and 5xx: later.
            permanent = 400 <= (error.status or 500) < 500 and error.status != 429
            raise SendError(
                f"Twilio refused the text (HTTP {error.status}, error {error.code})",
                permanent=permanent,
                code=str(error.code or ""),
            ) from None
        except (requests.RequestException, TwilioException) as error:
            raise SendError(f"Twilio could not be reached ({type(error).__name__})", permanent=False) from None
        return message.sid
