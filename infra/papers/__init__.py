"""The papers of the process (docs/documents.md): who may issue which, the verification a
visitor reads, the editable DOCX rendered from a template and its printable PDF."""
