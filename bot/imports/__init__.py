"""Importing history from platform exports: a Slack workspace export and
DiscordChatExporter JSON files become the same neutral events the live adapters make, and go
through the engine like a replay (``bot.imports.run``)."""
