"""Full links on the deployment's public address (BASE_URL), never on the request's Host.

A Host or X-Forwarded-Host header is whatever the client sent; a link built from it could
point a page, a kept page copy or an email at someone else's site.
"""
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def base_url_adapter() -> MapAdapter:
    """The URL map bound to BASE_URL, inside or outside a request: bound once for each app
    and address, since building a link leaves the adapter as it was."""
    address = current_app.config["BASE_URL"]
    adapters = current_app.extensions.setdefault("base_url_adapters", {})
    if address not in adapters:
        base = urlsplit(address)
        adapters[address] = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
        )
    return adapters[address]


def absolute_url(endpoint: str, **values) -> str:
    """A full link on BASE_URL, for pages, emails and the CLI alike."""
    return base_url_adapter().build(endpoint, values, force_external=True)
