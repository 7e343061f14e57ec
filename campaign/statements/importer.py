"""Statements pasted or uploaded as plain text, in the shape campaigns already publish in.

    A FREE AND UNITED UKRAINE                  <- first non-blank line: the title
    We call on ...                              <- preamble paragraphs
    1. Aid to Ukraine: Increase aid ...         <- numbered points "N. Heading: body"
       ... a body may run on over lines         (heading optional)
    Add your name.                              <- closing text (after a blank line)
    Signed:
    Jane Doe, General Secretary, Some Union (pc)  <- one signatory a line

`parse_statement_text` is a plain function returning a `ParsedStatement` (or raising
`ImportFormatError` naming the line). Storing one, with its signatories, is
`signatures.importing.import_statement`, which the command line and the dashboard call.
"""
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from campaign.common.text import (
    AFFILIATION_MAX_LENGTH, AFFILIATION_NEEDS_A_LETTER, NAME_MAX_LENGTH, NAME_NEEDS_A_LETTER,
    clean, has_control_characters, has_visible_letter, text_problem,
)
from campaign.statements.models import Statement
from campaign.statements.service import DemandText, StatementError

#: Larger files are refused: a statement is a page of text, not a book.
MAX_IMPORT_BYTES = 1_000_000
TITLE_MAX_LENGTH = Statement.title.type.length
#: Text before the first ": " of a point is its heading only when it is this short ...
HEADING_MAX_LENGTH = 80
#: ... and does not end a sentence, so "We ask this. Note: ..." stays one body.
_SENTENCE_END = re.compile(r"[.!?]")
_POINT = re.compile(r"^\s*(\d{1,4})[.)](?:\s+(.*))?$")
#: "Signed:", or in a Ukrainian text "Підписали:" / "Підписи:".
_SIGNED = re.compile(r"^\s*(signed(\s+by)?|підписали|підписи)\s*:\s*$", re.IGNORECASE)
_PERSONAL_CAPACITY = re.compile(r"\(\s*(?:personal\s+capacity|pc)\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Signatory:
    """One "Name, affiliation" line of the signatories."""

    name: str
    affiliation: str = ""
    personal_capacity: bool = False


class ImportFormatError(StatementError):
    """The text is not in the import shape; `line` is the 1-based line it concerns."""

    def __init__(self, line: int, message: str):
        super().__init__(_("Line %(line)d: %(message)s", line=line, message=message), field="text")
        self.line = line
        #: What is wrong, without the line number (a preview shows that beside it).
        self.problem = message


@dataclass
class ParsedStatement:
    title: str
    preamble: str = ""
    demands: list[DemandText] = field(default_factory=list)
    closing: str = ""
    signatories: list[Signatory] = field(default_factory=list)


def decode_statement_file(data: bytes) -> str:
    """UTF-8 text with or without a byte order mark; anything else is refused, naming the line."""
    if len(data) > MAX_IMPORT_BYTES:
        raise StatementError(
            _("The text is larger than %(size)d bytes.", size=MAX_IMPORT_BYTES), field="text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            line, _("the file is not UTF-8 text. Save it as UTF-8 and try again.")
        ) from error


def parse_statement_text(text: str) -> ParsedStatement:
    """Read the title, preamble, numbered points, closing text and signatories."""
    text = text.removeprefix("\ufeff")
    lines = [clean(line.replace("\t", " ")) for line in re.split(r"\r\n|\r|\n", text)]
    for number, line in enumerate(lines, start=1):
        if has_control_characters(line):
            raise ImportFormatError(number, _("remove the control characters from this line."))
    numbered = list(enumerate(lines, start=1))
    signed_at = next((i for i, (_n, line) in enumerate(numbered) if _SIGNED.match(line)), None)
    body = numbered if signed_at is None else numbered[:signed_at]
    signature_lines = [] if signed_at is None else numbered[signed_at + 1:]

    title_at = next((i for i, (_n, line) in enumerate(body) if line), None)
    if title_at is None:
        raise ImportFormatError(1, _("the text has no title: the first line with text is the title."))
    title_number, title = body[title_at]
    if len(title) > TITLE_MAX_LENGTH:
        raise ImportFormatError(
            title_number, _("the title is longer than %(max)d characters.", max=TITLE_MAX_LENGTH)
        )
    if _POINT.match(title):
        raise ImportFormatError(title_number, _("the first line must be the title, not a numbered point."))
    preamble, demands, closing = _split_text(body[title_at + 1:])
    return ParsedStatement(
        title=title,
        preamble=preamble,
        demands=demands,
        closing=closing,
        signatories=_signatories(signature_lines),
    )


def _split_text(numbered_lines: list[tuple[int, str]]) -> tuple[str, list[DemandText], str]:
    """Preamble lines until the first point; each point until the next; then the closing.

    A point's body runs on over the following lines. After the last point, a blank
    line ends it and whatever follows is the closing text.
    """
    preamble: list[str] = []
    points: list[tuple[int, str, list[str]]] = []
    closing: list[str] = []
    for number, line in numbered_lines:
        match = _POINT.match(line)
        if match:
            expected = len(points) + 1
            if int(match.group(1)) != expected:
                raise ImportFormatError(number, _(
                    "point %(found)s should be number %(expected)d: points are numbered "
                    "1, 2, 3 … with no gaps.", found=match.group(1), expected=expected,
                ))
            if closing:
                points[-1][2].extend(closing)
                closing = []
            points.append((number, match.group(2) or "", []))
        elif not points:
            preamble.append(line)
        elif closing or not line:
            closing.append(line)
        else:
            points[-1][2].append(line)
    demands = [_demand(number, first, rest) for number, first, rest in points]
    return _paragraphs(preamble), demands, _paragraphs(closing)


def _demand(number: int, first_line: str, more_lines: list[str]) -> DemandText:
    heading, body = _heading_and_body(first_line)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join([body, *more_lines]).strip())
    if not heading and not body:
        raise ImportFormatError(number, _("this point has no text."))
    return DemandText(heading=heading, body=body)


