"""What changed from one version of a statement to the next, word by word.

For the public page of earlier versions: each field (title, preamble, each demand, closing)
compared with `difflib.SequenceMatcher` over its words, so a reader sees which words were
added and which were removed. Demands are first matched to each other the same way, so a
demand taken out or put in shows as such rather than as a change to every one after it.
"""
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from flask_babel import gettext as _

from campaign.statements.models import Statement, StatementRevision

#: Unchanged words kept on each side of a change; longer unchanged stretches are cut to "…".
CONTEXT_WORDS = 12


@dataclass(frozen=True)
class Words:
    """A run of words that were kept, added or removed."""

    text: str
    added: bool = False
    removed: bool = False


@dataclass(frozen=True)
class FieldChange:
    """One field that changed: its name, and its words in parts (a demand's heading and body)."""

    label: str
    parts: list[list[Words]]


@dataclass(frozen=True)
class VersionChanges:
    """An earlier version and what changed in the version after it."""

    revision: StatementRevision
    next_number: int
    next_is_current: bool
    fields: list[FieldChange]


#: A word (with its apostrophes and hyphens) or one mark of punctuation, and the space before it.
_TOKEN = re.compile(r"(\s*)(\w+(?:['’-]\w+)*|[^\w\s])")


def _tokens(text: str) -> list[tuple[str, str]]:
    """(space before, word) pairs; any run of spaces or line breaks counts as one space."""
    return [(" " if space else "", word) for space, word in _TOKEN.findall(text or "")]


def _joined(tokens: list[tuple[str, str]]) -> str:
    return "".join(space + word for space, word in tokens)


def word_changes(old: str, new: str) -> list[Words]:
    """`new` against `old` as runs of kept, removed and added words (a mark of punctuation
    counts as a word of its own, so "free" becoming "free," adds only the comma); long kept
    runs are cut short. Joined in order, the runs' texts read as the text."""
    before, after = _tokens(old), _tokens(new)
    runs = []
    opcodes = SequenceMatcher(None, [word for _, word in before], [word for _, word in after],
                              autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            runs.append(Words(_shortened(after[j1:j2], index == 0, index == len(opcodes) - 1)))
            continue
        for tokens, flag in ((before[i1:i2], "removed"), (after[j1:j2], "added")):
            if tokens:
                space, text = tokens[0][0], _joined(tokens).lstrip()
                if space:
                    runs.append(Words(space))
                runs.append(Words(text, **{flag: True}))
    return runs


def _shortened(tokens: list[tuple[str, str]], first: bool, last: bool) -> str:
    """Unchanged words around a change: all of them when few, else those next to the change."""
    keep = CONTEXT_WORDS
    if len(tokens) <= 2 * keep + 1:
        return _joined(tokens)
    if first and last:
        return _joined(tokens[:keep]) + " …"
    if first:
        return "…" + _joined(tokens[-keep:])
    if last:
        return _joined(tokens[:keep]) + " …"
    return _joined(tokens[:keep]) + " …" + _joined(tokens[-keep:])


@dataclass(frozen=True)
class _Text:
    title: str
    preamble: str
    demands: list[tuple[str, str]]
    closing: str


def _text_of(version: Statement | StatementRevision) -> _Text:
    demands = [(d["heading"], d["body"]) if isinstance(d, dict) else (d.heading, d.body)
               for d in version.demands]
    return _Text(version.title, version.preamble, demands, version.closing)


def _demand_changes(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[FieldChange]:
    changes = []

    def changed(number: int, was: tuple[str, str], now: tuple[str, str], label: str) -> None:
        parts = [word_changes(was[0], now[0]), word_changes(was[1], now[1])]
        changes.append(FieldChange(label % {"number": number}, [part for part in parts if part]))

    matcher = SequenceMatcher(None, [" ".join(d) for d in old], [" ".join(d) for d in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            changed(j1 + offset + 1, old[i1 + offset], new[j1 + offset], _("Demand %(number)d"))
        for position in range(i1 + paired, i2):
            changed(position + 1, old[position], ("", ""),
                    _("Demand %(number)d of the earlier version, taken out"))
        for position in range(j1 + paired, j2):
            changed(position + 1, ("", ""), new[position], _("Demand %(number)d, new"))
    return changes


def changes_between(older: Statement | StatementRevision,
                    newer: Statement | StatementRevision) -> list[FieldChange]:
    """The fields whose words differ from `older` to `newer`, in reading order."""
    was, now = _text_of(older), _text_of(newer)
    fields = []
    for label, before, after in ((_("Title"), was.title, now.title),
                                 (_("Preamble"), was.preamble, now.preamble)):
        if _tokens(before) != _tokens(after):
            fields.append(FieldChange(label, [word_changes(before, after)]))
    fields += _demand_changes(was.demands, now.demands)
    if _tokens(was.closing) != _tokens(now.closing):
        fields.append(FieldChange(_("Closing text"), [word_changes(was.closing, now.closing)]))
    return fields


def revision_history(statement: Statement) -> list[VersionChanges]:
    """Each earlier version, newest first, with what changed in the version that followed it."""
    versions = [*statement.revisions, statement]
    return [
        VersionChanges(older, older.number + 1, newer is statement, changes_between(older, newer))
        for older, newer in reversed(list(zip(versions, versions[1:])))
    ]
