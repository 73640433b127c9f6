"""What every layer below shares: the API's error answers; IDs, clock, timestamps and JSON."""
