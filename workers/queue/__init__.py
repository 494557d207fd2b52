"""The distributed worker: dramatiq actors, the worker process's runtime, pages fanned out through
Redis, re-digitisation batches, metrics."""
