"""Transports: each turns its platform's updates into Incoming messages and sends Replies back."""


class StartupError(Exception):
    """A channel cannot start; the message says in one line what to fix (and never holds a secret)."""
