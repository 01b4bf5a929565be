"""Figures, briefing, summary.json and report folders."""
