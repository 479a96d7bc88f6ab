"""What each command-line command does (the typer layer only parses options)."""
