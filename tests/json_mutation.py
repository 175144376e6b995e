"""Structured fuzzing of real JSON payloads: replace one value anywhere in the document.

Shared by the JSON feed parsers' tests (AP, Georgia SOS): the mutated document is still JSON, so
the parser's own checks, not the JSON decoder, are what gets exercised.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Arbitrary JSON values to put where a real one was.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**9) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3),
    max_leaves=12,
)


def replace_one_value(doc: Any, data: st.DataObject) -> Any:
    """Walk up to 8 levels into ``doc`` along drawn keys and replace the value there (in place)."""
    node = doc
    for _ in range(data.draw(st.integers(1, 8))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        if not isinstance(node[key], (dict, list)) or data.draw(st.booleans()):
            node[key] = data.draw(JSON_VALUES)
            break
        node = node[key]
    return doc
