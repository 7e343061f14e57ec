"""The one error type the domains raise when a rule refuses a request."""


class DomainError(ValueError):
    """A rule refused the request. `message` is for the person; `field` names the form field
    it concerns, if any, so a form can show it there (`common.forms.show_error`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
