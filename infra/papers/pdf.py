"""The printable PDF of a paper: its DOCX converted by LibreOffice, headless, so the two never
say different things. Times New Roman (36-HD/VPTW's usual font) is not free; LibreOffice sets
the text in Liberation Serif, which has its metrics, so the lines break where Word breaks them.

A paper states personal data: the DOCX and the PDF only pass through a private directory in
memory (/dev/shm where the system has it), removed as soon as the conversion ends, and each
conversion has its own LibreOffice profile there (a profile is locked by the process using it,
so two conversions sharing one would wait on each other or fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

TIMEOUT_SECONDS = 90  # a first start of LibreOffice on a busy machine
IN_MEMORY = Path("/dev/shm")  # noqa: S108 — a private directory is made inside (mkdtemp, 0700)
PREFIX = "dangvien-paper-"


class ConversionFailed(Exception):
    """LibreOffice gave no PDF (not a document, or the converter is missing)."""


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        raise ConversionFailed(
            "LibreOffice (soffice) is missing: scripts/ensure-libreoffice installs it"
        )
    return found


def scratch_root() -> str | None:
    """Where a conversion's files live: in memory when the system offers it."""
    return str(IN_MEMORY) if IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK) else None


def is_docx(data: bytes) -> bool:
    """A Word document's package (LibreOffice would read anything else as plain text)."""
    if not zipfile.is_zipfile(BytesIO(data)):
        return False
    with zipfile.ZipFile(BytesIO(data)) as package:
        return "word/document.xml" in package.namelist()


def docx_to_pdf(docx: bytes) -> bytes:
    """The PDF of a DOCX, every page as LibreOffice lays it out."""
    if not is_docx(docx):
        raise ConversionFailed("not a DOCX document")
    with tempfile.TemporaryDirectory(prefix=PREFIX, dir=scratch_root()) as tmp:
        work = Path(tmp)  # created 0700: readable by this user only
        source = work / "paper.docx"
        source.write_bytes(docx)
        command = [
            soffice(),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        env = {"HOME": str(work), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        try:
            done = subprocess.run(  # noqa: S603 — LibreOffice on our own file, no shell
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                env=env,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as slow:
            raise ConversionFailed(f"LibreOffice took over {TIMEOUT_SECONDS} s") from slow
        result = work / "paper.pdf"
        if not result.exists():
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise ConversionFailed(said[-1] if said else f"soffice exited {done.returncode}")
        return result.read_bytes()
