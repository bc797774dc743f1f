"""Papers at the edge (docs/documents.md): who may issue which, the verification a visitor
reads, and the DOCX rendered from a template."""
