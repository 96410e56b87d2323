"""The trust boundary: who may name what, the guard of data, reading what a stranger hands us."""
