"""The reading: one page from image to upright words in reading order (normalise, OCR, layout), the
searchable PDF, and the reading's score against truth."""
