"""URL converters shared by every blueprint."""
from werkzeug.routing import IntegerConverter

#: The largest value of a database INTEGER column (ids).
MAX_DATABASE_INTEGER = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an id column can hold: a larger number is a 404,
    not a query PostgreSQL refuses ("integer out of range")."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_INTEGER)
        super().__init__(map, *args, **kwargs)
