"""tap-lexful: a Singer tap for the Lexful API."""
