"""A statement's text in other languages: storing a translation, and the statement as a page
in one language shows it.

A translation covers the title, the preamble, each demand and the closing; it has as many
demands as the original. Replacing its text keeps the old one as the translation's own
revision. It remembers a digest of the original as it was translated, so when the original
is amended afterwards the translation is marked out of date (and the page says so).
Signatures never belong to a translation: the count and the list are the statement's.
"""
import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.audit.service import record
from campaign.common.languages import InLanguage
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.statements.models import (
    Statement, StatementTranslation, StatementTranslationRevision, summary_of,
)
from campaign.statements.service import DemandText, StatementError


class TranslationError(StatementError):
    """A translation that cannot be stored as given."""


def text_digest(statement: Statement) -> str:
    """A digest of the statement's current text: it changes whenever the text is amended."""
    text = [statement.title, statement.preamble, statement.closing,
            [[demand.heading, demand.body] for demand in statement.demands]]
    return hashlib.sha256(json.dumps(text, ensure_ascii=False).encode()).hexdigest()


def is_out_of_date(translation: StatementTranslation) -> bool:
    """Whether the original was amended after this translation was written."""
    return translation.original_digest != text_digest(translation.statement)


def translations_of(statement: Statement) -> list[StatementTranslation]:
    return list(db.session.scalars(
        select(StatementTranslation).where(StatementTranslation.statement_id == statement.id)
        .order_by(StatementTranslation.language)
    ))


def translation_in(statement: Statement, language: str) -> StatementTranslation | None:
    return db.session.scalar(select(StatementTranslation).where(
        StatementTranslation.statement_id == statement.id,
        StatementTranslation.language == language,
    ))


def demand_count_difference(original: int, translated: int) -> str:
    """The clear words for a translation whose number of demands is not the original's."""
    if translated < original:
        missing = ngettext("%(num)d demand is missing", "%(num)d demands are missing",
                           original - translated)
    else:
        missing = ngettext("it has %(num)d demand too many", "it has %(num)d demands too many",
                           translated - original)
    return _("The original has %(original)d demands and this translation %(translated)d: "
             "%(missing)s. Translate each demand of the original, in its order.",
             original=original, translated=translated, missing=missing)


def save_translation(statement: Statement, language: str, title: str, preamble: str,
                     demands: list[DemandText], closing: str, commit: bool = True,
                     ) -> StatementTranslation:
    """Add the statement's translation into `language`, or replace its text (a new revision)."""
    language = (language or "").strip()
    if language not in current_app.config["LANGUAGES"]:
        raise TranslationError(_("%(language)s is not one of the site's languages (%(offered)s).",
                                 language=language or "?",
                                 offered=", ".join(current_app.config["LANGUAGES"])),
                               field="language")
    if language == statement.language:
        raise TranslationError(_("The statement is already written in that language."),
                               field="language")
    if len(demands) != len(statement.demands):
        raise TranslationError(demand_count_difference(len(statement.demands), len(demands)),
                               field="text")
    if not title.strip():
        raise TranslationError(_("Give the translation a title."), field="text")
    texts = [{"position": position, "heading": demand.heading, "body": demand.body}
             for position, demand in enumerate(demands, start=1)]
    translation = translation_in(statement, language)
    is_new = translation is None
    if is_new:
        translation = StatementTranslation(statement_id=statement.id, language=language,
                                           statement=statement)
        db.session.add(translation)
    else:
        db.session.add(StatementTranslationRevision(
            translation_id=translation.id, number=translation.revision, title=translation.title,
            preamble=translation.preamble, closing=translation.closing,
            demands=translation.demands, replaced_at=utcnow(),
        ))
        translation.revision += 1
    translation.title, translation.preamble, translation.closing = title, preamble, closing
    translation.demands = texts
    translation.original_digest = text_digest(statement)
    translation.updated_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise TranslationError(_("Someone else added that translation at the same moment. "
                                 "Try again."), field="language") from error
    record("statement.translate" if is_new else "statement.translation_revise",
           f"statement:{statement.slug}", language)
    if commit:
        db.session.commit()
    return translation


def delete_translation(translation: StatementTranslation) -> None:
    record("statement.translation_delete", f"statement:{translation.statement.slug}",
           translation.language)
    db.session.delete(translation)
    db.session.commit()


@dataclass(frozen=True)
class TranslatedDemand:
    position: int
    heading: str
    body: str


class StatementInLanguage(InLanguage):
    """The statement as a page in one language shows it: the translation's text where there is
    one, the original's otherwise; everything else (slug, status, counts) is the statement's.

    `language` is the language of the text shown, for the page's `lang` attributes.
    """

    def __init__(self, statement: Statement, translation: StatementTranslation | None):
        texts = {}
        if translation is not None:
            texts = {
                "title": translation.title, "preamble": translation.preamble,
                "closing": translation.closing,
                "demands": [TranslatedDemand(item["position"], item["heading"], item["body"])
                            for item in translation.demands],
            }
        super().__init__(statement, translation.language if translation else statement.language,
                         texts)
        self.translation = translation

    @property
    def summary(self) -> str:
        return summary_of(self.preamble)

    @property
    def translation_out_of_date(self) -> bool:
        return self.translation is not None and is_out_of_date(self.translation)

    @property
    def languages(self) -> list[str]:
        """The statement's own language and each it is translated into, the hreflang set."""
        return [self.original.language] + [t.language for t in translations_of(self.original)]


def in_language(statement: Statement, language: str | None) -> StatementInLanguage:
    """The statement shown in `language` (its translation there, if any)."""
    if isinstance(statement, StatementInLanguage):
        statement = statement.original
    translation = None
    if language and language != statement.language:
        translation = translation_in(statement, language)
    return StatementInLanguage(statement, translation)


def all_in_language(statements, language: str | None) -> list[StatementInLanguage]:
    """Several statements shown in `language`, their translations read in one query."""
    statements = list(statements)
    found = {} if not language else {
        translation.statement_id: translation for translation in db.session.scalars(
            select(StatementTranslation).where(
                StatementTranslation.statement_id.in_([s.id for s in statements]),
                StatementTranslation.language == language))}
    return [StatementInLanguage(statement, found.get(statement.id)
                                if language != statement.language else None)
            for statement in statements]
