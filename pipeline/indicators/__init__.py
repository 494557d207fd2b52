"""Decision 766's digitisation-rate indicators, the report built from them, and the one-stop shop's
register file."""
