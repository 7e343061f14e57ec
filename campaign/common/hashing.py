"""Keyed hashes (HMAC-SHA256) for values that must be compared but never stored in clear."""
import hashlib
import hmac
import ipaddress

from flask import current_app

from campaign.common.crypto import index_key
from campaign.common.emails import normalise_email


def _derived_key(purpose: str) -> bytes:
    """A key for one purpose, derived from SECRET_KEY, so no two uses share a key."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"campaign.privacy.{purpose}".encode(), hashlib.sha256).digest()


def keyed_hash(purpose: str, value: str) -> str:
    """The hex HMAC of `value` under the key for `purpose`."""
    return hmac.new(_derived_key(purpose), value.encode(), hashlib.sha256).hexdigest()


def ip_hash(address: str) -> str:
    """A keyed hash of an IP address: the address itself is never stored.

    Equal addresses in any notation give the same hash, so abuse from one address can
    still be seen; without SECRET_KEY the hash cannot be reversed by trying addresses.
    """
    value = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        value = (getattr(parsed, "ipv4_mapped", None) or parsed).compressed
    return keyed_hash("ip-hash", value)


def email_index(address: str) -> str:
    """The blind index of an email address: the hex HMAC of its normal form under INDEX_KEY.

    Stored beside the encrypted address, it is what uniqueness and every look-up by email
    compare. INDEX_KEY is its own key, not derived from DATA_KEY, so rotating the data key
    leaves every index as it is; without INDEX_KEY nobody can test a guessed address.
    """
    return hmac.new(index_key(), normalise_email(address).encode(), hashlib.sha256).hexdigest()
