"""What a department's template must be before it is kept (PAPER-TEMPLATE, docs/documents.md
"How to adapt a template"): a DOCX (a zip with a Word document inside, not a zip bomb) of at
most 1 MB, whose tags are the kind's own, whose Jinja is well formed, and which docxtpl renders
with a sample paper of the kind into a DOCX python-docx reads back. Refused, nothing is written
and the message names the problem (the unknown tags, the syntax error).

The sample paper of each kind is the one the pictures of docs/documents.md are drawn from
(infra/papers/samples.py)."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from typing import Any

import qrcode
from docx import Document
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from qrcode.image.pure import PyPNGImage

from domain.errors import RuleViolation
from domain.paper import PaperKind
from infra.papers.render import context, default_template
from infra.papers.samples import SAMPLES

RULE = "PAPER-TEMPLATE"
MAX_BYTES = 1024 * 1024  # the defaults are 37 kB: room for a logo, not for a scan
MAX_UNPACKED = 20 * MAX_BYTES  # what the zip may hold once opened
SAMPLE_URL = "https://dangvien.example/verify/0000-0000-0000"


def refused(vi: str, en: str, **details: Any) -> RuleViolation:
    return RuleViolation(RULE, vi, en, **details)


def sample_context(kind: str) -> dict[str, Any]:
    """The values a template of `kind` is filled with, for the kind's sample paper
    (infra/papers/samples.py: every kind has one)."""
    return context(SAMPLES[PaperKind(kind)], "0000-0000-0000", SAMPLE_URL)


def tags_of(kind: str) -> list[str]:
    """The tags a template of `kind` may use (the QR code's image among them)."""
    return sorted([*sample_context(kind), "qr"])


def check_template(kind: str, content: bytes) -> None:
    """PAPER-TEMPLATE: refused with what is wrong, or nothing."""
    kind = str(PaperKind(kind))
    if not content:
        raise refused("Tệp mẫu trống", "The template file is empty")
    if len(content) > MAX_BYTES:
        raise refused(
            f"Tệp mẫu lớn hơn 1 MB ({len(content) // 1024} kB)",
            f"The template is larger than 1 MB ({len(content) // 1024} kB)",
            size=len(content),
        )
    _check_package(content)
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    sample = sample_context(kind)
    try:
        unknown = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(
            env, {**sample, "qr": None}
        )
    except TemplateSyntaxError as error:
        _check_renders(content, sample, env)  # the same error, with the text around it
        raise _malformed(error) from None
    except Exception:  # python-docx cannot read it: a zip that is no Word document
        raise _not_docx() from None
    if unknown:
        names = ", ".join(sorted(unknown))
        raise refused(
            f"Mẫu dùng thẻ không có cho loại giấy tờ này: {names}",
            f"The template uses tags this kind of paper does not have: {names}",
            tags=sorted(unknown),
        )
    _check_renders(content, sample, env)


def _malformed(error: TemplateSyntaxError) -> RuleViolation:
    near = _near(error)
    return refused(
        f"Cú pháp của thẻ trong mẫu bị sai: {error.message or error}{near}",
        f"A tag of the template is malformed: {error.message or error}{near}",
    )


def _near(error: TemplateSyntaxError) -> str:
    """The template's text around the error (docxtpl keeps a few lines of it), briefly."""
    lines = getattr(error, "docx_context", None)
    text = " ".join(" ".join(line.split()) for line in lines or ()).strip()
    return f" (… {text[:80]} …)" if text else ""


def _not_docx() -> RuleViolation:
    return refused(
        "Tệp không phải là văn bản Word (.docx)", "The file is not a Word document (.docx)"
    )


def _check_package(content: bytes) -> None:
    """A DOCX is a zip with word/document.xml; what it unpacks to is bounded."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _not_docx() from None
    if "word/document.xml" not in {e.filename for e in entries}:
        raise _not_docx()
    if sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise refused(
            "Tệp mẫu giải nén ra quá lớn", "The template unpacks to too much", size=len(content)
        )


@cache
def sample_qr() -> bytes:
    """The sample paper's QR code (made once: a QR code takes half a second in pure Python)."""
    png = io.BytesIO()
    qrcode.make(SAMPLE_URL, image_factory=PyPNGImage).save(png)
    return png.getvalue()


def _check_renders(content: bytes, sample: dict[str, Any], env: SandboxedEnvironment) -> None:
    """Filled with the sample paper, the template gives a DOCX that reads back."""
    doc = DocxTemplate(io.BytesIO(content))
    png = io.BytesIO(sample_qr())
    try:
        doc.render({**sample, "qr": InlineImage(doc, png, width=Cm(2.5))}, jinja_env=env)
        out = io.BytesIO()
        doc.save(out)
        Document(io.BytesIO(out.getvalue()))
    except TemplateSyntaxError as error:
        raise _malformed(error) from None
    except TemplateError as error:
        raise refused(
            f"Mẫu không điền được: {error.message or error}",
            f"The template cannot be filled in: {error.message or error}",
        ) from None
    except Exception as error:  # any other failure of a department's file is its own
        raise refused(
            "Mẫu không điền được với một giấy tờ mẫu (hãy kiểm tra các thẻ)",
            "The template cannot be filled in with a sample paper (check its tags)",
            reason=type(error).__name__,
        ) from None


def default_bytes(kind: str) -> bytes:
    """The default template of a kind, as a starting point to adapt."""
    return default_template(str(PaperKind(kind))).read_bytes()
