"""Which language a page speaks: one small function every page, email and cache can ask.

In order: an organizer's own choice on the dashboard (`g.interface_language`, set by the
dashboard), `?lang=xx` (remembered in a cookie for later pages), the language cookie, the
browser's Accept-Language among the offered languages (LANGUAGES), the default. The cookie is
set only when `?lang=` is given, so an anonymous GET without it stays shareable; every
response varies on what decides the language (`Accept-Language` and `Cookie`).
"""
from functools import cache
from urllib.parse import urlencode

from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from wtforms.i18n import messages_path

#: The cookie that remembers a language picked with ?lang=.
LANGUAGE_COOKIE = "lang"
LANGUAGE_PARAMETER = "lang"
#: One year: a visitor who picked a language keeps it.
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Each offered language's name in itself, for the switcher.
NATIVE_NAMES = {"en": "English", "uk": "Українська"}


def offered_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def language_choices() -> list[tuple[str, str]]:
    """Each offered language with its name in itself, for a form's select."""
    return [(language, NATIVE_NAMES.get(language, language)) for language in offered_languages()]


def default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def offered(language: str | None) -> str | None:
    """`language` when it is one of the offered languages, else None."""
    return language if language in offered_languages() else None


def chosen_language() -> str:
    """The language of this request (outside a request: the default)."""
    if not has_request_context():
        return default_language()
    return (
        offered(g.get("interface_language"))
        or offered(request.args.get(LANGUAGE_PARAMETER))
        or offered(request.cookies.get(LANGUAGE_COOKIE))
        or request.accept_languages.best_match(offered_languages())
        or default_language()
    )


def language_links() -> list[dict]:
    """The switcher: each offered language, its own name and this page's address in it.

    None on a page that speaks an organizer's own chosen language (the dashboard), where the
    switcher would change nothing."""
    if g.get("interface_language"):
        return []
    arguments = request.args.to_dict(flat=False)
    current = str(get_locale())
    links = []
    for language in offered_languages():
        arguments[LANGUAGE_PARAMETER] = [language]
        links.append({
            "code": language,
            "name": NATIVE_NAMES.get(language, language),
            "href": f"{request.path}?{urlencode(arguments, doseq=True)}",
            "current": language == current,
        })
    return links


class InLanguage:
    """Something as a page in one language shows it: the words `texts` gives in `language`,
    everything else (ids, slugs, status) from the original."""

    def __init__(self, original, language: str, texts: dict | None = None):
        self.original = original
        self.language = language
        self._texts = texts or {}

    def __getattr__(self, name):
        texts = self.__dict__.get("_texts", {})
        if name in texts:
            return texts[name]
        return getattr(self.__dict__["original"], name)


def _remember_and_vary(response):
    """Keep a language picked with ?lang= in a cookie; say what the language depends on."""
    picked = offered(request.args.get(LANGUAGE_PARAMETER))
    if picked and response.mimetype == "text/html":
        response.set_cookie(LANGUAGE_COOKIE, picked, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
        # A response that sets a cookie is this visitor's alone.
        response.cache_control.public = False
        response.cache_control.private = True
    if request.endpoint != "static":  # the stylesheets and scripts are the same in every language
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def _page_language() -> dict:
    """`page_language`, and `language_argument`: what a full link to this page in its language
    adds to the address (nothing for the default language, whose address stays plain)."""
    language = str(get_locale())
    return {"page_language": language,
            "language_argument": {} if language == default_language() else {"lang": language}}


@cache
def _wtforms_catalog(language: str) -> Translations:
    return Translations.load(messages_path(), [language], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the request's language, each catalogue read once a worker.

    Flask-WTF would read the catalogue from disk on every request that makes a form; it
    takes one already made from `request.wtforms_translations`.
    """

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


def _lend_wtforms_messages() -> None:
    request.wtforms_translations = _WTFORMS_MESSAGES


def init_app(app: Flask) -> None:
    app.before_request(_lend_wtforms_messages)
    app.after_request(_remember_and_vary)
    app.jinja_env.globals["language_links"] = language_links
    app.context_processor(_page_language)
