"""What several dashboard pages answer alike: the question before a destructive action, and
pages with personal data on them that no cache may keep."""
from flask import Response, render_template


def confirmation(question: str, consequences: list[str], action: str, button: str, back: str,
                 hidden: dict | None = None, status: int = 200):
    """A page that asks before doing: `question` as its heading, then `consequences`, one
    sentence each, saying what will happen; its POST button (`button`) sends `hidden` to
    `action`, the address that does it; "Cancel" goes `back`. Nothing changes until then."""
    return render_template(
        "dashboard/confirm.html", question=question, consequences=consequences, action=action,
        button=button, back=back, hidden=hidden or {},
    ), status


def private(response, status: int = 200) -> Response:
    """Pages with personal data on them are never kept in a cache."""
    if not isinstance(response, Response):
        response = Response(response, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
