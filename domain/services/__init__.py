"""The service layer, one module per process it serves; `domain.application.Dangvien`
composes them over one store."""
