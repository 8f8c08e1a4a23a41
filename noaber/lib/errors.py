"""Errors that actions of several apps raise and views of several apps handle."""


class ConflictError(Exception):
    """Someone else changed the object since this user opened it (optimistic locking)."""
