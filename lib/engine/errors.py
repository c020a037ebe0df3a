"""The engine's exceptions: every way a document or schema can be unusable, in plain words.

The server turns these into a FAILED job (or a 400) whose message is ``str(error)``, so each
message says what was wrong and, where it helps, what to do.
"""


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class DocumentError(EngineError):
    """The document cannot be read."""


class UnsupportedDocument(DocumentError):
    """The file type is not one the engine reads (or the content is not what the name says)."""


class CorruptDocument(DocumentError):
    """The file is damaged, truncated or not what its extension says."""


class EncryptedDocument(DocumentError):
    """The document is password-protected."""


class EmptyDocument(DocumentError):
    """The document has no bytes, no pages or no readable content."""


class DocumentTooLarge(DocumentError):
    """The document (or an image in it) is too large to decode safely."""


class PageSelectionError(EngineError):
    """``target_pages`` / ``max_pages`` is malformed or out of range."""


class SchemaError(EngineError):
    """The data schema cannot be used; ``pointer`` is the JSON pointer of the offending place."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{message} (at {pointer or '/'})")
        self.pointer = pointer or "/"
        self.reason = message
