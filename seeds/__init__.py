"""Reference data files (CSV, each value with its source) and the demo-data generator."""
