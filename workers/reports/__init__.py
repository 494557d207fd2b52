"""The digitisation report rendered: terminal table, CSV, JSON, HTML."""
