"""Zip bombs: DOCX and XLSX are ZIP archives, checked before any parser inflates them.

The central directory declares every member's uncompressed size; reading it costs nothing,
so an archive that would inflate to gigabytes is refused before a byte is decompressed.
"""

from __future__ import annotations

import io
import zipfile

from lib.engine.errors import CorruptDocument, DocumentTooLarge

MAX_UNCOMPRESSED = 250 * 1024 * 1024  # all members together
MAX_MEMBERS = 20_000
MAX_RATIO = 150  # a member bigger than 5 MB may inflate at most this much
_RATIO_FLOOR = 5 * 1024 * 1024


def check_zip(data: bytes, filename: str) -> None:
    """Raise ``DocumentTooLarge`` for an archive that declares too much to inflate."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError) as exc:
        raise CorruptDocument(f"{filename} is damaged (its ZIP structure cannot be read); save it again") from exc
    if len(members) > MAX_MEMBERS:
        raise DocumentTooLarge(f"{filename} holds {len(members)} internal parts, too many to open safely")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise DocumentTooLarge(
                f"{filename} contains a part that inflates {ratio:.0f}-fold to {member.file_size // 2**20} MB "
                "(a zip bomb, or a file too large to open safely)"
            )
    if total > MAX_UNCOMPRESSED:
        raise DocumentTooLarge(
            f"{filename} inflates to {total // 2**20} MB, more than the {MAX_UNCOMPRESSED // 2**20} MB "
            "the engine opens safely; split it into smaller files"
        )
