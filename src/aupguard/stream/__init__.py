"""Scale-out: events through Redis Streams consumer groups, decided by N worker processes."""
