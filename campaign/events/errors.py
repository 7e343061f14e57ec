"""The errors the event rules raise, shared by every room of `campaign.events`."""
from campaign.common.errors import DomainError


class EventError(DomainError):
    """A rule refused a change to an event, its tickets or a registration."""


class EventNotFound(EventError):
    pass


class RegistrationClosed(EventError):
    pass


class NoPlaceLeft(EventError):
    pass
