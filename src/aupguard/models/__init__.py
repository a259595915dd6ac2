"""Small trained artifacts shipped in the package, their data cards and their loaders."""