def _heading_and_body(text: str) -> tuple[str, str]:
    """"Aid to Ukraine: Increase aid" -> ("Aid to Ukraine", "Increase aid").

    Text before the first colon is a heading only when short and not a sentence,
    so a colon inside a long first sentence stays part of the body.
    """
    before, colon, after = text.partition(":")
    if not colon or (after and not after[0].isspace()):
        return "", text
    before = before.strip()
    if before and len(before) <= HEADING_MAX_LENGTH and not _SENTENCE_END.search(before):
        return before, after.strip()
    return "", text


def _paragraphs(lines: list[str]) -> str:
    """Blank lines separate paragraphs; text with no blank line has one paragraph a line."""
    while lines and not lines[0]:
        lines = lines[1:]
    while lines and not lines[-1]:
        lines = lines[:-1]
    if "" not in lines:
        return "\n\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _signatories(numbered_lines: list[tuple[int, str]]) -> list[Signatory]:
    signatories: list[Signatory] = []
    seen: set[tuple[str, str, bool]] = set()
    for number, line in numbered_lines:
        if not line:
            continue
        signatory = _signatory(number, line)
        key = (signatory.name.casefold(), signatory.affiliation.casefold(),
               signatory.personal_capacity)
        if key not in seen:
            seen.add(key)
            signatories.append(signatory)
    return signatories


def signatory_line(number: int, line: str) -> Signatory:
    """One signatory line on its own (paper signatures are pasted in this shape), as
    `parse_statement_text` reads each line after "Signed:"; ImportFormatError names the problem."""
    line = clean(line.replace("\t", " "))
    if has_control_characters(line):
        raise ImportFormatError(number, _("remove the control characters from this line."))
    return _signatory(number, line)


def _signatory(number: int, line: str) -> Signatory:
    """"Name, affiliation" with "(personal capacity)" or "(pc)" anywhere setting that flag."""
    personal_capacity = bool(_PERSONAL_CAPACITY.search(line))
    line = _PERSONAL_CAPACITY.sub(" ", line)
    name, _comma, affiliation = line.partition(",")
    # Trailing list punctuation ("..., Union of Ukraine," or "... (2005-2024).") is not part of it.
    affiliation = " ".join(affiliation.split()).strip(" ,;.")
    if line.rstrip().endswith(":") and name.strip():
        raise ImportFormatError(
            number, _("this does not look like a signatory (Name, affiliation).")
        )
    return checked_signatory(number, name, affiliation, personal_capacity)


def checked_signatory(number: int, name: str, affiliation: str,
                      personal_capacity: bool = False) -> Signatory:
    """A name and affiliation held to the signatory rules (a CSV row's, or a line's)."""
    name = " ".join(name.split())
    affiliation = " ".join(affiliation.split())
    if not name:
        raise ImportFormatError(number, _("a signatory line must start with the name."))
    if len(name) > NAME_MAX_LENGTH:
        raise ImportFormatError(
            number, _("the name is longer than %(max)d characters.", max=NAME_MAX_LENGTH)
        )
    if len(affiliation) > AFFILIATION_MAX_LENGTH:
        raise ImportFormatError(number, _(
            "the affiliation is longer than %(max)d characters.", max=AFFILIATION_MAX_LENGTH
        ))
    problem = text_problem(name) or text_problem(affiliation)
    if problem is not None:
        raise ImportFormatError(number, problem.message)
    if not has_visible_letter(name):
        raise ImportFormatError(number, str(NAME_NEEDS_A_LETTER))
    if affiliation and not has_visible_letter(affiliation):
        raise ImportFormatError(number, str(AFFILIATION_NEEDS_A_LETTER))
    return Signatory(name=name, affiliation=affiliation, personal_capacity=personal_capacity)
