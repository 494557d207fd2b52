"""Pure digitisation stages: bytes, images and settings in, frozen results out."""

PIPELINE_VERSION = "1"
