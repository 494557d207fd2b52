"""Processes: the digitisation job, the CLI and (later) dramatiq actors and the bucket watcher."""
