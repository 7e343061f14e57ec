"""The errors the event rules raise, shared by every room of `campaign.events`."""


class EventError(Exception):
    """A rule refused the request; `message` is for the person, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EventNotFound(EventError):
    pass


class RegistrationClosed(EventError):
    pass


class NoPlaceLeft(EventError):
    pass
