"""Rendering reports: text for the terminal, Discord embeds, Slack blocks, PNG charts."""
