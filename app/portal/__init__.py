"""The public disclosure portal (能效公示): server-rendered Jinja2 pages and their local stylesheet."""
