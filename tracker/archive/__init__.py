"""Night files, replay clock and reconstructed nights. Qt-free."""
