"""jieneng: building energy-efficiency monitoring data platform."""

__version__ = "0.1.0"
