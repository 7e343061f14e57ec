"""Encryption at rest: email addresses, comments and mail are stored as AES-GCM ciphertext,
so a copy of the database (a backup, a dump on a laptop) names nobody.

A stored value reads `v1.<key id>.<base64url(nonce + ciphertext + tag)>`, with a random
96-bit nonce. The key id says which key opens it: DATA_KEY encrypts, the keys in
DATA_KEYS_RETIRED only decrypt, and `flask keys rotate` moves values from a retired key to
the current one. The associated data is the column's purpose ("signatures.email"), which
never changes, so a value copied into another column does not open and rotation needs
nothing but the value itself. An empty value stays empty: an encrypted one would tell no
less, as a ciphertext's length follows its plaintext's.

A value that no configured key opens raises `UndecryptableValue`; it is never returned as
if it were data.
"""
import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
GENERATE_KEY_COMMAND = (
    'python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'
)


class KeyConfigurationError(RuntimeError):
    """DATA_KEY, DATA_KEYS_RETIRED or INDEX_KEY is missing or not a key: the app must not start."""


class UndecryptableValue(RuntimeError):
    """A stored value that no configured key opens (a wrong or missing key, or a damaged value)."""


def parse_key(setting: str, text: str) -> bytes:
    """The 32 bytes a base64 setting holds, or a KeyConfigurationError saying what is wrong."""
    if not text.strip():
        raise KeyConfigurationError(
            f"{setting} is not set. It is needed to read and write the encrypted email "
            f"addresses and comments in the database. Generate one with {GENERATE_KEY_COMMAND}, "
            "set it in the environment of every process, and keep a copy apart from the "
            "database's backups (see README.md, Encryption at rest)."
        )
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise KeyConfigurationError(f"{setting} is not valid base64.") from error
    if len(key) != KEY_BYTES:
        raise KeyConfigurationError(
            f"{setting} must be {KEY_BYTES} random bytes in base64, not {len(key)} bytes."
        )
    return key


def key_id(key: bytes) -> str:
    """A short name for a key, stored with each value; it tells nothing about the key."""
    return hmac.new(key, b"campaign.data-key-id", hashlib.sha256).hexdigest()[:8]


#: Opens a batch of stored values of one purpose: see `Keyring.opener`.
Opener = Callable[[Sequence[str | None]], list[str]]


class Keyring:
    """The current data key, which encrypts, and the retired ones, which only decrypt."""

    def __init__(self, current: bytes, retired: Sequence[bytes] = ()):
        self.current_id = key_id(current)
        self.retired_ids = [key_id(key) for key in retired if key_id(key) != self.current_id]
        self._ciphers = {key_id(key): AESGCM(key) for key in (*retired, current)}
        self._current = self._ciphers[self.current_id]
        #: How every value under the current key begins.
        self.current_prefix = f"{FORMAT_VERSION}.{self.current_id}."

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current.encrypt(nonce, plaintext.encode(), purpose.encode())
        return self.current_prefix + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()

    def decrypt(self, stored: str, purpose: str) -> str:
        return self._open(stored, purpose, purpose.encode())

    def opener(self, purpose: str) -> Opener:
        """The decryption of many values of one purpose at once (a batch of an export of a
        million), empty ones (and NULL) as "".

        The values are opened as if all were under the current key, the base64 of them all
        translated at once and each value in a comprehension with no call of its own (a
        quarter cheaper than a call a value). A value that is not under it fails its tag, as
        AES-GCM refuses whatever a key did not seal: the batch is then opened a value at a
        time, which names the value's key or says why it does not open.
        """
        associated_data = purpose.encode()
        decrypt, skip = self._current.decrypt, len(self.current_prefix)

        def open_values(stored_values: Sequence[str | None]) -> list[str]:
            try:
                payloads = "\n".join([stored[skip:] if stored else "" for stored in stored_values]
                                      ).encode()
                sealed_values = [
                    binascii.a2b_base64(payload + _PADDING_BYTES[len(payload) % 4]) if payload
                    else b"" for payload in payloads.translate(_FROM_URLSAFE).split(b"\n")]
                if len(sealed_values) == len(stored_values):  # else a value held a line break
                    return [decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                    associated_data).decode() if sealed else ""
                            for sealed in sealed_values]
            except (binascii.Error, ValueError, InvalidTag):
                pass
            return [self._open(stored, purpose, associated_data) if stored else ""
                    for stored in stored_values]

        return open_values

    def _open(self, stored: str, purpose: str, associated_data: bytes) -> str:
        version, _, rest = stored.partition(".")
        identifier, _, payload = rest.partition(".")
        if version != FORMAT_VERSION or not payload:
            raise UndecryptableValue(f"{purpose} holds a value that is not encrypted.")
        cipher = self._ciphers.get(identifier)
        if cipher is None:
            raise UndecryptableValue(
                f"{purpose} is encrypted under key {identifier}, which is neither "
                f"DATA_KEY ({self.current_id}) nor in DATA_KEYS_RETIRED."
            )
        try:
            sealed = _from_base64url(payload)
            return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                  associated_data).decode()
        except (binascii.Error, ValueError, InvalidTag) as error:
            raise UndecryptableValue(
                f"{purpose} under key {identifier} does not open: the key is not the one "
                "that encrypted it, or the value is damaged."
            ) from error

    def reencrypt(self, stored: str, purpose: str) -> str:
        """The value under the current key (as it is, when it already is)."""
        if stored.startswith(self.current_prefix):
            return stored
        return self.encrypt(self.decrypt(stored, purpose), purpose)


_PADDING = ("", "===", "==", "=")
_PADDING_BYTES = tuple(padding.encode() for padding in _PADDING)
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _from_base64url(text: str) -> bytes:
    """base64url without padding, decoded (binascii directly: twice as fast as base64's)."""
    return binascii.a2b_base64((text + _PADDING[len(text) % 4]).encode().translate(_FROM_URLSAFE),
                               strict_mode=True)


def keyring_from(config) -> Keyring:
    retired = [text for text in config.get("DATA_KEYS_RETIRED", "").split(",") if text.strip()]
    return Keyring(
        parse_key("DATA_KEY", config.get("DATA_KEY", "")),
        [parse_key("DATA_KEYS_RETIRED", text) for text in retired],
    )


def init_app(app: Flask) -> None:
    """Read the keys once, at start-up: a missing or malformed key stops the app there."""
    app.extensions["keyring"] = keyring_from(app.config)
    app.extensions["index_key"] = parse_key("INDEX_KEY", app.config.get("INDEX_KEY", ""))


def keyring() -> Keyring:
    return current_app.extensions["keyring"]


def index_key() -> bytes:
    return current_app.extensions["index_key"]


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value)


class EncryptedText(TypeDecorator):
    """Text that is plaintext in Python and ciphertext in the database.

    `purpose` (e.g. "signatures.email") is the associated data. SQL cannot compare
    ciphertexts (each encryption differs), so comparing the column with anything but NULL
    or the empty string raises: look an address up by its blind index instead.
    """

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        def operate(self, op, *other, **kwargs):
            if op not in (operators.is_, operators.is_not) and not all(map(_empty, other)):
                raise TypeError(
                    f"{self.expr} is encrypted: SQL can compare it only with NULL or ''. "
                    "Look addresses up by their blind index (campaign.common.hashing.email_index)."
                )
            return super().operate(op, *other, **kwargs)

    def __init__(self, purpose: str):
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        return value if _empty(value) else keyring().encrypt(value, self.purpose)

    def process_result_value(self, value, dialect):
        return value if _empty(value) else keyring().decrypt(value, self.purpose)
