"""Kenes: the digital secretariat of the Central Asian consultative mechanism."""
