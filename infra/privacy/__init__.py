"""Personal data protection (issue 18; docs/privacy.md)."""
