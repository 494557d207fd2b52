"""Where dossiers come from: a local folder or file, the intake bucket and its watcher, and
manifest.json."""
