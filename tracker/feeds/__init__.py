"""Feed parsers, one per format: bytes in, Snapshot out. Qt-free."""
