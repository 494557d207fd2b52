"""The digitisation job for one dossier: store -> pipeline -> store -> warehouse, and the parts it
runs with."""
