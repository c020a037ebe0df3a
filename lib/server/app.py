"""The FastAPI application: routes per resource, bearer auth, a body-size limit, and error bodies
``{"detail": ...}`` with the statuses the hosted API documents (never a 500 for bad input)."""

from __future__ import annotations

import hmac
import json
import logging
import socket
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lib.api.models import ErrorBody
from lib.server.context import ServerContext
from lib.server.errors import ApiError, BadRequest
from lib.server.routes import configurations, content, extract, files, health, parse, schema
from lib.server.schemas import check_schema
from lib.server.settings import ServerSettings

log = logging.getLogger("lib.server")

# Paths a request may reach without the bearer key: liveness, and signed content URLs (the
# signature in the URL is the credential, so a browser can fetch them).
_OPEN_PREFIXES = ("/health", "/api/health", "/content/")
_DOC_PATHS = ("/docs", "/openapi.json", "/redoc", "/docs/oauth2-redirect")
MULTIPART_OVERHEAD = 1024 * 1024

# Declared on every operation so /openapi.json tells clients (and schemathesis) what errors look like.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad input: the detail says what was wrong"),
        (401, "Missing or wrong API key (when the server has one)"),
        (403, "A download link that is invalid or has expired"),
        (404, "No such file, job or configuration"),
        (409, "The change is impossible in the resource's current state"),
        (413, "The request body is over the size limit"),
        (429, "The job queue is full; retry after the Retry-After header's seconds"),
        (503, "The server is shutting down, or the feature is not available in this build"),
    )
}


def _json_error(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


async def _send_json(send: Send, status: int, detail: str, extra_headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BearerAuth:
    """When an API key is configured, every request outside the open paths needs
    ``Authorization: Bearer <key>``; the key is compared in constant time and never logged."""

    def __init__(self, app: ASGIApp, api_key: str | None, public_docs: bool) -> None:
        self.app = app
        self.key = api_key.encode() if api_key else None
        self.public_docs = public_docs

    def _open(self, path: str) -> bool:
        if path.startswith(_OPEN_PREFIXES):
            return True
        return self.public_docs and path in _DOC_PATHS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.key is None or self._open(scope["path"]):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.key):
            await self.app(scope, receive, send)
            return
        detail = "Missing or wrong API key: send 'Authorization: Bearer <key>' with the key this server was started with."
        await _send_json(send, 401, detail, [(b"www-authenticate", b"Bearer")])


class _BodyTooLarge(BaseException):
    """A BaseException so that FastAPI's body parsing (which turns any Exception into a 400)
    lets it through to ``BodyLimit``, which answers 413."""


class BodyLimit:
    """Refuse a request body over the limit with 413, by its Content-Length up front or by
    counting streamed bytes, so an oversized upload is never buffered whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit_mb = self.max_bytes / (1024 * 1024)
        detail = f"The request body is larger than this server accepts ({limit_mb:.0f} MB); upload a smaller file."
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _send_json(send, 413, detail)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _BodyTooLarge:
            if not started:
                await _send_json(send, 413, detail)


_STARLETTE_PARSE_ERROR = "There was an error parsing the body"
_STARLETTE_MULTIPART_ERROR = "Invalid multipart data."
_MULTIPART_HELP = ("The multipart form could not be read: it is malformed, or a part's headers are over 4 KB "
                   "(a file name thousands of characters long?). Send well-formed multipart/form-data with a "
                   "shorter file name.")


def _unreadable_body(request: Request) -> str:
    """Say why a body could not even be parsed (FastAPI's own message names no cause)."""
    if "json" in request.headers.get("content-type", ""):
        return ("The request body is not JSON this server can read: it is malformed or nested too deeply "
                "(a data_schema may nest at most 7 levels). Send a smaller, shallower JSON body.")
    return "The request body could not be read: send a well-formed multipart/form-data or JSON body as documented."


def _schema_type_error(errors: list[Any]) -> str | None:
    """A data_schema that is not an object at all breaks a schema rule (400 naming it), not the request's shape."""
    for error in errors:
        loc = error.get("loc", ())
        if loc and loc[-1] == "data_schema" and error.get("type") == "dict_type":
            try:
                check_schema(error.get("input"))
            except BadRequest as bad:
                return bad.message
    return None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        headers = {"x-should-retry": "false"} if error.status in (400, 403, 404, 409, 413) else {}
        if error.status == 429:
            headers = {"retry-after": "2"}
        return _json_error(error.status, error.message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        schema_problem = _schema_type_error(list(error.errors()))
        if schema_problem:
            return _json_error(400, schema_problem, {"x-should-retry": "false"})
        details = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in error.errors()
        ]
        return _json_error(422, details, {"x-should-retry": "false"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail
        if error.status_code == 400 and detail == _STARLETTE_PARSE_ERROR:
            detail = _unreadable_body(request)
        elif error.status_code == 400 and detail == _STARLETTE_MULTIPART_ERROR:
            detail = _MULTIPART_HELP
        return _json_error(error.status_code, detail, dict(error.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _json_error(500, f"Internal server error ({type(error).__name__}); the server log has details.")


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket bound before uvicorn starts, so port 0 yields a known free port with no race.

    Created with ``IPPROTO_TCP`` explicitly: accepted sockets inherit the protocol number, and
    asyncio only sets ``TCP_NODELAY`` on sockets that carry it; without it every keep-alive
    response waits ~40 ms on Nagle's algorithm and delayed ACKs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(512)
    return sock


def create_app(settings: ServerSettings) -> FastAPI:
    """The app and its context; workers and webhooks start with the app's lifespan."""
    ctx = ServerContext(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.start()
        try:
            yield
        finally:
            ctx.stop()

    app = FastAPI(
        title="Extract v2 API (local)",
        version="2",
        description="The local Extract v2 service of the extraction review studio: the hosted API's surface on the local engine.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.ctx = ctx
    for module in (health, files, content, extract, schema, configurations, parse):
        app.include_router(module.router)
    _install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_file_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(BearerAuth, api_key=settings.api_key, public_docs=settings.public_docs)
    return app
