"""target-lexful: a Singer target that writes to the Lexful API."""
