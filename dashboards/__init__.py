"""Plotly Dash dashboards for energy officials and auditors."""
