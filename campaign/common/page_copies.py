"""Busy public pages rendered at most once every few seconds per worker (PAGE_CACHE_SECONDS).

In a spike most visitors of a statement page are anonymous and see the same page (its
form carries the same signed token for everyone, `common.forms.SignedFormToken`). So the
first render is kept and the next visitors get that copy. A copy lives
PAGE_CACHE_SECONDS (so the count shown may lag by that much) and belongs to one worker:
no other worker or host needs it, and each makes its own. A copy is kept per host name the
page was asked for (TRUSTED_HOSTS may list several), and its full links come from BASE_URL
anyway, so a forged Host header cannot reach the next visitor. Logged-in organizers,
visitors with a message waiting (flash) and anything but a plain 200 HTML page always render.

A copy is the finished public answer: `shared_page` is laid outside `web.public_cache`, so only
a page that public_cache found the same for every visitor is kept, with its caching headers
and ETag, and a visitor served from the copy costs no hashing or header building again.
"""
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

#: Copies kept per worker at most (one per host name, statement, page and language).
_MAX_COPIES = 512


class PageCopies:
    """Rendered pages by key, the oldest dropped first; safe for a worker's threads.

    When a copy runs out, one thread renders it afresh while the worker's other threads go on
    serving the old copy (`fresh`): a busy page is never rendered by every thread at once,
    which made the slowest answers of a spike (their p99) wait behind a pile of renders.
    """

    def __init__(self, capacity: int = _MAX_COPIES):
        self.capacity = capacity
        self._copies: OrderedDict = OrderedDict()
        self._rendering: set = set()
        self._lock = threading.Lock()

    def fresh(self, key, max_age: float) -> str | None:
        """The copy while it is younger than max_age, or while another thread renders it anew;
        None tells the caller to render it (and `keep` it, which ends its turn)."""
        with self._lock:
            kept = self._copies.get(key)
            if kept is None:
                return None
            if time.monotonic() - kept[0] <= max_age:
                return kept[1]
            if key in self._rendering:
                return kept[1]
            self._rendering.add(key)
            return None

    def keep(self, key, html: str | None) -> None:
        """Keep `html` (None: keep nothing, the render was not for sharing) and end the turn."""
        with self._lock:
            self._rendering.discard(key)
            if html is None:
                return
            self._copies[key] = (time.monotonic(), html)
            self._copies.move_to_end(key)
            while len(self._copies) > self.capacity:
                self._copies.popitem(last=False)


def _copies() -> PageCopies:
    return current_app.extensions.setdefault("campaign.page_copies", PageCopies())


def _same_for_everyone() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def shared_page(view):
    """Serve an anonymous GET of this page from a copy at most PAGE_CACHE_SECONDS old.

    Lay it outside `public_cache`, whose answer is what is kept.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        max_age = current_app.config["PAGE_CACHE_SECONDS"]
        if not max_age or not _same_for_everyone():
            return view(*args, **kwargs)
        # Host and scheme too: a copy made for one name of the site is never served on another.
        key = (request.scheme, request.host, request.full_path, str(get_locale()))
        kept = _copies().fresh(key, max_age)
        if kept is not None:
            return _answer_from(kept)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _copies().keep(key, None)
            raise
        _copies().keep(key, _copy_of(response) if _is_public_page(response) else None)
        return response

    return wrapper


def _is_public_page(response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html"
            and not response.is_streamed and response.cache_control.public)


def _copy_of(response) -> tuple[bytes, tuple]:
    """The body and headers to answer the next visitors with; each answer gets its own Date."""
    headers = tuple((name, value) for name, value in response.headers.items()
                    if name.lower() != "date")
    return response.get_data(), headers


def _answer_from(copy: tuple[bytes, tuple]):
    body, headers = copy
    response = current_app.response_class(body, headers=list(headers))
    return response.make_conditional(request)
