"""The weekly rhythm's logic: schedule, post, digest, alerts, nominations (pure-ish modules
the cogs call; every SQL statement stays in ``bot.store``)."""
