"""Generated from proto/mittari/v1 by generate.py."""
