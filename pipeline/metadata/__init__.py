"""The metadata stage: the fields of a Vietnamese administrative document from its text (header,
foot, tolerant keys)."""
