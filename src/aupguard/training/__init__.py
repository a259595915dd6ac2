"""Training of the small shipped models (scikit-learn, imported only here)."""
