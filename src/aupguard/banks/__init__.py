"""Hash banks (as Meta's Hasher-Matcher-Actioner): known media hashes matched on attachments."""
