"""What several dashboard pages answer alike: pages with personal data on them that no cache
may keep."""
from flask import Response


def private(response, status: int = 200) -> Response:
    """Pages with personal data on them are never kept in a cache."""
    if not isinstance(response, Response):
        response = Response(response, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
