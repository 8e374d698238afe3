"""Read and write functions over a Session (keyword-only); they never commit."""
