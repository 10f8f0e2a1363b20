"""The lesson screen's widgets; each posts its own nested messages and takes attributes."""
