"""Where messages go: an SMTP server (when MAIL_SERVER is set) or the console (the default).

A backend opens a session for a batch; `session.send(message)` hands one MIME message
over. Errors are raised, not swallowed: the sender decides about retries.
"""
import logging
import smtplib
import sys
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import parseaddr

log = logging.getLogger(__name__)


class BackendUnavailable(Exception):
    """The mail server could not be reached at all: every message of the batch waits."""


class SMTPBackend:
    """One SMTP connection per batch, with STARTTLS or implicit TLS when configured."""

    def __init__(self, config: dict):
        self.host = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.use_ssl = config["MAIL_USE_SSL"]
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.timeout = config["MAIL_TIMEOUT"]
        self.envelope_sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]

    @contextmanager
    def session(self):
        try:
            connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise BackendUnavailable(
                f"{self.host}:{self.port}: {type(error).__name__}: {error}"
            ) from error
        try:
            yield _SMTPSession(connection, self.envelope_sender)
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()

    def _connect(self) -> smtplib.SMTP:
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        connection = smtp_class(self.host, self.port, timeout=self.timeout)
        try:
            if self.use_tls and not self.use_ssl:
                connection.starttls()
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection


class _SMTPSession:
    def __init__(self, connection: smtplib.SMTP, envelope_sender: str):
        self.connection = connection
        self.envelope_sender = envelope_sender

    def send(self, message: EmailMessage) -> None:
        self.connection.send_message(message, from_addr=self.envelope_sender)


class ConsoleBackend:
    """Writes each message, readable, to standard output and the log: for development and demos."""

    @contextmanager
    def session(self):
        yield self

    def send(self, message: EmailMessage) -> None:
        text_part = message.get_body(preferencelist=("plain",))
        body = text_part.get_content() if text_part is not None else ""
        headers = "".join(
            f"{name}: {message[name]}\n" for name in ("From", "To", "Subject", "Date")
        )
        sys.stdout.write(f"{'-' * 72}\n{headers}\n{body}\n")
        sys.stdout.flush()
        log.info("mail to %s: %s", message["To"], message["Subject"])


def backend_for(config: dict):
    """SMTP when MAIL_SERVER is set, else the console."""
    return SMTPBackend(config) if config["MAIL_SERVER"] else ConsoleBackend()
