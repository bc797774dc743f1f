"""The papers of the process (docs/documents.md): the editable DOCX and its printable PDF."""
