"""Which files of a mail are kept: within the size cap, of an allowed type, and truly of the type they claim
(the first bytes are read: an executable named invoice.pdf is refused)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import PurePosixPath

from adapters.email.parse import MailFile
from adapters.email.settings import AttachmentSettings
from core.messages import InboundFile
from core.ticket_files import readable_size

EXECUTABLE_EXTENSIONS = frozenset({
    ".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".ps1", ".msi",
    ".msp", ".jar", ".dll", ".lnk", ".hta", ".cpl", ".sh", ".app", ".apk", ".iso", ".img", ".reg",
})
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"#!")
# The first bytes of the types whose files are easy to tell apart: a file of such a type must start so.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/bmp": (b"BM",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
}
ZIP_FAMILIES = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.")
OPAQUE = frozenset({"application/octet-stream", "application/x-octet-stream", "binary/octet-stream", ""})


@dataclass(frozen=True)
class Refused:
    filename: str
    reason: str

    def describe(self) -> str:
        return f"{self.filename} ({self.reason})"


def sort_files(files: tuple[MailFile, ...], settings: AttachmentSettings
               ) -> tuple[list[InboundFile], list[Refused]]:
    kept: list[InboundFile] = []
    refused: list[Refused] = []
    for file in files:
        content_type, reason = judge(file, settings)
        if reason:
            refused.append(Refused(file.filename, reason))
        else:
            kept.append(InboundFile(filename=file.filename, media_type=content_type, data=file.data))
    return kept, refused


def judge(file: MailFile, settings: AttachmentSettings) -> tuple[str, str]:
    """The content type the file is kept as, and '' -- or why it is refused."""
    if len(file.data) > settings.max_bytes:
        return "", f"{readable_size(len(file.data))}, over the {readable_size(settings.max_bytes)} limit"
    if not file.data:
        return "", "empty"
    if PurePosixPath(file.filename.lower()).suffix in EXECUTABLE_EXTENSIONS or file.data.startswith(EXECUTABLE_MAGIC):
        return "", "programs and scripts are not accepted"
    declared = file.declared_type.lower()
    if declared in OPAQUE:
        declared = _sniffed(file.data) or mimetypes.guess_type(file.filename)[0] or "application/octet-stream"
    if not any(fnmatch(declared, pattern) for pattern in settings.allowed_types):
        return "", f"type {declared} is not accepted"
    expected = SIGNATURES.get("application/zip" if declared.startswith(ZIP_FAMILIES) else declared)
    if expected is not None and not file.data.startswith(expected):
        return "", f"its content is not the {declared} it claims to be"
    if declared.startswith("text/") and b"\x00" in file.data[:8192]:
        return "", f"its content is not the {declared} it claims to be"
    return declared, ""


def _sniffed(data: bytes) -> str:
    for content_type, starts in SIGNATURES.items():
        if data.startswith(starts):
            return content_type
    return ""
