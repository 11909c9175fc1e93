"""The toolchain's version, in a module of its own so that any module (the Program envelope
records which compiler built it) can import it without importing the whole package."""

__version__ = "0.1.0"
