"""Small trained artifacts shipped with aupguard, each with a data card (<name>.md)."""
