"""Text messages (短信) for notifications, through a pluggable backend like Django's mail.

`get_sms_backend()` builds the backend named by `settings.SMS_BACKEND`:

- `core.sms.FileBackend` (the default): one JSON-lines file per day under `SMS_FILE_DIR`
  (`2025-01-31.jsonl`, one `{"time", "phone", "text"}` object a line) — what would have been
  sent, for a deployment without a gateway and for the demo;
- `core.sms.ConsoleBackend`: prints each message to standard output;
- `core.sms.LocmemBackend`: keeps messages in `core.sms.outbox` (tests);
- `core.sms.HttpGatewayBackend`: POSTs `{"phone", "text"}` as JSON with
  `Authorization: Bearer <SMS_GATEWAY_TOKEN>` to `SMS_GATEWAY_URL` (contract in
  docs/notifications.md); any answer but 2xx, or no answer in time, raises `SmsError`.

A backend's `send()` raises on failure; `core.notifications` records the failure on the
delivery, so a backend never hides one.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """A text message that could not be handed over (the gateway refused it or is down)."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class FileBackend(BaseSmsBackend):
    """Appends each message to `<SMS_FILE_DIR>/<YYYY-MM-DD>.jsonl` (local date)."""

    _lock = threading.Lock()

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def path_for(self, day) -> Path:
        return self.directory / f"{day:%Y-%m-%d}.jsonl"

    def send(self, phone: str, text: str) -> None:
        now = timezone.localtime()
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"time": now.isoformat(timespec="seconds"), "phone": phone, "text": text},
            ensure_ascii=False,
        )
        with self._lock, self.path_for(now.date()).open("a", encoding="utf-8") as file:
            file.write(line + "\n")


class ConsoleBackend(BaseSmsBackend):
    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {phone}: {text}\n")
        stream.flush()


# Messages LocmemBackend has "sent" — tests read and clear it (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone=phone, text=text))


class HttpGatewayBackend(BaseSmsBackend):
    """An HTTP SMS gateway: POST {"phone", "text"} as JSON with a bearer token; 2xx is sent."""

    timeout = 10  # seconds: a gateway that does not answer fails the delivery, not the job

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN

    def send(self, phone: str, text: str) -> None:
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        data = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
                answer = response.read(500).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            answer = error.read(500).decode("utf-8", "replace") if error.fp else ""
            raise SmsError(
                f"SMS gateway answered HTTP {error.code} {error.reason}: {answer}".strip()
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsError(f"SMS gateway unreachable: {reason}") from error
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered HTTP {status}: {answer}".strip())


def get_sms_backend(path: str | None = None) -> BaseSmsBackend:
    """The backend named by `path` or `settings.SMS_BACKEND`."""
    return import_string(path or settings.SMS_BACKEND)()
