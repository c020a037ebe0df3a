"""The server's own exceptions, one per documented HTTP status.

Routes and the store raise these with a message written for the person reading the response;
``app.py`` turns each into ``{"detail": message}`` with its status, so no handler builds error
responses by hand and no bad input can fall through to a 500.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base: ``status`` is the HTTP status, ``str(error)`` the ``detail`` sent back."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"No {kind} with ID {ident!r} exists on this server.")


class Conflict(ApiError):
    status = 409


class TooLarge(ApiError):
    status = 413


class QueueFull(ApiError):
    status = 429


class Unavailable(ApiError):
    status = 503
