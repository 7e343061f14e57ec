"""The home page: published statements and upcoming events, newest first."""
