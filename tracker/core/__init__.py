"""Qt-free core: the data model, threshold arithmetic and (later) projections."""
